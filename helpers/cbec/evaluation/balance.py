"""Balance of the two arms before treatment: standardised mean differences."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbec.evaluation.models import term_columns

#: |SMD| above this is usually read as a meaningful imbalance (Austin 2009).
SMD_THRESHOLD = 0.1


def standardised_differences(table: pd.DataFrame, treatment: str, covariates) -> pd.DataFrame:
    """Mean of each covariate by arm and SMD = (mean_1 - mean_0) / sqrt((var_1 + var_0) / 2)."""
    covariates = list(covariates)
    if not covariates:
        return pd.DataFrame(columns=["mean_treated", "mean_control", "smd", "imbalanced"])
    # every category gets its own indicator: balance has no reference level
    values = pd.concat([term_columns(table, c, drop_first=False) for c in covariates], axis=1)
    arm = table[treatment].astype(bool)
    treated, control = values[arm], values[~arm]
    pooled_sd = np.sqrt((treated.var() + control.var()) / 2)
    smd = (treated.mean() - control.mean()) / pooled_sd.replace(0, np.nan)
    result = pd.DataFrame({"mean_treated": treated.mean(), "mean_control": control.mean(), "smd": smd})
    result["imbalanced"] = result["smd"].abs() > SMD_THRESHOLD
    result.index.name = "covariate"
    return result
