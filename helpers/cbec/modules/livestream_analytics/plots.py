"""Charts of the live-stream lectures (seaborn on matplotlib); each returns its Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import PercentFormatter

from cbec.data.columns import require_columns

MAIN_COLOUR, DEAL_COLOUR, RAW_COLOUR = "#4c72b0", "#dd8452", "#8c8c8c"


def _axes(ax, size=(8, 3.8)):
    return ax if ax is not None else plt.subplots(figsize=size)[1]


def funnel_bars(stages: pd.DataFrame, title: str = "Live funnel", ax=None):
    """Horizontal bars of the funnel stages (from ``funnel.funnel_stages``) on a log axis, each with its step rate."""
    require_columns(stages, ("stage", "count", "step_conversion", "step_rate"), "the funnel stages")
    ax = _axes(ax, (8, 0.6 + 0.55 * len(stages)))
    sns.barplot(stages, y="stage", x="count", color=MAIN_COLOUR, orient="h", ax=ax)
    for position, row in enumerate(stages.itertuples()):
        label = f" {row.count:,.0f}"
        if pd.notna(row.step_conversion):
            label += f"   {row.step_rate} {row.step_conversion:.1%}"
        ax.text(row.count, position, label, va="center", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(max(stages["count"].min(), 1) / 2, stages["count"].max() * 60)  # room for the labels
    ax.set(xlabel="count (log scale)", ylabel="", title=title)
    return ax


def retention_plot(curve: pd.DataFrame, *, by: str | None = None, max_minutes: float | None = None, ax=None):
    """Kaplan-Meier retention (from ``retention.retention_curve``) as steps with the band shaded, one line per group."""
    require_columns(curve, ("minutes", "share_watching", "ci_low", "ci_high", *([by] if by else [])),
                    "the retention curve")
    ax = _axes(ax)
    groups = curve.groupby(by, observed=True, sort=False) if by else [("all visits", curve)]
    palette = sns.color_palette(n_colors=max(len(groups), 1))
    for colour, (name, group) in zip(palette, groups):
        ax.step(group["minutes"], group["share_watching"], where="post", color=colour, label=str(name))
        ax.fill_between(group["minutes"], group["ci_low"], group["ci_high"], step="post", color=colour, alpha=0.25)
    if max_minutes is not None:
        ax.set_xlim(0, max_minutes)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(xlabel="minutes after entering", ylabel="still watching", title="Retention (Kaplan-Meier)")
    if by:
        ax.legend(title=by.replace("_", " "), fontsize=8)
    return ax


def event_study_plot(profile: pd.DataFrame, *, deal_minutes: float | None = None, relative: bool = True, ax=None):
    """Sales per minute around deal start (from ``deals.event_study_profile``), the deal window shaded.

    The shaded window is ``deal_minutes`` long (default: the minutes where most deals are
    still running). With ``relative`` the line is sales over the before-level (1 = as before).
    """
    column = "relative" if relative else "mean_sales"
    require_columns(profile, ("minutes_from_deal_start", column, "in_deal_share"), "the event-study profile")
    ax = _axes(ax, (9, 3.8))
    if deal_minutes is None:
        deal_minutes = float((profile["in_deal_share"] >= 0.5).sum())
    ax.axvspan(0, deal_minutes, color=DEAL_COLOUR, alpha=0.2, label="deal window")
    sns.lineplot(profile, x="minutes_from_deal_start", y=column, marker="o", markersize=3, color=MAIN_COLOUR,
                 ax=ax, label="sales per minute")
    if relative:
        ax.axhline(1.0, color="black", lw=0.8, ls="--")
    ax.set(xlabel="minutes from deal start", ylabel="sales per minute / before" if relative else "sales per minute",
           title="Sales around flash deals")
    return ax


def host_effects_plot(effects: pd.DataFrame, ax=None):
    """Each host's raw ratio and adjusted effect (from ``hosts.host_effects(...).table``), interval drawn.

    A log axis, since effects are ratios: 2x and 0.5x are equally far from 1.
    """
    require_columns(effects, ("host_id", "effect", "ci_low", "ci_high", "raw_ratio"), "the host effects table")
    ax = _axes(ax, (7, 0.8 + 0.5 * len(effects)))
    positions = np.arange(len(effects))[::-1]
    ax.scatter(effects["raw_ratio"], positions + 0.15, color=RAW_COLOUR, label="raw ratio", zorder=3)
    ax.errorbar(effects["effect"], positions - 0.15,
                xerr=[np.nan_to_num(effects["effect"] - effects["ci_low"]),
                      np.nan_to_num(effects["ci_high"] - effects["effect"])],
                fmt="o", color=MAIN_COLOUR, capsize=3, label="adjusted effect", zorder=3)
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set_xscale("log")
    ax.set_yticks(positions, [f"host {host}" for host in effects["host_id"]])
    ax.set(xlabel="order rate relative to the reference host (log scale)", title="Hosts: raw vs adjusted")
    ax.legend(fontsize=8)
    return ax


def engagement_scatter(minutes: pd.DataFrame, *, engagement: str = "comments", outcome: str = "orders",
                       hue: str | None = "in_deal", ax=None):
    """Orders against comments per stream-minute (log(1 + x) axes), coloured by ``hue`` (deal minutes by default)."""
    require_columns(minutes, (engagement, outcome, *([hue] if hue else [])), "the minute table")
    ax = _axes(ax, (6, 4.5))
    data = pd.DataFrame({engagement: np.log1p(minutes[engagement].to_numpy(float)),
                         outcome: np.log1p(minutes[outcome].to_numpy(float))})
    if hue:
        data[hue] = minutes[hue].to_numpy()
    sns.scatterplot(data, x=engagement, y=outcome, hue=hue, alpha=0.35, s=12, edgecolor="none", ax=ax,
                    palette={False: MAIN_COLOUR, True: DEAL_COLOUR} if hue == "in_deal" else None)
    ax.set(xlabel=f"log(1 + {engagement} per minute)", ylabel=f"log(1 + {outcome} per minute)",
           title=f"{outcome.capitalize()} vs {engagement}, per stream-minute")
    return ax


def concurrency_plot(grid: pd.DataFrame, *, deals: pd.DataFrame | None = None, ax=None):
    """Concurrent viewers against minutes since the start (from ``concurrency.concurrency_grid``), one line per
    stream; with ``deals`` (the deals table) each stream's deal windows are shaded."""
    require_columns(grid, ("stream_id", "minute", "timestamp", "concurrent"), "the concurrency grid")
    ax = _axes(ax, (9, 3.8))
    streams = list(pd.unique(grid["stream_id"]))
    palette = sns.color_palette(n_colors=max(len(streams), 1))
    for colour, stream_id in zip(palette, streams):
        rows = grid[grid["stream_id"] == stream_id]
        ax.plot(rows["minute"], rows["concurrent"], color=colour, lw=1.2, label=f"stream {stream_id}")
        if deals is not None:
            start = rows["timestamp"].iloc[0]
            for deal in deals[deals["stream_id"] == stream_id].itertuples():
                ax.axvspan((deal.start - start) / pd.Timedelta(minutes=1), (deal.end - start) / pd.Timedelta(minutes=1),
                           color=colour, alpha=0.15)
    ax.set(xlabel="minutes since the stream started", ylabel="viewers in the room", title="Concurrent viewers")
    ax.legend(fontsize=8)
    return ax


def uplift_plot(by_format: pd.DataFrame, truth=None, *, ax=None):
    """Estimated uplift per deal format with its interval (``deals.deal_uplift(...).by_format``), on a log axis;
    ``truth`` (a mapping format -> true uplift) is drawn as a cross beside each estimate."""
    require_columns(by_format, ("format", "uplift", "ci_low", "ci_high"), "the uplift by format")
    ax = _axes(ax, (7, 0.8 + 0.6 * len(by_format)))
    positions = np.arange(len(by_format))[::-1]
    ax.errorbar(by_format["uplift"], positions, xerr=[by_format["uplift"] - by_format["ci_low"],
                                                      by_format["ci_high"] - by_format["uplift"]],
                fmt="o", color=MAIN_COLOUR, capsize=3, label="estimate, 95% interval", zorder=3)
    if truth is not None:
        ax.scatter([truth[f] for f in by_format["format"]], positions, marker="x", s=60, color=DEAL_COLOUR,
                   label="simulator's truth", zorder=4)
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set_xscale("log")
    ax.set_yticks(positions, [str(f).replace("_", " ") for f in by_format["format"]])
    ax.set(xlabel="sales in the deal window / without it (log scale)", title="Deal uplift by format")
    ax.legend(fontsize=8)
    return ax
