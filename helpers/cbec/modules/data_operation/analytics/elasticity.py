"""Price elasticity of demand: the slope of log quantity on log price."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cbec.data.columns import require_columns


@dataclass(frozen=True)
class Elasticity:
    elasticity: float
    ci_low: float
    ci_high: float
    r2: float
    n: int


def price_elasticity(frame: pd.DataFrame, price_col: str = "price", quantity_col: str = "quantity",
                     alpha: float = 0.05) -> Elasticity:
    r"""OLS of $\ln q = c + \varepsilon \ln p$; $\varepsilon$ is the elasticity."""
    import statsmodels.api as sm

    require_columns(frame, [price_col, quantity_col], "frame")
    if (frame[price_col] <= 0).any() or (frame[quantity_col] <= 0).any():
        raise ValueError(f"{price_col} and {quantity_col} must be positive to take logs; "
                         "drop weeks with zero sales or aggregate them first.")
    fit = sm.OLS(np.log(frame[quantity_col]), sm.add_constant(np.log(frame[price_col]))).fit()
    low, high = fit.conf_int(alpha).iloc[1]
    return Elasticity(float(fit.params.iloc[1]), float(low), float(high), float(fit.rsquared), int(fit.nobs))


def demand_experiment(seed: int = 0, true_elasticity: float = -1.8, n_weeks: int = 104,
                      base_price: float = 25.0, base_units: float = 400.0) -> pd.DataFrame:
    """Weekly price tests of one product with a known constant elasticity and noise."""
    rng = np.random.default_rng(seed)
    price = base_price * rng.choice([0.8, 0.9, 1.0, 1.1, 1.2], n_weeks) * rng.lognormal(0, 0.02, n_weeks)
    expected = base_units * (price / base_price) ** true_elasticity
    units = rng.poisson(expected * rng.lognormal(0, 0.1, n_weeks))
    return pd.DataFrame({"week": np.arange(1, n_weeks + 1), "price": price.round(2), "quantity": units})
