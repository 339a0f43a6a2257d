"""Comments, likes and orders per stream-minute: an elasticity, and why it is a correlation.

Busy minutes have more of everything: more viewers in the room comment more and buy
more, and a flash deal sets the chat going while it sells. A log-log slope of orders on
comments across minutes (the *naive* elasticity) is therefore positive even when
comments sell nothing. Song et al. (2021) report about +0.289% sales per +1% comments on
Taobao Live, an association of this kind.

:func:`engagement_elasticity` fits both slopes as Poisson pseudo-likelihood regressions
of orders per minute on log(1 + comments) (a log-log slope that takes minutes without
orders), with errors clustered by stream:

- naive: nothing else in the model;
- controlled: log(viewer-minutes in the minute), the in-deal indicator and stream fixed
  effects (one indicator per stream); minutes with nobody in the room are left out, since
  nobody can buy in them.

The audience control is the time viewers spent in the room during the minute, not a head
count at its start: viewers who come in or stay on during the minute buy and like in it,
and a head count that misses them leaves part of the audience to the likes, which then
seem to sell.

A linear fit of log(1 + orders) would not do: with one or two orders a minute that log
bends, and the bend shows up as a slope on comments even with the controls in.

What is left after the controls is still only an association: the controls remove the
confounders they measure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from cbec.modules.livestream_analytics.concurrency import viewer_minutes_in_windows
from cbec.modules.livestream_analytics.deals import MINUTE, deal_minutes, stream_minute_grid
from cbec.data.columns import require_columns
from cbec.modules.livestream_analytics.funnel import EVENT_COLUMNS, require_rows
from cbec.modules.livestream_analytics.retention import watch_visits

ENGAGEMENT_EVENTS = ("comment", "like", "share", "order")
#: Measures of who is in the room, entered as logs.
AUDIENCE_CONTROLS = ("viewer_minutes", "concurrency")


def _minute_rows(grid: pd.DataFrame, stream_ids, times, lengths_only=False):
    """Row of ``grid`` holding each (stream, time), and whether it falls inside the stream's minutes."""
    first = grid.groupby("stream_id", sort=False)["minute"].min()
    start_row = pd.Series(np.arange(len(grid)), index=grid.index).groupby(grid["stream_id"], sort=False).min()
    length = grid.groupby("stream_id", sort=False).size()
    stream_ids = pd.Series(np.asarray(stream_ids))
    position = ((pd.to_datetime(np.asarray(times)) - pd.to_datetime(stream_ids.map(first).to_numpy())) / MINUTE)
    position = np.floor(np.asarray(position, dtype=float))
    size = stream_ids.map(length).to_numpy(dtype=float)
    inside = ~np.isnan(size) & (position >= 0) & (position < size)
    rows = np.where(inside, stream_ids.map(start_row).to_numpy(dtype=float) + np.nan_to_num(position), -1)
    return rows.astype("int64"), inside


def engagement_minutes(events: pd.DataFrame, streams: pd.DataFrame, deals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per stream-minute: ``comments``, ``likes``, ``shares``, ``orders``, ``concurrency`` and ``viewer_minutes``.

    ``concurrency`` counts viewers in the room at the minute's start (entered at or before
    it, not yet left; visits as in :func:`~.retention.watch_visits`); ``viewer_minutes`` is
    the time they spent in the room during the minute (the integral of concurrency over it). With ``deals`` the
    minute labels of :func:`~.deals.deal_minutes` come along and ``in_deal`` is set;
    without, ``in_deal`` is False.
    """
    require_columns(events, EVENT_COLUMNS, "the event log")
    grid = deal_minutes(streams, deals) if deals is not None else stream_minute_grid(streams)
    grid = grid.reset_index(drop=True)
    kind = events["event_type"]
    for event_type in ENGAGEMENT_EVENTS:
        chosen = events.loc[kind == event_type, ["stream_id", "timestamp"]]
        rows, inside = _minute_rows(grid, chosen["stream_id"], chosen["timestamp"])
        grid[f"{event_type}s"] = np.bincount(rows[inside], minlength=len(grid)).astype("int64")
    visits = watch_visits(events, streams)
    # +1 at the first minute start inside the visit, -1 at the first one after it
    first_row, first_inside = _minute_rows(grid, visits["stream_id"], visits["entered_at"] + MINUTE - pd.Timedelta(1))
    last_row, last_inside = _minute_rows(grid, visits["stream_id"], visits["exited_at"] + MINUTE - pd.Timedelta(1))
    ends_after = ~last_inside & first_inside
    stream_end_row = visits["stream_id"].map(
        pd.Series(np.arange(len(grid))).groupby(grid["stream_id"].to_numpy()).max() + 1).to_numpy()
    last_row = np.where(ends_after, stream_end_row, last_row)
    change = np.zeros(len(grid) + 1)
    np.add.at(change, first_row[first_inside], 1)
    np.add.at(change, last_row[first_inside], -1)
    grid["concurrency"] = np.cumsum(change)[:-1].round().astype("int64")
    windows = pd.DataFrame({"stream_id": grid["stream_id"], "start": grid["minute"], "end": grid["minute"] + MINUTE})
    grid["viewer_minutes"] = viewer_minutes_in_windows(events, streams, windows)
    grid["in_deal"] = (grid["phase"] == "in").to_numpy() if "phase" in grid else False
    return grid


@dataclass(frozen=True)
class Slope:
    """A log-log slope with its interval (clustered by stream)."""

    slope: float
    interval: tuple[float, float]
    std_error: float
    p_value: float


@dataclass(frozen=True)
class EngagementElasticity:
    """The naive and the controlled log-log slope of an outcome on an engagement count."""

    engagement: str
    outcome: str
    naive: Slope
    controlled: Slope
    controls: tuple
    stream_effects: bool
    minutes: int
    streams: int
    alpha: float


def _slope(result, name: str, alpha: float) -> Slope:
    low, high = result.conf_int(alpha=alpha).loc[name]
    return Slope(slope=float(result.params[name]), interval=(float(low), float(high)),
                 std_error=float(result.bse[name]), p_value=float(result.pvalues[name]))


def _poisson(outcome, design, groups):
    model = sm.GLM(outcome, design, family=sm.families.Poisson())
    return model.fit(cov_type="cluster", cov_kwds={"groups": groups})


def engagement_elasticity(minutes: pd.DataFrame, *, engagement: str = "comments", outcome: str = "orders",
                          controls=("viewer_minutes", "in_deal"), stream_effects: bool = True,
                          alpha: float = 0.05) -> EngagementElasticity:
    """Naive and controlled slopes of ``outcome`` on log(1 + ``engagement``) (see the module docstring).

    ``viewer_minutes`` and ``concurrency`` enter the controlled fit as logs (minutes where
    they are 0 are left out), other count controls as log(1 + x), indicators (``in_deal``)
    as they are. ``stream_effects`` adds one
    indicator per stream (a column each: for thousands of streams, leave it out and
    rely on the other controls).
    """
    controls = tuple(controls)
    require_columns(minutes, ("stream_id", engagement, outcome, *controls),
                    "the minute table (from engagement_minutes)")
    require_rows(minutes, "the minute table", "pass engagement_minutes(...) of at least one stream.")
    if minutes["stream_id"].nunique() < 2:
        raise ValueError("the table holds one stream; errors clustered by stream need two or more.")
    y = minutes[outcome].to_numpy(float)
    slope_column = f"log1p_{engagement}"
    x = pd.DataFrame({slope_column: np.log1p(minutes[engagement].to_numpy(float))}, index=minutes.index)
    naive = _poisson(y, sm.add_constant(x), pd.factorize(minutes["stream_id"])[0])

    audience = [c for c in controls if c in AUDIENCE_CONTROLS]
    keep = (minutes[audience] > 0).all(axis=1).to_numpy()
    design = x.copy()
    for control in controls:
        values = minutes[control]
        if values.dtype == bool:
            design[control] = values.to_numpy(float)
        elif control in AUDIENCE_CONTROLS:
            design[f"log_{control}"] = np.log(np.where(keep, values.to_numpy(float), 1.0))
        else:
            design[f"log1p_{control}"] = np.log1p(values.to_numpy(float))
    design = design[keep]
    streams = minutes.loc[keep, "stream_id"]
    if stream_effects:
        design = pd.concat([design, pd.get_dummies(streams, prefix="stream", dtype=float)], axis=1)
    else:
        design = sm.add_constant(design)
    controlled = _poisson(y[keep], design, pd.factorize(streams)[0])
    return EngagementElasticity(engagement=engagement, outcome=outcome, naive=_slope(naive, slope_column, alpha),
                                controlled=_slope(controlled, slope_column, alpha), controls=controls,
                                stream_effects=stream_effects, minutes=int(keep.sum()),
                                streams=int(streams.nunique()), alpha=alpha)
