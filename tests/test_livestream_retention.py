"""Watch time from enter/leave pairs, censored at the stream's end, and Kaplan-Meier retention."""

import time

import numpy as np
import pytest

from cbec.modules.livestream_analytics import retention
from tests.livestream_fixtures import deals_frame, events_frame, streams_frame, synthetic_season


@pytest.fixture
def tiny():
    """Stream 0-10 min. Watch times 2, 4 (censored: re-entry), 4, 6, 8 (censored: no leave)."""
    rows = [(1, 1, 0, "enter", None, None, None, "search"), (1, 1, 2, "leave"),
            (1, 2, 1, "enter", None, None, None, "follow_feed"), (1, 2, 5, "enter", None, None, None, "follow_feed"),
            (1, 2, 9, "leave"),
            (1, 3, 3, "enter", None, None, None, "search"), (1, 3, 9, "leave"),
            (1, 4, 2, "enter", None, None, None, "search")]
    return events_frame(rows), streams_frame([(1, 1, 0, 10)])


def test_visits_pair_entries_with_leaves_and_censor_the_rest(tiny):
    events, streams = tiny
    visits = retention.watch_visits(events, streams).sort_values(["viewer_id", "entered_at"])
    assert visits["watch_minutes"].tolist() == pytest.approx([2, 4, 4, 6, 8])
    assert visits["observed"].tolist() == [True, False, True, True, False]
    assert visits["traffic_source"].astype(str).tolist() == ["search", "follow_feed", "follow_feed", "search",
                                                             "search"]


def test_kaplan_meier_matches_the_hand_computation(tiny):
    events, streams = tiny
    curve = retention.retention_curve(retention.watch_visits(events, streams))
    # departures at 2 (5 at risk), 4 (4 at risk; the censored 4 stays at risk then), 6 (2 at risk)
    # (the curve has a row at each departure; the censored 8 ends it without a step)
    assert curve["minutes"].tolist() == [0, 2, 4, 6]
    expected = [1, 4 / 5, 4 / 5 * 3 / 4, 4 / 5 * 3 / 4 * 1 / 2]
    assert curve["share_watching"].tolist() == pytest.approx(expected)
    assert curve["at_risk"].tolist() == [5, 5, 4, 2]
    assert (curve["ci_low"] <= curve["share_watching"]).all() and (curve["share_watching"] <= curve["ci_high"]).all()
    assert retention.share_watching_at(curve, [0, 3, 5, 7]).tolist() == pytest.approx([1, 0.8, 0.6, 0.3])


def test_entries_during_a_deal_are_flagged(tiny):
    events, streams = tiny
    visits = retention.watch_visits(events, streams, deals_frame([(1, 1, 2, 4)]))
    flagged = visits.sort_values("entered_at")["entered_during_deal"].tolist()
    assert flagged == [False, False, True, True, False]   # entries at 0, 1, 2, 3 and 5; the window is [2, 4)


def test_retention_recovers_the_true_curve_and_censoring_biases_the_mean_down():
    season = synthetic_season(2, n_streams=30)
    visits = retention.watch_visits(season.events, season.streams)
    curve = retention.retention_curve(visits)
    minutes = np.array([1, 5, 10, 20, 40])
    shares = retention.share_watching_at(curve, minutes)
    rows = np.searchsorted(curve["minutes"], minutes, side="right") - 1
    truth = season.truth.survival(minutes)
    assert np.all(curve["ci_low"].to_numpy()[rows] - 0.005 <= truth)
    assert np.all(truth <= curve["ci_high"].to_numpy()[rows] + 0.005)
    assert shares == pytest.approx(truth, abs=0.01)
    summary = retention.watch_time_summary(visits)
    true_mean = sum(p * season.truth.source_mean_watch[s] for s, p in season.truth.source_shares.items())
    assert summary.censored_share > 0.05
    assert summary.km_restricted_mean == pytest.approx(true_mean, rel=0.03)
    assert summary.naive_mean_censored_as_left < true_mean * 0.93
    assert summary.naive_mean_observed_only < summary.naive_mean_censored_as_left
    low, high = summary.median_interval
    true_median = minutes_where(season.truth.survival, 0.5)
    assert low <= true_median <= high


def minutes_where(survival, share):
    grid = np.linspace(0, 60, 60001)
    return grid[np.argmax(survival(grid) <= share)]


def test_compare_retention_by_source_orders_the_sources_like_the_truth():
    season = synthetic_season(4, n_streams=20)
    visits = retention.watch_visits(season.events, season.streams, season.deals)
    comparison = retention.compare_retention(visits, "traffic_source")
    table = comparison.table.set_index("traffic_source")
    means = season.truth.source_mean_watch
    assert list(table.sort_values("median_minutes").index) == sorted(means, key=means.get)
    assert table.loc["follow_feed", "median_minutes"] == pytest.approx(means["follow_feed"] * np.log(2), rel=0.06)
    assert comparison.logrank_p_value < 1e-6
    # entering during a deal changes nothing in this season's watch times
    assert retention.compare_retention(visits, "entered_during_deal").logrank_p_value > 0.001


def test_errors_say_what_is_missing(tiny):
    events, streams = tiny
    with pytest.raises(ValueError, match="end"):
        retention.watch_visits(events, streams.drop(columns="end"))
    with pytest.raises(ValueError, match="no room entries"):
        retention.watch_visits(events[events["event_type"] == "comment"], streams)
    with pytest.raises(ValueError, match="streams has no end"):
        retention.watch_visits(events, streams_frame([(9, 1, 0, 10)]))


def test_visits_are_fast():
    season = synthetic_season(6, n_streams=20)
    started = time.perf_counter()
    visits = retention.watch_visits(season.events, season.streams)
    retention.retention_curve(visits)
    assert time.perf_counter() - started < 2.0
