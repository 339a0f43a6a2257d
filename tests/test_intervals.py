"""The shared Wilson interval: statsmodels' numbers, NaN where there is no proportion."""

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from cbec.intervals import wilson_interval


def test_a_single_proportion_matches_statsmodels():
    low, high = wilson_interval(7, 20)
    assert isinstance(low, float) and (low, high) == pytest.approx(proportion_confint(7, 20, method="wilson"))


def test_arrays_give_nan_where_there_is_no_proportion():
    low, high = wilson_interval([3, 0, 5, -1], [10, 0, 4, 8], alpha=0.1)
    assert low[0] == pytest.approx(proportion_confint(3, 10, alpha=0.1, method="wilson")[0])
    assert np.isnan(low[1:]).all() and np.isnan(high[1:]).all()
