"""The shared intervals: the Wilson interval against statsmodels, NaN where there is no proportion; the cluster
jackknife against its closed form for a linear model."""

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


def test_cluster_jackknife_of_a_linear_model_matches_the_closed_form():
    import statsmodels.api as sm

    from cbec.intervals import cluster_jackknife_errors

    rng = np.random.default_rng(4)
    X = sm.add_constant(rng.normal(size=(40, 2)))
    y = X @ [1.0, 0.5, -0.3] + rng.normal(size=40) * (1 + np.abs(X[:, 1]))
    fit = sm.GLM(y, X, family=sm.families.Gaussian()).fit()
    # one row per cluster: the jackknife is (n-1)/n (sum d d' - (sum d)(sum d)'/n), d_i = (X'X)^-1 x_i e_i / (1 - h_i)
    bread = np.linalg.inv(X.T @ X)
    leverage = np.einsum("ij,jk,ik->i", X, bread, X)
    d = (bread @ (X * (fit.resid_response / (1 - leverage))[:, None]).T).T
    n = len(y)
    closed = (n - 1) / n * (d.T @ d - np.outer(d.sum(0), d.sum(0)) / n)
    assert np.allclose(cluster_jackknife_errors(fit, np.arange(n)), np.sqrt(np.diag(closed)))


def test_cluster_jackknife_leaves_a_clusters_own_effect_undefined_and_needs_two_clusters():
    import pandas as pd
    import statsmodels.api as sm

    from cbec.intervals import cluster_jackknife_errors

    rng = np.random.default_rng(5)
    groups = np.repeat([0, 1, 2, 3], 25)
    X = pd.DataFrame({"x": rng.normal(size=100)}).join(pd.get_dummies(groups, prefix="cluster", dtype=float))
    y = rng.poisson(np.exp(0.3 * X["x"] + 0.1 * groups))
    errors = cluster_jackknife_errors(sm.GLM(y, X, family=sm.families.Poisson()).fit(), groups)
    assert list(errors.index) == list(X.columns) and errors["x"] > 0 and errors.iloc[1:].isna().all()
    with pytest.raises(ValueError, match="two or more clusters"):
        cluster_jackknife_errors(sm.GLM(y, X, family=sm.families.Poisson()).fit(), np.zeros(100))
