"""The checkout funnel counts a visit at every step up to the furthest it reached, abandonment is 1 - purchases /
carts, and a store's rates are placed against the benchmarks written once with their sources."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cbec.modules.independent_station import checkout
from cbec.modules.independent_station.schemas import CHECKOUT_STEPS


def events_frame(steps_by_session):
    """checkout_events from {session_id: [steps]}, one minute apart."""
    rows = [(session, step) for session, steps in steps_by_session.items() for step in steps]
    start = pd.Timestamp("2026-03-01 10:00")
    return pd.DataFrame({"session_id": [s for s, _ in rows],
                         "step": pd.Categorical([step for _, step in rows], categories=CHECKOUT_STEPS),
                         "timestamp": [start + pd.Timedelta(minutes=i) for i in range(len(rows))]})


FULL = list(CHECKOUT_STEPS)


@pytest.fixture
def visits():
    """Eight visits. 1: views only; 2: cart; 3: checkout, leaves at shipping; 4: full checkout; 5: express checkout
    (cart, begin, purchase: no shipping or payment tag); 6: views twice; 7, 8: no checkout event at all."""
    events = events_frame({1: ["view_item"], 2: ["view_item", "add_to_cart"],
                           3: ["view_item", "add_to_cart", "begin_checkout", "add_shipping_info"], 4: FULL,
                           5: ["view_item", "add_to_cart", "begin_checkout", "purchase"],
                           6: ["view_item", "view_item"]})
    devices = ["mobile", "mobile", "desktop", "desktop", "mobile", "desktop", "mobile", "tablet"]
    sessions = pd.DataFrame({"session_id": range(1, 9),
                             "device": pd.Categorical(devices, categories=["desktop", "mobile", "tablet"])})
    return events, sessions


def test_funnel_counts_a_visit_at_every_step_it_passed(visits):
    events, _ = visits
    table = checkout.checkout_funnel(events)
    assert table["step"].tolist() == FULL and table["step_number"].tolist() == [1, 2, 3, 4, 5, 6]
    assert table["sessions"].tolist() == [6, 4, 3, 3, 2, 2]          # 5 passed shipping and payment untagged
    assert table["tagged_sessions"].tolist() == [6, 4, 3, 2, 1, 2]
    assert table["step_conversion"].tolist() == pytest.approx([1, 4 / 6, 3 / 4, 1, 2 / 3, 1])
    assert table["drop_off"].tolist() == pytest.approx([0, 2 / 6, 1 / 4, 0, 1 / 3, 0])
    assert table["dropped_sessions"].tolist() == [0, 2, 1, 0, 1, 0]
    assert table["share_of_sessions"].tolist() == pytest.approx([1, 4 / 6, 3 / 6, 3 / 6, 2 / 6, 2 / 6])
    low, high = proportion_confint([4, 3, 3, 2, 2], [6, 4, 3, 3, 2], method="wilson")
    assert table["step_low"].iloc[1:].tolist() == pytest.approx(list(low))
    assert table["step_high"].iloc[1:].tolist() == pytest.approx(list(high))


def test_funnel_over_all_sessions_starts_from_every_visit(visits):
    events, sessions = visits
    table = checkout.checkout_funnel(events, sessions, alpha=0.1)
    assert table["sessions"].iloc[0] == 6 and table["step_conversion"].iloc[0] == pytest.approx(6 / 8)
    assert table["share_of_sessions"].tolist() == pytest.approx([6 / 8, 4 / 8, 3 / 8, 3 / 8, 2 / 8, 2 / 8])
    assert table["step_low"].iloc[0] == pytest.approx(proportion_confint(6, 8, alpha=0.1, method="wilson")[0])


def test_funnel_by_a_sessions_column(visits):
    events, sessions = visits
    table = checkout.checkout_funnel(events, sessions, by="device")
    assert list(table.columns[:2]) == ["device", "step"]
    counts = table.pivot(index="device", columns="step", values="sessions")
    assert counts.loc["mobile"].tolist() == [3, 2, 1, 1, 1, 1]       # visits 1, 2, 5 of 4 mobile
    assert counts.loc["desktop"].tolist() == [3, 2, 2, 2, 1, 1]      # visits 3, 4, 6
    assert counts.loc["tablet"].tolist() == [0, 0, 0, 0, 0, 0]
    first = table[table["step"] == "view_item"].set_index("device")["step_conversion"]
    assert first["mobile"] == pytest.approx(3 / 4) and first["tablet"] == 0
    assert np.isnan(table.set_index(["device", "step"]).loc[("tablet", "add_to_cart"), "step_conversion"])


def test_funnel_by_a_series_aligned_with_sessions(visits):
    events, sessions = visits
    channel = pd.Series(["email"] * 4 + ["direct"] * 4, index=sessions.index, name="channel")
    table = checkout.checkout_funnel(events, sessions, by=channel)
    assert table.columns[0] == "channel"
    counts = table.pivot(index="channel", columns="step", values="sessions")
    assert counts.loc["email"].tolist() == [4, 3, 2, 2, 1, 1] and counts.loc["direct"].tolist() == [2, 1, 1, 1, 1, 1]


def test_funnel_errors_say_what_to_pass(visits):
    events, sessions = visits
    with pytest.raises(ValueError, match="needs the sessions table"):
        checkout.checkout_funnel(events, by="device")
    with pytest.raises(ValueError, match="same index as sessions"):
        checkout.checkout_funnel(events, sessions, by=pd.Series(["a"] * 8, index=range(10, 18)))
    with pytest.raises(ValueError, match="not in sessions"):
        checkout.checkout_funnel(events, sessions[sessions["session_id"] != 4])
    with pytest.raises(ValueError, match="repeated session_id.*one row per visit"):
        checkout.checkout_funnel(events, pd.concat([sessions, sessions.iloc[:1]]))
    with pytest.raises(ValueError, match="not checkout steps.*view_item"):
        checkout.checkout_funnel(events.assign(step=events["step"].astype(str).replace("purchase", "Purchase")))
    with pytest.raises(ValueError, match="missing column.*step"):
        checkout.checkout_funnel(events.drop(columns="step"))


def test_cart_and_checkout_abandonment_by_hand(visits):
    events, _ = visits
    table = checkout.cart_abandonment(events).set_index("stage")
    cart, begun = table.loc["cart"], table.loc["checkout"]
    assert (cart["started"], cart["purchased"], cart["abandoned"]) == (4, 2, 2)        # visits 2-5; 4 and 5 bought
    assert cart["abandonment_rate"] == pytest.approx(1 - 2 / 4)
    assert (cart["abandonment_low"], cart["abandonment_high"]) == pytest.approx(proportion_confint(2, 4,
                                                                                                  method="wilson"))
    assert (begun["started"], begun["purchased"]) == (3, 2) and begun["abandonment_rate"] == pytest.approx(1 / 3)


def test_orders_decide_what_was_bought(visits):
    events, _ = visits
    # visit 3's purchase tag was blocked but it placed an order; visit 5's purchase tag has no order (a test order)
    orders = pd.DataFrame({"order_id": [1, 2], "session_id": [3, 4]})
    table = checkout.cart_abandonment(events, orders).set_index("stage")
    assert (table.loc["cart", "started"], table.loc["cart", "purchased"]) == (4, 2)     # 3 and 4, not 5
    # a buy-now order with no checkout events at all still counts as a cart that was bought
    table = checkout.cart_abandonment(events, pd.DataFrame({"session_id": [4, 9]})).set_index("stage")
    assert (table.loc["cart", "started"], table.loc["cart", "purchased"]) == (5, 2)


def test_store_rates_and_their_placement(visits):
    events, sessions = visits
    rates = checkout.store_rates(sessions, events)
    assert rates["conversion_rate"] == pytest.approx(2 / 8) and rates["cart_abandonment"] == pytest.approx(0.5)
    assert rates["conversion_rate_low"] == pytest.approx(proportion_confint(2, 8, method="wilson")[0])
    with_orders = checkout.store_rates(sessions, events, pd.DataFrame({"session_id": [4]}))
    assert with_orders["conversion_rate"] == pytest.approx(1 / 8)
    with pytest.raises(ValueError, match="not in sessions"):
        checkout.store_rates(sessions, events, pd.DataFrame({"session_id": [99]}))


@pytest.mark.parametrize(("rate", "placement"), [(0.009, "below average"), (0.0139, "below average"),
                                                 (0.014, "average"), (0.021, "average"), (0.032, "top 20%"),
                                                 (0.04, "top 20%"), (0.047, "top 10%"), (0.08, "top 10%")])
def test_conversion_placement_follows_the_shopify_bands(rate, placement):
    table = checkout.against_benchmarks({"conversion_rate": rate})
    assert set(table["placement"]) == {placement}
    assert set(table["metric"]) == {"conversion_rate"}


def test_against_benchmarks_lists_every_figure_with_its_source():
    rates = {"conversion_rate": 0.021, "conversion_rate_low": 0.018, "conversion_rate_high": 0.025,
             "cart_abandonment": 0.75}
    table = checkout.against_benchmarks(rates)
    conversion = table[table["metric"] == "conversion_rate"].set_index("benchmark")
    assert conversion.loc["Shopify average", "benchmark_value"] == 0.014
    assert conversion.loc["Shopify top 20%", "benchmark_value"] == 0.032
    assert conversion.loc["Shopify top 10%", "benchmark_value"] == 0.047
    assert conversion.loc["Shopify average", "difference"] == pytest.approx(0.007)
    assert "2,800 Shopify stores" in conversion.loc["Shopify average", "source"]
    assert conversion.loc["own stores, low end", "benchmark_value"] == 0.01
    assert conversion.loc["own stores, high end", "benchmark_value"] == 0.03
    assert not conversion.loc["Shopify average", "benchmark_in_interval"]
    abandonment = table[table["metric"] == "cart_abandonment"].iloc[0]
    assert abandonment["benchmark_value"] == 0.698 and "46" in abandonment["source"]
    assert abandonment["placement"] == "above average (worse)" and pd.isna(abandonment["benchmark_in_interval"])
    assert checkout.against_benchmarks({"cart_abandonment": 0.6})["placement"].iloc[0] == "below average (better)"


def test_benchmark_table_holds_the_stated_reasons():
    table = checkout.benchmark_table().set_index("label")
    assert table.loc["extra costs too high (shipping, taxes, fees)", "value"] == 0.48
    assert table.loc["forced to create an account", "value"] == 0.24
    assert set(table["metric"]) == {"conversion_rate", "cart_abandonment", "abandonment_reason"}
    assert table["source"].str.len().gt(0).all()


def test_against_benchmarks_errors_say_what_to_pass():
    with pytest.raises(ValueError, match="pass 0.021 for 2.1%"):
        checkout.against_benchmarks({"conversion_rate": 2.1})
    with pytest.raises(ValueError, match="neither conversion_rate nor cart_abandonment"):
        checkout.against_benchmarks({"aov": 50})
    with pytest.raises(TypeError, match="mapping or Series"):
        checkout.against_benchmarks(0.02)


# ---------------------------------------------------------------- abandonment by group, and what a fall is worth


def test_abandonment_by_device_by_hand(visits):
    events, sessions = visits
    table = checkout.abandonment_by(events, sessions, "device")
    assert table.columns[:2].tolist() == ["device", "stage"]
    assert table["device"].astype(str).tolist() == ["desktop", "desktop", "mobile", "mobile", "tablet", "tablet"]
    assert table["stage"].tolist() == ["cart", "checkout"] * 3
    rows = table.set_index(["device", "stage"])
    # desktop: visits 3 (leaves at shipping), 4 (buys), 6 (views); mobile: 1, 2 (cart), 5 (express buy), 7
    assert rows.loc[("desktop", "cart"), ["sessions", "started", "purchased", "abandoned"]].tolist() == [3, 2, 1, 1]
    assert rows.loc[("mobile", "cart"), ["sessions", "started", "purchased", "abandoned"]].tolist() == [4, 2, 1, 1]
    assert rows.loc[("mobile", "checkout"), ["started", "purchased"]].tolist() == [1, 1]
    assert rows.loc[("mobile", "checkout"), "abandonment_rate"] == 0
    assert rows.loc[("desktop", "checkout"), "abandonment_rate"] == pytest.approx(1 / 2)
    assert (rows.loc[("desktop", "cart"), "abandonment_low"], rows.loc[("desktop", "cart"), "abandonment_high"]) == \
        pytest.approx(proportion_confint(1, 2, method="wilson"))
    tablet = rows.loc[("tablet", "cart")]  # one visit without events: nothing started, no rate
    assert (tablet["sessions"], tablet["started"]) == (1, 0) and np.isnan(tablet["abandonment_rate"])


def test_abandonment_by_adds_up_to_the_store_and_follows_the_orders(visits):
    events, sessions = visits
    orders = pd.DataFrame({"session_id": [3, 4]})  # 3's purchase tag was blocked; 5's tag has no order
    table = checkout.abandonment_by(events, sessions, "device", orders)
    whole = checkout.cart_abandonment(events, orders).set_index("stage")
    for stage in ("cart", "checkout"):
        rows = table[table["stage"] == stage]
        assert rows["started"].sum() == whole.loc[stage, "started"]
        assert rows["purchased"].sum() == whole.loc[stage, "purchased"]
    assert table.set_index(["device", "stage"]).loc[("mobile", "cart"), "purchased"] == 0


def test_abandonment_by_a_series_keeps_its_categorical_order(visits):
    events, sessions = visits
    channel = pd.Series(pd.Categorical(["email"] * 4 + ["direct"] * 4, categories=["paid_search", "email", "direct"]),
                        index=sessions.index, name="channel")
    table = checkout.abandonment_by(events, sessions, channel)
    assert table["channel"].astype(str).tolist() == ["email", "email", "direct", "direct"]  # no paid_search visits
    assert table.set_index(["channel", "stage"]).loc[("email", "cart"), "started"] == 3
    with pytest.raises(ValueError, match="needs a breakdown"):
        checkout.abandonment_by(events, sessions, None)


def test_abandonment_gain_by_hand():
    # ten checkouts, four bought at 50 USD: abandonment 60%; ten points fewer means one more order
    events = events_frame({s: ["view_item", "add_to_cart", "begin_checkout"] + (["purchase"] if s <= 4 else [])
                           for s in range(1, 11)})
    orders = pd.DataFrame({"session_id": [1, 2, 3, 4], "revenue_usd": [40.0, 60.0, 50.0, 50.0]})
    gain = checkout.abandonment_gain(events, orders, fall=0.10)
    assert gain["started"] == 10 and gain["purchases"] == 4
    assert gain["abandonment_rate"] == pytest.approx(0.6) and gain["new_abandonment_rate"] == pytest.approx(0.5)
    assert gain["new_purchases"] == pytest.approx(5) and gain["extra_orders"] == pytest.approx(1)
    assert gain["aov_usd"] == pytest.approx(50) and gain["extra_revenue_usd"] == pytest.approx(50)
    assert "extra_contribution_usd" not in gain  # no cost columns
    capped = checkout.abandonment_gain(events, orders, fall=0.9)
    assert capped["new_abandonment_rate"] == 0 and capped["extra_orders"] == pytest.approx(6)
    with pytest.raises(ValueError, match="pass 0.1 for 10 points"):
        checkout.abandonment_gain(events, orders, fall=10)
    with pytest.raises(ValueError, match="stage is one of cart, checkout"):
        checkout.abandonment_gain(events, orders, stage="payment")


def test_abandonment_gain_values_orders_at_their_contribution():
    events = events_frame({1: ["add_to_cart", "begin_checkout", "purchase"], 2: ["add_to_cart", "begin_checkout"]})
    orders = pd.DataFrame({"order_id": [1], "session_id": [1], "customer_id": [1],
                           "ordered_at": [pd.Timestamp("2026-03-01")], "revenue_usd": [100.0],
                           "shipping_charged_usd": [5.0], "product_cost_usd": [40.0], "fulfilment_cost_usd": [8.0],
                           "payment_fee_usd": [3.2], "refunded": [False]})
    gain = checkout.abandonment_gain(events, orders, fall=0.5, stage="cart")
    assert gain["extra_orders"] == pytest.approx(1)
    assert gain["contribution_per_order_usd"] == pytest.approx(100 + 5 - 40 - 8 - 3.2)
    assert gain["extra_contribution_usd"] == pytest.approx(53.8)
