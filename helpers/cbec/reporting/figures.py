"""Seaborn figures for the grade summary."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from adjustText import adjust_text

from cbec.reporting.gradebook import AssignmentGrades


def score_distribution(grades: AssignmentGrades, ax=None):
    """Histogram of autograded scores of the students who submitted."""
    ax = ax or plt.subplots(figsize=(7, 3.5))[1]
    submitted = grades.students[grades.students["submitted"]]
    auto = grades.items[grades.items["graded_by"] == "auto"]
    auto_max = float(auto.groupby("grade_id")["max_score"].max().sum()) or 1.0
    sns.histplot(submitted, x="auto_score", hue="late", multiple="stack", bins=10,
                 binrange=(0, auto_max), palette={False: "#4c72b0", True: "#dd8452"}, ax=ax)
    ax.set(xlabel=f"autograded score (out of {auto_max:.0f})", ylabel="students",
           title=f"{grades.assignment}: autograded scores of {len(submitted)} submissions")
    return ax


def question_means(stats: pd.DataFrame, ax=None):
    """Mean score per question against its maximum."""
    ax = ax or plt.subplots(figsize=(7, 3.5))[1]
    frame = stats.reset_index()
    sns.barplot(frame, x="question", y="max_score", color="#dddddd", ax=ax, label="max")
    sns.barplot(frame, x="question", y="mean_score", color="#4c72b0", ax=ax, label="mean")
    ax.set(ylabel="points", title="Mean score per question")
    ax.legend(loc="lower right")
    return ax


def difficulty_discrimination(stats: pd.DataFrame, ax=None):
    """Each question placed by difficulty (share of points earned) and discrimination."""
    ax = ax or plt.subplots(figsize=(6, 4))[1]
    frame = stats.reset_index()
    sns.scatterplot(frame, x="difficulty", y="discrimination", size="max_score", legend=False, ax=ax)
    ax.axhline(0.2, ls="--", c="grey", lw=1)
    ax.set(xlim=(0, 1.05), xlabel="difficulty (share of points earned)",
           ylabel="discrimination (item-rest correlation)", title="Item analysis")
    labels = [ax.text(row["difficulty"], row["discrimination"], row["question"], fontsize=9)
              for _, row in frame.iterrows()]
    if len(labels) > 1:  # questions of similar difficulty would print their names on top of each other
        adjust_text(labels, x=frame["difficulty"].to_numpy(), y=frame["discrimination"].to_numpy(), ax=ax,
                    expand=(1.6, 1.9), arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.5})
    return ax
