"""Planning arithmetic: the intra-class correlation against known truth and a reference
library, the minimum detectable effect against statsmodels' power solver and simulation."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.power import TTestIndPower

from cbec.evaluation.power import design_effect, intraclass_correlation, minimum_detectable_effect, planning_table


def clustered(icc: float, clusters: int, size, seed: int = 0):
    """Students in clusters whose outcome has variance 1 and intra-class correlation ``icc``."""
    rng = np.random.default_rng(seed)
    sizes = np.full(clusters, size) if np.isscalar(size) else np.asarray(size)
    labels = np.repeat(np.arange(clusters), sizes)
    values = rng.normal(0, np.sqrt(icc), clusters)[labels] + rng.normal(0, np.sqrt(1 - icc), len(labels))
    return values, labels


@pytest.mark.parametrize("icc", [0.05, 0.2, 0.5])
def test_icc_recovers_the_simulated_truth(icc):
    values, labels = clustered(icc, clusters=300, size=20)
    assert intraclass_correlation(values, labels) == pytest.approx(icc, abs=0.04)


def test_icc_with_unequal_clusters_agrees_with_a_mixed_model():
    sizes = np.random.default_rng(1).integers(5, 40, 120)
    values, labels = clustered(0.15, clusters=120, size=sizes, seed=2)
    fit = smf.mixedlm("value ~ 1", pd.DataFrame({"value": values, "cluster": labels}), groups="cluster").fit()
    reference = float(fit.cov_re.iloc[0, 0]) / (float(fit.cov_re.iloc[0, 0]) + fit.scale)
    assert intraclass_correlation(values, labels) == pytest.approx(reference, abs=0.015)


def test_icc_of_balanced_clusters_is_the_textbook_anova_formula():
    values, labels = clustered(0.3, clusters=10, size=6, seed=3)
    frame = pd.DataFrame({"v": values, "g": labels})
    means = frame.groupby("g")["v"].transform("mean")
    between = 6 * ((frame.groupby("g")["v"].mean() - frame["v"].mean()) ** 2).sum() / 9
    within = ((frame["v"] - means) ** 2).sum() / (60 - 10)
    expected = (between - within) / (between + 5 * within)
    assert intraclass_correlation(values, labels) == pytest.approx(expected, rel=1e-12)


def test_icc_is_clipped_at_zero_and_ignores_missing_values():
    values = np.array([1.0, 2.0, 1.0, 2.0, np.nan, 1.0, 2.0])  # identical clusters: ANOVA estimate < 0
    labels = np.array(["a", "a", "b", "b", "b", "c", "c"])
    assert intraclass_correlation(values, labels) == 0.0


def test_icc_needs_two_clusters_and_more_rows_than_clusters():
    with pytest.raises(ValueError, match="at least 2 clusters"):
        intraclass_correlation([1.0, 2.0, 3.0], ["a", "a", "a"])
    with pytest.raises(ValueError, match="found 3 clusters, 3 rows"):
        intraclass_correlation([1.0, 2.0, 3.0], ["a", "b", "c"])


def test_design_effect():
    assert design_effect(0.0, 30) == 1.0
    assert design_effect(0.1, 21) == pytest.approx(3.0)
    assert design_effect(1.0, 25) == 25


def test_mde_without_clustering_matches_statsmodels_power_solver():
    # one student per cluster and icc 0: a plain two-sample t-test with J - 2 df
    clusters = 200
    reference = TTestIndPower().solve_power(nobs1=clusters / 2, ratio=1, alpha=0.05, power=0.8)
    assert minimum_detectable_effect(clusters, 1, 0.0) == pytest.approx(reference, rel=0.01)


def test_mde_with_perfect_clustering_counts_only_clusters():
    assert minimum_detectable_effect(40, 5, 1.0) == pytest.approx(minimum_detectable_effect(40, 500, 1.0))
    multiplier = stats.t.ppf(0.975, 38) + stats.t.ppf(0.8, 38)
    assert minimum_detectable_effect(40, 5, 1.0, sd=2.0) == pytest.approx(multiplier * 2.0 * np.sqrt(4 / 40))


def test_a_trial_sized_by_the_mde_has_the_promised_power():
    """Simulate cluster-randomised trials whose true effect is the MDE; analyse class means."""
    clusters, size, icc, power = 30, 20, 0.1, 0.8
    effect = minimum_detectable_effect(clusters, size, icc, power=power)
    rng = np.random.default_rng(11)
    trials = 4000
    arm = np.repeat([0, 1], clusters // 2)
    # a class mean of n students has variance icc + (1 - icc) / n
    means = rng.normal(0, np.sqrt(icc + (1 - icc) / size), (trials, clusters)) + effect * arm
    rejected = stats.ttest_ind(means[:, arm == 1], means[:, arm == 0], axis=1).pvalue < 0.05
    assert rejected.mean() == pytest.approx(power, abs=0.025)


@pytest.mark.parametrize("kwargs, message", [
    (dict(clusters=2), "at least 3 clusters"),
    (dict(treated_share=1.0), "strictly between 0 and 1"),
    (dict(treated_share=0.0), "strictly between 0 and 1"),
])
def test_mde_refuses_impossible_designs(kwargs, message):
    arguments = {**dict(clusters=20, cluster_size=10, icc=0.1), **kwargs}
    with pytest.raises(ValueError, match=message):
        minimum_detectable_effect(**arguments)


def test_planning_table_brackets_the_plan_and_shrinks_with_more_clusters():
    table = planning_table(icc=0.1, sd=10.0, cluster_size=25, planned_clusters=36)
    assert table["planned"].sum() == 1 and table.loc[table["planned"], "clusters"].item() == 36
    assert table["clusters"].min() < 36 < table["clusters"].max()
    assert table["mde"].is_monotonic_decreasing
    assert np.allclose(table["mde_in_sd"], table["mde"] / 10.0)
    assert (table["students"] == (table["clusters"] * 25)).all()
