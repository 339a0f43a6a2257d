"""The purchase funnel: how many visitors reach each stage, and where most are lost."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cbec.analytics._validate import require_columns

#: The stages of the simulated store's ``sessions`` table, top to bottom.
STAGES = ("sessions", "product_views", "add_to_cart", "checkouts", "orders")


def funnel_table(sessions: pd.DataFrame, stages: Sequence[str] = STAGES) -> pd.DataFrame:
    r"""Totals per funnel stage with step conversion, overall conversion and drop-off.

    With :math:`n_k` the total of stage :math:`k` (stage 0 at the top):

    .. math::

        \text{step}_k = \frac{n_k}{n_{k-1}}, \qquad
        \text{overall}_k = \frac{n_k}{n_0}, \qquad
        \text{drop-off}_k = 1 - \text{step}_k .

    Overall conversion is the product of the step conversions, so the stage with the lowest
    step conversion is where a fix moves orders most.

    Parameters
    ----------
    sessions : pandas.DataFrame
        One column of counts per stage (any rows: days, markets, sources); they are summed.
    stages : sequence of str
        Stage columns from the top of the funnel down, at least two.

    Returns
    -------
    pandas.DataFrame
        Columns ``stage``, ``count``, ``step_conversion``, ``overall_conversion`` and
        ``drop_off``; the first stage has no previous stage, so its step and drop-off are NaN.
    """
    stages = list(stages)
    if len(stages) < 2:
        raise ValueError(f"A funnel needs at least two stages, got {stages!r}.")
    require_columns(sessions, stages, "sessions")
    totals = sessions[stages].sum()
    counts = totals.to_numpy(dtype=float)
    if counts[0] <= 0:
        raise ValueError(f"The top stage {stages[0]!r} has no visits (total {counts[0]:g}); "
                         "check that the table is not empty.")
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.concatenate([[np.nan], counts[1:] / counts[:-1]])
    return pd.DataFrame({
        "stage": stages,
        "count": totals.to_numpy(),
        "step_conversion": step,
        "overall_conversion": counts / counts[0],
        "drop_off": 1 - step,
    })


def largest_drop(funnel: pd.DataFrame) -> str:
    """The stage reached by the smallest share of the stage before it.

    Parameters
    ----------
    funnel : pandas.DataFrame
        The output of :func:`funnel_table`.

    Returns
    -------
    str
        The name of the stage with the lowest ``step_conversion`` (the first stage, which has
        none, is skipped).
    """
    require_columns(funnel, ["stage", "step_conversion"], "funnel")
    steps = funnel["step_conversion"].iloc[1:]
    if steps.isna().all():
        raise ValueError("The funnel has no step conversions; build it with funnel_table().")
    return str(funnel.loc[steps.idxmin(), "stage"])
