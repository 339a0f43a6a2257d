"""Concurrent viewers: the enter/leave sweep against the per-second loop, edge cases, watch time."""

import numpy as np
import pandas as pd
import pytest

from cbec.modules.livestream_analytics import concurrency as cc
from cbec.modules.livestream_analytics import retention
from cbec.modules.livestream_analytics.simulator import simulate_season

START = pd.Timestamp("2024-09-02 20:00")


def _log(rows, end_seconds=20, stream_id=1):
    """A tiny events table from (viewer, kind, seconds after the start) rows, and its stream."""
    events = pd.DataFrame({
        "stream_id": np.full(len(rows), stream_id, dtype="int32"),
        "viewer_id": np.array([r[0] for r in rows], dtype="int64"),
        "timestamp": (START + pd.to_timedelta([r[2] for r in rows], unit="s")).astype("datetime64[ms]"),
        "event_type": pd.Categorical([r[1] for r in rows], categories=["enter", "leave", "comment"]),
    })
    streams = pd.DataFrame({"stream_id": np.array([stream_id], dtype="int32"),
                            "start": pd.DatetimeIndex([START]).astype("datetime64[ms]"),
                            "end": pd.DatetimeIndex([START + pd.Timedelta(seconds=end_seconds)]).astype("datetime64[ms]")})
    return events, streams


EDGE_ROWS = [(1, "enter", 2), (1, "leave", 5), (2, "enter", 5),   # a leave and an enter at the same instant
             (1, "enter", 8),                                        # viewer 1 comes back and never leaves
             (2, "comment", 9), (2, "leave", 10), (3, "enter", 15), (3, "leave", 15)]  # a zero-length visit


def test_edge_cases_match_the_per_second_loop_and_hand_counts():
    events, streams = _log(EDGE_ROWS)
    naive = cc.naive_concurrency_per_second(events, streams, 1)
    swept = cc.concurrency_at(events, streams, np.ones(len(naive), dtype=int), naive.index)
    assert list(swept) == list(naive)
    expected = [0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    assert list(naive) == expected
    peak = cc.peak_concurrency(events, streams).iloc[0]
    # the simultaneous leave and enter at 5 s must not count as two viewers
    assert peak["peak_concurrent"] == 2 and peak["peak_at"] == START + pd.Timedelta(seconds=8)
    # viewer-seconds: 3 + 5 + 12 (censored at the end) + 0, over 20 seconds
    assert peak["average_concurrent"] == pytest.approx(20 / 20)
    watch = cc.watch_time(events, streams).iloc[0]
    assert watch["visits"] == 4 and watch["unique_viewers"] == 3 and watch["censored_visits"] == 1
    assert watch["total_watch_minutes"] == pytest.approx(20 / 60)


def test_visits_pair_each_entry_with_its_own_leave():
    events, streams = _log(EDGE_ROWS)
    visits = retention.watch_visits(events, streams).sort_values(["viewer_id", "entered_at"], ignore_index=True)
    assert list(visits["viewer_id"]) == [1, 1, 2, 3]
    assert list(~visits["observed"]) == [False, True, False, False]
    assert list(visits["watch_minutes"] * 60) == pytest.approx([3, 12, 5, 0])


def test_sweep_equals_loop_on_random_streams_with_millisecond_times():
    rng = np.random.default_rng(4)
    frames, stream_rows = [], []
    for stream_id in (1, 2, 3):
        n = 60
        enter = rng.integers(0, 120_000, n)
        stay = rng.integers(0, 60_000, n)
        left = enter + stay < 120_000
        stamps = np.concatenate([enter, (enter + stay)[left]])
        kinds = ["enter"] * n + ["leave"] * int(left.sum())
        viewers = np.concatenate([np.arange(n), np.arange(n)[left]]) % 40   # some viewers re-enter
        frames.append(pd.DataFrame({"stream_id": np.int32(stream_id), "viewer_id": viewers.astype("int64"),
                                    "timestamp": (START + pd.to_timedelta(stamps, unit="ms")).astype("datetime64[ms]"),
                                    "event_type": kinds}))
        stream_rows.append((stream_id, START, START + pd.Timedelta(minutes=2)))
    events = pd.concat(frames, ignore_index=True).sample(frac=1, random_state=1)   # order must not matter
    streams = pd.DataFrame(stream_rows, columns=["stream_id", "start", "end"])
    for stream_id in (1, 2, 3):
        naive = cc.naive_concurrency_per_second(events, streams, stream_id)
        swept = cc.concurrency_at(events, streams, np.full(len(naive), stream_id), naive.index)
        np.testing.assert_array_equal(swept, naive.to_numpy())
        grid = cc.concurrency_grid(events, streams, every="1s")
        np.testing.assert_array_equal(grid.loc[grid["stream_id"] == stream_id, "concurrent"], naive.to_numpy())
        # between whole seconds the sweep may see a higher peak, never a lower one
        peak = cc.peak_concurrency(events, streams).set_index("stream_id").loc[stream_id, "peak_concurrent"]
        assert peak >= naive.max()


@pytest.fixture(scope="module")
def season():
    return simulate_season(seed=9, n_hosts=3, streams_per_host=2)


def test_simulated_streams_agree_with_the_loop_and_their_visits(season):
    events, streams = season.events, season.streams
    sid = int(streams["stream_id"].iloc[0])
    naive = cc.naive_concurrency_per_second(events, streams, sid)
    np.testing.assert_array_equal(cc.concurrency_at(events, streams, np.full(len(naive), sid), naive.index), naive)
    watch = cc.watch_time(events, streams)
    visits = retention.watch_visits(events, streams)
    totals = visits.groupby("stream_id")["watch_minutes"].sum().to_numpy()
    np.testing.assert_allclose(watch["total_watch_minutes"], totals)
    np.testing.assert_array_equal(watch["censored_visits"], (~visits["observed"]).groupby(visits["stream_id"]).sum())
    whole = cc.viewer_minutes_in_windows(events, streams, streams)
    np.testing.assert_allclose(whole, watch["total_watch_minutes"])
    minutes = (streams["end"] - streams["start"]).dt.total_seconds().to_numpy() / 60
    np.testing.assert_allclose(cc.peak_concurrency(events, streams)["average_concurrent"], totals / minutes)


def test_events_outside_their_stream_are_refused():
    events, streams = _log([(1, "enter", 2), (1, "leave", 25)])
    with pytest.raises(ValueError, match="outside their stream"):
        cc.peak_concurrency(events, streams)
    events, streams = _log([(1, "enter", 2)], stream_id=2)
    with pytest.raises(ValueError, match="streams table"):
        cc.peak_concurrency(events, streams.assign(stream_id=np.int32(1)))
