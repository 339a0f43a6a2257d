"""Comparing hosts fairly: raw averages against a regression with the stream's circumstances.

A host's average GMV per stream mixes the host with what the host was given: prime-time
slots, weekends, ad budgets and a following who came to buy. :func:`raw_host_averages`
shows the league table; :func:`host_effects` estimates each host's multiplicative effect on
the order rate relative to a reference host, holding the circumstances fixed.

The unit of the regression is an audience cell, :func:`audience_cells`: the viewers of one
stream who came from one traffic source. Orders per viewer-minute in a cell depend on the
host, the slot, the weekday and the source (followers buy more than paid traffic), so a
Poisson regression of the cell's in-stream orders with its viewer-minutes as exposure,

    log E[orders] = log(viewer minutes) + host + slot + weekday + traffic source,

compares hosts on the same audience. Per-stream shares of each source in a stream-level
model would only approximate this, since a mix of audiences adds rates, not logs.

Cells of one stream share its line-up and deals, so the errors are clustered by stream.
The usual cluster-robust errors are too small with twenty streams per host; the intervals
here use the leave-one-stream-out jackknife (the CV3 estimator of MacKinnon, Nielsen and
Webb, 2023) with a t distribution on streams - 1 degrees of freedom.

``exp(coefficient)`` is the ratio of the host's expected order rate to the reference host's
on the same audience. The regression removes what the controls measure, not what they
miss (a host given better products still looks better).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from cbec.data.columns import require_columns
from cbec.intervals import cluster_jackknife_errors
from cbec.modules.livestream_analytics.concurrency import watch_time
from cbec.modules.livestream_analytics.funnel import order_values, require_rows, stream_funnel
from cbec.modules.livestream_analytics.retention import watch_visits
from cbec.modules.livestream_analytics.schemas import TRAFFIC_SOURCES

#: Controls: categorical columns get one indicator per level, numeric ones a transform.
CATEGORICAL_CONTROLS = ("slot", "weekday", "traffic_source")
NUMERIC_CONTROLS = {"ad_budget_usd": np.log1p, "followers_at_start": np.log, "n_products": lambda x: x}
#: The model's controls for audience cells: the stream's slot and weekday and the cell's traffic source.
CELL_CONTROLS = CATEGORICAL_CONTROLS
#: The stream columns an audience cell carries.
STREAM_COLUMNS = ("host_id", "slot", "weekday", "ad_budget_usd", "followers_at_start", "n_products")
#: How the intervals are computed: leave-one-stream-out jackknife, or the cluster-robust sandwich.
VARIANCES = ("jackknife", "sandwich")


def stream_table(events: pd.DataFrame, streams: pd.DataFrame) -> pd.DataFrame:
    """``streams`` with each stream's funnel outcomes (views, unique viewers, orders, paid orders, GMV, GPM)
    and ``viewer_minutes``, the audience's total watch time, ``in_stream_orders``, the orders
    placed before the stream ended, and ``share_<source>``, each traffic source's share of the
    room entries.

    Streams without any events get zero counts and GMV (NaN GPM).
    """
    require_columns(streams, ("stream_id", "host_id"), "the streams table")
    funnel = stream_funnel(events)[["stream_id", "views", "unique_viewers", "orders", "paid_orders", "gmv", "gpm"]]
    table = streams.merge(funnel, on="stream_id", how="left", validate="one_to_one")
    counts = ["views", "unique_viewers", "orders", "paid_orders"]
    table[counts] = table[counts].fillna(0).astype("int64")
    table["gmv"] = table["gmv"].fillna(0.0)
    # the audience's total time in the room: the exposure of a per-viewer order rate
    watched = watch_time(events, streams)[["stream_id", "total_watch_minutes"]]
    table["viewer_minutes"] = table["stream_id"].map(watched.set_index("stream_id")["total_watch_minutes"]).fillna(0.0)
    live_orders = _in_stream_orders(events, streams).groupby("stream_id").size()
    table["in_stream_orders"] = table["stream_id"].map(live_orders).fillna(0).astype("int64")
    # who came in: each traffic source's share of the room entries (followers buy more, paid traffic less)
    entries = events.loc[events["event_type"] == "enter", ["stream_id", "traffic_source"]]
    shares = pd.crosstab(entries["stream_id"], entries["traffic_source"], normalize="index")
    for source in TRAFFIC_SOURCES:
        column = shares[source] if source in shares else pd.Series(dtype=float)
        table[f"share_{source}"] = table["stream_id"].map(column).fillna(0.0)
    return table


def _in_stream_orders(events: pd.DataFrame, streams: pd.DataFrame) -> pd.DataFrame:
    """Orders placed while their stream was live: what the host's selling did, without the orders that
    carts bring in after it ends."""
    placed = order_values(events)[["stream_id", "viewer_id", "ordered_at"]]
    ends = placed["stream_id"].map(streams.set_index("stream_id")["end"])
    return placed.loc[(placed["ordered_at"] <= ends).to_numpy()]


def audience_cells(events: pd.DataFrame, streams: pd.DataFrame) -> pd.DataFrame:
    """One row per stream and traffic source: ``visits``, ``viewer_minutes`` (their total watch time) and
    ``in_stream_orders`` placed by those viewers before the stream ended, with the stream's
    ``STREAM_COLUMNS`` that ``streams`` has.

    A viewer belongs to the source of their room entry. Cells without watch time (no
    information on a rate) are left out, and so are orders by viewers who never entered that
    stream's room in the log.
    """
    require_columns(events, ("stream_id", "viewer_id", "event_type", "timestamp", "traffic_source"), "the event log")
    require_columns(streams, ("stream_id", "host_id", "end"), "the streams table")
    visits = watch_visits(events, streams)
    visits = visits.assign(traffic_source=visits["traffic_source"].astype("string"))
    source_of = visits.drop_duplicates(["stream_id", "viewer_id"])[["stream_id", "viewer_id", "traffic_source"]]
    orders = _in_stream_orders(events, streams).merge(source_of, on=["stream_id", "viewer_id"], how="inner")
    keys = ["stream_id", "traffic_source"]
    cells = visits.groupby(keys).agg(visits=("viewer_id", "size"), viewer_minutes=("watch_minutes", "sum"))
    cells["in_stream_orders"] = orders.groupby(keys).size().reindex(cells.index, fill_value=0).astype("int64")
    cells = cells.loc[cells["viewer_minutes"] > 0].reset_index()
    present = [c for c in TRAFFIC_SOURCES if c in set(cells["traffic_source"])]
    others = sorted(set(cells["traffic_source"]) - set(TRAFFIC_SOURCES))
    cells["traffic_source"] = pd.Categorical(cells["traffic_source"], categories=[*present, *others])
    columns = ["stream_id", *(c for c in STREAM_COLUMNS if c in streams)]
    return cells.merge(streams[columns], on="stream_id", how="left", validate="many_to_one")[
        [*columns, "traffic_source", "visits", "viewer_minutes", "in_stream_orders"]]


def raw_host_averages(table: pd.DataFrame, *, reference_host=None, alpha: float = 0.05) -> pd.DataFrame:
    """Per host: streams, mean GMV per stream with a t interval, GPM over all its views, and the ratio to the reference.

    ``gmv_ratio`` is the host's mean GMV per stream over the reference host's (the first
    host id unless given): the comparison a league table makes.
    """
    require_columns(table, ("host_id", "gmv", "views"), "the stream table (from stream_table)")
    require_rows(table, "the stream table", "pass at least one stream.")
    grouped = table.groupby("host_id", sort=True)
    out = grouped.agg(streams=("gmv", "size"), mean_gmv=("gmv", "mean"), sd_gmv=("gmv", "std"),
                      total_gmv=("gmv", "sum"), views=("views", "sum")).reset_index()
    half = stats.t.ppf(1 - alpha / 2, np.maximum(out["streams"] - 1, 1)) * out["sd_gmv"] / np.sqrt(out["streams"])
    out["mean_gmv_low"], out["mean_gmv_high"] = out["mean_gmv"] - half, out["mean_gmv"] + half
    with np.errstate(divide="ignore", invalid="ignore"):
        out["gpm"] = out["total_gmv"] * 1000 / out["views"]
    reference = _reference(out["host_id"], reference_host)
    out["gmv_ratio"] = out["mean_gmv"] / out.loc[out["host_id"] == reference, "mean_gmv"].iloc[0]
    return out.drop(columns="sd_gmv")


def _reference(host_ids: pd.Series, reference_host):
    hosts = np.sort(pd.unique(host_ids))
    if reference_host is None:
        return hosts[0]
    if reference_host not in set(hosts.tolist()):
        raise ValueError(f"reference_host {reference_host!r} hosted no stream here; pick one of {hosts.tolist()}.")
    return reference_host


@dataclass(frozen=True)
class HostEffectsResult:
    """Each host's effect relative to the reference host, with jackknife intervals, next to the raw ratio."""

    outcome: str
    exposure: str | None
    reference_host: object
    table: pd.DataFrame   # host_id, streams, effect, ci_low, ci_high, p_value, raw_ratio
    controls: tuple
    observations: int     # rows of the regression (audience cells or streams)
    clusters: int         # streams, the units the jackknife leaves out
    variance: str         # "jackknife" or "sandwich"
    alpha: float
    fit: object           # the statsmodels results of the full sample, for summary()


def _design(table: pd.DataFrame, reference, controls) -> tuple[pd.DataFrame, dict]:
    others = [host for host in np.sort(pd.unique(table["host_id"])) if host != reference]
    host_columns = {f"host_{host}": host for host in others}
    parts = [pd.Series(1.0, index=table.index, name="const"),
             pd.DataFrame({name: (table["host_id"] == host).astype(float) for name, host in host_columns.items()},
                          index=table.index)]
    for column in controls:
        if column in CATEGORICAL_CONTROLS or isinstance(table[column].dtype, pd.CategoricalDtype):
            levels = pd.Categorical(table[column]).remove_unused_categories()
            parts.append(pd.get_dummies(levels, prefix=column, drop_first=True, dtype=float).set_index(table.index))
        else:
            transform = NUMERIC_CONTROLS.get(column, lambda x: x)
            parts.append(pd.Series(transform(table[column].to_numpy(float)), index=table.index, name=column))
    return pd.concat(parts, axis=1), host_columns


def _check_design(design: pd.DataFrame, clusters: np.ndarray) -> None:
    if np.linalg.matrix_rank(design.to_numpy()) < design.shape[1]:
        constant = [c for c in design.columns[1:] if design[c].nunique() < 2]
        raise ValueError("the host and control columns are collinear (a control is constant or decided by the host"
                         f"{': ' + ', '.join(constant) if constant else ''}); drop that control from controls=.")
    # leaving out the only stream with a level would leave its indicator all zero
    indicators = [c for c in design.columns[1:] if set(np.unique(design[c])) <= {0.0, 1.0}]
    lonely = [c for c in indicators if pd.unique(clusters[design[c].to_numpy() == 1]).size < 2]
    if lonely:
        raise ValueError(f"{', '.join(lonely)} occur(s) in a single stream, which the jackknife cannot leave out; "
                         "compare hosts with two or more streams each, or drop that control from controls=.")


def _poisson(y, design, offset):
    return sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit()


def host_effects(table: pd.DataFrame, *, outcome: str = "in_stream_orders", exposure: str | None = "viewer_minutes",
                 controls=CELL_CONTROLS, cluster: str = "stream_id", reference_host=None,
                 variance: str = "jackknife", alpha: float = 0.05) -> HostEffectsResult:
    """Host effects on ``outcome`` per unit of ``exposure``, adjusted for ``controls`` (see the module docstring).

    ``table`` is :func:`audience_cells` (the default controls) or :func:`stream_table`
    (then pass stream controls such as ``("slot", "weekday", "ad_budget_usd")``). Rows of one
    ``cluster`` (a stream) are left out together by the jackknife; ``variance="sandwich"``
    gives the usual cluster-robust errors instead, for comparison.
    """
    if variance not in VARIANCES:
        raise ValueError(f"variance is one of {VARIANCES}, got {variance!r}.")
    controls = tuple(controls)
    require_columns(table, ("host_id", outcome, cluster, *controls, *((exposure,) if exposure else ())),
                    "the audience cells (from audience_cells) or the stream table (from stream_table)")
    if table["host_id"].nunique() < 2:
        raise ValueError("only one host in the table; host effects compare two or more.")
    table = table.reset_index(drop=True)
    y = table[outcome].to_numpy(float)
    if np.isnan(y).any() or (y < 0).any():
        raise ValueError(f"{outcome} must be a count of 0 or more in every row; fill or drop the rows without one.")
    offset = None
    if exposure is not None:
        exposure_values = table[exposure].to_numpy(float)
        if not (exposure_values > 0).all():
            raise ValueError(f"{exposure} must be above 0 in every row to be an exposure; drop the empty rows.")
        offset = np.log(exposure_values)
    reference = _reference(table["host_id"], reference_host)
    design, host_columns = _design(table, reference, controls)
    groups = table[cluster].to_numpy()
    _check_design(design, groups)
    fit = _poisson(y, design, offset)
    n_clusters = int(pd.unique(groups).size)
    if variance == "sandwich":
        standard_error = fit.model.fit(start_params=fit.params, cov_type="cluster",
                                       cov_kwds={"groups": pd.factorize(groups)[0]}).bse
    else:
        # leave-one-stream-out refits (CV3): honest with few streams per host, unlike the sandwich
        standard_error = cluster_jackknife_errors(fit, groups)
    critical = stats.t.ppf(1 - alpha / 2, n_clusters - 1)

    rate = table.assign(_exposure=1.0 if exposure is None else table[exposure]).groupby("host_id")[
        [outcome, "_exposure"]].sum()
    raw_rate = rate[outcome] / rate["_exposure"]
    streams = table.groupby("host_id")[cluster].nunique()
    rows = [{"host_id": reference, "effect": 1.0, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan}]
    for column, host in host_columns.items():
        estimate, error = float(fit.params[column]), float(standard_error[column])
        rows.append({"host_id": host, "effect": np.exp(estimate), "ci_low": np.exp(estimate - critical * error),
                     "ci_high": np.exp(estimate + critical * error),
                     "p_value": float(2 * stats.t.sf(abs(estimate) / error, n_clusters - 1))})
    effects = pd.DataFrame(rows)
    effects["host_id"] = effects["host_id"].astype(table["host_id"].dtype)
    effects.insert(1, "streams", effects["host_id"].map(streams).to_numpy())
    effects["raw_ratio"] = (effects["host_id"].map(raw_rate) / raw_rate.loc[reference]).to_numpy()
    return HostEffectsResult(outcome=outcome, exposure=exposure, reference_host=reference, table=effects,
                             controls=controls, observations=len(table), clusters=n_clusters, variance=variance,
                             alpha=alpha, fit=fit)


def effects_against_truth(result: HostEffectsResult, true_effects: pd.Series) -> pd.DataFrame:
    """The estimated host effects next to the true ones (``truth.host_order_effect()``), both relative to the
    reference host of ``result``.

    Adds ``true_effect`` (the truth divided by the reference host's), ``inside`` (the interval holds it; NaN for
    the reference) and ``log_error`` / ``raw_log_error``: how far, in log terms, the adjusted effect and the raw
    ratio are from the truth (0.69 is a factor of two either way).
    """
    missing = set(result.table["host_id"]) - set(true_effects.index)
    if missing:
        raise KeyError(f"the true effects lack host(s) {sorted(missing)}; pass truth.host_order_effect() of the same season.")
    table = result.table.copy()
    truth = true_effects / true_effects.loc[result.reference_host]
    table["true_effect"] = table["host_id"].map(truth).to_numpy(float)
    reference = (table["host_id"] == result.reference_host).to_numpy()
    inside = (table["ci_low"] <= table["true_effect"]) & (table["true_effect"] <= table["ci_high"])
    table["inside"] = pd.array(np.where(reference, pd.NA, inside), dtype="boolean")
    table["log_error"] = np.abs(np.log(table["effect"] / table["true_effect"]))
    table["raw_log_error"] = np.abs(np.log(table["raw_ratio"] / table["true_effect"]))
    return table
