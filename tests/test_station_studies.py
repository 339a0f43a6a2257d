"""Studies over seeded stores (attribution scores, lift coverage) and the cross-check against ChannelAttribution."""

import numpy as np
import pandas as pd
import pytest

from cbec.modules.independent_station import attribution, crosscheck, example_paths, lift, markov, studies
from cbec.modules.independent_station.journeys import journey_touches
from cbec.modules.independent_station.simulator import simulate_store


def test_store_journeys_reads_channels_from_the_urls_like_the_true_channels():
    store = simulate_store(seed=3, prospects=3_000)
    journeys = studies.store_journeys(store)
    sessions = store.sessions.assign(channel=store.true_channel.to_numpy())
    truth = attribution.journeys_from_touches(*journey_touches(sessions, store.orders))
    assert np.array_equal(journeys.codes, truth.codes) and np.array_equal(journeys.converted, truth.converted)
    assert journeys.total_conversions == store.orders["customer_id"].nunique()


def test_attribution_scores_over_seeds_score_each_store_against_its_own_truth():
    scores = studies.attribution_scores_over_seeds([4, 9], prospects=4_000, models=["last_click", "linear"])
    assert scores.columns.tolist() == ["seed", "rank", "model", "distance", "rank_correlation", "max_abs_error"]
    assert scores["seed"].tolist() == [4, 4, 9, 9] and sorted(scores["rank"].tolist()) == [1, 1, 2, 2]
    store = simulate_store(seed=9, prospects=4_000)
    comparison = attribution.compare_models(studies.store_journeys(store), ["last_click", "linear"])
    expected = attribution.score_against_truth(comparison, store.truth.incremental_share)
    mine = scores[scores["seed"] == 9].drop(columns="seed").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, expected[mine.columns])
    with pytest.raises(ValueError, match="distinct"):
        studies.attribution_scores_over_seeds([1, 1], prospects=1_000)
    with pytest.raises(ValueError, match="at least one seed"):
        studies.attribution_scores_over_seeds([], prospects=1_000)


def test_lift_coverage_reads_each_stores_test_and_checks_its_truth():
    coverage = studies.lift_coverage([2, 5], prospects=5_000, permutations=50)
    for row in coverage.itertuples():
        store = simulate_store(seed=row.seed, prospects=5_000)
        result = lift.geo_lift(store.geo_test, permutations=50, seed=row.seed)
        assert (row.relative_lift, row.low, row.high) == pytest.approx(
            (result.relative_lift, result.relative_lift_low, result.relative_lift_high))
        assert row.true_lift == store.truth.geo_lift and row.channel == store.truth.geo_test_channel
        assert row.covered == (row.low <= row.true_lift <= row.high)
    assert coverage.attrs["coverage"] == coverage["covered"].mean()


# -- ChannelAttribution ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def channelattribution():
    return pytest.importorskip("ChannelAttribution", reason="ChannelAttribution is in the test extra (it builds C++ "
                                                            "with a compiler): pip install -e '.[test]'")


def test_crosscheck_on_small_paths_agrees_and_the_markov_gap_is_noise(channelattribution):
    frame = pd.DataFrame({"path": ["a > b", "a", "b > a > c", "c", "b > c"], "total_conversions": [20, 10, 10, 0, 5],
                          "total_conversion_value": [200.0, 50.0, 100.0, 0.0, 40.0],
                          "total_null": [10, 30, 0, 20, 15]})
    check = crosscheck.channelattribution_comparison(frame, simulations=(20_000, 200_000))
    assert check.heuristics.index.tolist() == ["first_click", "last_click", "linear"]
    assert (check.heuristics[["max_abs_difference_conversions", "max_abs_difference_value"]] < 1e-9).all().all()
    assert (check.heuristics["conversions"] == 45).all()
    exact = markov.markov(attribution.journeys_from_paths(frame)).set_index("channel")
    np.testing.assert_allclose(check.markov["removal_effect"], exact["removal_effect"])
    assert check.noise.index.tolist() == [20_000, 200_000]
    assert (check.noise["max_z"] < 4.5).all()                 # a gap of a few standard errors at most
    # ten times the walks: standard errors sqrt(10) times smaller
    ratio = check.noise["max_standard_error"].iloc[0] / check.noise["max_standard_error"].iloc[1]
    assert ratio == pytest.approx(np.sqrt(10))
    assert check.noise["share_distance"].iloc[1] < 0.01


def test_crosscheck_on_channelattributions_example(channelattribution):
    try:
        frame = example_paths.channelattribution_paths()
    except example_paths.ExampleDataUnavailable as error:
        pytest.skip(f"the package index is unreachable, so ChannelAttribution's Data.csv cannot be fetched: {error}")
    check = crosscheck.channelattribution_comparison(frame, simulations=(100_000,))
    assert (check.heuristics["max_abs_difference_conversions"] < 1e-6).all()
    assert check.noise.loc[100_000, "max_z"] < 4.5 and check.noise.loc[100_000, "share_distance"] < 0.01
    assert len(check.markov) == 12


def test_crosscheck_refuses_bad_input():
    with pytest.raises(ValueError, match="lacks"):
        crosscheck.channelattribution_comparison(pd.DataFrame({"path": ["a"]}))
    frame = pd.DataFrame({"path": ["a"], "total_conversions": [1], "total_conversion_value": [1.0], "total_null": [1]})
    with pytest.raises(ValueError, match="at least 1,000"):
        crosscheck.channelattribution_comparison(frame, simulations=(10,))
