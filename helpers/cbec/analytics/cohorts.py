"""Cohort retention: of the customers who first bought in a period, who buys again k periods later?"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbec.analytics._validate import require_columns, require_datetime


def _customer_periods(orders: pd.DataFrame, customer_col: str, date_col: str, freq: str) -> pd.DataFrame:
    """Each order's customer, cohort (period of the first order) and age in whole periods."""
    require_columns(orders, [customer_col, date_col], "orders")
    require_datetime(orders, date_col, "orders")
    if orders.empty:
        raise ValueError("orders is empty: there are no cohorts to build.")
    period = orders[date_col].dt.to_period(freq)
    cohort = period.groupby(orders[customer_col]).transform("min")
    # period ordinals count whole periods, so their difference is the age (0 = cohort period)
    age = pd.PeriodIndex(period).asi8 - pd.PeriodIndex(cohort).asi8
    return pd.DataFrame({"customer": orders[customer_col].to_numpy(), "cohort": cohort.to_numpy(),
                         "period": period.to_numpy(), "age": age})


def cohort_sizes(orders: pd.DataFrame, customer_col: str = "customer_id", date_col: str = "order_date",
                 freq: str = "M") -> pd.Series:
    """Number of new customers in each cohort (customers whose first order fell in the period).

    Parameters
    ----------
    orders : pandas.DataFrame
        One row per order with a customer column and a datetime column.
    customer_col, date_col : str
        Names of those columns.
    freq : str
        Pandas period alias of a cohort: ``"M"`` months, ``"W"`` weeks, ``"Q"`` quarters.

    Returns
    -------
    pandas.Series
        Customers per cohort period, named ``customers``.
    """
    frame = _customer_periods(orders, customer_col, date_col, freq)
    return frame.drop_duplicates("customer").groupby("cohort").size().rename("customers")


def cohort_retention(orders: pd.DataFrame, customer_col: str = "customer_id", date_col: str = "order_date",
                     freq: str = "M") -> pd.DataFrame:
    r"""Share of each cohort that ordered again in each period since its first order.

    .. math::

        \text{retention}_{c,k} = \frac{|\{\text{customers of cohort } c
        \text{ with an order in period } c + k\}|}{|\text{cohort } c|}

    Column 0 is 1.0 by construction (every customer orders in their first period). Cells
    after the last period in the data have not been observed yet and are NaN, not 0, so the
    matrix is a triangle.

    Parameters
    ----------
    orders, customer_col, date_col, freq
        As in :func:`cohort_sizes`.

    Returns
    -------
    pandas.DataFrame
        Rows: cohort periods; columns: periods since the first order, 0..k.
    """
    frame = _customer_periods(orders, customer_col, date_col, freq)
    active = (frame.drop_duplicates(["customer", "age"])
              .groupby(["cohort", "age"]).size().unstack(fill_value=0))
    active = active.reindex(columns=range(int(frame["age"].max()) + 1), fill_value=0)
    table = active.div(active[0], axis=0).astype(float)
    # a cohort of period c can only be observed up to the last period in the data
    last = pd.PeriodIndex(frame["period"]).asi8.max()
    observable = last - pd.PeriodIndex(table.index).asi8
    table = table.where(np.arange(table.shape[1])[None, :] <= observable[:, None])
    table.index.name = "cohort"
    table.columns.name = "periods since first order"
    return table


def repeat_purchase_rate(orders: pd.DataFrame, customer_col: str = "customer_id") -> float:
    r"""Share of customers with two or more orders: :math:`|\{c : \text{orders}_c \ge 2\}| / |C|`."""
    require_columns(orders, [customer_col], "orders")
    if orders.empty:
        raise ValueError("orders is empty: there are no customers to count.")
    return float((orders.groupby(customer_col).size() >= 2).mean())
