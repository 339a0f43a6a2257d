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
