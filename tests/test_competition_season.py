"""The competition's store-season engine: determinism, exact accounting, the price optimum,
reference strategies, and errors that name what is wrong."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from cbec.modules.competition import (Decisions, SeasonConfig, SeasonEngine, StrategyError, baseline,
                                      build_world, check_decisions, greedy, naive, optimal_price,
                                      play_league, play_season, run_season)
from cbec.modules.competition.market import DEFECT_TARGET
from cbec.modules.platform_operation.account_health import HEALTH_TARGETS
from cbec.modules.platform_operation.economics import (fulfilment_fee, referral_fee, shipping_weight, size_tier,
                                                       storage_fee)
from cbec.modules.platform_operation.fees import load_schedule
from cbec.modules.platform_operation.simulator import CATALOGUE

CONFIG = SeasonConfig(seed=3)


def _frames_equal(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


def test_same_seed_same_reports_and_different_seeds_differ():
    first, again = play_season(baseline, CONFIG, seed=11), play_season(baseline, CONFIG, seed=11)
    _frames_equal(first.reports(), again.reports())
    other = play_season(baseline, CONFIG, seed=12).reports()["business_report"]
    assert not other["sessions"].equals(first.reports()["business_report"]["sessions"])
    # the world is the config's: another seed of play keeps the products and list prices
    assert (other["price"].iloc[:3] == first.reports()["business_report"]["price"].iloc[:3]).all()


def test_a_store_plays_the_same_alone_and_among_many():
    many = run_season(baseline, CONFIG, seeds=[4, 9, 4])
    alone = play_season(baseline, CONFIG, seed=9)
    _frames_equal(many.reports(1), alone.reports())
    _frames_equal(many.reports(0), many.reports(2))
    assert many.profit()[1] == pytest.approx(alone.profit()[0], abs=1e-9)


def test_calendar_holds_prime_day_and_black_friday_and_the_peak_storage_rate():
    world = build_world(SeasonConfig())
    assert world.events.count("prime_day") == world.events.count("black_friday") == 1
    bf, pd_week = world.events.index("black_friday"), world.events.index("prime_day")
    assert world.round_starts[bf].month == 11 and world.round_starts[pd_week].month == 7
    assert world.season_index[bf] > world.season_index[pd_week] > np.median(world.season_index)
    # November is a peak storage month, July is not: per cubic foot the November rate is higher
    assert (world.storage_per_unit_week[bf] * world.days_in_month[bf]
            > world.storage_per_unit_week[pd_week] * world.days_in_month[pd_week]).all()
    assert world.defect_limit == DEFECT_TARGET.limit == next(
        t.limit for t in HEALTH_TARGETS if t.metric == "order_defect_rate")


def _products(world):
    chosen = {p.title: p for p in CATALOGUE}
    return [chosen[name] for name in world.products]


def test_profit_is_recomputed_to_the_cent_from_the_reports_and_the_fee_schedule():
    result = run_season(greedy, CONFIG, seeds=[1, 2])   # deals, ads and stock-outs all happen
    world, schedule = result.world, load_schedule("amazon_us")
    for store in range(2):
        r = result.reports(store)
        pnl, ads, inv, health = (r["profit_and_loss"], r["advertising_report"], r["inventory_report"],
                                 r["account_health"])
        products = {p.title: p for p in _products(world)}
        category = pnl["product"].map(lambda t: products[t].category)
        dims = pnl["product"].map(lambda t: products[t])
        sides = [dims.map(lambda p, k=k: getattr(p, k)).astype(float) for k in ("length_in", "width_in", "height_in")]
        weight = dims.map(lambda p: p.unit_weight_lb).astype(float)
        tier = size_tier(*sides, weight, schedule)
        fulfil = fulfilment_fee(tier, shipping_weight(weight, *sides, schedule.dimensional_weight_divisor), schedule)
        month = pnl["round_start"].dt.month.to_numpy()
        days = pnl["round_start"].dt.days_in_month.to_numpy()
        storage_unit = np.asarray(storage_fee(*sides, tier, month, schedule)) * 7 / days
        unit_cost = dims.map(lambda p: p.unit_cost).astype(float)
        referral = referral_fee(pnl["price_paid"], category, schedule)

        assert (referral == pnl["referral_fee_per_unit"]).all()
        assert np.allclose(pnl["revenue"], np.round(pnl["units_sold"] * pnl["price_paid"], 2), atol=1e-9)
        assert np.allclose(pnl["refunds"], np.round(pnl["returns"] * pnl["price_paid"], 2), atol=1e-9)
        assert np.allclose(pnl["referral_fees"], np.round((pnl["units_sold"] - pnl["returns"]) * referral, 2))
        assert np.allclose(pnl["fulfilment_fees"], np.round(pnl["units_sold"] * fulfil, 2))
        assert np.allclose(pnl["cost_of_goods"], np.round(pnl["units_sold"] * unit_cost, 2))
        assert np.allclose(pnl["storage_fees"], np.round(inv["on_hand_end"] * storage_unit, 2))
        assert np.allclose(pnl["ad_spend"], np.round(ads["clicks"] * ads["cpc"], 2))
        assert np.allclose(ads["cpc"], np.round(ads["bid"] * CONFIG.cpc_share, 2))
        assert (ads["spend"] <= ads["budget"] + 1e-9).all()
        assert np.allclose(pnl["deal_fees"], r["business_report"]["deal"] * CONFIG.deal_fee)
        last = pnl["week"] == CONFIG.weeks - 1
        left = inv["on_hand_end"] + inv["in_transit"]
        assert np.allclose(pnl["write_down"], np.where(last, np.round(left * unit_cost * (1 - CONFIG.salvage_share),
                                                                      2), 0.0))
        lines = ["refunds", "referral_fees", "fulfilment_fees", "cost_of_goods", "ad_spend", "storage_fees",
                 "deal_fees", "write_down"]
        profit = pnl["revenue"] - pnl[lines].sum(axis=1)
        assert np.abs(profit - pnl["profit"]).max() < 0.005
        weekly = pnl.groupby("week")["profit"].sum().to_numpy() - health["fine"].to_numpy()
        assert np.abs(weekly - health["store_profit"]).max() < 0.005
        assert abs(result.profit()[store] - (pnl["profit"].sum() - health["fine"].sum())) < 0.005


def test_stock_caps_sales_and_lost_sales_are_counted():
    config = replace(CONFIG, initial_units=15)
    result = run_season(naive, config, seeds=range(5))
    lines = result.lines
    assert (lines["units"] <= lines["on_hand_start"]).all()
    assert (lines["units"] == np.minimum(lines["units_demanded"], lines["on_hand_start"])).all()
    assert (lines["lost_units"] == lines["units_demanded"] - lines["units"]).all()
    assert lines["lost_units"].sum() > 0
    assert (lines["on_hand_end"] == lines["on_hand_start"] - lines["units"]).all()
    assert (lines["on_hand_start"][1:] == lines["on_hand_end"][:-1] + lines["arrivals"][1:]).all()
    lead = config.lead_time_weeks
    assert (lines["arrivals"][lead:] == lines["inbound"][:-lead]).all()
    assert (lines["arrivals"][:lead] == 0).all()
    inventory = result.reports(0)["inventory_report"]
    assert (inventory["stocked_out"] == (inventory["lost_units"] > 0)).all()
    assert (lines["returns"] <= lines["units"]).all() and (lines["ad_units"] <= lines["units"]).all()


@pytest.mark.parametrize("seed", [5, 2])
def test_the_best_price_of_the_simulator_is_the_analytic_optimum(seed):
    # one product, one market, one week; no competitors, ads or noise; stock that never runs out
    config = SeasonConfig(seed=seed, weeks=1, n_products=1, markets=("US",), n_competitors=0, demand_noise=0.0,
                          base_sessions=2_000_000, initial_units=10**9, salvage_share=1.0)
    world = build_world(config)
    best = float(optimal_price(world.elasticity[0, 0], world.unit_cost[0], world.fulfilment_fee[0, 0],
                               world.referral_rate[0, 0], world.return_rate, world.referral_fixed_fee[0, 0]))
    grid = np.round(np.linspace(0.8 * best, 1.25 * best, 901), 2)
    result = run_season(lambda view: Decisions(price=grid[:, None, None]), config, seeds=[0] * len(grid))
    # storage on the untouched stock is not part of the demand curve's economics
    profit = result.lines["profit"][0, :, 0, 0] + result.lines["storage_fees"][0, :, 0, 0]
    assert world.referral_rate[0, 0] * grid.min() > load_schedule("amazon_us").referral_rate(world.categories[0]).minimum
    # the best price on the grid: the schedule rounds each fee to the cent, which moves it a little
    assert grid[np.argmax(profit)] == pytest.approx(best, rel=0.01)
    # the vertex of the profit curve (a cubic through the simulated profits within 8%) is the optimum
    near = np.abs(grid / best - 1) <= 0.08
    slope = np.polyder(np.polyfit(grid[near] / best, profit[near] / profit.max(), 3))
    roots = np.roots(slope)
    roots = roots[np.isreal(roots)].real
    assert roots[np.argmin(np.abs(roots - 1))] == pytest.approx(1.0, abs=1e-3)


def test_baseline_beats_naive_over_seeds():
    seeds = range(40)
    base, plain = run_season(baseline, CONFIG, seeds).profit(), run_season(naive, CONFIG, seeds).profit()
    assert base.mean() > plain.mean()
    assert (base > plain).mean() >= 0.8                   # paired: the same seeds, the same luck
    other_world = SeasonConfig(seed=8)
    assert run_season(baseline, other_world, seeds).profit().mean() > run_season(naive, other_world, seeds).profit().mean()


@pytest.mark.parametrize("field, value, words", [
    ("price", -1.0, ["Decisions.price", "must be a price in USD > 0"]),
    ("price", np.nan, ["Decisions.price", "nan"]),
    ("ad_budget", np.nan, ["Decisions.ad_budget", "budget >= 0"]),
    ("bid", -0.2, ["Decisions.bid"]),
    ("inbound", 2.5, ["Decisions.inbound", "whole number"]),
    ("deal", 3, ["Decisions.deal", "True or False"]),
])
def test_bad_decisions_name_the_product_and_market(field, value, words):
    world = build_world(CONFIG)
    arrays = {"price": world.list_price.copy(), "ad_budget": np.zeros((4, 3)), "bid": np.zeros((4, 3)),
              "inbound": np.zeros((4, 3)), "deal": np.zeros((4, 3))}
    arrays[field][2, 1] = value
    with pytest.raises(ValueError) as caught:
        check_decisions(Decisions(**arrays), world)
    message = str(caught.value)
    for word in words + [repr(world.products[2]), repr(world.markets[1])]:
        assert word in message


def test_wrong_shapes_and_types_are_explained():
    world = build_world(CONFIG)
    with pytest.raises(ValueError, match=r"shape \(3,\).*\(4, 3\).*markets"):
        check_decisions(Decisions(price=np.ones(3)), world)
    with pytest.raises(TypeError, match="must return Decisions"):
        check_decisions({"price": 1.0}, world)
    with pytest.raises(ValueError, match="store 1"):
        check_decisions(Decisions(price=np.stack([world.list_price, -world.list_price])), world, n_stores=2)
    with pytest.raises(StrategyError, match=r"week 0: ValueError: Decisions.price for product .* in market 'US'"):
        play_season(lambda view: Decisions(price=-view.facts.list_price), CONFIG, seed=0)


def test_a_failing_strategy_is_recorded_and_the_other_stores_play_on():
    def broken(view):
        if view.week == 4:
            raise ZeroDivisionError("my forecast divided by zero")
        return naive(view)

    league = play_league({"baseline": baseline, "broken": broken}, CONFIG, seeds=[0, 1])
    assert league.labels == (("baseline", 0), ("baseline", 1), ("broken", 0), ("broken", 1))
    assert [(f.store, f.week, type(f.error)) for f in league.failures] == [(2, 4, ZeroDivisionError),
                                                                           (3, 4, ZeroDivisionError)]
    assert "my forecast divided by zero" in league.failures[0].traceback
    alone = run_season(baseline, CONFIG, seeds=[0, 1])
    assert np.array_equal(league.profit()[:2], alone.profit())
    # after failing, the store keeps its last price and stops ads and inbound
    report = league.reports(2)["advertising_report"]
    assert (report.loc[report["week"] >= 4, "spend"] == 0).all()
    prices = league.lines["price"][:, 2]
    assert (prices[4:] == prices[3]).all()
    with pytest.raises(StrategyError, match="store 2 .*broken.* week 4: ZeroDivisionError"):
        play_league({"baseline": baseline, "broken": broken}, CONFIG, seeds=[0, 1], on_error="raise")


def test_account_health_fines_at_the_platform_limit():
    result = run_season(naive, CONFIG, seeds=range(60))
    store = result.store
    rate, failed = store["order_defect_rate"], store["health_failed"].astype(bool)
    assert failed.any() and not failed.all()
    assert (failed == (rate >= DEFECT_TARGET.limit)).all()
    assert (store["fine"] == np.where(failed, CONFIG.health_fine, 0.0)).all()
    window = -(-DEFECT_TARGET.window_days // 7)
    orders = store["orders"]
    assert np.array_equal(store["window_orders"][window], orders[1:window + 1].sum(axis=0))
    health = result.reports(int(np.flatnonzero(failed.any(axis=0))[0]))["account_health"]
    assert set(health["status"]) == {"pass", "fail"}


def test_a_one_store_view_gives_the_reports_so_far():
    seen = {}

    def peek(view):
        if view.week == 3:
            seen.update(view.reports())
        return baseline(view)

    result = play_season(peek, CONFIG, seed=2)
    final = result.reports()["business_report"]
    pd.testing.assert_frame_equal(seen["business_report"], final[final["week"] < 3])
    assert set(seen) == {"business_report", "advertising_report", "inventory_report", "profit_and_loss",
                         "account_health"}


@pytest.mark.parametrize("overrides, words", [
    ({"markets": ("US", "XX")}, "SeasonConfig.markets"),
    ({"elasticity_range": (-2.0, -0.5)}, "below -1"),
    ({"return_rate": 1.5}, "share in [0, 1]"),
    ({"weeks": 0}, "SeasonConfig.weeks"),
    ({"schedules": {"US": "amazon_us"}, "markets": ("US", "GB")}, "market(s) ['GB']"),
])
def test_config_errors_say_what_to_do(overrides, words):
    with pytest.raises(ValueError) as caught:
        SeasonConfig(**overrides)
    assert words in str(caught.value)


def test_engine_refuses_a_week_too_many_and_bad_seeds():
    engine = SeasonEngine(replace(CONFIG, weeks=1), seeds=[0])
    engine.step(Decisions(price=engine.world.list_price))
    with pytest.raises(ValueError, match="all are played"):
        engine.step(Decisions(price=engine.world.list_price))
    with pytest.raises(ValueError, match="seeds must be"):
        SeasonEngine(CONFIG, seeds=[-1])


def test_the_view_of_the_past_is_read_only():
    def rewrite(view):
        if view.week == 2:
            view.store_history["store_profit"][:] = 10**6
        return naive(view)

    with pytest.raises(StrategyError, match="week 2: ValueError: .*read-only"):
        play_season(rewrite, CONFIG, seed=0)
    recorded = play_season(rewrite, CONFIG, seed=0, on_error="record")
    assert recorded.profit()[0] < 10**6 and recorded.failures[0].week == 2
    engine = SeasonEngine(CONFIG, seeds=[0, 1])
    engine.step(Decisions(price=engine.world.list_price))
    with pytest.raises(ValueError, match="read-only"):
        engine.view().history["units"][0] = 0
