"""Learning gains: Hake's normalised gain g = (post - pre) / (max - pre)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def gain_category(g: float) -> str:
    """Hake's bands: low below 0.3, medium up to 0.7, high above."""
    if pd.isna(g):
        return "n/a"
    return "low" if g < 0.3 else ("medium" if g <= 0.7 else "high")


def hake_gains(table: pd.DataFrame, pre: str, post: str, by: str | None = None,
               max_score: float = 100.0) -> pd.DataFrame:
    """Per group: means, the gain of the averages <g> (Hake 1998) and the mean of students' gains.

    Students already at ``max_score`` on the pre-test have no individual gain (division by 0)
    and are counted in ``at_ceiling``.
    """
    frame = table[[c for c in (pre, post, by) if c]].dropna()
    groups = frame.groupby(by, sort=True) if by else [("all", frame)]
    rows = []
    for group, part in groups:
        pre_mean, post_mean = part[pre].mean(), part[post].mean()
        room = max_score - part[pre]
        individual = ((part[post] - part[pre]) / room)[room > 0]
        g = (post_mean - pre_mean) / (max_score - pre_mean) if pre_mean < max_score else np.nan
        rows.append({"group": group, "n": len(part), "pre_mean": pre_mean, "post_mean": post_mean,
                     "gain_of_means": g, "mean_student_gain": individual.mean(),
                     "student_gain_sd": individual.std(), "at_ceiling": int((room <= 0).sum()),
                     "category": gain_category(g)})
    result = pd.DataFrame(rows).set_index("group")
    result.index.name = by or "group"
    return result
