"""A season on disk: events as Parquet partitioned by stream, read lazily, queried with DuckDB.

Layout of a season folder::

    events/stream_id=1/block-00000-0.parquet    one folder per stream (hive partitioning)
    streams.parquet hosts.parquet products.parquet lineup.parquet deals.parquet
    season.json                                  the config that generated it, and counts

:func:`write_season` simulates and writes one block of streams at a time, so a hundred million
events never sit in memory together; the files hold exactly the events of
``simulate_season(config)``. :func:`stream_metrics` computes per-stream figures out of core in
DuckDB (peak concurrency by a window-function sweep); :func:`stream_metrics_frame` computes
the same figures from tables in memory, for comparison.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from cbec.modules.livestream_analytics import concurrency
from cbec.modules.livestream_analytics.schemas import EVENT_TYPES
from cbec.modules.livestream_analytics.season_config import EVENT_TYPE_DTYPE, TRAFFIC_SOURCE_DTYPE, SeasonConfig
from cbec.modules.livestream_analytics.simulator import iter_event_blocks, plan_season
from cbec.world.simulated import config_from

DIMENSION_TABLES = ("streams", "hosts", "products", "lineup", "deals")
PARTITIONING = ds.partitioning(pa.schema([("stream_id", pa.int32())]), flavor="hive")


def write_season(folder: str | Path, config: SeasonConfig | None = None, progress=None, **overrides) -> Path:
    """Simulate a season and write it to ``folder`` one block of streams at a time.

    ``progress`` (optional) is called with ``(blocks_done, blocks_total, events_so_far)``.
    Returns the folder. A folder that already holds events is refused (delete it first).
    """
    config = config_from(SeasonConfig, config, overrides)
    folder = Path(folder)
    if (folder / "events").exists():
        raise FileExistsError(f"{folder / 'events'} already exists: delete it or choose another folder, "
                              "so two seasons are not mixed.")
    folder.mkdir(parents=True, exist_ok=True)
    plan = plan_season(config)
    for name in DIMENSION_TABLES:
        getattr(plan, name).to_parquet(folder / f"{name}.parquet", index=False)
    written = 0
    for block, frame in enumerate(iter_event_blocks(plan)):
        write_events(folder, frame, block=block)
        written += len(frame)
        if progress:
            progress(block + 1, plan.n_blocks, written)
    config_fields = {name: (dict(value) if hasattr(value, "items") else value)
                     for name, value in ((f.name, getattr(config, f.name)) for f in fields(config))}
    (folder / "season.json").write_text(json.dumps({"config": config_fields, "events": written,
                                                    "streams": len(plan.streams)}, indent=2))
    return folder


def write_events(folder: str | Path, events: pd.DataFrame, block: int = 0) -> None:
    """Append ``events`` to ``folder/events``, one Parquet file per stream and block."""
    table = pa.Table.from_pandas(events, preserve_index=False)
    n_streams = events["stream_id"].nunique()
    ds.write_dataset(table, Path(folder) / "events", format="parquet", partitioning=PARTITIONING,
                     basename_template=f"block-{block:05d}-{{i}}.parquet",
                     existing_data_behavior="overwrite_or_ignore", max_partitions=max(1024, n_streams + 1),
                     preserve_order=True)  # rows stay in time order within each file


def open_events(folder: str | Path) -> ds.Dataset:
    """The events as a lazy pyarrow dataset (nothing is read until asked)."""
    path = Path(folder) / "events"
    if not path.is_dir():
        raise FileNotFoundError(f"No events under {path}: write a season there first (write_season).")
    return ds.dataset(path, format="parquet", partitioning=PARTITIONING)


def read_events(folder: str | Path, stream_ids: Iterable[int] | None = None,
                columns: list[str] | None = None, event_types: Iterable[str] | None = None) -> pd.DataFrame:
    """Events of some streams (all by default), optionally only some columns or event types,
    with the schema's dtypes, in stream then time order."""
    dataset = open_events(folder)
    condition = None
    if stream_ids is not None:
        condition = ds.field("stream_id").isin(pa.array(list(stream_ids), pa.int32()))
    if event_types is not None:
        wanted = ds.field("event_type").isin(list(event_types))
        condition = wanted if condition is None else condition & wanted
    wanted_columns = None if columns is None else list(dict.fromkeys(["stream_id", *columns]))
    frame = dataset.to_table(columns=wanted_columns, filter=condition).to_pandas()
    frame = _schema_dtypes(frame)
    # fragments come in path order (stream_id=10 before stream_id=2); within a file rows are in time order
    frame = frame.sort_values("stream_id", kind="stable", ignore_index=True)
    return frame if columns is None else frame[columns]


def _schema_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    dtypes = {"stream_id": "int32", "viewer_id": "int64", "event_type": EVENT_TYPE_DTYPE, "product_id": "Int32",
              "order_id": "Int64", "amount": "float64", "traffic_source": TRAFFIC_SOURCE_DTYPE}
    frame = frame.astype({c: t for c, t in dtypes.items() if c in frame.columns})
    if "timestamp" in frame.columns:
        frame["timestamp"] = frame["timestamp"].astype("datetime64[ms]")
    order = ["stream_id", "viewer_id", "timestamp", "event_type", "product_id", "order_id", "amount",
             "traffic_source"]
    return frame[[c for c in order if c in frame.columns]]


def read_table(folder: str | Path, name: str) -> pd.DataFrame:
    """A dimension table (streams, hosts, products, lineup, deals) of a written season."""
    if name not in DIMENSION_TABLES:
        raise ValueError(f"No table {name!r}: choose one of {', '.join(DIMENSION_TABLES)} (events: read_events).")
    return pd.read_parquet(Path(folder) / f"{name}.parquet")


def _events_sql(folder: str | Path) -> str:
    pattern = (Path(folder) / "events" / "*" / "*.parquet").as_posix().replace("'", "''")
    return f"read_parquet('{pattern}', hive_partitioning = true, hive_types = {{'stream_id': INTEGER}})"


def _connect(threads: int | None = None, memory_limit: str | None = None):
    import duckdb

    connection = duckdb.connect()
    if threads:
        connection.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        connection.execute(f"SET memory_limit = '{memory_limit}'")
    return connection


def event_counts(folder: str | Path, threads: int | None = None) -> pd.DataFrame:
    """Events of each type per stream (DuckDB over the Parquet files): one column per event type."""
    with _connect(threads) as connection:
        long = connection.execute(f"SELECT stream_id, CAST(event_type AS VARCHAR) AS event_type, count(*) AS n "
                                  f"FROM {_events_sql(folder)} GROUP BY ALL").df()
    wide = long.pivot(index="stream_id", columns="event_type", values="n")
    return wide.reindex(columns=list(EVENT_TYPES)).fillna(0).astype("int64").sort_index().rename_axis(columns=None)


STREAM_METRICS_SQL = """
WITH events AS (SELECT stream_id, viewer_id, timestamp, CAST(event_type AS VARCHAR) AS event_type, amount
                FROM {events}),
-- +1 per entry, -1 per leave, summed per instant so simultaneous changes count together
changes AS (
    SELECT stream_id, timestamp, sum(CASE WHEN event_type = 'enter' THEN 1 ELSE -1 END) AS delta
    FROM events WHERE event_type IN ('enter', 'leave') GROUP BY stream_id, timestamp),
running AS (
    SELECT stream_id,
           sum(delta) OVER (PARTITION BY stream_id ORDER BY timestamp ROWS UNBOUNDED PRECEDING) AS concurrent
    FROM changes),
peaks AS (SELECT stream_id, max(concurrent) AS peak_concurrent FROM running GROUP BY stream_id),
totals AS (
    SELECT stream_id, count(*) AS events,
           count(DISTINCT viewer_id) FILTER (WHERE event_type = 'enter') AS unique_viewers,
           -- GMV in whole cents, so the sum does not depend on the order rows are added in
           coalesce(sum(round(amount * 100)) FILTER (WHERE event_type = 'payment'), 0)
             - coalesce(sum(round(amount * 100)) FILTER (WHERE event_type = 'refund'), 0) AS gmv_cents
    FROM events GROUP BY stream_id)
SELECT t.stream_id, t.events, t.unique_viewers, CAST(t.gmv_cents AS BIGINT) AS gmv_cents,
       coalesce(p.peak_concurrent, 0) AS peak_concurrent
FROM totals t LEFT JOIN peaks p USING (stream_id) ORDER BY t.stream_id
"""


def stream_metrics(folder: str | Path, threads: int | None = None, memory_limit: str | None = None) -> pd.DataFrame:
    """Per stream, out of core in DuckDB: events, unique viewers (entries), GMV (payments minus
    refunds, USD) and peak concurrent viewers (a window-function sweep over +1/-1 events)."""
    with _connect(threads, memory_limit) as connection:
        frame = connection.execute(STREAM_METRICS_SQL.format(events=_events_sql(folder))).df()
    return _metrics_frame(frame["stream_id"], frame["events"], frame["unique_viewers"], frame["gmv_cents"],
                          frame["peak_concurrent"])


def stream_metrics_frame(events: pd.DataFrame, streams: pd.DataFrame) -> pd.DataFrame:
    """The figures of :func:`stream_metrics` from tables in memory (pandas and the numpy sweep)."""
    ids = np.sort(events["stream_id"].unique())
    index = pd.Index(ids, name="stream_id")
    counts = events.groupby("stream_id", observed=True).size().reindex(index, fill_value=0)
    unique = events.loc[concurrency.is_event(events, "enter")].groupby("stream_id")["viewer_id"].nunique().reindex(index, fill_value=0)
    cents = np.round(events["amount"].to_numpy() * 100)
    sign = np.where(concurrency.is_event(events, "payment"), 1.0,
                    np.where(concurrency.is_event(events, "refund"), -1.0, 0.0))
    gmv = pd.Series(np.nan_to_num(cents * sign), index=events["stream_id"].to_numpy()).groupby(level=0).sum()
    peaks = concurrency.peak_concurrency(events, streams).set_index("stream_id")["peak_concurrent"]
    return _metrics_frame(ids, counts.to_numpy(), unique.to_numpy(), gmv.reindex(index, fill_value=0).to_numpy(),
                          peaks.reindex(index, fill_value=0).to_numpy())


def _metrics_frame(stream_id, events, unique_viewers, gmv_cents, peak) -> pd.DataFrame:
    return pd.DataFrame({"stream_id": np.asarray(stream_id).astype("int32"),
                         "events": np.asarray(events).astype("int64"),
                         "unique_viewers": np.asarray(unique_viewers).astype("int64"),
                         "gmv_usd": np.asarray(gmv_cents).astype("int64") / 100,
                         "peak_concurrent": np.asarray(peak).astype("int64")})


def peak_concurrency_from_files(folder: str | Path) -> pd.DataFrame:
    """The numpy sweep's peak and average concurrency, reading only the enter and leave rows."""
    presence = read_events(folder, columns=["stream_id", "viewer_id", "timestamp", "event_type"],
                           event_types=["enter", "leave"])
    return concurrency.peak_concurrency(presence, read_table(folder, "streams"))
