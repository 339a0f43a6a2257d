"""Seaborn figures the lectures call; each returns its Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns


def _axes(ax, size=(7, 3.5)):
    return ax if ax is not None else plt.subplots(figsize=size)[1]


def funnel_chart(table: pd.DataFrame, ax=None):
    """Horizontal bars of each funnel stage, labelled with the step conversion."""
    ax = _axes(ax)
    sns.barplot(table, y="stage", x="count", color="#4c72b0", ax=ax)
    for i, row in table.iterrows():
        label = f"{row['count']:,.0f}" + ("" if i == 0 else f"  ({row['step_conversion']:.1%} of previous)")
        ax.text(row["count"], i, " " + label, va="center", fontsize=9)
    ax.set(xlabel="visits", ylabel="", title="Purchase funnel")
    ax.set_xlim(0, table["count"].max() * 1.45)
    return ax


def cohort_heatmap(retention: pd.DataFrame, max_periods: int = 12, ax=None):
    ax = _axes(ax, (9, 5))
    data = retention.iloc[:, : max_periods + 1]
    sns.heatmap(data, annot=True, fmt=".0%", cmap="Blues", cbar=False, ax=ax, annot_kws={"size": 7})
    ax.set(title="Monthly cohort retention", xlabel="months since first order", ylabel="cohort")
    return ax


def segment_bars(summary: pd.DataFrame, ax=None):
    ax = _axes(ax)
    frame = summary.reset_index().melt(id_vars="segment", value_vars=["customer_share", "revenue_share"],
                                       var_name="share of", value_name="share")
    sns.barplot(frame, x="segment", y="share", hue="share of", ax=ax)
    ax.set(title="RFM segments: customers vs revenue", xlabel="", ylabel="share")
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    return ax


def kpi_trend(table: pd.DataFrame, kpi: str, ax=None):
    """A KPI over time from :func:`cbec.modules.data_operation.analytics.kpis_by` (by month)."""
    ax = _axes(ax)
    frame = table.reset_index()
    frame[frame.columns[0]] = frame[frame.columns[0]].astype(str)
    sns.lineplot(frame, x=frame.columns[0], y=kpi, marker="o", ax=ax)
    ax.set(title=kpi.replace("_", " "), xlabel="")
    ax.tick_params(axis="x", rotation=45)
    return ax
