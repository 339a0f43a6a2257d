"""Seller account health: the performance rates a marketplace watches, as of a date.

The targets are data (:data:`HEALTH_TARGETS`), written once:

=========================  ======  ===========  ======================================
metric                     window  target       counted over
=========================  ======  ===========  ======================================
order_defect_rate          60 d    below 1%     orders placed in the window
cancellation_rate          7 d     below 2.5%   orders placed in the window
late_shipment_rate_10d     10 d    below 4%     non-cancelled orders due in the window
late_shipment_rate_30d     30 d    below 4%     non-cancelled orders due in the window
valid_tracking_rate        30 d    above 95%    orders shipped in the window
=========================  ======  ===========  ======================================

An order is *defective* if it has negative feedback, an A-to-z guarantee claim or a
chargeback (counted once however many it has). An order is *late* if it was shipped
after its ship-by date, or is still unshipped after it. A window of ``n`` days ends on
the as-of date and includes it.

Rates come with Wilson intervals, because a small shop's 7-day window may hold only a
few dozen orders: a rate of 3% out of 40 orders says little about the next 40.

The orders table needs ``order_id, order_date, ship_by_date, shipped_date, cancelled,
negative_feedback, a_to_z_claim, chargeback, valid_tracking`` (as made by
``simulate_account``); ``shipped_date`` is empty for unshipped orders.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

ORDER_COLUMNS = ("order_id", "order_date", "ship_by_date", "shipped_date", "cancelled", "negative_feedback",
                 "a_to_z_claim", "chargeback", "valid_tracking")
DEFECT_FLAGS = ("a_to_z_claim", "chargeback", "negative_feedback")


@dataclass(frozen=True)
class HealthTarget:
    """One account-health target: the rate, its rolling window and its limit."""

    metric: str
    window_days: int
    limit: float
    better: str          # "below" or "above" the limit
    date_column: str     # the date that puts an order into the window
    meaning: str


HEALTH_TARGETS = (
    HealthTarget("order_defect_rate", 60, 0.01, "below", "order_date",
                 "orders with negative feedback, an A-to-z claim or a chargeback / orders"),
    HealthTarget("cancellation_rate", 7, 0.025, "below", "order_date",
                 "orders cancelled by the seller before shipping / orders"),
    HealthTarget("late_shipment_rate_10d", 10, 0.04, "below", "ship_by_date",
                 "orders shipped after the ship-by date (or not yet shipped) / orders due"),
    HealthTarget("late_shipment_rate_30d", 30, 0.04, "below", "ship_by_date",
                 "orders shipped after the ship-by date (or not yet shipped) / orders due"),
    HealthTarget("valid_tracking_rate", 30, 0.95, "above", "shipped_date",
                 "shipped orders with a valid tracking number / shipped orders"),
)

#: What to do about one problem order, and how much it weighs among the issues of its metric.
ISSUE_ACTIONS = {
    "a_to_z_claim": (3, "respond to the claim within 72 hours: refund or show proof of delivery"),
    "chargeback": (3, "answer the chargeback with the invoice and proof of delivery"),
    "negative_feedback": (2, "contact the buyer to solve the problem; ask for removal only if it is fixed"),
    "cancelled": (1, "fix the stock feed so out-of-stock offers stop selling"),
    "late_shipment": (1, "confirm shipment on time; lengthen handling time if the warehouse cannot keep up"),
    "missing_tracking": (1, "add the carrier's tracking number to the shipment confirmation"),
}


def _check_orders(orders: pd.DataFrame) -> None:
    missing = [c for c in ORDER_COLUMNS if c not in orders]
    if missing:
        raise KeyError(f"the orders table lacks column(s) {missing}; it needs {list(ORDER_COLUMNS)} "
                       "(see simulate_account(...).orders).")


def _in_window(dates: pd.Series, as_of: pd.Timestamp, days: int) -> np.ndarray:
    dates = pd.to_datetime(dates)
    return ((dates > as_of - pd.Timedelta(days=days)) & (dates <= as_of)).to_numpy()


def _flag(orders: pd.DataFrame, column: str) -> np.ndarray:
    return orders[column].fillna(False).to_numpy(dtype=bool)


def _problems(orders: pd.DataFrame, target: HealthTarget, as_of: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
    """(denominator, bad) masks over the orders for one target; "bad" counts against it."""
    window = _in_window(orders[target.date_column], as_of, target.window_days)
    cancelled = _flag(orders, "cancelled")
    if target.metric == "order_defect_rate":
        return window, window & np.logical_or.reduce([_flag(orders, c) for c in DEFECT_FLAGS])
    if target.metric == "cancellation_rate":
        return window, window & cancelled
    if target.metric.startswith("late_shipment_rate"):
        shipped = pd.to_datetime(orders["shipped_date"])
        # shipped after the as-of date = not shipped yet as far as the report knows
        late = (shipped.isna() | (shipped > as_of) | (shipped > pd.to_datetime(orders["ship_by_date"]))).to_numpy()
        due = window & ~cancelled
        return due, due & late
    if target.metric == "valid_tracking_rate":
        shipped = window & ~cancelled
        return shipped, shipped & ~_flag(orders, "valid_tracking")
    raise ValueError(f"no counting rule for metric {target.metric!r}; use one of "
                     f"{sorted({t.metric for t in HEALTH_TARGETS})} (with your own window and limit).")


def account_health(orders: pd.DataFrame, as_of, targets=HEALTH_TARGETS, *, alpha: float = 0.05) -> pd.DataFrame:
    """Each target's rate over its window ending ``as_of``, with a Wilson interval and a verdict.

    ``status`` is "pass" or "fail" on the rate itself (what the marketplace does), or
    "no orders". ``clear`` says whether the whole interval is on the same side of the
    limit, i.e. whether the verdict would likely survive more orders.
    """
    _check_orders(orders)
    as_of = pd.Timestamp(as_of).normalize()
    rows = []
    for target in targets:
        denominator, bad = _problems(orders, target, as_of)
        n, k_bad = int(denominator.sum()), int(bad.sum())
        k = n - k_bad if target.better == "above" else k_bad
        if n:
            low, high = proportion_confint(k, n, alpha=alpha, method="wilson")
            rate = k / n
            passes = rate < target.limit if target.better == "below" else rate > target.limit
            clear = (high < target.limit or low >= target.limit) if target.better == "below" else \
                (low > target.limit or high <= target.limit)
            status = "pass" if passes else "fail"
        else:
            low = high = rate = np.nan
            status, clear = "no orders", False
        rows.append({"metric": target.metric, "window_days": target.window_days,
                     "window_start": as_of - pd.Timedelta(days=target.window_days - 1), "window_end": as_of,
                     "count": k, "orders": n, "rate": rate, "ci_low": float(low), "ci_high": float(high),
                     "limit": target.limit, "better": target.better, "status": status, "clear": bool(clear)})
    return pd.DataFrame(rows)


def health_over_time(orders: pd.DataFrame, as_of_dates, targets=HEALTH_TARGETS, *,
                     alpha: float = 0.05) -> pd.DataFrame:
    """:func:`account_health` on each date of ``as_of_dates``, stacked with an ``as_of`` column.

    Each row is what the account-health page would have shown on that day, so a line per
    metric shows its rolling window moving through the year.
    """
    _check_orders(orders)
    tables = [account_health(orders, day, targets, alpha=alpha).assign(as_of=pd.Timestamp(day).normalize())
              for day in as_of_dates]
    if not tables:
        raise ValueError("as_of_dates is empty; pass e.g. pd.date_range(start, end, freq='W').")
    return pd.concat(tables, ignore_index=True)


def with_window(targets, days: int):
    """The same targets counted over a ``days``-day window (e.g. a whole year, to estimate a true rate).

    Targets that differ only by their window (late shipment over 10 and 30 days) collapse
    into the first of them.
    """
    if not isinstance(days, (int, np.integer)) or days < 1:
        raise ValueError("days is a whole number of days >= 1, e.g. 300.")
    widened, seen = [], set()
    for target in targets:
        key = (target.date_column, target.meaning, target.limit, target.better)
        if key not in seen:
            seen.add(key)
            widened.append(replace(target, window_days=int(days)))
    return tuple(widened)


def issues_to_fix(orders: pd.DataFrame, as_of, targets=HEALTH_TARGETS) -> pd.DataFrame:
    """The problem orders inside each target's window, ranked by what to fix first.

    Ranking: failing metrics first, then metrics furthest past their limit (rate / limit,
    or shortfall / allowed shortfall for a rate that must stay above), then the weightier
    issue (claims and chargebacks before feedback), then the order that stays longest in
    the window (fixing it helps for more days).
    """
    _check_orders(orders)
    as_of = pd.Timestamp(as_of).normalize()
    health = account_health(orders, as_of, targets).set_index("metric")
    pieces = []
    for target in targets:
        _, bad = _problems(orders, target, as_of)
        if not bad.any():
            continue
        chosen = orders.loc[bad]
        if target.metric == "order_defect_rate":
            issue_columns = list(DEFECT_FLAGS)
        else:
            issue_columns = [{"cancellation_rate": "cancelled", "valid_tracking_rate": "missing_tracking"}
                             .get(target.metric, "late_shipment")]
        for issue in issue_columns:
            rows = chosen[_flag(chosen, issue)] if issue in DEFECT_FLAGS else chosen
            if rows.empty:
                continue
            row = health.loc[target.metric]
            pressure = (row["rate"] / target.limit if target.better == "below"
                        else (1 - row["rate"]) / (1 - target.limit))
            age = (as_of - pd.to_datetime(rows[target.date_column])).dt.days.to_numpy()
            weight, action = ISSUE_ACTIONS[issue]
            pieces.append(pd.DataFrame({
                "order_id": rows["order_id"].to_numpy(), "issue": issue, "metric": target.metric,
                "metric_status": row["status"], "metric_rate": row["rate"], "limit": target.limit,
                "pressure": pressure, "weight": weight, "days_left_in_window": target.window_days - age,
                "action": action}))
    if not pieces:
        return pd.DataFrame(columns=["rank", "order_id", "issue", "metric", "metric_status", "metric_rate",
                                     "limit", "pressure", "weight", "days_left_in_window", "action"])
    issues = pd.concat(pieces, ignore_index=True)
    issues["failing"] = issues["metric_status"] == "fail"
    issues = issues.sort_values(["failing", "pressure", "weight", "days_left_in_window", "order_id"],
                                ascending=[False, False, False, False, True], kind="stable")
    issues = issues.drop(columns="failing").reset_index(drop=True)
    issues.insert(0, "rank", np.arange(1, len(issues) + 1))
    return issues
