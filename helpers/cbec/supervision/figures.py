"""The dashboard's plots: the funnel, season profit trends, quiz scores per module, money-losing decisions."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def funnel_bars(funnel: pd.DataFrame, ax=None):
    """Horizontal bars of students per stage, labelled with the count and the share of the previous stage."""
    ax = ax or plt.subplots(figsize=(7, 2.8))[1]
    stages = funnel["stage"].tolist()[::-1]
    counts = funnel["count"].tolist()[::-1]
    ax.barh(stages, counts, color=plt.cm.Blues(np.linspace(0.45, 0.85, len(stages))))
    top = max(counts) if counts and max(counts) else 1
    for y, (_, row) in enumerate(funnel.iloc[::-1].iterrows()):
        step = "" if pd.isna(row["previous"]) else (
            f"  ({row['count'] / row['previous']:.0%} of previous)" if row["previous"] else "")
        ax.text(row["count"] + top * 0.01, y, f"{row['count']:.0f}{step}", va="center")
    ax.set_xlim(0, top * 1.35)
    ax.set_xlabel("students")
    ax.set_title("Participation funnel")
    ax.grid(axis="y", visible=False)
    return ax


def season_trends(profits: pd.DataFrame, progress: pd.DataFrame, ax=None):
    """Season profit by season number, one line per student, coloured by trend."""
    ax = ax or plt.subplots(figsize=(7, 3.5))[1]
    colours = {"improving": "tab:green", "flat": "tab:grey", "declining": "tab:red", "too few seasons": "tab:blue"}
    trend = progress.set_index("student")["trend"]
    for student, frame in profits.groupby("student"):
        label = trend.get(student, "too few seasons")
        ax.plot(frame["season"], frame["profit"], marker="o", ms=3, lw=1, alpha=0.6, color=colours[label])
    for label, colour in colours.items():
        ax.plot([], [], color=colour, label=f"{label} ({(trend == label).sum()})")
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xlabel("practice season (in the order played)")
    ax.set_ylabel("season profit")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.set_title("Does practice pay? Season profit, season after season")
    return ax


def quiz_heatmap(matrix: pd.DataFrame, ax=None):
    """Students x modules of the best quiz score (share); grey where a quiz was not taken."""
    import seaborn as sns

    height = min(0.18 * len(matrix) + 1.5, 14)
    ax = ax or plt.subplots(figsize=(6, height))[1]
    sns.heatmap(matrix.astype(float), vmin=0, vmax=1, cmap="RdYlGn", ax=ax, cbar_kws={"label": "score share"},
                yticklabels=len(matrix) <= 60, linewidths=0.3, linecolor="white")
    ax.set_facecolor("#d9d9d9")  # not taken
    ax.set_xlabel("")
    ax.set_ylabel("student")
    ax.set_title("Quiz scores per module (grey: not taken)")
    return ax


def losing_bars(losing: pd.DataFrame, top: int = 15, ax=None):
    """The students whose ads lost most money, with the share of their rounds that stocked out."""
    worst = losing.head(top).iloc[::-1]
    ax = ax or plt.subplots(figsize=(7, 0.3 * len(worst) + 1.2))[1]
    ax.barh(worst["student"], worst["ad_money_lost"], color="tab:red", alpha=0.8)
    for y, (_, row) in enumerate(worst.iterrows()):
        ax.text(row["ad_money_lost"], y, f"  stock-outs in {row['stockout_share']:.0%} of rounds", va="center",
                fontsize=8)
    ax.set_xlim(0, max(worst["ad_money_lost"].max(), 1) * 1.6)
    ax.set_xlabel("ad spend above the gross margin the ads brought")
    ax.set_title("Money-losing decisions")
    return ax
