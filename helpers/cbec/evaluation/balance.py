"""Balance of the two arms before treatment: standardised mean differences."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

#: |SMD| above this is usually read as a meaningful imbalance (Austin 2009).
SMD_THRESHOLD = 0.1


def _numeric_columns(table: pd.DataFrame, columns) -> pd.DataFrame:
    parts = []
    for column in columns:
        values = table[column]
        if ptypes.is_bool_dtype(values) or ptypes.is_numeric_dtype(values):
            parts.append(values.astype(float).rename(column))
        else:  # one indicator per category
            dummies = pd.get_dummies(values.astype("string"), prefix=column, prefix_sep="=", dtype=float)
            parts.extend(dummies[c] for c in dummies.columns)
    return pd.concat(parts, axis=1)


def standardised_differences(table: pd.DataFrame, treatment: str, covariates) -> pd.DataFrame:
    """Mean of each covariate by arm and SMD = (mean_1 - mean_0) / sqrt((var_1 + var_0) / 2)."""
    covariates = list(covariates)
    if not covariates:
        return pd.DataFrame(columns=["mean_treated", "mean_control", "smd", "imbalanced"])
    values = _numeric_columns(table, covariates)
    arm = table[treatment].astype(bool)
    treated, control = values[arm], values[~arm]
    pooled_sd = np.sqrt((treated.var() + control.var()) / 2)
    smd = (treated.mean() - control.mean()) / pooled_sd.replace(0, np.nan)
    result = pd.DataFrame({"mean_treated": treated.mean(), "mean_control": control.mean(), "smd": smd})
    result["imbalanced"] = result["smd"].abs() > SMD_THRESHOLD
    result.index.name = "covariate"
    return result
