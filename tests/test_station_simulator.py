"""The store simulator: tables that fit their schemas, rates inside published ranges, and a truth that
matches what the tables show."""

import numpy as np
import pandas as pd
import pytest

from cbec.modules.independent_station.schemas import CHANNELS, CHECKOUT_STEPS, SCHEMAS
from cbec.modules.independent_station.simulator import PAYMENT_FEES, StoreConfig, simulate_store


@pytest.fixture(scope="module")
def store():
    return simulate_store(seed=7)


def test_every_table_fits_its_schema_and_keys_join(store):
    for name, table in store.tables().items():
        SCHEMAS[name].validate(table)
    assert store.sessions["session_id"].is_unique and store.orders["order_id"].is_unique
    assert store.orders["session_id"].isin(store.sessions["session_id"]).all()
    assert store.checkout_events["session_id"].isin(store.sessions["session_id"]).all()
    assert (store.true_channel.index == store.sessions["session_id"]).all()


def test_the_same_seed_gives_the_same_store_and_another_seed_another():
    first, again, other = simulate_store(seed=3, prospects=2_000), simulate_store(seed=3, prospects=2_000), \
        simulate_store(seed=4, prospects=2_000)
    pd.testing.assert_frame_equal(first.orders, again.orders)
    assert not first.sessions["landing_url"].equals(other.sessions["landing_url"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rates_fall_in_the_published_ranges(seed):
    store = simulate_store(seed=seed)
    orders, sessions, steps = store.orders, store.sessions, store.checkout_events
    conversion = len(orders) / len(sessions)
    assert 0.01 <= conversion <= 0.03                      # own stores convert 1%-3% of sessions
    carts = steps.loc[steps["step"] == "add_to_cart", "session_id"].nunique()
    assert 0.6 <= 1 - len(orders) / carts <= 0.8           # cart abandonment about 70% (Baymard)
    repeat = (orders.groupby("customer_id").size() > 1).mean()
    assert 0.15 <= repeat <= 0.4                           # repeat-purchase rate about 28% (21%-36%)


def test_checkout_steps_are_a_prefix_and_every_order_passes_them_all(store):
    reached = store.checkout_events.groupby("session_id")["step"].agg(lambda s: list(s.astype(str)))
    assert reached.map(lambda steps: steps == list(CHECKOUT_STEPS[:len(steps)])).all()
    ordered = reached.loc[store.orders["session_id"]]
    assert ordered.map(len).eq(len(CHECKOUT_STEPS)).all()
    purchased = store.checkout_events.loc[store.checkout_events["step"] == "purchase", "session_id"]
    assert set(purchased) == set(store.orders["session_id"])


def test_payment_fees_follow_the_published_rates(store):
    orders = store.orders
    rate = orders["payment_method"].map({m: fee[0] for m, fee in PAYMENT_FEES.items()}).astype(float)
    fixed = orders["payment_method"].map({m: fee[1] for m, fee in PAYMENT_FEES.items()}).astype(float)
    expected = (orders["revenue_usd"] + orders["shipping_charged_usd"]) * rate + fixed
    assert np.allclose(orders["payment_fee_usd"], expected, atol=0.006)


def test_incremental_truth_matches_a_counterfactual_store_without_the_channel():
    # switching a channel off (its touch rate to 0) loses about its true incremental conversions
    config = StoreConfig(seed=11, prospects=60_000)
    full = simulate_store(config)
    for channel in ("paid_search", "email"):
        rates = dict(config.touch_rate, **{channel: 0.0})
        without = simulate_store(StoreConfig(seed=11, prospects=60_000, touch_rate=rates))
        lost = full.truth.expected_conversions - without.truth.expected_conversions
        # touches of other channels are drawn afresh, so only the expectation is comparable
        assert lost == pytest.approx(full.truth.incremental[channel], rel=0.1), channel
    share = full.truth.incremental_share
    assert share.sum() == pytest.approx(1) and set(share.index) == set(CHANNELS)
    assert share["email"] < 0.05 < share["paid_social"]    # email closes journeys it did not cause


def test_first_purchases_match_their_expectation(store):
    first = store.orders["customer_id"].nunique()
    expected = store.truth.expected_conversions
    # some first purchases fall after the season ends; none is counted twice
    assert 0.85 * expected <= first <= expected + 3 * np.sqrt(expected)


def test_geo_test_holdout_loses_about_the_true_lift():
    lifts, truths = [], []
    for seed in range(5):
        store = simulate_store(seed=seed, prospects=8_000)
        geo = store.geo_test
        rate = geo.groupby("group", observed=True)[["pre_conversions", "test_conversions"]].sum()
        ratio = rate["test_conversions"] / rate["pre_conversions"]
        lifts.append(ratio["treatment"] / ratio["holdout"] - 1)
        truths.append(store.truth.geo_lift)
    assert np.mean(lifts) == pytest.approx(np.mean(truths), abs=0.08)
    assert geo["group"].value_counts().min() >= 2


def test_bad_configs_are_explained():
    with pytest.raises(ValueError, match="touch_rate needs one value per channel"):
        StoreConfig(touch_rate={"paid_search": 1.0})
    with pytest.raises(ValueError, match="geo_test_channel"):
        StoreConfig(geo_test_channel="tv")
    with pytest.raises(ValueError, match="days must be at least 28"):
        StoreConfig(days=7)
    with pytest.raises(TypeError, match="either a StoreConfig or keyword overrides"):
        simulate_store(StoreConfig(), seed=3)
