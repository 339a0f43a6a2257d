"""RFM segmentation: recency, frequency and monetary value scored in quintiles."""

from __future__ import annotations

import pandas as pd

from cbec.data.columns import require_columns

#: Segment rules, first match wins: (name, R at least, F at least, R at most).
SEGMENT_RULES = [
    ("Champions", 4, 4, 5),
    ("Loyal", 3, 4, 5),
    ("New", 4, 1, 5),
    ("Promising", 3, 1, 3),
    ("At risk", 1, 3, 2),
    ("Hibernating", 1, 1, 2),
]


def _quintile(values: pd.Series, ascending: bool = True) -> pd.Series:
    # rank first so that ties (many customers with one order) still split into five groups
    ranks = values.rank(method="first", ascending=ascending)
    return pd.qcut(ranks, 5, labels=[1, 2, 3, 4, 5]).astype("int64")


def rfm_table(orders: pd.DataFrame, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """One row per customer: recency_days, frequency, monetary, R/F/M scores 1-5 and segment.

    R scores 5 for the most recent buyers; F and M score 5 for the most orders and spend.
    """
    require_columns(orders, ["customer_id", "order_date", "order_id", "gmv_usd"], "orders")
    as_of = pd.Timestamp(as_of) if as_of is not None else orders["order_date"].max() + pd.Timedelta(days=1)
    grouped = orders.groupby("customer_id")
    table = pd.DataFrame({
        "recency_days": (as_of - grouped["order_date"].max()).dt.days,
        "frequency": grouped["order_id"].nunique(),
        "monetary": grouped["gmv_usd"].sum(),
    })
    table["R"] = _quintile(table["recency_days"], ascending=False)
    table["F"] = _quintile(table["frequency"])
    table["M"] = _quintile(table["monetary"])
    table["rfm_score"] = table["R"].astype(str) + table["F"].astype(str) + table["M"].astype(str)
    table["segment"] = "Other"
    unset = pd.Series(True, index=table.index)
    for name, r_min, f_min, r_max in SEGMENT_RULES:
        match = unset & table["R"].between(r_min, r_max) & (table["F"] >= f_min)
        table.loc[match, "segment"] = name
        unset &= ~match
    return table


def segment_summary(rfm: pd.DataFrame) -> pd.DataFrame:
    """Customers, revenue and revenue share per segment, largest revenue first."""
    require_columns(rfm, ["segment", "monetary"], "rfm table")
    summary = rfm.groupby("segment").agg(customers=("monetary", "size"), revenue_usd=("monetary", "sum"))
    summary["customer_share"] = summary["customers"] / summary["customers"].sum()
    summary["revenue_share"] = summary["revenue_usd"] / summary["revenue_usd"].sum()
    return summary.sort_values("revenue_usd", ascending=False)
