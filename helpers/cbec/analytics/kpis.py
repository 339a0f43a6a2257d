"""Store KPIs: GMV, orders, AOV, units per order, session conversion and refund rate."""

from __future__ import annotations

import pandas as pd

from cbec.analytics._validate import require_columns, require_datetime

#: Time periods ``kpis_by`` derives from the date columns: name -> pandas period alias.
PERIODS = {"day": "D", "week": "W", "month": "M", "quarter": "Q"}


def _ratio(numerator: float, denominator: float) -> float:
    # an empty group has no rate rather than a ZeroDivisionError
    return float(numerator) / float(denominator) if denominator else float("nan")


def kpi_summary(orders: pd.DataFrame, sessions: pd.DataFrame | None = None,
                returns: pd.DataFrame | None = None) -> pd.Series:
    r"""Headline KPIs of a set of orders.

    .. math::

        \text{GMV} = \sum_i \text{gmv\_usd}_i, \qquad
        \text{AOV} = \frac{\text{GMV}}{\text{orders}}, \qquad
        \text{units per order} = \frac{\sum_i \text{units}_i}{\text{orders}},

        \text{conversion rate} = \frac{\text{orders}}{\sum \text{sessions}}, \qquad
        \text{refund rate} = \frac{\sum \text{refund\_usd}}{\text{GMV}}.

    Parameters
    ----------
    orders : pandas.DataFrame
        One row per order with ``order_id``, ``gmv_usd`` and ``units``.
    sessions : pandas.DataFrame, optional
        Traffic with a ``sessions`` column covering the same days and markets as ``orders``;
        adds ``conversion_rate`` (a fraction, 0.02 = 2%).
    returns : pandas.DataFrame, optional
        Returns with ``order_id`` and ``refund_usd``; adds ``refund_rate``. Only refunds of
        the orders in ``orders`` count, so the rate is "refunds on these orders / their GMV".

    Returns
    -------
    pandas.Series
        ``gmv_usd``, ``orders``, ``aov_usd``, ``units_per_order`` and, when the tables are
        given, ``conversion_rate`` and ``refund_rate`` (all as floats). An empty table
        gives NaN ratios rather than an error.
    """
    require_columns(orders, ["order_id", "gmv_usd", "units"], "orders")
    n_orders = len(orders)
    gmv = float(orders["gmv_usd"].sum())
    kpis = {
        "gmv_usd": gmv,
        "orders": n_orders,
        "aov_usd": _ratio(gmv, n_orders),
        "units_per_order": _ratio(orders["units"].sum(), n_orders),
    }
    if sessions is not None:
        require_columns(sessions, ["sessions"], "sessions")
        kpis["conversion_rate"] = _ratio(n_orders, sessions["sessions"].sum())
    if returns is not None:
        require_columns(returns, ["order_id", "refund_usd"], "returns")
        own = returns["order_id"].isin(orders["order_id"])
        kpis["refund_rate"] = _ratio(returns.loc[own, "refund_usd"].sum(), gmv)
    return pd.Series(kpis, dtype="float64", name="value")


def kpis_by(orders: pd.DataFrame, by: str, sessions: pd.DataFrame | None = None,
            returns: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`kpi_summary` for every value of ``by``.

    Parameters
    ----------
    orders, sessions, returns : pandas.DataFrame
        As in :func:`kpi_summary`.
    by : str
        A column of ``orders`` (``"market"``, ``"traffic_source"``) or a period derived
        from the dates: ``"day"``, ``"week"``, ``"month"`` or ``"quarter"`` (from
        ``orders.order_date`` and ``sessions.date``). To split conversion, ``sessions``
        must have the same column (markets and traffic sources do).

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted), the KPIs as columns. Refunds are matched to their
        orders, so a month's refund rate is that month's orders' refunds.
    """
    require_columns(orders, ["order_id"], "orders")
    if by in PERIODS:
        require_datetime(orders, "order_date", "orders")
        orders = orders.assign(**{by: orders["order_date"].dt.to_period(PERIODS[by])})
        if sessions is not None:
            require_datetime(sessions, "date", "sessions")
            sessions = sessions.assign(**{by: sessions["date"].dt.to_period(PERIODS[by])})
    elif by not in orders.columns:
        raise ValueError(f"Cannot split KPIs by {by!r}: it is neither a column of orders "
                         f"(found: {', '.join(orders.columns)}) nor a period ({', '.join(PERIODS)}).")
    if sessions is not None and by not in sessions.columns:
        raise ValueError(f"sessions has no column {by!r}, so conversion cannot be split by it; "
                         f"found: {', '.join(sessions.columns)}. Pass sessions=None to skip conversion.")

    session_groups = dict(iter(sessions.groupby(by))) if sessions is not None else {}
    rows = {}
    for key, group in orders.groupby(by, sort=True):
        traffic = None if sessions is None else session_groups.get(key, sessions.iloc[0:0])
        rows[key] = kpi_summary(group, traffic, returns)
    table = pd.DataFrame(rows).T
    table.index.name = by
    return table.astype({"orders": "int64"})
