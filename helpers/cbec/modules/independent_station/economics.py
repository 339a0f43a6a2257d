"""Customer economics of an own store: contribution per order, CAC by channel, margin LTV,
LTV:CAC and payback months.

Definitions (the domain notes'):

- **contribution** of an order = revenue + shipping charged - product cost - fulfilment
  cost - payment fee. A refunded order returns its revenue and its goods (so neither counts)
  but not the fulfilment cost or the payment fee, which the store has paid.
- **CAC** of a channel = its acquisition spend / the **new** customers it brought, a new
  customer being one whose first order came through a session of that channel (last click
  on the first order). Dividing by every buyer, returning ones included, flatters a channel.
- **margin LTV** over a horizon = the first order's contribution + the expected
  contribution of later orders in the horizon, from BG/NBD (how many) and Gamma-Gamma (how
  much, fitted on contribution per order, not revenue) of :mod:`cbec.customer_value`.
- **LTV:CAC** = LTV / CAC (3:1 is the usual target; below 1 destroys value), and
  **payback months** = CAC / monthly contribution, the monthly contribution being the
  horizon's LTV spread over its months.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbec import customer_value
from cbec.data.columns import require_columns
from cbec.modules.independent_station.schemas import CHANNELS, PAID_CHANNELS

#: LTV:CAC targets: the usual goal, and the line below which acquisition destroys value.
LTV_CAC_TARGET = 3.0
LTV_CAC_FLOOR = 1.0
ORDER_COLUMNS = ("order_id", "session_id", "customer_id", "ordered_at", "revenue_usd", "shipping_charged_usd",
                 "product_cost_usd", "fulfilment_cost_usd", "payment_fee_usd", "refunded")


def order_contribution(orders: pd.DataFrame) -> pd.Series:
    """Contribution of each order in USD (index as ``orders``); see the module docstring for refunds."""
    require_columns(orders, ORDER_COLUMNS, "the orders table")
    kept = ~orders["refunded"].to_numpy(bool)
    sales = (orders["revenue_usd"] + orders["shipping_charged_usd"] - orders["product_cost_usd"]).where(kept, 0.0)
    return (sales - orders["fulfilment_cost_usd"] - orders["payment_fee_usd"]).rename("contribution_usd")


def first_orders(orders: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    """One row per customer: the first order's id, time, revenue, contribution and ``channel``
    (the channel of the session that placed it; ``sessions`` needs a ``channel`` column, e.g.
    from ``utm.channel_of``)."""
    require_columns(sessions, ("session_id", "channel"), "the sessions table with its channel")
    table = orders.assign(contribution_usd=order_contribution(orders))
    table = table.sort_values(["ordered_at", "order_id"], kind="stable").drop_duplicates("customer_id")
    table = table.merge(sessions[["session_id", "channel"]], on="session_id", how="left", validate="many_to_one")
    if table["channel"].isna().any():
        missing = table.loc[table["channel"].isna(), "session_id"].head(5).tolist()
        raise ValueError(f"{int(table['channel'].isna().sum())} first orders have no session with a channel "
                         f"(session ids {missing}); pass the sessions table of the same store.")
    return table[["customer_id", "order_id", "session_id", "ordered_at", "revenue_usd", "contribution_usd",
                  "channel"]].reset_index(drop=True)


def acquisition_spend(ad_spend: pd.DataFrame, email_campaigns: pd.DataFrame | None = None) -> pd.Series:
    """Spend per channel in USD: paid channels from ``ad_spend``, email from the sends' cost; 0 elsewhere."""
    require_columns(ad_spend, ("channel", "spend_usd"), "the ad spend table")
    spend = ad_spend.groupby("channel", observed=True)["spend_usd"].sum()
    spend = spend.reindex(list(CHANNELS), fill_value=0.0)
    if email_campaigns is not None:
        require_columns(email_campaigns, ("cost_usd",), "the email campaigns table")
        spend["email"] += float(email_campaigns["cost_usd"].sum())
    return spend.rename("spend_usd").rename_axis("channel")


def cac_by_channel(orders: pd.DataFrame, sessions: pd.DataFrame, ad_spend: pd.DataFrame,
                   email_campaigns: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per channel: spend, new customers, CAC (NaN where nothing was spent or nobody acquired), and a
    ``total`` row: the blended CAC over all new customers."""
    new = first_orders(orders, sessions)["channel"].value_counts().reindex(list(CHANNELS), fill_value=0)
    spend = acquisition_spend(ad_spend, email_campaigns)
    table = pd.DataFrame({"spend_usd": spend, "new_customers": new.astype("int64")})
    table.loc["total"] = [table["spend_usd"].sum(), table["new_customers"].sum()]
    table["new_customers"] = table["new_customers"].astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        table["cac_usd"] = np.where((table["spend_usd"] > 0) & (table["new_customers"] > 0),
                                    table["spend_usd"] / table["new_customers"], np.nan)
    table["paid"] = [channel in PAID_CHANNELS or channel == "email" for channel in table.index]
    return table.rename_axis("channel")


def margin_ltv(orders: pd.DataFrame, *, calibration_end=None, months: int = 12, discount_rate: float = 0.01,
               amount: str = "contribution") -> pd.DataFrame:
    """Per customer: first-order value, expected value of later orders over ``months``, and ``ltv_usd``.

    ``amount="contribution"`` (the default) values orders by their contribution (margin LTV);
    ``"revenue"`` by revenue, which overstates what a customer is worth to the store. The BG/NBD
    and Gamma-Gamma models are fitted on every customer's orders up to ``calibration_end``
    (the last order by default), in weeks. When the BG/NBD fit does not converge, it is refitted
    with a small penalty (``PENALIZERS``); ``attrs["penalizer"]`` says which was used.
    """
    if amount not in ("contribution", "revenue"):
        raise ValueError(f"amount is 'contribution' or 'revenue', got {amount!r}.")
    values = order_contribution(orders) if amount == "contribution" else orders["revenue_usd"].where(
        ~orders["refunded"].to_numpy(bool), 0.0)
    transactions = pd.DataFrame({"customer_id": orders["customer_id"], "date": orders["ordered_at"].dt.normalize(),
                                 "amount": values.to_numpy(float)})
    # one transaction per customer-day, as the models count purchase days
    transactions = transactions.groupby(["customer_id", "date"], as_index=False)["amount"].sum()
    end = pd.Timestamp(calibration_end) if calibration_end is not None else transactions["date"].max()
    summary = customer_value.rfm_summary(transactions, end)
    # Gamma-Gamma needs positive amounts: repeat buyers whose mean contribution is not positive get 0
    bgf, penalizer = _fit_purchase_model(summary)
    ggf = customer_value.fit_gamma_gamma(summary)
    spend_summary = summary.assign(monetary_value=summary["monetary_value"].clip(lower=0))
    future = customer_value.customer_lifetime_value(bgf, ggf, spend_summary, months=months,
                                                    discount_rate=discount_rate)
    first = transactions.sort_values("date").drop_duplicates("customer_id").set_index("customer_id")["amount"]
    table = pd.DataFrame({"first_order_usd": first.reindex(summary.index),
                          "future_usd": future.reindex(summary.index).to_numpy()}, index=summary.index)
    table["ltv_usd"] = table["first_order_usd"] + table["future_usd"]
    table.attrs.update(bgnbd=dict(bgf.params_), gamma_gamma=dict(ggf.params_), months=months, amount=amount,
                       penalizer=penalizer)
    return table


#: Penalties tried in turn when the BG/NBD likelihood does not converge (short histories often
#: leave the dropout parameters unidentified); a small one shrinks a and b, not the purchase rate.
PENALIZERS = (0.0, 0.001, 0.01)


def _fit_purchase_model(summary: pd.DataFrame):
    from lifetimes.utils import ConvergenceError

    for penalizer in PENALIZERS:
        try:
            return customer_value.fit_bgnbd(summary, penalizer=penalizer), penalizer
        except ConvergenceError:
            continue
    raise ValueError(f"the BG/NBD model did not converge even with penalizer {PENALIZERS[-1]}; the order history "
                     "is too short or too sparse (use a longer calibration period or more customers).")


def customer_economics(orders: pd.DataFrame, sessions: pd.DataFrame, ad_spend: pd.DataFrame,
                       email_campaigns: pd.DataFrame | None = None, *, months: int = 12,
                       ltv: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per acquisition channel: new customers, CAC, mean margin LTV, LTV:CAC, payback months and
    whether it pays back within ``months``; a ``total`` row for the blended figures."""
    ltv = margin_ltv(orders, months=months) if ltv is None else ltv
    first = first_orders(orders, sessions).merge(ltv["ltv_usd"], left_on="customer_id", right_index=True,
                                                 how="left")
    table = cac_by_channel(orders, sessions, ad_spend, email_campaigns)
    mean_ltv = first.groupby("channel", observed=True)["ltv_usd"].mean().reindex(list(CHANNELS))
    table["ltv_usd"] = pd.concat([mean_ltv, pd.Series({"total": first["ltv_usd"].mean()})])
    table["ltv_to_cac"] = table["ltv_usd"] / table["cac_usd"]
    table["payback_months"] = table["cac_usd"] / (table["ltv_usd"] / months)
    table["pays_back_within_horizon"] = table["payback_months"] <= months
    table["verdict"] = np.select(
        [table["cac_usd"].isna(), table["ltv_to_cac"] < LTV_CAC_FLOOR, table["ltv_to_cac"] < LTV_CAC_TARGET],
        ["no spend", "destroys value", "below target"], "on target")
    return table


# -- CAC recalibrated by a lift test ------------------------------------------------------------

def incremental_customers(new_customers, relative_lift):
    """New customers a channel caused, out of ``new_customers`` who arrived while it ran: ``N * lift / (1 + lift)``.

    A relative lift ``L`` (conversions with the channel over conversions without it, minus one)
    means a share ``1 - 1 / (1 + L)`` of the conversions would not have happened without the
    channel. Arrays are taken elementwise; a lift at or below -1 is refused.
    """
    lift = np.asarray(relative_lift, dtype=float)
    customers = np.asarray(new_customers, dtype=float)
    if np.isnan(lift).any() or (lift <= -1).any():
        raise ValueError("relative_lift is conversions with the channel / without it - 1, so above -1; "
                         f"got {relative_lift!r}.")
    if np.isnan(customers).any() or (customers < 0).any():
        raise ValueError(f"new_customers is a count >= 0, got {new_customers!r}.")
    result = customers * lift / (1 + lift)
    return float(result) if result.ndim == 0 else result


def incremental_cac(spend_usd, customers):
    """Spend over the customers a channel caused: infinite where it caused none (or, per its interval, fewer)."""
    spend = np.asarray(spend_usd, dtype=float)
    customers = np.asarray(customers, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(customers > 0, spend / np.where(customers > 0, customers, 1.0), np.inf)
    return float(result) if result.ndim == 0 else result


def lift_calibrated_cac(economics: pd.DataFrame, result, *, true_incremental: float | None = None,
                        months: int = 12) -> pd.DataFrame:
    """The tested channel's CAC with its new customers counted by last click and by the lift test.

    ``economics`` is a table of :func:`cac_by_channel` or :func:`customer_economics` (with its
    ``total`` row); ``result`` a :class:`~.lift.LiftResult` of the channel. Rows:
    ``last click`` (the table's own count), ``lift test`` (all new customers of the period x
    ``lift / (1 + lift)``, with the test's interval) and, given ``true_incremental`` (e.g.
    ``truth.incremental[channel]``), ``truth``. Columns: ``customers`` with ``customers_low``
    and ``customers_high``, ``cac_usd`` with its bounds and, when the table has ``ltv_usd``,
    ``ltv_to_cac`` and ``payback_months`` (the channel's mean LTV over ``months`` months).
    Assumes the lift measured in the test weeks holds over the table's period.
    """
    require_columns(economics, ("spend_usd", "new_customers"), "the CAC table (cac_by_channel or customer_economics)")
    channel = str(result.channel)
    if channel not in economics.index or "total" not in economics.index:
        raise ValueError(f"the CAC table needs a row for the tested channel {channel!r} and its 'total' row; pass "
                         "the table of cac_by_channel or customer_economics.")
    spend = float(economics.loc[channel, "spend_usd"])
    if not spend > 0:
        raise ValueError(f"the table has no spend on {channel}, so it has no CAC to recalibrate.")
    total = float(economics.loc["total", "new_customers"])
    last_click = float(economics.loc[channel, "new_customers"])
    lifts = [result.relative_lift, result.relative_lift_low, result.relative_lift_high]
    rows = {"last click": [last_click] * 3, "lift test": list(incremental_customers(total, lifts))}
    if true_incremental is not None:
        rows["truth"] = [float(true_incremental)] * 3
    table = pd.DataFrame(rows, index=["customers", "customers_low", "customers_high"]).T.rename_axis("counted by")
    table["cac_usd"] = incremental_cac(spend, table["customers"])
    table["cac_low"] = incremental_cac(spend, table["customers_high"])
    table["cac_high"] = incremental_cac(spend, table["customers_low"])
    if "ltv_usd" in economics.columns:
        ltv = float(economics.loc[channel, "ltv_usd"])
        table["ltv_to_cac"] = ltv / table["cac_usd"]
        table["payback_months"] = table["cac_usd"] / (ltv / months)
    table.attrs.update(channel=channel, spend_usd=spend, new_customers=total)
    return table
