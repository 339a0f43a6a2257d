"""Inventory: safety stock, reorder point, economic order quantity, seasonal indices."""

from __future__ import annotations

import math

import pandas as pd
from scipy.stats import norm

from cbec.data.columns import require_columns, require_fraction


def safety_stock(service_level: float, sigma_d: float, lead_time: float,
                 sigma_lead_time: float = 0.0, mean_demand: float = 0.0) -> float:
    r"""$z\,\sigma_{LTD}$ with $\sigma_{LTD} = \sqrt{L\sigma_d^2 + \bar d^2 \sigma_L^2}$ and $z = \Phi^{-1}$(service level)."""
    require_fraction(service_level, "service_level")
    if sigma_d < 0 or lead_time <= 0 or sigma_lead_time < 0:
        raise ValueError("sigma_d and sigma_lead_time must be >= 0 and lead_time > 0.")
    return float(norm.ppf(service_level) * math.sqrt(lead_time * sigma_d**2 + mean_demand**2 * sigma_lead_time**2))


def reorder_point(mean_demand: float, lead_time: float, safety: float) -> float:
    r"""$ROP = \bar d L + SS$."""
    return float(mean_demand * lead_time + safety)


def eoq(annual_demand: float, order_cost: float, holding_cost: float) -> float:
    r"""Economic order quantity $\sqrt{2DS/H}$."""
    if annual_demand < 0 or order_cost <= 0 or holding_cost <= 0:
        raise ValueError("annual_demand must be >= 0, order_cost and holding_cost > 0.")
    return math.sqrt(2 * annual_demand * order_cost / holding_cost)


def daily_demand(order_lines: pd.DataFrame, orders: pd.DataFrame, product_id: str,
                 calendar: pd.DatetimeIndex | None = None) -> pd.Series:
    """Units of ``product_id`` sold per day, with zero on days without sales."""
    require_columns(order_lines, ["order_id", "product_id", "quantity"], "order_lines")
    require_columns(orders, ["order_id", "order_date"], "orders")
    lines = order_lines[order_lines["product_id"] == product_id].merge(orders[["order_id", "order_date"]], on="order_id")
    if calendar is None:
        calendar = pd.date_range(orders["order_date"].min(), orders["order_date"].max(), freq="D")
    return lines.groupby("order_date")["quantity"].sum().reindex(calendar, fill_value=0).rename("units")


def seasonal_indices(series: pd.Series, freq: str = "M") -> pd.Series:
    """Mean demand per period divided by the overall mean (1.0 = an average period)."""
    period_mean = series.groupby(series.index.to_period(freq)).mean()
    return (period_mean / series.mean()).rename("seasonal_index")
