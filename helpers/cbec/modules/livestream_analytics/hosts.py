"""Comparing hosts fairly: raw averages against a regression with the stream's circumstances.

A host's average GMV per stream mixes the host with what the host was given: prime-time
slots, ad budgets, a follower base, a long line-up. :func:`raw_host_averages` shows the
averages; :func:`host_effects` estimates each host's multiplicative effect relative to
a reference host, holding slot, weekday, ad budget, followers at start and line-up size
fixed:

- ``model="log_gmv"``: OLS of log(stream GMV) on host and controls, heteroskedasticity-
  robust (HC3) errors; every stream needs GMV above 0.
- ``model="poisson"``: a Poisson pseudo-likelihood of ``outcome`` (orders or GMV, zeros
  allowed) on the same regressors with robust (HC1) errors; with ``exposure`` (e.g.
  ``views``) the effect is per unit of exposure instead of per stream.

``exp(coefficient)`` is the ratio of the host's expected outcome to the reference
host's in the same circumstances. The regression removes what the controls measure, not
what they miss (a host given better products still looks better).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from cbec.modules.livestream_analytics.concurrency import watch_time
from cbec.modules.livestream_analytics.schemas import TRAFFIC_SOURCES
from cbec.data.columns import require_columns
from cbec.modules.livestream_analytics.funnel import order_values, require_rows, stream_funnel

#: Stream controls: categorical columns get one indicator per level, numeric ones a transform.
CATEGORICAL_CONTROLS = ("slot", "weekday")
NUMERIC_CONTROLS = {"ad_budget_usd": np.log1p, "followers_at_start": np.log, "n_products": lambda x: x}
MODELS = ("log_gmv", "poisson")


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
    # orders placed while the stream was live: what the host's selling did, without the
    # orders that carts bring in after it ends
    placed = order_values(events)[["stream_id", "ordered_at"]]
    live = placed["ordered_at"].to_numpy() <= placed["stream_id"].map(streams.set_index("stream_id")["end"]).to_numpy()
    live_orders = placed.loc[live].groupby("stream_id").size()
    table["in_stream_orders"] = table["stream_id"].map(live_orders).fillna(0).astype("int64")
    # who came in: each traffic source's share of the room entries (followers buy more, paid traffic less)
    entries = events.loc[events["event_type"] == "enter", ["stream_id", "traffic_source"]]
    shares = pd.crosstab(entries["stream_id"], entries["traffic_source"], normalize="index")
    for source in TRAFFIC_SOURCES:
        column = shares[source] if source in shares else pd.Series(dtype=float)
        table[f"share_{source}"] = table["stream_id"].map(column).fillna(0.0)
    return table


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
    """Each host's effect relative to the reference host, with intervals, next to the raw ratio."""

    model: str
    outcome: str
    reference_host: object
    table: pd.DataFrame   # host_id, streams, effect, ci_low, ci_high, p_value, raw_ratio
    controls: tuple
    observations: int
    alpha: float
    fit: object           # the statsmodels results, for summary()


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


def host_effects(table: pd.DataFrame, *, model: str = "log_gmv", outcome: str = "gmv", exposure: str | None = None,
                 controls=(*CATEGORICAL_CONTROLS, *NUMERIC_CONTROLS), reference_host=None,
                 alpha: float = 0.05) -> HostEffectsResult:
    """Host effects on stream outcomes, adjusted for ``controls`` (see the module docstring)."""
    if model not in MODELS:
        raise ValueError(f"model is one of {MODELS}, got {model!r}.")
    controls = tuple(controls)
    require_columns(table, ("host_id", outcome, *controls, *((exposure,) if exposure else ())),
                    "the stream table (from stream_table)")
    if table["host_id"].nunique() < 2:
        raise ValueError("only one host in the table; host effects compare two or more.")
    reference = _reference(table["host_id"], reference_host)
    design, host_columns = _design(table, reference, controls)
    if np.linalg.matrix_rank(design.to_numpy()) < design.shape[1]:
        constant = [c for c in design.columns[1:] if design[c].nunique() < 2]
        raise ValueError("the host and control columns are collinear (a control is constant or decided by the host"
                         f"{': ' + ', '.join(constant) if constant else ''}); drop that control from controls=.")
    y = table[outcome].to_numpy(float)
    if model == "log_gmv":
        if exposure is not None:
            raise ValueError("exposure is for model='poisson'; for log GMV per view use outcome='gpm'.")
        if (y <= 0).any():
            raise ValueError(f"{int((y <= 0).sum())} stream(s) have {outcome} <= 0, whose log is undefined; "
                             "use model='poisson', which takes zeros.")
        fit = sm.OLS(np.log(y), design).fit(cov_type="HC3")
    else:
        offset = None
        if exposure is not None:
            exposure_values = table[exposure].to_numpy(float)
            if (exposure_values <= 0).any():
                raise ValueError(f"{exposure} must be above 0 in every stream to be an exposure; drop empty streams.")
            offset = np.log(exposure_values)
        fit = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit(cov_type="HC1")
    intervals = fit.conf_int(alpha=alpha)
    raw = raw_host_averages(table, reference_host=reference, alpha=alpha).set_index("host_id")
    rows = [{"host_id": reference, "effect": 1.0, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan}]
    for column, host in host_columns.items():
        rows.append({"host_id": host, "effect": float(np.exp(fit.params[column])),
                     "ci_low": float(np.exp(intervals.loc[column].iloc[0])),
                     "ci_high": float(np.exp(intervals.loc[column].iloc[1])), "p_value": float(fit.pvalues[column])})
    effects = pd.DataFrame(rows)
    effects["host_id"] = effects["host_id"].astype(table["host_id"].dtype)
    effects.insert(1, "streams", effects["host_id"].map(raw["streams"]).to_numpy())
    effects["raw_ratio"] = effects["host_id"].map(raw["gmv_ratio"]).to_numpy()
    return HostEffectsResult(model=model, outcome=outcome, reference_host=reference, table=effects,
                             controls=controls, observations=int(fit.nobs), alpha=alpha, fit=fit)


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
