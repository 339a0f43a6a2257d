"""Evaluation sections checked by hand, on real data (Spector) and against the simulator's truth."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from cbec.evaluation import ModelError, estimate_effect, event_study, run_evaluation
from cbec.evaluation.balance import standardised_differences
from cbec.evaluation.datasets import load_table
from cbec.evaluation.funnel import participation_funnel, share_with_interval
from cbec.evaluation.gains import gain_category, hake_gains
from cbec.evaluation.survey import cronbach_alpha, item_summary
from cbec.evaluation.simulation import ProgrammeConfig, programme_truth, simulate_programme


def wilson_by_hand(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_funnel_counts_rates_and_wilson_intervals():
    table = pd.DataFrame({"registered": [1] * 94 + [0] * 6,
                          "attended": [1] * 69 + [0] * 31,
                          "logged_in": [1] * 44 + [0] * 56})
    funnel = participation_funnel(table, ["registered", "attended", "logged_in"]).set_index("stage")
    assert funnel["count"].tolist() == [94, 69, 44]
    assert funnel.loc["attended", "step_conversion"] == pytest.approx(69 / 94)
    assert funnel.loc["logged_in", "overall_conversion"] == pytest.approx(44 / 94)
    assert funnel.loc["registered", "share_of_rows"] == pytest.approx(0.94)
    low, high = wilson_by_hand(44, 69)
    assert funnel.loc["logged_in", "step_ci_low"] == pytest.approx(low)
    assert funnel.loc["logged_in", "step_ci_high"] == pytest.approx(high)
    assert np.isnan(funnel.loc["registered", "step_conversion"])  # no stage before the first


def test_funnel_by_group_counts_each_group():
    table = pd.DataFrame({"arm": [0, 0, 1, 1, 1], "a": [1, 1, 1, 1, 0], "b": [0, 1, 1, 1, 0]})
    funnel = participation_funnel(table, ["a", "b"], by="arm")
    assert funnel.set_index(["arm", "stage"])["count"].to_dict() == {(0, "a"): 2, (0, "b"): 1, (1, "a"): 2, (1, "b"): 2}


def test_yes_share_ignores_unanswered():
    shares = share_with_interval(pd.DataFrame({"q": [1, 1, 0, np.nan]}), ["q"]).iloc[0]
    assert (shares["answered"], shares["yes"]) == (3, 2)
    assert shares["share"] == pytest.approx(2 / 3)
    assert (shares["ci_low"], shares["ci_high"]) == pytest.approx(wilson_by_hand(2, 3))


def test_standardised_mean_difference_by_hand():
    table = pd.DataFrame({"t": [1, 1, 1, 0, 0, 0], "x": [1, 2, 3, 2, 4, 6], "group": list("aabbbb")})
    smd = standardised_differences(table, "t", ["x", "group"])
    assert smd.loc["x", "smd"] == pytest.approx(-2 / math.sqrt((1 + 4) / 2))
    assert bool(smd.loc["x", "imbalanced"])
    assert "group[a]" in smd.index  # categories become indicators


def test_hake_gain_of_means_and_of_students():
    table = pd.DataFrame({"pre": [40, 60, 100], "post": [70, 80, 100], "arm": [1, 1, 0]})
    gains = hake_gains(table, "pre", "post", by="arm")
    assert gains.loc[1, "gain_of_means"] == pytest.approx((75 - 50) / (100 - 50))
    assert gains.loc[1, "mean_student_gain"] == pytest.approx(0.5)
    assert gains.loc[1, "category"] == "medium"
    assert gains.loc[0, "at_ceiling"] == 1 and np.isnan(gains.loc[0, "gain_of_means"])
    assert [gain_category(g) for g in (0.1, 0.3, 0.7, 0.71)] == ["low", "medium", "medium", "high"]


def test_cronbach_alpha_matches_the_covariance_form():
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3], "c": [1, 3, 3, 4, 5, 2]})
    cov = items.cov().to_numpy()
    k = 3
    mean_var, mean_cov = np.diag(cov).mean(), cov[~np.eye(k, dtype=bool)].mean()
    assert cronbach_alpha(items) == pytest.approx(k * mean_cov / (mean_var + (k - 1) * mean_cov))
    assert cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": [1, 2, 3]})) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least 2 items"):
        cronbach_alpha(items[["a"]])


def test_top_two_box_share():
    summary = item_summary(pd.DataFrame({"q1": [5, 4, 3, 1], "q2": [5, 5, 5, 5]}), ["q1", "q2"]).set_index("item")
    assert summary.loc["q1", "top2_share"] == pytest.approx(0.5)
    assert summary.loc["q2", "top2_share"] == pytest.approx(1.0)


# Real data: Greene, Econometric Analysis, Table 21.1 (logit of GRADE on GPA, TUCE, PSI).
PUBLISHED_LOGIT = {"const": (-13.021, 4.931), "GPA": (2.826, 1.263), "TUCE": (0.095, 0.142), "PSI": (2.379, 1.065)}


def test_spector_logit_reproduces_the_published_coefficients_and_errors():
    spector = load_table("spector")
    result = estimate_effect(spector, "GRADE", "PSI", ["GPA", "TUCE"], model="logit", se="classical")
    for term, (coef, se) in PUBLISHED_LOGIT.items():
        assert round(result.estimates.loc[term, "coef"], 3) == coef
        assert round(result.estimates.loc[term, "se"], 3) == se
    assert result.odds_ratios.loc["PSI", "odds_ratio"] == pytest.approx(math.exp(result.estimates.loc["PSI", "coef"]))


def test_logit_marginal_effect_of_a_binary_term_is_the_average_discrete_change():
    spector = load_table("spector")
    result = estimate_effect(spector, "GRADE", "PSI", ["GPA", "TUCE"], model="logit")
    b = result.estimates["coef"]

    def prob(psi):
        index = b["const"] + b["PSI"] * psi + b["GPA"] * spector["GPA"] + b["TUCE"] * spector["TUCE"]
        return 1 / (1 + np.exp(-index))

    assert result.marginal_effects.loc["PSI", "dydx"] == pytest.approx((prob(1) - prob(0)).mean(), rel=1e-6)


@pytest.fixture(scope="module")
def programme():
    return simulate_programme(ProgrammeConfig())


def test_difference_in_differences_recovers_the_true_effect(programme):
    truth = programme_truth()["post_test:did"]
    result = estimate_effect(programme, "post_test", "pilot_track", ["prior_gpa", "pre_test"], cluster="class_id",
                             period="cohort", post_period=2021)
    effect = result.effect
    assert result.effect_term == "pilot_track:post" and result.design == "difference-in-differences"
    assert effect["ci_low"] <= truth <= effect["ci_high"]
    assert result.clusters == 36 and result.treated_clusters == 12


def test_award_logit_recovers_the_true_log_odds(programme):
    rows = programme.query("post == 1 and registered == 1")
    result = estimate_effect(rows, "award", "integrated", ["prior_gpa", "pre_test", "attended_training", "logged_in"],
                             model="logit", cluster="class_id")
    for term, truth in [("integrated", programme_truth()["award:integrated"]),
                        ("prior_gpa", programme_truth()["award:prior_gpa"])]:
        row = result.estimates.loc[term]
        assert row["ci_low"] <= truth <= row["ci_high"]


def test_event_study_is_zero_at_the_base_period(programme):
    study = event_study(programme, "post_test", "pilot_track", "cohort", 2021, ["prior_gpa", "pre_test"],
                        cluster="class_id")
    assert study["period"].tolist() == [2019, 2020, 2021, 2022, 2023, 2024]
    assert study.attrs["base_period"] == 2020
    assert study.set_index("period").loc[2020, "coef"] == 0
    assert study.query("period >= 2021")["coef"].mean() == pytest.approx(6.0, abs=3)


def test_unestimable_models_raise_a_clear_error():
    table = pd.DataFrame({"y": [0, 0, 0, 1, 1, 1, 0, 1], "t": [0, 0, 0, 1, 1, 1, 0, 1],
                          "x": [1.0, 2, 3, 4, 5, 6, 7, 8], "same": 1.0})
    with pytest.raises(ModelError, match="perfect separation"):
        estimate_effect(table, "y", "t", ["x"], model="logit")
    with pytest.raises(ModelError, match="single value"):
        estimate_effect(table.assign(y=np.arange(8.0)), "y", "t", ["same"])
    with pytest.raises(ModelError, match="collinear"):
        estimate_effect(table.assign(y=np.arange(8.0), x2=table["x"] * 2), "y", "t", ["x", "x2"])


def test_summary_json_is_strict_and_complete(tmp_path):
    report = run_evaluation(data="spector", outcome="GRADE", treatment="PSI", covariates=["GPA", "TUCE"],
                            output_dir=str(tmp_path))
    path = report.write()
    summary = json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    assert summary["n"] == 32 and summary["model"] == "logit"
    assert set(summary["estimates"]) == {"const", "PSI", "GPA", "TUCE"}
    assert set(summary["estimates"]["PSI"]) == {"coef", "se", "ci_low", "ci_high", "p"}
    assert {"odds_ratios", "marginal_effects", "balance"} <= set(summary)
    assert (tmp_path / "estimates.csv").exists()


def test_sections_follow_the_parameters(tmp_path):
    report = run_evaluation(data="programme", subset="cohort == 2020",
                            stages=["registered", "attended_training", "logged_in"],
                            yes_no_items=["wants_second_training"])
    assert report.effect is None and report.balance is None and report.gains is None
    summary = report.summary()
    assert summary["model"] is None and summary["estimates"] == {}
    assert [row["count"] for row in summary["funnel"]] == [94, 69, 44]
    assert round(summary["yes_no"]["wants_second_training"]["share"], 2) == 0.81
    assert report.write() is None  # no output_dir: nothing written


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_own_file_gives_the_same_estimates_as_the_built_in_table(tmp_path, suffix, programme):
    path = tmp_path / f"students{suffix}"
    programme.to_csv(path, index=False) if suffix == ".csv" else programme.to_parquet(path)
    params = dict(outcome="post_test", treatment="pilot_track", covariates=["prior_gpa", "pre_test"],
                  cluster="class_id", period="cohort", post_period=2021)
    from_file = run_evaluation(data=str(path), **params).effect.estimates
    built_in = run_evaluation(data="programme", **params).effect.estimates
    pd.testing.assert_frame_equal(from_file, built_in, rtol=1e-9)
