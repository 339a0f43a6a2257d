"""Cohort retention: of the customers who first bought in a period, who buys k periods later?"""

from __future__ import annotations

import pandas as pd

from cbec.data.columns import require_columns


def _periods(orders, customer_col, date_col, freq):
    require_columns(orders, [customer_col, date_col], "orders")
    period = orders[date_col].dt.to_period(freq)
    cohort = period.groupby(orders[customer_col]).transform("min")
    age = (period - cohort).apply(lambda offset: offset.n)
    return pd.DataFrame({"customer": orders[customer_col], "cohort": cohort, "age": age})


def cohort_sizes(orders: pd.DataFrame, customer_col: str = "customer_id", date_col: str = "order_date",
                 freq: str = "M") -> pd.Series:
    """Number of new customers per cohort."""
    frame = _periods(orders, customer_col, date_col, freq)
    return frame.drop_duplicates("customer").groupby("cohort").size().rename("customers")


def cohort_retention(orders: pd.DataFrame, customer_col: str = "customer_id", date_col: str = "order_date",
                     freq: str = "M") -> pd.DataFrame:
    """Share of each cohort that ordered in each period since its first (column 0 is 1.0)."""
    frame = _periods(orders, customer_col, date_col, freq)
    active = frame.drop_duplicates(["customer", "age"]).groupby(["cohort", "age"]).size().unstack(fill_value=0)
    table = active.div(active[0], axis=0)
    table.columns.name = "periods since first order"
    return table
