"""Participation funnel: counts, conversion between stages and Wilson intervals."""

from __future__ import annotations

import pandas as pd

from cbec.intervals import wilson_interval
from cbec.modules.data_operation.analytics.funnel import funnel_table


def participation_funnel(table: pd.DataFrame, stages, by: str | None = None,
                         alpha: float = 0.05) -> pd.DataFrame:
    """:func:`cbec.modules.data_operation.analytics.funnel_table` of 0/1 stage columns, per group of ``by``, with intervals.

    Adds ``position``, ``share_of_rows`` (share of all students) and a Wilson interval
    (``step_ci_low``, ``step_ci_high``) for ``step_conversion``, the share of the previous
    stage that reached this one (none for the first stage).
    """
    stages = list(stages)
    if not stages:
        raise ValueError("participation_funnel needs at least one stage column.")
    groups = table.groupby(by, sort=True) if by else [(None, table)]
    parts = []
    for group, frame in groups:
        part = funnel_table(frame, stages)
        part["count"] = part["count"].astype(int)
        part.insert(0, "group", group)
        part["position"] = range(len(stages))
        part["share_of_rows"] = part["count"] / len(frame)
        part["previous"] = part["count"].shift(1)
        parts.append(part)
    funnel = pd.concat(parts, ignore_index=True)
    # NaN for the first stage (no previous count): the interval is NaN where the total is 0
    funnel["step_ci_low"], funnel["step_ci_high"] = wilson_interval(
        funnel["count"], funnel["previous"].fillna(0), alpha)
    return funnel.rename(columns={"group": by}) if by else funnel.drop(columns="group")


def share_with_interval(table: pd.DataFrame, columns, alpha: float = 0.05) -> pd.DataFrame:
    """Share of 1s among the answered rows of each 0/1 column, with a Wilson interval."""
    rows = []
    for column in columns:
        answered = table[column].dropna()
        yes, n = int(answered.astype(bool).sum()), len(answered)
        low, high = wilson_interval(yes, n, alpha)
        rows.append({"item": column, "answered": n, "yes": yes, "share": yes / n if n else float("nan"),
                     "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)
