"""Participation funnel: counts, conversion between stages and Wilson intervals."""

from __future__ import annotations

import pandas as pd
from statsmodels.stats.proportion import proportion_confint


def wilson_interval(successes, trials, alpha: float = 0.05):
    """Wilson score interval of a proportion (works with arrays); NaN where ``trials`` is 0."""
    low, high = proportion_confint(successes, trials, alpha=alpha, method="wilson")
    return low, high


def participation_funnel(table: pd.DataFrame, stages, by: str | None = None,
                         alpha: float = 0.05) -> pd.DataFrame:
    """One row per stage (and per group of ``by``): how many reached it and the conversion.

    ``step_rate`` is the share of the previous stage that reached this one, with a Wilson
    interval (none for the first stage); ``overall_rate`` is the share of the first stage and
    ``share_of_rows`` the share of all students.  Stages are 0/1 columns.
    """
    stages = list(stages)
    if not stages:
        raise ValueError("participation_funnel needs at least one stage column.")
    groups = table.groupby(by, sort=True) if by else [(None, table)]
    rows = []
    for group, frame in groups:
        counts = [int(frame[s].fillna(0).astype(bool).sum()) for s in stages]
        for i, (stage, count) in enumerate(zip(stages, counts)):
            rows.append({"group": group, "stage": stage, "position": i, "count": count,
                         "share_of_rows": count / len(frame) if len(frame) else float("nan"),
                         "previous": counts[i - 1] if i else float("nan"), "first": counts[0]})
    funnel = pd.DataFrame(rows)
    has_previous = funnel["previous"] > 0
    funnel["step_rate"] = funnel["count"] / funnel["previous"].where(has_previous)
    low, high = wilson_interval(funnel["count"].where(has_previous, 0),
                                funnel["previous"].where(has_previous, 1), alpha)
    funnel["step_ci_low"], funnel["step_ci_high"] = low.where(has_previous), high.where(has_previous)
    funnel["overall_rate"] = funnel["count"] / funnel["first"].where(funnel["first"] > 0)
    funnel["drop"] = funnel["previous"] - funnel["count"]
    if by is None:
        funnel = funnel.drop(columns="group")
    else:
        funnel = funnel.rename(columns={"group": by})
    return funnel.drop(columns=["first"])


def share_with_interval(table: pd.DataFrame, columns, alpha: float = 0.05) -> pd.DataFrame:
    """Share of 1s among the answered rows of each 0/1 column, with a Wilson interval."""
    rows = []
    for column in columns:
        answered = table[column].dropna()
        yes, n = int(answered.astype(bool).sum()), len(answered)
        low, high = wilson_interval(yes, n, alpha) if n else (float("nan"), float("nan"))
        rows.append({"item": column, "answered": n, "yes": yes, "share": yes / n if n else float("nan"),
                     "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)
