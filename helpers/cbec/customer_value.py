"""Customer lifetime value from a transaction log: the BG/NBD purchase model and the
Gamma-Gamma spend model (via `lifetimes`), shared by every module that values customers.

The set-up follows Fader, Hardie & Lee (2005), "Counting your customers the easy way":
each customer's repeat purchases in a calibration period (frequency, recency, age T),
time in weeks by default. The spend model takes whatever amount a transaction carries:
revenue gives a revenue LTV, contribution margin per order a margin LTV.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.special import hyp2f1

from cbec.data.columns import require_columns


def rfm_summary(transactions: pd.DataFrame, calibration_end, *, time_unit_days: int = 7, customer: str = "customer_id",
                date: str = "date", amount: str = "amount") -> pd.DataFrame:
    """frequency, recency, T (in ``time_unit_days``) and monetary_value per customer up to ``calibration_end``.

    ``frequency`` counts repeat purchase days (the first day is not a repeat); ``monetary_value``
    is the mean ``amount`` of the repeat days (0 without repeats), as `lifetimes` defines them.
    """
    from lifetimes.utils import summary_data_from_transaction_data

    require_columns(transactions, [customer, date, amount], "transactions")
    calibration = transactions[transactions[date] <= pd.Timestamp(calibration_end)]
    if calibration.empty:
        raise ValueError(f"no transactions on or before {calibration_end}; pick a later calibration_end.")
    summary = summary_data_from_transaction_data(
        calibration, customer, date, monetary_value_col=amount, observation_period_end=calibration_end, freq="D")
    summary["recency"] = summary["recency"] / time_unit_days
    summary["T"] = summary["T"] / time_unit_days
    return summary


def fit_bgnbd(summary: pd.DataFrame, penalizer: float = 0.0):
    """A fitted `lifetimes.BetaGeoFitter` (parameters r, alpha, a, b in ``params_``)."""
    from lifetimes import BetaGeoFitter

    require_columns(summary, ["frequency", "recency", "T"], "summary")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BetaGeoFitter(penalizer_coef=penalizer).fit(summary["frequency"], summary["recency"], summary["T"])


def fit_gamma_gamma(summary: pd.DataFrame, penalizer: float = 0.0):
    """Gamma-Gamma spend model on repeat buyers (frequency > 0) with a positive monetary value."""
    from lifetimes import GammaGammaFitter

    require_columns(summary, ["frequency", "monetary_value"], "summary")
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeat) < 10:
        raise ValueError(f"only {len(repeat)} repeat buyers with a positive amount; the spend model needs more "
                         "(use a longer calibration period).")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GammaGammaFitter(penalizer_coef=penalizer).fit(repeat["frequency"], repeat["monetary_value"])


def expected_repeat_purchases(params, t, frequency, recency, T) -> np.ndarray:
    """BG/NBD expected purchases in the next ``t`` time units of customers with history
    (frequency ``x``, recency ``t_x``, age ``T``): equation 10 of Fader, Hardie & Lee (2005),

        E[Y(t) | x, t_x, T] = (a + b + x - 1) / (a - 1)
            * [1 - ((alpha + T) / (alpha + T + t))^(r + x) 2F1(r + x, b + x; a + b + x - 1; t / (alpha + T + t))]
            / [1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)].

    Computed without logarithms: when a + b < 1 the first factor and the hypergeometric term
    are negative for one-time buyers (x = 0), where `lifetimes` returns NaN.
    """
    r, alpha, a, b = (float(params[k]) for k in ("r", "alpha", "a", "b"))
    x, tx, T = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    z = t / (alpha + T + t)
    hypergeometric = hyp2f1(r + x, b + x, a + b + x - 1, z)
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hypergeometric
    with np.errstate(divide="ignore", invalid="ignore"):
        alive_odds = np.where(x > 0, a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x), 0.0)
    return (a + b + x - 1) / (a - 1) * bracket / (1 + alive_odds)


#: Time units per month, for ``freq`` (as `lifetimes` counts them).
UNITS_PER_MONTH = {"W": 4.345, "M": 1.0, "D": 30.0}


def customer_lifetime_value(bgf, ggf, summary: pd.DataFrame, months: int = 12,
                            discount_rate: float = 0.01, freq: str = "W") -> pd.Series:
    """Discounted expected value of each customer's future purchases over ``months`` (monthly discount rate):
    month by month, the expected purchases (:func:`expected_repeat_purchases`) times the Gamma-Gamma expected
    value per purchase, discounted, as `lifetimes` defines it.

    ``freq`` is the time unit of ``summary`` ("W" weeks, "D" days, "M" months).
    """
    if freq not in UNITS_PER_MONTH:
        raise ValueError(f"freq is one of {sorted(UNITS_PER_MONTH)}, got {freq!r}.")
    require_columns(summary, ["frequency", "recency", "T", "monetary_value"], "summary")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spend = np.asarray(ggf.conditional_expected_average_profit(summary["frequency"], summary["monetary_value"]),
                           dtype=float)
    unit = UNITS_PER_MONTH[freq]
    history = (summary["frequency"], summary["recency"], summary["T"])
    value = np.zeros(len(summary))
    previous = np.zeros(len(summary))
    for month in range(1, months + 1):
        cumulative = expected_repeat_purchases(bgf.params_, month * unit, *history)
        value += spend * (cumulative - previous) / (1 + discount_rate) ** month
        previous = cumulative
    return pd.Series(value, index=summary.index, name="clv")
