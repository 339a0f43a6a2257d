"""Confidence intervals every module's analytics share."""

from __future__ import annotations

import numpy as np
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
