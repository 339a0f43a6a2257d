"""Store KPIs: GMV, orders, AOV, units per order, conversion and refund rate."""

from __future__ import annotations

import pandas as pd

from cbec.data.columns import require_columns


def kpi_summary(orders: pd.DataFrame, sessions: pd.DataFrame | None = None,
                returns: pd.DataFrame | None = None) -> pd.Series:
    r"""Headline KPIs of a set of orders.

    GMV $=\sum$ ``gmv_usd``; AOV $=$ GMV / orders; units per order $=\sum$ units / orders;
    conversion rate $=$ orders / sessions (a fraction); refund rate $=$ refunds / GMV (USD).
    """
    require_columns(orders, ["order_id", "gmv_usd", "units"], "orders")
    n = len(orders)
    gmv = float(orders["gmv_usd"].sum())
    out = {"gmv_usd": gmv, "orders": n, "aov_usd": gmv / n if n else float("nan"),
           "units_per_order": float(orders["units"].sum()) / n if n else float("nan")}
    if sessions is not None:
        require_columns(sessions, ["sessions"], "sessions")
        total = sessions["sessions"].sum()
        out["conversion_rate"] = n / total if total else float("nan")
    if returns is not None:
        require_columns(returns, ["refund_usd"], "returns")
        out["refund_rate"] = float(returns["refund_usd"].sum()) / gmv if gmv else float("nan")
    return pd.Series(out)


def kpis_by(orders: pd.DataFrame, by: str, sessions: pd.DataFrame | None = None,
            returns: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`kpi_summary` per value of ``by`` (a column such as ``market``, or ``"month"``)."""
    orders = orders.copy()
    if by == "month":
        orders["month"] = orders["order_date"].dt.to_period("M")
        if sessions is not None:
            sessions = sessions.assign(month=sessions["date"].dt.to_period("M"))
    require_columns(orders, [by], "orders")
    if returns is not None:
        require_columns(returns, ["order_id"], "returns")
        returns = returns.merge(orders[["order_id", by]], on="order_id")
    rows = {}
    for key, group in orders.groupby(by, sort=True):
        rows[key] = kpi_summary(
            group,
            sessions[sessions[by] == key] if sessions is not None else None,
            returns[returns[by] == key] if returns is not None else None,
        )
    table = pd.DataFrame(rows).T
    table.index.name = by
    return table.astype({"orders": "int64"})
