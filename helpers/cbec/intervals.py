"""Confidence intervals every module's analytics share."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.stats.proportion import proportion_confint


def wilson_interval(count, total, alpha: float = 0.05):
    """Wilson score (low, high) of ``count`` out of ``total`` (numbers or arrays).

    NaN where ``total`` is 0 or ``count`` is not a proportion of it (negative or above total).
    """
    count, total = np.asarray(count, dtype=float), np.asarray(total, dtype=float)
    count, total = np.broadcast_arrays(count, total)
    low, high = np.full(count.shape, np.nan), np.full(count.shape, np.nan)
    ok = (total > 0) & (count >= 0) & (count <= total)
    if ok.any():
        low[ok], high[ok] = proportion_confint(count[ok], total[ok], alpha=alpha, method="wilson")
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def cluster_jackknife_errors(fit, groups) -> pd.Series:
    """Leave-one-cluster-out jackknife standard errors of a fitted statsmodels GLM (the CV3 estimator).

    Each cluster is left out in turn and the model refitted from the full estimate; the
    errors are the replicates' spread, ``sqrt((G - 1) / G * sum((b_g - mean b)^2))``. With
    a few dozen clusters the usual cluster-robust sandwich is too small and this is not
    (MacKinnon, Nielsen and Webb, 2023). A column left all zero by dropping a cluster (the
    cluster's own fixed effect) gets NaN: its coefficient is not defined without it.
    """
    model = fit.model
    endog, exog = np.asarray(model.endog), np.asarray(model.exog)
    offset = getattr(model, "offset", None)
    labels, codes = np.unique(np.asarray(groups), return_inverse=True)
    if len(labels) < 2:
        raise ValueError("the jackknife needs two or more clusters; pass the cluster of every row.")
    start = np.asarray(fit.params)
    replicates = np.full((len(labels), exog.shape[1]), np.nan)
    for index in range(len(labels)):
        keep = codes != index
        used = np.flatnonzero(np.abs(exog[keep]).sum(axis=0) > 0)
        refit = GLM(endog[keep], exog[keep][:, used], family=model.family,
                    offset=None if offset is None else np.asarray(offset)[keep]).fit(start_params=start[used])
        replicates[index, used] = refit.params
    n = len(labels)
    spread = (n - 1) / n * ((replicates - replicates.mean(axis=0)) ** 2).sum(axis=0)
    return pd.Series(np.sqrt(spread), index=getattr(fit.params, "index", None))
