"""Coverage study (slow, not in the default suite): run with `pytest -m slow`.

Over 200 simulated programmes the report's 95% intervals should cover the true effects
about 95% of the time, and the estimates should centre on the truth.
"""

import math

import pytest

from cbec.evaluation.coverage import coverage_study, summarise

pytestmark = pytest.mark.slow
SEEDS = 200


@pytest.fixture(scope="module")
def coverage():
    return summarise(coverage_study(SEEDS, progress=False), alpha=0.01)


@pytest.mark.parametrize("estimator", ["did", "award_logit"])
def test_intervals_cover_the_truth_about_95_percent_of_the_time(coverage, estimator):
    row = coverage.loc[estimator]
    # the 99% Wilson interval of the observed coverage must contain the nominal 95%
    assert row["coverage_ci_low"] <= 0.95 <= row["coverage_ci_high"], row.to_dict()
    assert row["coverage"] >= 0.90


@pytest.mark.parametrize("estimator", ["did", "award_logit"])
def test_estimates_centre_on_the_truth(coverage, estimator):
    row = coverage.loc[estimator]
    assert abs(row["bias"]) < 3 * row["sd_of_estimates"] / math.sqrt(SEEDS), row.to_dict()
    assert row["mean_se"] == pytest.approx(row["sd_of_estimates"], rel=0.25)  # errors sized right
