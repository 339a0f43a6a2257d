"""RFM segmentation: recency, frequency and monetary value scored in quintiles, then named."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cbec.analytics._validate import require_columns, require_datetime


@dataclass(frozen=True)
class SegmentRule:
    """A customer belongs to ``name`` when R, F and the number of orders fall in the ranges."""

    name: str
    r: tuple[int, int]
    f: tuple[int, int]
    orders: tuple[int, float]
    action: str


#: Segment rules on the R and F scores, first match wins; every customer matches one.
#: The number of orders is checked as well because many customers tie on one order and
#: quintile ranks then give some one-order customers an F score of 3 or 4.
SEGMENT_RULES = (
    SegmentRule("Champions", (4, 5), (4, 5), (2, np.inf), "bought recently and often: reward, early access"),
    SegmentRule("Loyal", (3, 5), (3, 5), (2, np.inf), "buy regularly: upsell, ask for reviews"),
    SegmentRule("New", (4, 5), (1, 5), (1, 1), "first order recently: onboarding, second-order offer"),
    SegmentRule("Promising", (3, 5), (1, 5), (1, np.inf), "fairly recent, few orders: nurture"),
    SegmentRule("At risk", (1, 2), (3, 5), (2, np.inf), "used to buy often, gone quiet: win back now"),
    SegmentRule("Hibernating", (1, 2), (1, 5), (1, np.inf), "long gone, few orders: cheap reactivation only"),
)


def _quintile_scores(values: pd.Series, tiebreak: pd.Series, ascending: bool = True) -> pd.Series:
    """Scores 1-5 by quintile of ``values``; ties are ordered by ``tiebreak``.

    ``rank(method="first")`` gives every customer a distinct rank, so ``qcut`` never meets
    duplicate bin edges (which it would with thousands of customers tied on one order).
    Ranking in tie-breaker order makes the split of tied customers meaningful, not row order.
    """
    order = pd.DataFrame({"v": values, "t": tiebreak}).sort_values(["v", "t"], ascending=ascending,
                                                                   kind="mergesort").index
    ranks = values.loc[order].rank(method="first", ascending=ascending).reindex(values.index)
    return pd.qcut(ranks, 5, labels=[1, 2, 3, 4, 5]).astype("int64")


def rfm_table(orders: pd.DataFrame, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    r"""Recency, frequency, monetary value, their quintile scores and a named segment per customer.

    For customer :math:`c` with orders :math:`i` on dates :math:`d_i` of value :math:`v_i`:

    .. math::

        \text{recency}_c = \text{as\_of} - \max_i d_i \ (\text{days}), \qquad
        \text{frequency}_c = |\{i\}|, \qquad
        \text{monetary}_c = \sum_i v_i .

    Each is scored 1-5 by quintile, 5 being best: the most recent, most frequent, highest
    spending fifth of customers. Ties are broken by rank (recency by frequency, frequency
    by spend, spend by frequency). Segments follow :data:`SEGMENT_RULES`:

    ============  =====  =====  ======  ===========================================
    segment       R      F      orders  meaning
    ============  =====  =====  ======  ===========================================
    Champions     4-5    4-5    >= 2    bought recently and often
    Loyal         3-5    3-5    >= 2    buy regularly
    New           4-5    any    1       first order recently
    Promising     3-5    any    any     fairly recent, few orders
    At risk       1-2    3-5    >= 2    used to buy often, gone quiet
    Hibernating   1-2    any    any     long gone, few orders
    ============  =====  =====  ======  ===========================================

    Parameters
    ----------
    orders : pandas.DataFrame
        One row per order with ``customer_id``, ``order_id``, ``order_date`` and ``gmv_usd``.
    as_of : date-like, optional
        The analysis date; defaults to the day after the last order.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``: ``recency_days``, ``frequency``, ``monetary``, ``R``,
        ``F``, ``M``, ``rfm_score`` (e.g. ``"545"``) and ``segment``.
    """
    require_columns(orders, ["customer_id", "order_id", "order_date", "gmv_usd"], "orders")
    require_datetime(orders, "order_date", "orders")
    if orders.empty:
        raise ValueError("orders is empty: there are no customers to score.")
    last_order = orders["order_date"].max()
    as_of = last_order + pd.Timedelta(days=1) if as_of is None else pd.Timestamp(as_of)
    if as_of < last_order:
        raise ValueError(f"as_of={as_of.date()} is before the last order ({last_order.date()}); "
                         "use a date on or after it, or leave as_of=None.")
    grouped = orders.groupby("customer_id")
    table = pd.DataFrame({
        "recency_days": (as_of - grouped["order_date"].max()).dt.days,
        "frequency": grouped["order_id"].nunique(),
        "monetary": grouped["gmv_usd"].sum(),
    })
    table["R"] = _quintile_scores(table["recency_days"], -table["frequency"], ascending=False)
    table["F"] = _quintile_scores(table["frequency"], table["monetary"])
    table["M"] = _quintile_scores(table["monetary"], table["frequency"])
    table["rfm_score"] = table["R"].astype(str) + table["F"].astype(str) + table["M"].astype(str)
    table["segment"] = assign_segments(table)
    return table


def assign_segments(rfm: pd.DataFrame) -> pd.Series:
    """Name each customer's segment from the ``R`` and ``F`` scores and ``frequency`` (:data:`SEGMENT_RULES`)."""
    require_columns(rfm, ["R", "F", "frequency"], "rfm")
    segment = pd.Series(pd.NA, index=rfm.index, dtype=object, name="segment")
    for rule in SEGMENT_RULES:
        match = (segment.isna() & rfm["R"].between(*rule.r) & rfm["F"].between(*rule.f)
                 & rfm["frequency"].between(*rule.orders))
        segment[match] = rule.name
    return segment


def segment_summary(rfm: pd.DataFrame) -> pd.DataFrame:
    r"""Customers and revenue per segment, with shares of the totals.

    :math:`\text{revenue share}_s = \sum_{c \in s} \text{monetary}_c / \sum_c \text{monetary}_c`;
    a segment whose revenue share exceeds its customer share is worth more than average.

    Parameters
    ----------
    rfm : pandas.DataFrame
        The output of :func:`rfm_table`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``segment``, largest revenue first: ``customers``, ``revenue_usd``,
        ``customer_share``, ``revenue_share`` and ``revenue_per_customer``.
    """
    require_columns(rfm, ["segment", "monetary"], "rfm")
    summary = rfm.groupby("segment").agg(customers=("monetary", "size"), revenue_usd=("monetary", "sum"))
    summary["customer_share"] = summary["customers"] / summary["customers"].sum()
    summary["revenue_share"] = summary["revenue_usd"] / summary["revenue_usd"].sum()
    summary["revenue_per_customer"] = summary["revenue_usd"] / summary["customers"]
    return summary.sort_values("revenue_usd", ascending=False)
