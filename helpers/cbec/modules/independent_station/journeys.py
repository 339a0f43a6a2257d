"""Customer journeys from the store's sessions: the touches before each visitor's first
purchase, in the form the attribution models take.

A journey is one visitor cookie's sessions in time order, up to and including the session
that placed the visitor's first order; sessions after it belong to the customer's repeat
buying, not to their acquisition. Visitors who never bought give non-converting journeys
of all their sessions (what Markov and Shapley attribution learn from).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbec.data.columns import require_columns


def journey_touches(sessions: pd.DataFrame, orders: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(touches, outcomes)``: touches ``journey_id, timestamp, channel`` (one per session up to the first
    order) and outcomes ``journey_id, converted, value, converted_at`` (first-order revenue and time).

    ``sessions`` needs a ``channel`` column (e.g. from ``utm.channel_of``); ``journey_id`` is the
    visitor id.
    """
    require_columns(sessions, ("session_id", "visitor_id", "started_at", "channel"), "the sessions table with its channel")
    require_columns(orders, ("session_id", "visitor_id", "ordered_at", "revenue_usd"), "the orders table")
    first = orders.sort_values(["ordered_at", "session_id"], kind="stable").drop_duplicates("visitor_id")
    converting_start = first[["visitor_id", "session_id"]].merge(
        sessions[["session_id", "started_at"]], on="session_id", how="left")
    if converting_start["started_at"].isna().any():
        raise ValueError("some orders' sessions are not in the sessions table; pass the sessions of the same store.")
    cut = sessions["visitor_id"].map(converting_start.set_index("visitor_id")["started_at"])
    before = cut.isna().to_numpy() | (sessions["started_at"] <= cut).to_numpy()
    touches = sessions.loc[before, ["visitor_id", "started_at", "channel"]].rename(
        columns={"visitor_id": "journey_id", "started_at": "timestamp"})
    touches = touches.sort_values(["journey_id", "timestamp"], kind="stable").reset_index(drop=True)
    journeys = pd.Index(np.unique(touches["journey_id"]), name="journey_id")
    bought = first.set_index("visitor_id").reindex(journeys)
    outcomes = pd.DataFrame({"journey_id": journeys, "converted": bought["ordered_at"].notna().to_numpy(),
                             "value": bought["revenue_usd"].fillna(0.0).to_numpy(),
                             "converted_at": bought["ordered_at"].to_numpy()})
    return touches, outcomes
