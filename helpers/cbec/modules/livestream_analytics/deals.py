"""Did the flash deal work? Sales per minute around each deal window.

Windows are read one way everywhere: a deal runs from ``start`` (inclusive) to ``end``
(exclusive), on whole clock minutes, so a 10:00-10:05 deal covers the minutes 10:00,
10:01, 10:02, 10:03 and 10:04. :func:`deal_minutes` labels every minute of every stream
against the deals of its stream; the other functions use its labels, so nobody is a
minute off.

Two estimates of the uplift (sales per minute in a deal / without it):

- :func:`naive_deal_comparison`: each deal's minutes vs the minutes just before it. Easy,
  and misleading when the audience is still building up, or when deals are put where the
  stream is busiest anyway.
- :func:`deal_uplift`: a Poisson regression (a pseudo-likelihood, so GMV works as well as
  counts) of sales per stream-minute on an in-deal indicator, with stream fixed effects,
  minute-of-stream bins (the shape of a stream: warm-up, peak, tail) and an indicator for
  the minutes right after a deal (buyers who bought in the deal do not buy again), with
  standard errors clustered by stream. ``exp(coefficient)`` is the multiplicative uplift.

The regression is fitted on cells (stream x minute bin x deal state) holding summed sales
and the number of minutes as exposure: with only categorical regressors this gives the
same estimate and the same cluster-robust errors as the per-minute fit, at a fraction of
the size, so a season of millions of events fits in a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from cbec.modules.livestream_analytics.concurrency import viewer_minutes_in_windows
from cbec.data.columns import require_columns
from cbec.modules.livestream_analytics.funnel import order_values, require_rows
from cbec.modules.livestream_analytics.schemas import DEAL_FORMATS

PHASES = ("before", "in", "after", "none")
DEAL_COLUMNS = ("deal_id", "stream_id", "format", "start", "end")
MINUTE = pd.Timedelta(minutes=1)
MEASURES = ("orders", "gmv")


def _check_deals(deals: pd.DataFrame) -> pd.DataFrame:
    require_columns(deals, DEAL_COLUMNS, "the deals table")
    deals = deals.sort_values(["stream_id", "start"]).reset_index(drop=True)
    if (deals["end"] <= deals["start"]).any():
        bad = deals.loc[deals["end"] <= deals["start"], "deal_id"].tolist()[:5]
        raise ValueError(f"deal(s) {bad} end before they start; end is the first minute after the window.")
    same_stream = deals["stream_id"].to_numpy()[1:] == deals["stream_id"].to_numpy()[:-1]
    overlap = same_stream & (deals["start"].to_numpy()[1:] < deals["end"].to_numpy()[:-1])
    if overlap.any():
        bad = deals["deal_id"].to_numpy()[1:][overlap].tolist()[:5]
        raise ValueError(f"deal(s) {bad} start before the previous deal of their stream ends; "
                         "merge overlapping windows into one before labelling minutes.")
    return deals


def _windows(deals: pd.DataFrame) -> pd.DataFrame:
    # merge_asof wants the right side sorted by time, in the same time unit as the left
    window = deals[["stream_id", "deal_id", "format", "start", "end"]].copy()
    window["start"], window["end"] = window["start"].astype("datetime64[ns]"), window["end"].astype("datetime64[ns]")
    return window.sort_values("start", kind="stable")


def deal_at(stream_ids, times, deals: pd.DataFrame) -> pd.Series:
    """The ``deal_id`` whose window holds each (stream, time) pair, or <NA> (start inclusive, end exclusive)."""
    deals = _check_deals(deals)
    queries = pd.DataFrame({"stream_id": np.asarray(stream_ids), "time": pd.to_datetime(np.asarray(times))})
    queries["time"] = queries["time"].astype("datetime64[ns]")
    queries["row"] = np.arange(len(queries))
    found = pd.merge_asof(queries.sort_values("time"), _windows(deals),
                          left_on="time", right_on="start", by="stream_id", direction="backward")
    inside = found["end"].notna() & (found["time"] < found["end"])
    deal = pd.array(np.where(inside, found["deal_id"].fillna(0), 0).astype("int64"), dtype="Int64")
    deal[~inside.to_numpy()] = pd.NA
    return pd.Series(deal, index=found["row"].to_numpy()).sort_index().reset_index(drop=True)


def stream_minute_grid(streams: pd.DataFrame) -> pd.DataFrame:
    """Every clock minute of every stream: ``stream_id``, ``minute`` (its start), ``minute_of_stream`` (0, 1, ...).

    A stream covers the minutes from the one it starts in up to the one it ends in
    (a stream 20:00-22:00 has 120 minutes, 20:00 to 21:59).
    """
    require_columns(streams, ("stream_id", "start", "end"), "the streams table")
    require_rows(streams, "the streams table", "pass at least one stream.")
    first = streams["start"].astype("datetime64[ns]").dt.floor("min")
    lengths = np.ceil((streams["end"] - first) / MINUTE).astype("int64").to_numpy()
    if (lengths <= 0).any():
        bad = streams.loc[lengths <= 0, "stream_id"].tolist()[:5]
        raise ValueError(f"stream(s) {bad} end before they start; fix start and end.")
    offsets = np.arange(lengths.sum()) - np.repeat(np.r_[0, np.cumsum(lengths)[:-1]], lengths)
    minute = np.repeat(first.to_numpy(), lengths) + (offsets * 60_000_000_000).astype("timedelta64[ns]")
    return pd.DataFrame({"stream_id": np.repeat(streams["stream_id"].to_numpy(), lengths),
                         "minute": minute.astype("datetime64[ns]"),
                         "minute_of_stream": offsets.astype("int64")})


def deal_minutes(streams: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """Label every minute of every stream as before, in or after a deal (or none: a stream without deals).

    ``in``: the minute lies in a deal window. Otherwise ``before`` the next deal of the
    stream if there is one, else ``after`` the last. ``deal_id`` and ``format`` name that
    deal; ``minutes_from_deal_start`` counts from its start (negative before it);
    ``minutes_since_deal_end`` counts from the end of the latest finished deal (NaN if
    none has finished, or during a deal).
    """
    deals = _check_deals(deals)
    grid = stream_minute_grid(streams)
    grid["row"] = np.arange(len(grid))
    ordered = grid.sort_values("minute")
    window = _windows(deals)
    previous = pd.merge_asof(ordered, window, left_on="minute", right_on="start", by="stream_id",
                             direction="backward").set_index("row").sort_index()
    following = pd.merge_asof(ordered, window, left_on="minute", right_on="start", by="stream_id",
                              direction="forward", allow_exact_matches=False).set_index("row").sort_index()
    inside = (previous["end"].notna() & (grid["minute"].to_numpy() < previous["end"])).to_numpy()
    has_next = following["deal_id"].notna().to_numpy()
    has_previous = previous["deal_id"].notna().to_numpy()
    phase = np.select([inside, has_next, has_previous], ["in", "before", "after"], default="none")
    use_previous = inside | (~has_next & has_previous)
    chosen = {column: previous[column].where(use_previous, following[column])
              for column in ("deal_id", "start")}
    grid = grid.drop(columns="row")
    grid["phase"] = pd.Categorical(phase, categories=PHASES)
    grid["deal_id"] = pd.array(chosen["deal_id"].to_numpy(), dtype="Float64").astype("Int64")
    formats = np.where(use_previous, previous["format"].astype(object), following["format"].astype(object))
    grid["format"] = pd.Categorical(formats, categories=DEAL_FORMATS)
    grid["minutes_from_deal_start"] = pd.array(
        ((grid["minute"] - pd.to_datetime(chosen["start"].to_numpy())) / MINUTE).to_numpy(), dtype="Float64"
    ).astype("Int64")
    since_end = ((grid["minute"] - pd.to_datetime(previous["end"].to_numpy())) / MINUTE).to_numpy(dtype=float)
    grid["minutes_since_deal_end"] = np.where(inside | ~has_previous, np.nan, since_end)
    return grid


def minute_sales(events: pd.DataFrame, streams: pd.DataFrame, deals: pd.DataFrame) -> pd.DataFrame:
    """:func:`deal_minutes` with the sales placed in each minute: ``orders`` and ``gmv``.

    Orders count when placed (the ``order`` row), paid or not; ``gmv`` is their net paid
    value (unpaid orders 0, refunds taken off), booked to the minute the order was placed.
    Minutes without orders are in the table with 0, so averages are per minute of stream.
    Orders placed outside the stream's minutes (after it ended) are left out.
    ``viewer_minutes`` is the minute's audience (concurrent viewers integrated over it), the
    exposure of a per-viewer uplift (:func:`deal_uplift` with ``per="viewer_minute"``).
    """
    grid = deal_minutes(streams, deals)
    orders = order_values(events)
    minute = orders["ordered_at"].dt.floor("min")
    first = grid.groupby("stream_id")["minute"].min()
    position = ((minute - orders["stream_id"].map(first)) / MINUTE).to_numpy(dtype=float)
    start_row = grid.reset_index().groupby("stream_id")["index"].min()
    length = grid.groupby("stream_id").size()
    known = orders["stream_id"].isin(start_row.index).to_numpy()
    inside = known & (position >= 0) & (position < orders["stream_id"].map(length).to_numpy(dtype=float))
    rows = (orders["stream_id"].map(start_row).to_numpy(dtype=float)[inside] + position[inside]).astype("int64")
    grid["orders"] = np.bincount(rows, minlength=len(grid)).astype("int64")
    grid["gmv"] = np.bincount(rows, weights=orders["net_value"].to_numpy(dtype=float)[inside], minlength=len(grid))
    # the audience of each minute: the integral of concurrent viewers over it
    windows = pd.DataFrame({"stream_id": grid["stream_id"], "start": grid["minute"], "end": grid["minute"] + MINUTE})
    grid["viewer_minutes"] = viewer_minutes_in_windows(events, streams, windows)
    return grid


@dataclass(frozen=True)
class Uplift:
    """A multiplicative uplift: sales per minute in the deal window / without it, with its interval."""

    uplift: float
    interval: tuple[float, float]
    coefficient: float
    std_error: float
    p_value: float


@dataclass(frozen=True)
class DealUpliftResult:
    """The event-study estimate of a deal's uplift (see :func:`deal_uplift`)."""

    measure: str
    overall: Uplift
    by_format: pd.DataFrame   # one row per format: uplift, ci_low, ci_high, deals
    deals: int
    streams: int
    minutes: int
    minute_bin: int
    after_minutes: int
    alpha: float
    model: object             # statsmodels GLMResults of the pooled fit, for summary()


def _uplift(result, name: str, alpha: float) -> Uplift:
    low, high = result.conf_int(alpha=alpha).loc[name]
    coefficient = float(result.params[name])
    return Uplift(uplift=float(np.exp(coefficient)), interval=(float(np.exp(low)), float(np.exp(high))),
                  coefficient=coefficient, std_error=float(result.bse[name]), p_value=float(result.pvalues[name]))


def _fit_cells(minutes: pd.DataFrame, measure: str, treatment_columns: list[str], minute_bin: int, per: str):
    keys = ["stream_id", "minute_bin", *treatment_columns]
    exposure = ("viewer_minutes", "sum") if per == "viewer_minute" else (measure, "size")
    cells = (minutes.assign(minute_bin=minutes["minute_of_stream"] // minute_bin)
             .groupby(keys, observed=True, sort=True).agg(sales=(measure, "sum"), minutes=exposure)
             .reset_index())
    cells = cells[cells["minutes"] > 0]  # a minute nobody watched cannot sell
    design = pd.concat([cells[treatment_columns].astype(float),
                        pd.get_dummies(cells["minute_bin"], prefix="minute_bin", drop_first=True, dtype=float),
                        pd.get_dummies(cells["stream_id"], prefix="stream", dtype=float)], axis=1)
    groups = pd.factorize(cells["stream_id"])[0]
    model = sm.GLM(cells["sales"].to_numpy(float), design, family=sm.families.Poisson(),
                   exposure=cells["minutes"].to_numpy(float))
    return model.fit(cov_type="cluster", cov_kwds={"groups": groups})


def deal_uplift(minutes: pd.DataFrame, *, measure: str = "orders", minute_bin: int = 5, after_minutes: int = 10,
                by_format: bool = True, per: str = "minute", alpha: float = 0.05) -> DealUpliftResult:
    """The uplift of sales per minute during deals, from :func:`minute_sales` (see the module docstring).

    ``measure`` is ``"orders"`` or ``"gmv"``. ``minute_bin`` is the width in minutes of the
    minute-of-stream controls; ``after_minutes`` minutes after each deal get their own
    indicator so a post-deal lull does not lower the baseline (0 to fold them into it).
    ``by_format`` adds a second fit with one in-deal indicator per deal format (``by_format``
    of the result is empty without it). Streams without a deal only inform the baseline shape; at least two streams with deals
    are needed for clustered errors.

    ``per="minute"`` (default) estimates the uplift of sales per minute of stream: what the
    deal did in all, including the viewers it drew in and kept. ``per="viewer_minute"``
    takes each minute's audience (``viewer_minutes``) as the exposure, so the uplift is of
    the chance that a viewer in the room buys: the deal's effect on conversion alone.
    """
    if per not in ("minute", "viewer_minute"):
        raise ValueError(f"per is 'minute' (sales per minute) or 'viewer_minute' (per viewer), got {per!r}.")
    if per == "viewer_minute":
        require_columns(minutes, ("viewer_minutes",), "the minute table (from minute_sales)")
    require_columns(minutes, ("stream_id", "minute_of_stream", "phase", "format", "minutes_since_deal_end", measure),
                    "the minute table (from minute_sales)")
    if measure not in MEASURES:
        raise ValueError(f"measure is one of {MEASURES}, got {measure!r}.")
    if minute_bin < 1 or after_minutes < 0:
        raise ValueError("minute_bin is a width in minutes (>= 1); after_minutes is >= 0.")
    in_deal = (minutes["phase"] == "in").to_numpy()
    streams_with_deals = minutes.loc[in_deal, "stream_id"].nunique()
    if streams_with_deals < 2:
        raise ValueError(f"only {streams_with_deals} stream(s) have deal minutes; the uplift needs deals in "
                         "at least two streams (errors are clustered by stream).")
    table = minutes.assign(in_deal=in_deal.astype("int8"),
                           after_deal=(minutes["minutes_since_deal_end"] < after_minutes).to_numpy().astype("int8"))
    treatments = ["in_deal", "after_deal"] if after_minutes > 0 else ["in_deal"]
    pooled = _fit_cells(table, measure, treatments, minute_bin, per)

    format_columns = []
    for deal_format in DEAL_FORMATS if by_format else ():
        column = f"in_{deal_format}"
        table[column] = (in_deal & (table["format"] == deal_format).to_numpy()).astype("int8")
        if table[column].any():
            format_columns.append(column)
    by_format_fit = _fit_cells(table, measure, [*format_columns, *treatments[1:]], minute_bin, per) if by_format else None
    deal_ids = minutes.loc[in_deal, ["deal_id", "format"]].drop_duplicates("deal_id")
    rows = []
    for column in format_columns:
        effect = _uplift(by_format_fit, column, alpha)
        deal_format = column.removeprefix("in_")
        rows.append({"format": deal_format, "uplift": effect.uplift, "ci_low": effect.interval[0],
                     "ci_high": effect.interval[1], "p_value": effect.p_value,
                     "deals": int((deal_ids["format"] == deal_format).sum())})
    by_format_table = pd.DataFrame(rows, columns=["format", "uplift", "ci_low", "ci_high", "p_value", "deals"])
    return DealUpliftResult(measure=measure, overall=_uplift(pooled, "in_deal", alpha), by_format=by_format_table,
                            deals=int(deal_ids["deal_id"].nunique()), streams=int(minutes["stream_id"].nunique()),
                            minutes=len(minutes), minute_bin=minute_bin, after_minutes=after_minutes, alpha=alpha,
                            model=pooled)


def naive_deal_comparison(minutes: pd.DataFrame, *, measure: str = "orders", before_minutes: int = 10) -> pd.DataFrame:
    """Each deal's sales per minute in its window vs the ``before_minutes`` minutes just before it.

    One row per deal: ``in_per_minute``, ``before_per_minute`` (over the before-minutes the
    stream has, up to ``before_minutes``; fewer right after an earlier deal) and their
    ``ratio``. The naive uplift across deals is ``in_per_minute.sum() / before_per_minute.sum()``
    over deals with a before-window (see :func:`naive_uplift`).
    """
    require_columns(minutes, ("deal_id", "phase", "minutes_from_deal_start", "format", measure),
                    "the minute table (from minute_sales)")
    if before_minutes < 1:
        raise ValueError("before_minutes is the length of the comparison window, >= 1.")
    phase = minutes["phase"]
    offset = minutes["minutes_from_deal_start"]
    inside = minutes[(phase == "in").to_numpy()]
    before = minutes[((phase == "before") & (offset >= -before_minutes)).to_numpy()]
    table = inside.groupby("deal_id").agg(format=("format", "first"), in_minutes=(measure, "size"),
                                          in_total=(measure, "sum"))
    prior = before.groupby("deal_id").agg(before_minutes=(measure, "size"), before_total=(measure, "sum"))
    table = table.join(prior, how="left").fillna({"before_minutes": 0, "before_total": 0})
    table["before_minutes"] = table["before_minutes"].astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        table["in_per_minute"] = table["in_total"] / table["in_minutes"]
        table["before_per_minute"] = table["before_total"] / table["before_minutes"]
        table["ratio"] = table["in_per_minute"] / table["before_per_minute"]
    return table.reset_index()


def naive_uplift(minutes: pd.DataFrame, *, measure: str = "orders", before_minutes: int = 10) -> float:
    """Sales per minute in all deal windows over sales per minute in the minutes just before them."""
    table = naive_deal_comparison(minutes, measure=measure, before_minutes=before_minutes)
    table = table[table["before_minutes"] > 0]
    if table.empty or table["before_total"].sum() == 0:
        raise ValueError("no deal has sales in a before-window; widen before_minutes.")
    return float(table["in_total"].sum() / table["in_minutes"].sum()
                 / (table["before_total"].sum() / table["before_minutes"].sum()))


def event_study_profile(minutes: pd.DataFrame, *, measure: str = "orders", before_minutes: int = 20,
                        after_minutes: int = 30) -> pd.DataFrame:
    """Average sales per minute by minute relative to deal start, as a share of each deal's before-level.

    For every deal: minutes ``-before_minutes`` .. ``after_minutes`` around its start (a
    minute after one deal's window and before the next is counted for the next one).
    Columns: ``minutes_from_deal_start``, ``mean_sales``, ``relative`` (mean sales over the
    mean of the before-minutes), ``deals`` contributing and ``in_deal_share`` (the share
    of them still running, so windows of different lengths show).
    """
    require_columns(minutes, ("deal_id", "phase", "minutes_from_deal_start", measure),
                    "the minute table (from minute_sales)")
    offset = minutes["minutes_from_deal_start"]
    phase = minutes["phase"]
    keep = (offset >= -before_minutes) & (offset <= after_minutes) & (phase != "none")
    # after-minutes are measured from the start of the deal they follow
    window = minutes[keep.fillna(False).to_numpy()]
    require_rows(window, "the minutes around deals", "the table has no deals; pass deals to minute_sales.")
    profile = (window.assign(in_deal=(window["phase"] == "in").astype(float))
               .groupby("minutes_from_deal_start")
               .agg(mean_sales=(measure, "mean"), deals=("deal_id", "nunique"), in_deal_share=("in_deal", "mean"))
               .reset_index())
    profile["minutes_from_deal_start"] = profile["minutes_from_deal_start"].astype("int64")
    baseline = window.loc[(window["phase"] == "before").to_numpy(), measure].mean()
    profile["relative"] = profile["mean_sales"] / baseline if baseline > 0 else np.nan
    return profile
