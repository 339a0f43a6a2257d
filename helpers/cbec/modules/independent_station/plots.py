"""Charts of the Independent Station lectures (matplotlib, returned for the notebook to show)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cbec.data.columns import require_columns
from cbec.modules.independent_station.economics import LTV_CAC_FLOOR, LTV_CAC_TARGET

GOOD_COLOUR, BAD_COLOUR, MIDDLE_COLOUR, NEUTRAL_COLOUR = "#55a868", "#c44e52", "#dd8452", "#4c72b0"
TRUTH_COLOUR = "black"


def _axes(ax, size=(8, 3.8)):
    return ax if ax is not None else plt.subplots(figsize=size)[1]


def ltv_to_cac_plot(economics: pd.DataFrame, ax=None):
    """LTV:CAC per channel with spend (from ``economics.customer_economics``), against the 1:1 and 3:1 lines."""
    require_columns(economics, ("ltv_to_cac",), "the customer economics table")
    table = economics.dropna(subset=["ltv_to_cac"]).sort_values("ltv_to_cac")
    ax = _axes(ax, (7, 0.9 + 0.45 * len(table)))
    ratio = table["ltv_to_cac"].to_numpy()
    colours = np.where(ratio < LTV_CAC_FLOOR, BAD_COLOUR, np.where(ratio < LTV_CAC_TARGET, MIDDLE_COLOUR, GOOD_COLOUR))
    ax.barh(table.index.astype(str), ratio, color=colours)
    for value, line in ((LTV_CAC_FLOOR, "--"), (LTV_CAC_TARGET, ":")):
        ax.axvline(value, color="black", lw=0.9, ls=line)
    for position, value in enumerate(ratio):
        ax.text(value, position, f" {value:.1f}", va="center", fontsize=8)
    ax.set(xlabel="12-month margin LTV / CAC (1 breaks even, 3 is the usual target)",
           title="Which channels pay for their customers")
    return ax


def attribution_vs_truth_plot(shares: pd.DataFrame, truth: pd.Series | None = None, ax=None):
    """Each model's share of conversions per channel (``shares``: channels x models), with the true
    incremental share as a black bar where known."""
    ax = _axes(ax, (8, 0.8 + 0.5 * len(shares)))
    channels = list(shares.index)
    models = list(shares.columns)
    height = 0.8 / (len(models) + (truth is not None))
    positions = np.arange(len(channels))[::-1]
    palette = plt.get_cmap("tab10")
    for k, model in enumerate(models):
        ax.barh(positions + 0.4 - (k + 0.5) * height, shares[model].to_numpy(), height=height, color=palette(k),
                label=model)
    if truth is not None:
        k = len(models)
        ax.barh(positions + 0.4 - (k + 0.5) * height, truth.reindex(channels).to_numpy(), height=height,
                color=TRUTH_COLOUR, label="true incremental share")
    ax.set_yticks(positions, channels)
    ax.set(xlabel="share of conversions", title="Attribution models against the truth")
    ax.legend(fontsize=7, loc="lower right")
    return ax


# -- attribution over seeds, and the geo holdout test (lectures 4 and 5) ------------------------------

ARM_COLOURS = {"treatment": NEUTRAL_COLOUR, "holdout": MIDDLE_COLOUR}


def scores_over_seeds_plot(scores: pd.DataFrame, ax=None):
    """Each model's distance to the true incremental shares in every seeded store (from
    ``studies.attribution_scores_over_seeds``): a dot per store, a bar at the mean, best model on top."""
    require_columns(scores, ("seed", "model", "distance"), "the scores over seeds")
    order = scores.groupby("model")["distance"].mean().sort_values()
    ax = _axes(ax, (7, 0.8 + 0.45 * len(order)))
    positions = np.arange(len(order))[::-1]
    for position, (model, mean) in zip(positions, order.items()):
        distances = scores.loc[scores["model"] == model, "distance"].to_numpy()
        ax.scatter(distances, np.full(len(distances), position), color=NEUTRAL_COLOUR, alpha=0.7, s=22, zorder=3)
        ax.plot([mean, mean], [position - 0.3, position + 0.3], color="black", lw=2)
        ax.text(distances.max(), position, f"  {mean:.1%}", va="center", fontsize=8)
    ax.set_yticks(positions, [str(m) for m in order.index])
    ax.set_xlim(0, max(1e-9, scores["distance"].max()) * 1.15)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:.0%}"))
    ax.set(xlabel="share of conversions credited to the wrong channels (0 = the true incremental shares)",
           title=f"Attribution models against the truth in {scores['seed'].nunique()} stores")
    return ax


def geo_test_plot(geo_test: pd.DataFrame, ax=None):
    """New customers per 1,000 people in each region, test period against pre-period, by arm (``geo_test``).

    Each arm's line goes through the origin with slope (its test-period total / its pre-period
    total): the holdout's is what the test period looks like without the channel.
    """
    require_columns(geo_test, ("group", "population", "pre_conversions", "test_conversions"), "geo_test")
    ax = _axes(ax, (6.5, 4.5))
    per_1000 = 1_000 / geo_test["population"].to_numpy(float)
    pre = geo_test["pre_conversions"].to_numpy(float) * per_1000
    test = geo_test["test_conversions"].to_numpy(float) * per_1000
    group = geo_test["group"].astype(str).to_numpy()
    reach = np.array([0.0, max(pre.max(), test.max()) * 1.08])
    for arm, colour in ARM_COLOURS.items():
        chosen = group == arm
        if not chosen.any():
            continue
        slope = geo_test.loc[chosen, "test_conversions"].sum() / geo_test.loc[chosen, "pre_conversions"].sum()
        ax.scatter(pre[chosen], test[chosen], color=colour, s=28, label=f"{arm} ({chosen.sum()} regions)", zorder=3)
        ax.plot(reach, slope * reach, color=colour, lw=1.2, label=f"{arm}: test = {slope:.2f} x pre")
    ax.plot(reach, reach, color="black", lw=0.8, ls=":", label="test = pre")
    ax.set_xlim(pre.min() * 0.9, pre.max() * 1.05)
    ax.set_ylim(test.min() * 0.85, test.max() * 1.08)
    named = geo_test["channel"].dropna().astype(str) if "channel" in geo_test else pd.Series(dtype=str)
    channel = named.iloc[0] if len(named) else "the channel"
    ax.set(xlabel="new customers per 1,000 people, pre-period", ylabel="new customers per 1,000 people, test period",
           title=f"Geo holdout test: {channel} off in the holdout regions")
    ax.legend(fontsize=7, loc="upper left")
    return ax


def lift_coverage_plot(coverage: pd.DataFrame, ax=None):
    """Each seeded store's lift estimate with its interval and the true lift (from ``studies.lift_coverage``);
    intervals that miss the truth in red."""
    require_columns(coverage, ("seed", "relative_lift", "low", "high", "true_lift", "covered"), "the coverage table")
    ax = _axes(ax, (7, 0.8 + 0.22 * len(coverage)))
    positions = np.arange(len(coverage))[::-1]
    covered = coverage["covered"].to_numpy(bool)
    for chosen, colour, label in ((covered, NEUTRAL_COLOUR, "interval holds the truth"),
                                  (~covered, BAD_COLOUR, "interval misses it")):
        if not chosen.any():
            continue
        rows = coverage[chosen]
        ax.errorbar(rows["relative_lift"], positions[chosen],
                    xerr=[rows["relative_lift"] - rows["low"], rows["high"] - rows["relative_lift"]], fmt="o",
                    ms=4, color=colour, capsize=2, label=label, zorder=3)
    ax.scatter(coverage["true_lift"], positions, marker="|", s=120, color=TRUTH_COLOUR, label="true lift", zorder=4)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(positions, [f"seed {s}" for s in coverage["seed"]], fontsize=7)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:.0%}"))
    ax.set(xlabel="relative lift (conversions with the channel / without it - 1)",
           title=f"{covered.sum()} of {len(coverage)} intervals hold the true lift")
    ax.legend(fontsize=7, loc="lower right")
    return ax


def channel_credit_plot(credit: pd.DataFrame, truth: float | None = None, ax=None):
    """What each method credits one channel with: ``credit`` has a row per method and ``estimate``
    (optionally ``low`` and ``high`` for an interval), as fractions; ``truth`` a vertical line."""
    require_columns(credit, ("estimate",), "the credit table")
    ax = _axes(ax, (7, 0.8 + 0.5 * len(credit)))
    positions = np.arange(len(credit))[::-1]
    estimate = credit["estimate"].to_numpy(float)
    ax.barh(positions, estimate, color=NEUTRAL_COLOUR, height=0.6)
    right = estimate.copy()
    if {"low", "high"} <= set(credit.columns):
        low, high = credit["low"].to_numpy(float), credit["high"].to_numpy(float)
        has = ~np.isnan(low) & ~np.isnan(high)
        ax.errorbar(estimate[has], positions[has], xerr=[estimate[has] - low[has], high[has] - estimate[has]],
                    fmt="none", color="black", capsize=3)
        right = np.where(has, np.fmax(high, estimate), estimate)
    reach = max(np.nanmax(right), truth if truth is not None else 0.0, 1e-9)
    for position, value, end in zip(positions, estimate, right):
        ax.text(end + reach * 0.015, position, f"{value:.1%}", va="center", fontsize=8)
    if truth is not None:
        ax.axvline(truth, color=TRUTH_COLOUR, ls="--", lw=1.2, label=f"truth {truth:.1%}")
        ax.legend(fontsize=8, loc="upper right")
    ax.set_xlim(0, reach * 1.2)
    ax.set_yticks(positions, [str(i) for i in credit.index])
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:.0%}"))
    ax.set(xlabel="share of all new customers credited to the channel")
    return ax


# Lectures 1 and 2: channels, the checkout funnel, benchmarks ------------------------------------------------------


def _percent(axis):
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(1.0, decimals=None))


def _interval_dots(ax, values, low, high, positions, colour, label=None):
    values, low, high = (np.asarray(v, dtype=float) for v in (values, low, high))
    ax.errorbar(values, positions, xerr=[values - low, high - values], fmt="o", color=colour, capsize=3, ms=5,
                label=label)


def channel_performance_plot(summary: pd.DataFrame, *, break_even_roas: float | None = None, axes=None):
    """Conversion rate with its Wilson interval and ROAS per channel (from ``utm.channel_summary`` with costs).

    Two panels sharing the channels: conversion as dots with their intervals; ROAS as bars on a
    log axis with a line at 1 (revenue equals cost) and, given ``break_even_roas`` (1 / the
    contribution margin), a line where the margin pays the cost. Bars are red below 1, orange
    below break-even, green above; channels nothing was paid for are marked "no cost".
    Returns the two Axes.
    """
    require_columns(summary, ("channel", "conversion_rate", "conversion_low", "conversion_high", "roas"),
                    "the channel summary (channel_summary with ad_spend or email_campaigns)")
    n = len(summary)
    if axes is None:
        axes = plt.subplots(1, 2, figsize=(10.5, 1.0 + 0.42 * n), sharey=True)[1]
    left, right = axes
    positions = np.arange(n)[::-1]
    _interval_dots(left, summary["conversion_rate"], summary["conversion_low"], summary["conversion_high"], positions,
                   NEUTRAL_COLOUR)
    left.set_yticks(positions, summary["channel"].astype(str))
    _percent(left.xaxis)
    left.set(xlabel="sessions with an order (95% Wilson interval)", title="Conversion rate")
    roas = summary["roas"].to_numpy(dtype=float)
    paid = np.isfinite(roas)
    line = break_even_roas if break_even_roas is not None else 1.0
    colours = np.where(roas[paid] < 1, BAD_COLOUR, np.where(roas[paid] < line, MIDDLE_COLOUR, GOOD_COLOUR))
    right.barh(positions[paid], roas[paid], color=colours)
    right.set_xscale("log")
    right.axvline(1.0, color="black", lw=0.9, ls=":", label="revenue = cost")
    if break_even_roas is not None:
        right.axvline(break_even_roas, color="black", lw=0.9, ls="--",
                      label=f"break-even on margin ({break_even_roas:.1f})")
    for y, value in zip(positions[paid], roas[paid]):
        right.text(value * 1.08, y, f"{value:.2f}", va="center", fontsize=8,
                   bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
    if paid.any():
        right.set_xlim(min(roas[paid].min(), 1.0) / 2, max(roas[paid].max(), line) * 6)
    for y in positions[~paid]:
        right.text(right.get_xlim()[0] * 1.15, y, "no cost", va="center", fontsize=8, color="grey")
    right.set(xlabel="revenue / cost (log scale)", title="ROAS (orders credited by last click)")
    right.legend(fontsize=7, loc="lower right")
    return axes


def checkout_funnel_plot(funnel: pd.DataFrame, title: str = "Checkout funnel", ax=None):
    """Visits reaching each checkout step (from ``checkout.checkout_funnel`` without ``by``) as bars on a log axis,
    each labelled with its count and its conversion from the step before."""
    require_columns(funnel, ("step", "step_number", "sessions", "step_conversion"), "the checkout funnel")
    if funnel["step"].duplicated().any():
        raise ValueError("checkout_funnel_plot draws one funnel: pass checkout_funnel(...) without `by`, or one "
                         "group's rows of a broken-down funnel.")
    ax = _axes(ax, (8, 0.7 + 0.5 * len(funnel)))
    positions = np.arange(len(funnel))[::-1]
    counts = funnel["sessions"].to_numpy(dtype=float)
    ax.barh(positions, counts, color=NEUTRAL_COLOUR)
    for position, row in zip(positions, funnel.itertuples()):
        label = f" {row.sessions:,}"
        if row.step_number > 1:
            label += f"   {row.step_conversion:.1%} of the step before"
        ax.text(row.sessions, position, label, va="center", fontsize=9)
    ax.set_yticks(positions, funnel["step"].astype(str))
    ax.set_xscale("log")
    ax.set_xlim(max(counts.min(), 1) / 2, counts.max() * 12)  # room for the labels
    ax.set(xlabel="visits reaching the step (log scale)", title=title)
    return ax


def step_conversion_plot(funnel: pd.DataFrame, by: str | None = None, ax=None):
    """Step-to-step conversion with its Wilson interval (from ``checkout.checkout_funnel``), one dot per step and
    group; the first step is left out (its conversion is from all visits, not from a step)."""
    require_columns(funnel, ("step", "step_number", "step_conversion", "step_low", "step_high", *([by] if by else [])),
                    "the checkout funnel")
    table = funnel[funnel["step_number"] > 1]
    steps = list(dict.fromkeys(table["step"].astype(str)))
    groups = list(dict.fromkeys(table[by])) if by else [None]
    ax = _axes(ax, (8, 0.8 + 0.45 * len(steps) * max(1, len(groups) / 2)))
    palette = plt.get_cmap("tab10")
    height = 0.7 / len(groups)
    base = np.arange(len(steps))[::-1]
    for k, group in enumerate(groups):
        rows = table if group is None else table[table[by] == group]
        rows = rows.set_index(rows["step"].astype(str)).reindex(steps)
        offset = 0.35 - (k + 0.5) * height
        _interval_dots(ax, rows["step_conversion"], rows["step_low"], rows["step_high"], base + offset,
                       palette(k) if by else NEUTRAL_COLOUR, None if group is None else str(group))
    ax.set_yticks(base, steps)
    ax.set_xlim(0, 1)
    _percent(ax.xaxis)
    ax.set(xlabel="visits going on from the step before (95% Wilson interval)", title="Step conversion")
    if by:
        ax.legend(title=by.replace("_", " "), fontsize=8)
    return ax


def benchmark_plot(comparison: pd.DataFrame, axes=None):
    """The store's rates with their intervals (from ``checkout.against_benchmarks``) as highlighted bars among the
    published figures, one panel per metric, lowest value at the top. Returns the Axes, one per metric."""
    require_columns(comparison, ("metric", "store", "store_low", "store_high", "benchmark", "benchmark_value"),
                    "the benchmark comparison")
    metrics = list(dict.fromkeys(comparison["metric"]))
    if axes is None:
        sizes = [comparison["metric"].eq(m).sum() + 1 for m in metrics]
        figure = plt.figure(figsize=(8, 0.8 + 0.42 * sum(sizes) + 0.6 * len(metrics)), layout="constrained")
        grid = figure.add_gridspec(len(metrics), 1, height_ratios=sizes)
        axes = [figure.add_subplot(grid[k]) for k in range(len(metrics))]
    for ax, metric in zip(axes, metrics):
        rows = comparison[comparison["metric"] == metric]
        store = rows.iloc[0]
        bars = pd.DataFrame({"label": [*rows["benchmark"], "this store"],
                             "value": [*rows["benchmark_value"], store["store"]],
                             "ours": [False] * len(rows) + [True]}).sort_values("value", kind="stable")
        positions = np.arange(len(bars))[::-1]
        ax.barh(positions, bars["value"], color=np.where(bars["ours"], NEUTRAL_COLOUR, "#b0b0b0"))
        ours = positions[bars["ours"].to_numpy()]
        if np.isfinite(store["store_low"]) and np.isfinite(store["store_high"]):
            ax.errorbar([store["store"]], ours, xerr=[[store["store"] - store["store_low"]],
                                                       [store["store_high"] - store["store"]]],
                        fmt="none", color="black", capsize=4)
        ends = np.where(bars["ours"], np.fmax(bars["value"], store["store_high"]), bars["value"])
        for position, value, end in zip(positions, bars["value"], ends):
            ax.text(end, position, f"  {value:.1%}", va="center", fontsize=8)
        ax.set_yticks(positions, bars["label"])
        ax.set_xlim(0, bars["value"].max() * 1.25)
        _percent(ax.xaxis)
        ax.set_title(metric.replace("_", " "), fontsize=10)
    return axes


def abandonment_plot(table: pd.DataFrame, by: str, ax=None):
    """Cart and checkout abandonment per group with their Wilson intervals (from ``checkout.abandonment_by``),
    against the published average cart abandonment as a dashed line."""
    from cbec.modules.independent_station.checkout import ABANDONMENT_REFERENCE, BENCHMARKS

    require_columns(table, (by, "stage", "abandonment_rate", "abandonment_low", "abandonment_high"),
                    "the abandonment table (checkout.abandonment_by)")
    groups = list(dict.fromkeys(table[by]))
    stages = list(dict.fromkeys(table["stage"]))
    ax = _axes(ax, (8, 1.5 + 0.42 * len(groups)))
    base = np.arange(len(groups))[::-1]
    colours = {"cart": NEUTRAL_COLOUR, "checkout": MIDDLE_COLOUR}
    for k, stage in enumerate(stages):
        rows = table[table["stage"] == stage].set_index(by).reindex(groups)
        offset = 0.15 - 0.3 * k
        _interval_dots(ax, rows["abandonment_rate"], rows["abandonment_low"], rows["abandonment_high"], base + offset,
                       colours.get(stage, _palette_colour(k)), f"{stage} abandonment")
    reference = next(b for b in BENCHMARKS if b.metric == "cart_abandonment" and b.label == ABANDONMENT_REFERENCE)
    ax.axvline(reference.value, color="black", lw=0.9, ls="--", label=f"published cart average {reference.value:.1%}")
    ax.set_yticks(base, [str(group) for group in groups])
    ax.set_xlim(0, 1)
    _percent(ax.xaxis)
    ax.set(xlabel="visits that started and did not buy (95% Wilson interval)", title=f"Abandonment by {by}")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


def _palette_colour(k: int):
    """The ``k``-th colour of the module's charts after the named ones (tab10)."""
    return plt.get_cmap("tab10")(k)
