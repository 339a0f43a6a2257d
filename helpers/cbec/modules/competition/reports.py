"""One store's season as the reports a marketplace seller downloads, as pandas DataFrames.

:func:`store_reports` returns, keyed by name, one row per week, product and market
(``account_health``: one row per week):

- ``business_report`` -- sessions, units ordered, unit session percentage, ordered
  product sales, the price set and paid, deal flag, organic rank, competitors' price;
- ``advertising_report`` -- bid, cost per click, budget, clicks, spend, ad units and ad
  sales, ACoS (spend / ad sales) and ad conversion;
- ``inventory_report`` -- stock at the start, arrivals, units sold, stock at the end,
  inbound shipped, in transit, lost sales (demand not served) and a stock-out flag;
- ``account_health`` -- orders and defective orders in the week and the window, the
  order defect rate against its limit, pass/fail and the fine;
- ``profit_and_loss`` -- every money line of the week, returns and line profit.

The tables share the keys ``week, round_start, event, product, market``, so they merge;
the course's analytics (ACoS, contribution, account health) apply to them as they are.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from cbec.modules.competition.market import MarketFacts

KEYS = ("week", "round_start", "event", "product", "market")
REPORTS = {
    "business_report": ("sessions", "units", "price", "deal", "price_paid", "organic_rank", "competitor_price"),
    "advertising_report": ("bid", "cpc", "ad_budget", "clicks", "ad_spend", "ad_units"),
    "inventory_report": ("on_hand_start", "arrivals", "units", "on_hand_end", "inbound", "in_transit",
                         "lost_units"),
    "profit_and_loss": ("units", "returns", "price_paid", "referral_fee_per_unit", "revenue", "refunds",
                        "referral_fees", "fulfilment_fees", "cost_of_goods", "ad_spend", "storage_fees",
                        "deal_fees", "write_down", "profit"),
}
COUNTS = ("sessions", "units", "clicks", "ad_units", "on_hand_start", "arrivals", "on_hand_end", "inbound",
          "in_transit", "lost_units", "returns", "organic_rank")
RENAME = {"units": "units_ordered", "price_paid": "price_paid", "ad_budget": "budget"}


def _keys(facts: MarketFacts, weeks: int) -> pd.DataFrame:
    P, M = len(facts.products), len(facts.markets)
    week = np.repeat(np.arange(weeks), P * M)
    return pd.DataFrame({
        "week": week, "round_start": facts.round_starts[week], "event": np.asarray(facts.events, dtype=object)[week],
        "product": np.tile(np.repeat(np.asarray(facts.products, dtype=object), M), weeks),
        "market": np.tile(np.asarray(facts.markets, dtype=object), weeks * P)})


def _table(facts: MarketFacts, lines: Mapping[str, np.ndarray], columns) -> pd.DataFrame:
    weeks = lines["units"].shape[0]
    frame = _keys(facts, weeks)
    for name in columns:
        values = np.asarray(lines[name]).reshape(-1)
        if name in COUNTS:
            values = values.astype(np.int64)
        elif name == "deal":
            values = values.astype(bool)
        frame[RENAME.get(name, name)] = values
    return frame


def store_reports(facts: MarketFacts, lines: Mapping[str, np.ndarray],
                  store: Mapping[str, np.ndarray]) -> dict[str, pd.DataFrame]:
    """The reports of one store from its arrays (week, product, market) and (week,)."""
    for name, array in lines.items():
        if np.ndim(array) != 3:
            raise ValueError(f"lines[{name!r}] has {np.ndim(array)} dimensions; pass one store's arrays "
                             "(week, product, market), e.g. result.reports(store=3).")
    out = {name: _table(facts, lines, columns) for name, columns in REPORTS.items()}
    business = out["business_report"]
    with np.errstate(divide="ignore", invalid="ignore"):
        business.insert(business.columns.get_loc("units_ordered") + 1, "unit_session_percentage",
                        business["units_ordered"] / business["sessions"].where(business["sessions"] > 0))
    business.insert(business.columns.get_loc("units_ordered") + 2, "ordered_product_sales",
                    np.round(lines["revenue"].reshape(-1), 2))
    ads = out["advertising_report"].rename(columns={"ad_spend": "spend"})
    ads["ad_sales"] = np.round(ads["ad_units"] * out["business_report"]["price_paid"], 2)
    ads["acos"] = ads["spend"] / ads["ad_sales"].where(ads["ad_sales"] > 0)
    ads["ad_conversion"] = ads["ad_units"] / ads["clicks"].where(ads["clicks"] > 0)
    out["advertising_report"] = ads
    inventory = out["inventory_report"].rename(columns={"units_ordered": "units_sold", "inbound": "inbound_shipped"})
    inventory["stocked_out"] = inventory["lost_units"] > 0
    out["inventory_report"] = inventory
    out["profit_and_loss"] = out["profit_and_loss"].rename(columns={"units_ordered": "units_sold"})
    weeks = lines["units"].shape[0]
    out["account_health"] = pd.DataFrame({
        "week": np.arange(weeks), "round_start": facts.round_starts[:weeks],
        "event": list(facts.events[:weeks]),
        "orders": store["orders"].astype(np.int64), "defective_orders": store["defective_orders"].astype(np.int64),
        "window_orders": store["window_orders"].astype(np.int64),
        "window_defects": store["window_defects"].astype(np.int64),
        "order_defect_rate": store["order_defect_rate"], "limit": facts.defect_limit,
        "status": np.where(store["window_orders"] == 0, "no orders",
                           np.where(store["health_failed"].astype(bool), "fail", "pass")),
        "fine": store["fine"], "store_profit": store["store_profit"]})
    return out
