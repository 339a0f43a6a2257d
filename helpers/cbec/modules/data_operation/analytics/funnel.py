"""The purchase funnel: counts, step conversion and where it leaks most."""

from __future__ import annotations

import pandas as pd

from cbec.data.columns import require_columns

STAGES = ("sessions", "product_views", "add_to_cart", "checkouts", "orders")


def funnel_table(sessions: pd.DataFrame, stages=STAGES) -> pd.DataFrame:
    r"""Totals per stage with step conversion $n_k / n_{k-1}$, overall conversion $n_k / n_0$
    and drop-off $1 - n_k / n_{k-1}$."""
    require_columns(sessions, stages, "sessions")
    counts = sessions[list(stages)].sum()
    step = counts / counts.shift(1)
    return pd.DataFrame({
        "stage": list(stages),
        "count": counts.to_numpy(),
        "step_conversion": step.to_numpy(),
        "overall_conversion": (counts / counts.iloc[0]).to_numpy(),
        "drop_off": (1 - step).to_numpy(),
    })


def largest_drop(table: pd.DataFrame) -> str:
    """The stage whose step conversion is lowest (the first stage has none)."""
    require_columns(table, ["stage", "step_conversion"], "funnel table")
    return str(table.loc[table["step_conversion"].iloc[1:].idxmin(), "stage"])
