"""Seasons on disk: Parquet by stream written block by block, read back, DuckDB equal to memory."""

import numpy as np
import pandas as pd
import pytest

from cbec.modules.livestream_analytics import concurrency as cc
from cbec.modules.livestream_analytics import storage
from cbec.modules.livestream_analytics.simulator import SeasonConfig, plan_season, simulate_season

CONFIG = SeasonConfig(seed=8, n_hosts=3, streams_per_host=3, viewers_per_stream=12_000)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("season")
    progress = []
    storage.write_season(folder, CONFIG, progress=lambda *step: progress.append(step))
    return folder, simulate_season(CONFIG), progress


def _same(left, right):
    return list(left.columns) == list(right.columns) and list(left.dtypes) == list(right.dtypes) and left.equals(right)


def test_files_are_partitioned_by_stream_and_written_in_blocks(written):
    folder, season, progress = written
    partitions = sorted(p.name for p in (folder / "events").iterdir())
    assert partitions == sorted(f"stream_id={i}" for i in season.streams["stream_id"])
    assert len(progress) == plan_season(CONFIG).n_blocks > 1
    assert progress[-1][2] == len(season.events)


def test_events_and_dimensions_read_back_as_simulated(written):
    folder, season, _ = written
    assert _same(storage.read_events(folder), season.events)
    for name in storage.DIMENSION_TABLES:
        pd.testing.assert_frame_equal(storage.read_table(folder, name), getattr(season, name), obj=name)


def test_reading_some_streams_columns_and_types_is_lazy_and_exact(written):
    folder, season, _ = written
    assert storage.open_events(folder).count_rows() == len(season.events)
    some = storage.read_events(folder, stream_ids=[2, 7], columns=["viewer_id", "event_type"],
                               event_types=["order", "refund"])
    e = season.events
    expected = e[e["stream_id"].isin([2, 7]) & e["event_type"].isin(["order", "refund"])][["viewer_id", "event_type"]]
    assert _same(some, expected.reset_index(drop=True))


def test_duckdb_metrics_equal_the_in_memory_figures(written):
    folder, season, _ = written
    sql = storage.stream_metrics(folder, threads=2)
    memory = storage.stream_metrics_frame(season.events, season.streams)
    pd.testing.assert_frame_equal(sql, memory)
    assert sql["peak_concurrent"].gt(0).all() and sql["gmv_usd"].sum() > 0
    e = season.events
    paid = e.loc[e["event_type"] == "payment", "amount"].sum() - e.loc[e["event_type"] == "refund", "amount"].sum()
    assert sql["gmv_usd"].sum() == pytest.approx(paid, abs=0.01)
    counts = storage.event_counts(folder)
    expected = pd.crosstab(e["stream_id"], e["event_type"]).reindex(columns=counts.columns, fill_value=0)
    np.testing.assert_array_equal(counts.to_numpy(), expected.to_numpy())
    swept = storage.peak_concurrency_from_files(folder)
    pd.testing.assert_frame_equal(swept, cc.peak_concurrency(e, season.streams))


def test_sql_sweep_counts_simultaneous_changes_together(tmp_path):
    start = pd.Timestamp("2024-09-02 20:00")
    rows = [(1, "enter", 0), (2, "enter", 1), (1, "leave", 5), (3, "enter", 5), (4, "enter", 5),
            (2, "leave", 6), (1, "enter", 9)]
    events = pd.DataFrame({
        "stream_id": np.int32(1), "viewer_id": np.array([r[0] for r in rows], dtype="int64"),
        "timestamp": (start + pd.to_timedelta([r[2] for r in rows], unit="s")).astype("datetime64[ms]"),
        "event_type": [r[1] for r in rows], "amount": np.nan})
    storage.write_events(tmp_path, events)
    streams = pd.DataFrame({"stream_id": [np.int32(1)], "start": [start],
                            "end": [start + pd.Timedelta(seconds=10)]})
    naive = cc.naive_concurrency_per_second(events, streams, 1)
    # at 5 s one viewer leaves and two come: 3, not 4 as a row-by-row sum with the entries first would say
    assert storage.stream_metrics(tmp_path)["peak_concurrent"].item() == naive.max() == 3
    assert list(naive) == [1, 2, 2, 2, 2, 3, 2, 2, 2, 3, 3]


def test_writing_over_a_season_and_unknown_tables_are_refused(written, tmp_path):
    folder, _, _ = written
    with pytest.raises(FileExistsError, match="delete it"):
        storage.write_season(folder, CONFIG)
    with pytest.raises(ValueError, match="read_events"):
        storage.read_table(folder, "events")
    with pytest.raises(FileNotFoundError, match="write_season"):
        storage.open_events(tmp_path / "nothing")
