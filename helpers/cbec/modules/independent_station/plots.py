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
