"""The store simulator: deterministic, coherent, and in realistic ranges."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from cbec.modules.data_operation.schemas import SCHEMAS
from cbec.modules.data_operation.store import StoreConfig, simulate_store
from cbec.world.calendar import black_friday, events, prime_day


@pytest.fixture(scope="module")
def store():
    return simulate_store(seed=11, start="2024-01-01", days=366, base_daily_sessions=1500)


def test_same_seed_same_tables_and_different_seed_different_tables():
    a, b = simulate_store(seed=5, days=40), simulate_store(seed=5, days=40)
    for name in a.TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    c = simulate_store(seed=6, days=40)
    assert not a.orders["gmv_usd"].equals(c.orders["gmv_usd"])


def test_every_table_matches_its_schema(store):
    for name, frame in store.tables().items():
        SCHEMAS[name].validate(frame)


def test_orders_are_exactly_the_funnel_orders(store):
    counted = store.orders.groupby(["order_date", "market", "traffic_source"]).size()
    funnel = store.sessions.set_index(["date", "market", "traffic_source"])["orders"]
    funnel = funnel[funnel > 0]
    counted.index.names = funnel.index.names
    pd.testing.assert_series_equal(counted.sort_index(), funnel.sort_index(), check_names=False)


def test_funnel_never_grows(store):
    s = store.sessions
    stages = ["sessions", "product_views", "add_to_cart", "checkouts", "orders"]
    for upper, lower in zip(stages, stages[1:]):
        assert (s[upper] >= s[lower]).all(), f"{lower} exceeds {upper}"


def test_order_totals_are_the_sums_of_their_lines(store):
    lines = store.order_lines.groupby("order_id")[["quantity", "line_total_local"]].sum()
    orders = store.orders.set_index("order_id")
    assert (lines["quantity"].reindex(orders.index) == orders["units"]).all()
    np.testing.assert_allclose(lines["line_total_local"].reindex(orders.index), orders["gmv_local"], atol=0.011)
    np.testing.assert_allclose(orders["gmv_usd"], orders["gmv_local"] * orders["fx_rate_to_usd"], atol=0.011)
    assert store.order_lines["order_id"].isin(orders.index).all()
    assert (store.order_lines["line_total_local"] >= 0).all()


def test_customers_are_consistent_with_their_orders(store):
    first = store.orders.sort_values("order_id").groupby("customer_id").first()
    customers = store.customers.set_index("customer_id")
    assert set(store.orders["customer_id"]) == set(customers.index)
    assert (first["order_date"].reindex(customers.index) == customers["first_order_date"]).all()
    assert (first["market"].reindex(customers.index) == customers["market"]).all()
    markets = store.orders.groupby("customer_id")["market"].nunique()
    assert (markets == 1).all(), "returning customers buy in the market of their first order"


def test_returns_never_exceed_what_was_bought(store):
    bought = store.order_lines[["order_id", "line_number", "quantity", "line_total_local", "product_id"]]
    r = store.returns.merge(bought, on=["order_id", "line_number"], how="left", suffixes=("", "_bought"))
    assert (r["product_id"] == r["product_id_bought"]).all()
    assert r["quantity_bought"].notna().all()
    assert (r["quantity"] <= r["quantity_bought"]).all()
    assert (r["refund_local"] <= r["line_total_local"] + 1e-9).all()
    order_dates = store.orders.set_index("order_id")["order_date"].reindex(r["order_id"]).to_numpy()
    assert (r["return_date"].to_numpy() > order_dates).all()


def test_rates_are_in_published_ranges(store):
    o = store.orders
    conversion = len(o) / store.sessions["sessions"].sum()
    assert 0.01 <= conversion <= 0.03, conversion  # own-store conversion 1-3%
    repeat = (o["customer_id"].value_counts() >= 2).mean()
    assert 0.15 <= repeat <= 0.40, repeat  # about 28% (21-36%)
    lines = store.order_lines.merge(store.products[["product_id", "category"]], on="product_id")
    returned = store.returns.merge(store.products[["product_id", "category"]], on="product_id")
    rate = returned.groupby("category")["quantity"].sum() / lines.groupby("category")["quantity"].sum()
    overall = store.returns["quantity"].sum() / store.order_lines["quantity"].sum()
    assert 0.12 <= overall <= 0.35, overall
    assert rate.idxmax() == "apparel" and 0.25 <= rate["apparel"] <= 0.45
    spend = store.marketing_spend
    ctr = spend["clicks"].sum() / spend["impressions"].sum()
    assert 0.002 <= ctr <= 0.02 and (store.orders["fx_rate_to_usd"] > 0).all()


def test_shopping_events_are_busier_than_the_weeks_around_them(store):
    daily = store.sessions.groupby("date")["sessions"].sum()
    for day in (black_friday(2024), pd.Timestamp("2024-11-11"), prime_day(2024)):
        around = daily[(daily.index >= day - pd.Timedelta(days=21)) & (daily.index <= day - pd.Timedelta(days=7))]
        assert daily[day] > 1.5 * around.mean(), day


def test_calendar_knows_the_events():
    assert black_friday(2024) == pd.Timestamp("2024-11-29")
    assert black_friday(2025) == pd.Timestamp("2025-11-28")
    labels = events(pd.date_range("2024-11-10", "2024-12-02"))
    assert labels[pd.Timestamp("2024-11-11")] == "singles_day"
    assert labels[pd.Timestamp("2024-12-02")] == "cyber_monday"


@pytest.mark.parametrize("field, value, message", [
    ("days", 0, "days"), ("market_weights", {"XX": 1.0}, "known markets"),
    ("repeat_propensity", 1.2, "repeat_propensity"), ("funnel_leak", "cart", "funnel_leak"),
    ("start", "not a date", "start"), ("conversion_multiplier", 0, "conversion_multiplier"),
])
def test_bad_configuration_names_the_field(field, value, message):
    with pytest.raises(ValueError, match=message):
        StoreConfig(**{field: value})


def test_configs_are_hashable_and_equal_by_value():
    a, b = StoreConfig(seed=1, market_weights={"US": 1.0}), StoreConfig(seed=1, market_weights={"US": 1.0})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert hash(a) != hash(StoreConfig(seed=2, market_weights={"US": 1.0}))


def test_variants_with_dataclasses_replace():
    base = StoreConfig(days=30, seed=1)
    richer = dataclasses.replace(base, price_multiplier=1.5)
    a, b = simulate_store(base), simulate_store(richer)
    assert b.order_lines["unit_price_local"].mean() > 1.3 * a.order_lines["unit_price_local"].mean()
