"""Small arithmetic every module's tables share."""

from __future__ import annotations

import numpy as np


def ratio(numerator, denominator):
    """numerator / denominator, NaN (not an error or infinity) where the denominator is 0."""
    numerator, denominator = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator != 0, numerator / np.where(denominator != 0, denominator, 1), np.nan)
