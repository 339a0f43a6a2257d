"""Concurrent viewers from enter and leave events: the interval-overlap sweep.

The viewers in a room at time ``t`` are the entries up to ``t`` minus the leaves up to ``t``.
Sorting the ``enter`` (+1) and ``leave`` (-1) events of each stream by time and taking the
running sum gives that count at every change, in one pass, however long the stream: no loop
over seconds. A viewer without a ``leave`` row is still watching when the stream ends
(censored) and counts until the end; a viewer who re-enters is counted again from the new
``enter``. Events at the same millisecond are applied together, so an enter and a leave at the
same instant never create a spurious peak.

``naive_concurrency_per_second`` is the obvious per-second loop, kept only as the reference
the tests and the benchmark compare the sweep with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_KEY_SHIFT = 42  # stream rank in the high bits, milliseconds since its start in the low ones
MS_PER_MINUTE = 60_000


@dataclass(frozen=True)
class _Sweep:
    stream_ids: np.ndarray     # streams, sorted
    start_ms: np.ndarray
    end_ms: np.ndarray
    keys: np.ndarray           # sorted keys of the enter/leave events
    count: np.ndarray          # viewers present just after each event
    weighted: np.ndarray       # running sum of delta x ms since start (for integrals)
    first: np.ndarray          # index of each stream's first event in keys
    before: np.ndarray         # running count before each stream's first event
    weighted_before: np.ndarray

    def evaluate(self, rank: np.ndarray, ms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Viewers present at ``ms`` since the start of stream ``rank``, and the viewer-milliseconds
        accumulated from the stream's start up to ``ms``."""
        ms = np.asarray(ms, dtype="int64")
        position = np.searchsorted(self.keys, (rank.astype("int64") << _KEY_SHIFT) + ms, side="right") - 1
        seen = position >= self.first[rank]
        safe = np.maximum(position, 0)
        count = np.where(seen, self.count[safe] - self.before[rank], 0) if len(self.keys) else np.zeros(len(ms), int)
        weighted = np.where(seen, self.weighted[safe] - self.weighted_before[rank], 0) if len(self.keys) else count
        return count, count * ms - weighted


def is_event(events: pd.DataFrame, kind: str) -> np.ndarray:
    """Rows of ``events`` of type ``kind``, comparing category codes rather than strings (fast)."""
    column = events["event_type"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories
        if kind not in categories:
            return np.zeros(len(column), dtype=bool)
        return column.cat.codes.to_numpy() == categories.get_loc(kind)
    return column.to_numpy() == kind


def _sweep(events: pd.DataFrame, streams: pd.DataFrame) -> _Sweep:
    order = np.argsort(streams["stream_id"].to_numpy(), kind="stable")
    stream_ids = streams["stream_id"].to_numpy()[order].astype("int64")
    start_ms = _ms(streams["start"])[order]
    end_ms = _ms(streams["end"])[order]
    is_enter, is_leave = is_event(events, "enter"), is_event(events, "leave")
    presence = is_enter | is_leave
    sid = events["stream_id"].to_numpy()[presence].astype("int64")
    rank = np.searchsorted(stream_ids, sid)
    if len(sid) and (np.any(rank >= len(stream_ids)) or np.any(stream_ids[np.minimum(rank, len(stream_ids) - 1)] != sid)):
        raise ValueError("Some enter/leave events belong to streams missing from the streams table: "
                         "pass the streams table of the same season.")
    ms = _ms(events["timestamp"])[presence] - start_ms[rank]
    if np.any(ms < 0) or np.any(ms > end_ms[rank] - start_ms[rank]):
        raise ValueError("Some enter/leave events fall outside their stream's start and end: "
                         "check the timestamps (or the streams table) before counting viewers.")
    delta = np.where(is_enter[presence], 1, -1).astype("int64")
    keys = (rank.astype("int64") << _KEY_SHIFT) + ms
    sort = np.argsort(keys, kind="stable")
    keys, delta, ms = keys[sort], delta[sort], ms[sort]
    count = np.cumsum(delta)
    weighted = np.cumsum(delta * ms)
    first = np.searchsorted(keys, np.arange(len(stream_ids), dtype="int64") << _KEY_SHIFT)
    before = np.where(first > 0, count[np.maximum(first - 1, 0)], 0) if len(keys) else np.zeros(len(first), int)
    weighted_before = np.where(first > 0, weighted[np.maximum(first - 1, 0)], 0) if len(keys) else before
    return _Sweep(stream_ids, start_ms, end_ms, keys, count, weighted, first, before, weighted_before)


def _ms(column: pd.Series) -> np.ndarray:
    return column.to_numpy().astype("datetime64[ms]").astype("int64")


def concurrency_steps(events: pd.DataFrame, streams: pd.DataFrame) -> pd.DataFrame:
    """The step function of each stream: one row per instant the count changes, with the viewers
    present from then on (``concurrent``)."""
    return _steps(_sweep(events, streams))


def _steps(sweep: _Sweep) -> pd.DataFrame:
    last = np.ones(len(sweep.keys), dtype=bool)
    last[:-1] = sweep.keys[1:] != sweep.keys[:-1]       # the state after all events of an instant
    rank = (sweep.keys[last] >> _KEY_SHIFT).astype("int64")
    ms = sweep.keys[last] - (rank << _KEY_SHIFT)
    return pd.DataFrame({
        "stream_id": sweep.stream_ids[rank].astype("int32"),
        "timestamp": (sweep.start_ms[rank] + ms).astype("datetime64[ms]"),
        "concurrent": (sweep.count[last] - sweep.before[rank]).astype("int64"),
    })


def concurrency_at(events: pd.DataFrame, streams: pd.DataFrame, stream_id, timestamp) -> np.ndarray:
    """Viewers present in ``stream_id`` at ``timestamp`` (arrays of equal length, or scalars)."""
    sweep = _sweep(events, streams)
    sid = np.atleast_1d(np.asarray(stream_id, dtype="int64"))
    rank = np.searchsorted(sweep.stream_ids, sid)
    if np.any(rank >= len(sweep.stream_ids)) or np.any(sweep.stream_ids[np.minimum(rank, len(sweep.stream_ids) - 1)] != sid):
        raise ValueError("Ask only about stream_ids that are in the streams table.")
    ms = np.atleast_1d(pd.to_datetime(timestamp)).astype("datetime64[ms]").astype("int64") - sweep.start_ms[rank]
    count, _ = sweep.evaluate(rank, ms)
    return np.where((ms >= 0) & (ms <= sweep.end_ms[rank] - sweep.start_ms[rank]), count, 0)


def peak_concurrency(events: pd.DataFrame, streams: pd.DataFrame) -> pd.DataFrame:
    """Per stream: ``peak_concurrent`` (and when it was first reached) and
    ``average_concurrent``, the time-weighted average from the stream's start to its end."""
    sweep = _sweep(events, streams)
    steps = _steps(sweep)
    duration = sweep.end_ms - sweep.start_ms
    _, viewer_ms = sweep.evaluate(np.arange(len(sweep.stream_ids)), duration)
    result = pd.DataFrame({"stream_id": sweep.stream_ids.astype("int32"), "peak_concurrent": 0,
                           "peak_at": pd.NaT, "average_concurrent": viewer_ms / np.maximum(duration, 1)})
    result["peak_at"] = result["peak_at"].astype("datetime64[ms]")
    if len(steps):
        # steps are in stream then time order: the first row of each stream's maximum
        count = steps["concurrent"].to_numpy()
        rank = np.searchsorted(sweep.stream_ids, steps["stream_id"].to_numpy())
        order = np.lexsort((-count, rank))
        leaders = order[np.r_[True, rank[order][1:] != rank[order][:-1]]]
        result.loc[rank[leaders], "peak_concurrent"] = count[leaders]
        result.loc[rank[leaders], "peak_at"] = steps["timestamp"].to_numpy()[leaders]
    result["peak_concurrent"] = result["peak_concurrent"].astype("int64")
    return result


def concurrency_grid(events: pd.DataFrame, streams: pd.DataFrame, every: str = "1min") -> pd.DataFrame:
    """Viewers present at the start of the stream and every ``every`` after it, up to its end
    (for plots): stream_id, minute (since the start), timestamp, concurrent."""
    sweep = _sweep(events, streams)
    step = int(pd.Timedelta(every) / pd.Timedelta(milliseconds=1))
    if step <= 0:
        raise ValueError(f"every={every!r} must be a positive duration such as '1min' or '30s'.")
    points = (sweep.end_ms - sweep.start_ms) // step + 1
    rank = np.repeat(np.arange(len(points)), points)
    ms = (np.arange(points.sum()) - np.repeat(np.cumsum(points) - points, points)) * step
    count, _ = sweep.evaluate(rank, ms)
    return pd.DataFrame({"stream_id": sweep.stream_ids[rank].astype("int32"), "minute": ms / MS_PER_MINUTE,
                         "timestamp": (sweep.start_ms[rank] + ms).astype("datetime64[ms]"), "concurrent": count})


def viewer_minutes_in_windows(events: pd.DataFrame, streams: pd.DataFrame, windows: pd.DataFrame) -> np.ndarray:
    """Viewer-minutes spent in the room during each window (``stream_id``, ``start``, ``end``
    columns, e.g. the deals table): the integral of concurrency over the window."""
    sweep = _sweep(events, streams)
    rank = np.searchsorted(sweep.stream_ids, windows["stream_id"].to_numpy().astype("int64"))
    length = sweep.end_ms[rank] - sweep.start_ms[rank]
    since = np.clip(_ms(windows["start"]) - sweep.start_ms[rank], 0, length)
    until = np.clip(_ms(windows["end"]) - sweep.start_ms[rank], 0, length)
    _, at_start = sweep.evaluate(rank, since)
    _, at_end = sweep.evaluate(rank, until)
    return (at_end - at_start) / MS_PER_MINUTE


def watch_time(events: pd.DataFrame, streams: pd.DataFrame) -> pd.DataFrame:
    """Per stream: visits (entries), unique viewers, visits still watching at the end
    (censored), total watch minutes (censored visits counted to the end) and the average per visit."""
    sweep = _sweep(events, streams)
    _, viewer_ms = sweep.evaluate(np.arange(len(sweep.stream_ids)), sweep.end_ms - sweep.start_ms)
    enters = events.loc[is_event(events, "enter"), ["stream_id", "viewer_id"]]
    index = pd.Index(sweep.stream_ids, name="stream_id")
    visits = enters.groupby("stream_id").size().reindex(index, fill_value=0).to_numpy()
    leaves = events.loc[is_event(events, "leave"), ["stream_id"]].groupby("stream_id").size().reindex(index, fill_value=0).to_numpy()
    unique = enters.groupby("stream_id")["viewer_id"].nunique().reindex(index, fill_value=0).to_numpy()
    total = viewer_ms / MS_PER_MINUTE
    return pd.DataFrame({"stream_id": sweep.stream_ids.astype("int32"), "visits": visits, "unique_viewers": unique,
                         "censored_visits": visits - leaves, "total_watch_minutes": total,
                         "average_watch_minutes": np.where(visits > 0, total / np.maximum(visits, 1), np.nan)})


def naive_concurrency_per_second(events: pd.DataFrame, streams: pd.DataFrame, stream_id: int) -> pd.Series:
    """Reference only (slow): for every whole second of one stream, count entries up to then minus
    leaves up to then. The sweep gives the same counts at these instants."""
    stream = streams.loc[streams["stream_id"] == stream_id].iloc[0]
    mine = events[events["stream_id"] == stream_id]
    enters = _ms(mine.loc[is_event(mine, "enter"), "timestamp"])
    leaves = _ms(mine.loc[is_event(mine, "leave"), "timestamp"])
    start, end = int(pd.Timestamp(stream["start"]).value // 10**6), int(pd.Timestamp(stream["end"]).value // 10**6)
    counts, instants = [], []
    for t in range(start, end + 1, 1000):
        counts.append(int((enters <= t).sum() - (leaves <= t).sum()))
        instants.append(t)
    return pd.Series(counts, index=pd.to_datetime(np.array(instants, dtype="datetime64[ms]")), name="concurrent")
