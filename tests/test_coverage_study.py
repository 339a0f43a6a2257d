"""Coverage studies: do the report's 95% intervals cover the simulator's true effects?

The slow tests (not in the default suite; run with `pytest -m slow`) simulate hundreds of
programmes: the report's estimators over 200, the few-clusters comparison over 500 with 8
treated classes, where the goal for the small-sample method is 93-97%.  The fast tests
check the study's machinery on a handful of seeds.
"""

import math

import pytest

from cbec.evaluation.coverage import (CLUSTER_METHODS, _cluster_chunk, cluster_inference_study, coverage_study,
                                      markdown_table, summarise, summarise_cluster_inference)
from cbec.evaluation.models import SMALL_SAMPLE_DEFAULT

SEEDS = 200
CLUSTER_SEEDS = 500


@pytest.fixture(scope="module")
def coverage():
    return summarise(coverage_study(SEEDS, progress=False), alpha=0.01)


@pytest.mark.slow
@pytest.mark.parametrize("estimator", ["did", "award_logit"])
def test_intervals_cover_the_truth_about_95_percent_of_the_time(coverage, estimator):
    row = coverage.loc[estimator]
    # the 99% Wilson interval of the observed coverage must contain the nominal 95%
    assert row["coverage_ci_low"] <= 0.95 <= row["coverage_ci_high"], row.to_dict()
    assert row["coverage"] >= 0.90


@pytest.mark.slow
@pytest.mark.parametrize("estimator", ["did", "award_logit"])
def test_estimates_centre_on_the_truth(coverage, estimator):
    row = coverage.loc[estimator]
    assert abs(row["bias"]) < 3 * row["sd_of_estimates"] / math.sqrt(SEEDS), row.to_dict()
    assert row["mean_se"] == pytest.approx(row["sd_of_estimates"], rel=0.25)  # errors sized right


@pytest.fixture(scope="module")
def eight_treated():
    study = cluster_inference_study(CLUSTER_SEEDS, treated=(8,), progress=False)
    return summarise_cluster_inference(study, alpha=0.01).loc[8]


@pytest.mark.slow
def test_the_small_sample_method_meets_the_goal_with_8_treated_classes(eight_treated):
    row = eight_treated.loc[SMALL_SAMPLE_DEFAULT]
    assert 0.93 <= row["coverage"] <= 0.97, row.to_dict()
    assert row["coverage_ci_low"] <= 0.95 <= row["coverage_ci_high"]


@pytest.mark.slow
def test_the_bootstrap_covers_and_cluster_robust_runs_narrow_with_8_treated_classes(eight_treated):
    bootstrap, cr1 = eight_treated.loc["wild-bootstrap"], eight_treated.loc["cluster-robust"]
    assert bootstrap["coverage_ci_low"] <= 0.95 <= bootstrap["coverage_ci_high"], bootstrap.to_dict()
    assert cr1["coverage_ci_high"] < 0.95, cr1.to_dict()          # the problem the small-sample methods solve
    assert eight_treated.loc[SMALL_SAMPLE_DEFAULT, "mean_width"] > cr1["mean_width"]


def test_the_few_clusters_study_gives_the_same_rows_in_parallel_and_in_one_process():
    parallel = cluster_inference_study(3, treated=(8, 36), reps=99, first_seed=4, workers=2, progress=False)
    serial = _cluster_chunk([4, 5, 6], (8, 36), 0.05, 99)
    assert parallel.to_dict("records") == serial
    assert set(parallel["method"]) == set(CLUSTER_METHODS)               # every method at every design
    assert set(parallel["clusters"]) == {36, 108} and set(parallel["treated_clusters"]) == {8, 36}


def test_the_few_clusters_table_has_a_row_per_design_and_a_column_per_method():
    summary = summarise_cluster_inference(cluster_inference_study(2, treated=(12,), reps=99, workers=1,
                                                                  progress=False))
    table = markdown_table(summary)
    assert table.splitlines()[0] == "| treated classes (of all) | " + " | ".join(CLUSTER_METHODS) + " |"
    assert table.splitlines()[2].startswith("| 12 (of 36) | ") and "over 2 simulated programmes" in table


def test_an_unknown_design_names_the_known_ones():
    with pytest.raises(ValueError, match=r"known: \[8, 12, 36\]"):
        cluster_inference_study(1, treated=(5,))
