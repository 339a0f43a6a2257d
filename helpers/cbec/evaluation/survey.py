"""Survey scales: Cronbach's alpha and top-2-box shares of Likert items."""

from __future__ import annotations

import pandas as pd


def cronbach_alpha(items: pd.DataFrame) -> float:
    r"""$\alpha = \frac{k}{k-1}\left(1 - \frac{\sum_i s_i^2}{s_T^2}\right)$ on complete answers."""
    complete = items.dropna()
    k = complete.shape[1]
    if k < 2:
        raise ValueError(f"Cronbach's alpha needs at least 2 items, got {k}.")
    if len(complete) < 2:
        raise ValueError("Cronbach's alpha needs at least 2 complete answers.")
    total_variance = complete.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - complete.var(ddof=1).sum() / total_variance))


def alpha_verdict(alpha: float) -> str:
    if pd.isna(alpha):
        return "undefined (no variation)"
    return "good" if alpha > 0.8 else "acceptable" if alpha > 0.7 else "questionable"


def item_summary(table: pd.DataFrame, items, by: str | None = None, scale_max: int | None = None) -> pd.DataFrame:
    """Mean and top-2-box share (answers of scale_max - 1 or above) per item, per group."""
    items = list(items)
    scale_max = scale_max or int(table[items].max().max())
    groups = table.groupby(by, sort=True) if by else [("all", table)]
    rows = []
    for group, part in groups:
        for item in items:
            answers = part[item].dropna()
            rows.append({"group": group, "item": item, "answered": len(answers), "mean": answers.mean(),
                         "top2_share": (answers >= scale_max - 1).mean() if len(answers) else float("nan")})
    result = pd.DataFrame(rows)
    return result.rename(columns={"group": by}) if by else result.drop(columns="group")
