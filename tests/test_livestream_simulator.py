"""The live-season simulator: schemas, determinism, funnel order, rates, and the truth visible in the data."""

import time

import numpy as np
import pandas as pd
import pytest

import cbec.data as data
from cbec.modules.livestream_analytics import concurrency as cc
from cbec.modules.livestream_analytics import retention
from cbec.modules.livestream_analytics.schemas import DEAL_FORMATS, EVENT_TYPES, SCHEMAS
from cbec.modules.livestream_analytics.simulator import (SeasonConfig, config_for_events, iter_event_blocks,
                                                         plan_season, simulate_season)


@pytest.fixture(scope="module")
def season():
    return simulate_season(seed=5)


@pytest.fixture(scope="module")
def big():
    """Enough orders per deal format to see the uplift (about two million events)."""
    return simulate_season(seed=11, viewers_per_stream=5000)


def test_every_table_fits_its_schema_with_the_promised_dtypes(season):
    for name, table in season.tables().items():
        SCHEMAS[name].validate(table)
        assert list(table.columns) == list(SCHEMAS[name].columns), name
    e = season.events
    assert e["stream_id"].dtype == "int32" and e["viewer_id"].dtype == "int64"
    assert str(e["timestamp"].dtype) == "datetime64[ms]"
    assert str(e["product_id"].dtype) == "Int32" and str(e["order_id"].dtype) == "Int64"
    assert list(e["event_type"].cat.categories) == list(EVENT_TYPES)
    assert isinstance(e["traffic_source"].dtype, pd.CategoricalDtype)
    assert isinstance(season.streams["slot"].dtype, pd.CategoricalDtype)
    assert list(season.deals["format"].cat.categories) == list(DEAL_FORMATS)
    assert set(e["event_type"].unique()) == set(EVENT_TYPES)
    # traffic source only on exposures and entries; products only where one is involved
    has_source = e["traffic_source"].notna()
    assert set(e.loc[has_source, "event_type"].unique()) == {"exposure", "enter"}
    assert e.loc[e["event_type"].isin(["exposure", "enter"]), "traffic_source"].notna().all()
    with_product = {"product_click", "add_to_cart", "order", "payment", "refund"}
    assert e.loc[e["event_type"].isin(with_product), "product_id"].notna().all()
    assert e.loc[~e["event_type"].isin(with_product), "product_id"].isna().all()
    assert e.loc[e["event_type"] == "order", "order_id"].is_unique


def test_the_default_season_is_lecture_sized_and_quick():
    simulate_season(seed=1)
    started = time.perf_counter()
    events = simulate_season(seed=2).events
    assert time.perf_counter() - started < 2.0
    assert 100_000 <= len(events) <= 300_000


def _same(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    """Same columns, dtypes and values (DataFrame.equals; assert_frame_equal is slow on a million rows)."""
    return list(left.columns) == list(right.columns) and list(left.dtypes) == list(right.dtypes) and left.equals(right)


def test_same_seed_same_tables_and_different_seed_different(season):
    again = simulate_season(seed=5)
    for name, table in season.tables().items():
        assert _same(table, again.tables()[name]), name
    other = simulate_season(seed=6)
    assert not other.streams.equals(season.streams)
    assert len(other.events) != len(season.events)


def test_blocks_written_one_by_one_are_the_season_in_memory():
    config = SeasonConfig(seed=3, n_hosts=2, streams_per_host=3, viewers_per_stream=20_000)
    plan = plan_season(config)
    assert plan.n_blocks >= 3
    blocks = list(iter_event_blocks(plan))
    assert _same(pd.concat(blocks, ignore_index=True), simulate_season(config).events)


def test_events_are_in_stream_and_time_order_and_in_stream_rows_inside_the_stream(season):
    e = season.events
    key = e["stream_id"].to_numpy().astype("int64") * 10**13 + e["timestamp"].to_numpy().astype("int64")
    assert np.all(np.diff(key) >= 0)
    live = e[~e["event_type"].isin(["order", "payment", "refund"])].merge(season.streams, on="stream_id")
    assert (live["timestamp"] >= live["start"]).all() and (live["timestamp"] <= live["end"]).all()


def test_funnel_order_per_viewer(season):
    e = season.events
    orders = e[e["event_type"] == "order"]
    clicks = e[e["event_type"] == "product_click"]
    first_click = clicks.groupby(["stream_id", "viewer_id", "product_id"])["timestamp"].min().rename("clicked")
    joined = orders.join(first_click, on=["stream_id", "viewer_id", "product_id"])
    assert joined["clicked"].notna().all() and (joined["clicked"] <= joined["timestamp"]).all()
    # only products of the stream's line-up are ordered
    lineup = set(zip(season.lineup["stream_id"], season.lineup["product_id"]))
    assert all(pair in lineup for pair in zip(orders["stream_id"], orders["product_id"]))
    by_order = {kind: e[e["event_type"] == kind].set_index("order_id") for kind in ("order", "payment", "refund")}
    paid = by_order["payment"].join(by_order["order"]["timestamp"].rename("ordered"))
    assert paid["ordered"].notna().all() and (paid["timestamp"] > paid["ordered"]).all()
    assert (paid["amount"] == by_order["order"].loc[paid.index, "amount"]).all()
    refunds = by_order["refund"].join(by_order["payment"]["timestamp"].rename("paid"))
    assert refunds["paid"].notna().all() and (refunds["timestamp"] > refunds["paid"]).all()
    # enter and leave alternate for every viewer of a stream, starting with an enter
    moves = e[e["event_type"].isin(["enter", "leave"])]
    code = np.where(moves["event_type"] == "enter", 1, -1)
    running = pd.Series(code, index=moves.index).groupby([moves["stream_id"], moves["viewer_id"]]).cumsum()
    assert running.isin([0, 1]).all()


def test_rates_are_in_the_ranges_the_domain_notes_give(season):
    e = season.events
    kinds = e["event_type"].value_counts()
    viewers = e[e["event_type"] == "enter"].groupby("stream_id")["viewer_id"].nunique()
    orders = e[e["event_type"] == "order"].groupby("stream_id").size().reindex(viewers.index, fill_value=0)
    conversion = orders.sum() / viewers.sum()
    assert 0.004 < conversion < 0.02            # view-to-order usually below 2%
    assert (orders / viewers).max() < 0.12      # the best streams reach 8-12%
    assert 0.1 < kinds["enter"] / kinds["exposure"] < 0.5
    assert 0.85 < kinds["payment"] / kinds["order"] < 0.99
    assert kinds["comment"] > kinds["order"] * 5


def test_truth_rates_are_recovered_from_the_log(big):
    e, truth = big.events, big.truth
    kinds = e["event_type"].value_counts()
    assert kinds["payment"] / kinds["order"] == pytest.approx(truth.payment_rate, abs=0.02)
    assert kinds["refund"] / kinds["payment"] == pytest.approx(truth.refund_rate, abs=0.02)
    orders = e[e["event_type"] == "order"].merge(big.streams[["stream_id", "end"]], on="stream_id")
    after = orders["timestamp"] > orders["end"]
    assert after.mean() == pytest.approx(truth.post_stream_order_share, abs=0.03)
    clicks = e[e["event_type"] == "product_click"].groupby(["stream_id", "viewer_id", "product_id"])["timestamp"].max()
    late = orders[after].join(clicks.rename("clicked"), on=["stream_id", "viewer_id", "product_id"])
    beyond = (late["timestamp"] - late["clicked"]) > pd.Timedelta(days=truth.attribution_days)
    assert beyond.mean() == pytest.approx(truth.beyond_window_share, abs=0.03)


def _order_rate_ratio(season, windows):
    """Orders per viewer-minute inside deal windows over the same products' pinned minutes outside them."""
    e, streams = season.events, season.streams
    slots = windows.merge(season.lineup, on=["stream_id", "product_id"])
    inside_minutes = cc.viewer_minutes_in_windows(e, streams, slots)
    slot_minutes = cc.viewer_minutes_in_windows(e, streams, slots.assign(start=slots["pinned_from"],
                                                                         end=slots["pinned_until"]))
    orders = e[e["event_type"] == "order"][["stream_id", "product_id", "timestamp"]]
    hits = orders.merge(slots.reset_index(), on=["stream_id", "product_id"])
    in_window = (hits["timestamp"] >= hits["start"]) & (hits["timestamp"] < hits["end"])
    in_slot = (hits["timestamp"] >= hits["pinned_from"]) & (hits["timestamp"] < hits["pinned_until"])
    rate_in = in_window.sum() / inside_minutes.sum()
    rate_out = (in_slot & ~in_window).sum() / (slot_minutes.sum() - inside_minutes.sum())
    return rate_in / rate_out


def test_deal_uplift_of_the_truth_shows_in_the_raw_order_rate(big):
    for fmt in DEAL_FORMATS:
        windows = big.deals[big.deals["format"] == fmt]
        assert _order_rate_ratio(big, windows) == pytest.approx(big.truth.deal_uplift[fmt], rel=0.2), fmt


def test_without_uplift_deal_windows_sell_at_the_usual_rate():
    flat = simulate_season(seed=11, viewers_per_stream=5000, deal_uplift={f: 1.0 for f in DEAL_FORMATS})
    assert _order_rate_ratio(flat, flat.deals) == pytest.approx(1.0, abs=0.15)


def test_engagement_tracks_orders_without_causing_them(big):
    e = big.events.merge(big.streams[["stream_id", "start"]], on="stream_id")
    e = e[e["event_type"].isin(["comment", "order"])]
    e["minute"] = (e["timestamp"] - e["start"]) // pd.Timedelta(minutes=1)
    per_minute = e.groupby(["stream_id", "minute", "event_type"], observed=True).size().unstack(fill_value=0)
    assert big.truth.comment_effect_on_orders == 0
    assert per_minute["comment"].corr(per_minute["order"]) > 0.2


def test_watch_time_is_heavy_tailed_and_censored_at_the_end(season):
    visits = retention.watch_visits(season.events, season.streams)
    watched = visits.loc[visits["observed"], "watch_minutes"]
    assert watched.mean() > 1.5 * watched.median()
    assert 0 < (~visits["observed"]).mean() < 0.2
    # viewers come back: across streams (followers) and within a stream (re-entry)
    assert (visits.groupby("viewer_id")["stream_id"].nunique() > 1).mean() > 0.05
    assert visits.duplicated(["stream_id", "viewer_id"]).any()


def test_better_hosts_get_better_slots_so_raw_comparisons_are_confounded(season):
    hosts = season.truth.hosts.merge(
        season.streams.assign(prime=season.streams["slot"] == "prime").groupby("host_id")["prime"].mean(),
        on="host_id")
    assert hosts["quality"].corr(hosts["prime"]) > 0.3
    budgets = season.streams.groupby("host_id")["ad_budget_usd"].mean()
    assert season.truth.hosts.set_index("host_id")["quality"].corr(budgets) > 0.3
    assert season.truth.host_order_effect().index.equals(pd.Index(season.hosts["host_id"], name="host_id"))


@pytest.mark.parametrize("overrides, message", [
    ({"seed": -1}, "seed"),
    ({"deals_per_stream": 9}, "deals_per_stream"),
    ({"streams_per_host": 40}, "season_days"),
    ({"deal_uplift": {"flash_price": 2.0}}, "coupon"),
    ({"deal_format_shares": {"flash_price": 0.5, "coupon": 0.3, "bundle": 0.3}}, "sum to 1"),
    ({"refund_rate": 1.5}, "share"),
    ({"scale": 0}, "10 million"),
    ({"products_per_stream": (6, 80)}, "n_products"),
    ({"start": "not a date"}, "date"),
])
def test_config_validation_says_what_to_fix(overrides, message):
    with pytest.raises(ValueError, match=message):
        SeasonConfig(**overrides)


def test_config_pickles_for_worker_processes():
    import pickle

    config = SeasonConfig(seed=4, deal_uplift={"flash_price": 3.0, "coupon": 1.5, "bundle": 1.2})
    assert pickle.loads(pickle.dumps(config)) == config


def test_overrides_or_config_not_both():
    with pytest.raises(TypeError, match="not both"):
        simulate_season(SeasonConfig(), seed=2)


def test_scale_reaches_a_requested_size():
    config = config_for_events(1_000_000, seed=4)
    assert len(simulate_season(config).events) == pytest.approx(1_000_000, rel=0.25)


def test_catalogue_entry_loads_a_validated_season():
    ds = data.load("livestream_season", seed=2, n_hosts=3, streams_per_host=2)
    assert set(ds) == {"events", "streams", "hosts", "products", "lineup", "deals"}
    assert len(ds.streams) == 6
    assert data.catalogue().loc["livestream_season", "kind"] == "simulated"


@pytest.mark.slow
def test_ten_million_events_in_seconds():
    config = SeasonConfig(seed=1, scale=44)
    started = time.perf_counter()
    events = simulate_season(config).events
    assert len(events) >= 9_000_000
    assert time.perf_counter() - started < 30
