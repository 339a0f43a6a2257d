"""The economics of one listing agree with the engine: the demand curve with its simulated
weeks, the competitive optimum with a price scan, break-even ads with a bid scan, and the
stock-out experiment with its own reports."""

from dataclasses import replace

import numpy as np
import pytest

from cbec.modules.competition import SeasonConfig, build_world
from cbec.modules.competition import economics
from cbec.modules.competition.strategies import margin_before_ads
from cbec.modules.platform_operation.economics import referral_fee
from cbec.modules.platform_operation.fees import load_schedule

CONFIG = SeasonConfig()
WORLD = build_world(CONFIG)
PRODUCT, MARKET = WORLD.products[0], WORLD.markets[0]


def test_unit_economics_are_the_fee_schedule_and_the_strategies_margin():
    i, j = economics.listing_index(WORLD, PRODUCT, MARKET)
    unit = economics.unit_economics(WORLD, PRODUCT, MARKET)
    price = WORLD.list_price[i, j]
    assert unit["price"] == price
    assert unit["referral_fee"] == referral_fee(price, WORLD.categories[i], load_schedule("amazon_us"))
    assert unit["fulfilment_fee"] == WORLD.fulfilment_fee[i, j] and unit["unit_cost"] == WORLD.unit_cost[i]
    assert unit["margin_before_ads"] == pytest.approx(margin_before_ads(WORLD, WORLD.list_price)[i, j], abs=0.01)
    assert unit["storage_per_week_peak"] > unit["storage_per_week_low"] > 0      # November costs more
    with pytest.raises(ValueError, match=r"product 'Kettle' is not in this season; its products are \["):
        economics.unit_economics(WORLD, "Kettle", MARKET)
    with pytest.raises(ValueError, match="market 'FR' is not in this season"):
        economics.unit_economics(WORLD, PRODUCT, "FR")


def test_the_demand_curve_is_what_the_engine_sells_on_average():
    prices = WORLD.list_price[0, 0] * np.array([0.8, 1.0, 1.2])
    scan = economics.price_scan(CONFIG, PRODUCT, MARKET, prices, seeds=range(1, 401))
    curve = economics.demand_curve(WORLD, PRODUCT, MARKET, scan["price"], week=0)
    assert np.allclose(scan["units"], curve["units"], rtol=0.04)
    assert np.allclose(scan["profit"], curve["profit"], rtol=0.05)
    assert (np.diff(curve["units"]) < 0).all()
    average = economics.demand_curve(WORLD, PRODUCT, MARKET, scan["price"])
    assert np.allclose(curve["units"] / average["units"], WORLD.season_index[0])


def test_the_competitive_optimum_is_the_simulated_one_and_the_formula_without_competitors():
    lp = WORLD.list_price[0, 0]
    scan = economics.price_scan(CONFIG, PRODUCT, MARKET, np.linspace(0.5 * lp, 1.5 * lp, 61), seeds=range(1, 61))
    competitive = economics.competitive_optimum(WORLD, PRODUCT, MARKET)
    assert economics.best_price(scan) == pytest.approx(competitive, rel=0.03)
    assert competitive < 0.8 * economics.analytic_optimum(WORLD, PRODUCT, MARKET)    # competitors add elasticity
    alone = build_world(replace(CONFIG, n_competitors=0))
    assert economics.competitive_optimum(alone, PRODUCT, MARKET) == pytest.approx(
        economics.analytic_optimum(alone, PRODUCT, MARKET), rel=1e-6)
    at = economics.effective_elasticity(WORLD, PRODUCT, MARKET, WORLD.competitor_price[0, 0])
    assert at == pytest.approx(WORLD.elasticity[0, 0] - 2 * 4 / 3)                  # n g / (1 + n) at par


def test_ads_stop_paying_at_the_break_even_bid():
    price = WORLD.list_price[0, 0]
    conversion = float(economics.demand_curve(WORLD, PRODUCT, MARKET, [price])["conversion"].iloc[0])
    even = economics.ad_break_even(WORLD, PRODUCT, MARKET, price, conversion)
    assert even["break_even_acos"] == pytest.approx(even["margin_before_ads"] / price)
    assert even["break_even_cpc"] == pytest.approx(conversion * even["margin_before_ads"])
    bids = np.round(np.arange(0.1, 2.6, 0.1), 2)
    scan = economics.bid_scan(CONFIG, PRODUCT, MARKET, bids, seeds=range(1, 201))
    assert np.allclose(scan["ad_spend"], scan["clicks"] * scan["cpc"], rtol=0.01)
    losing = scan.loc[scan["ad_profit"] < 0, "bid"]
    assert losing.min() == pytest.approx(even["break_even_bid"], abs=0.15)
    best = scan.loc[scan["ad_profit"].idxmax(), "bid"]
    assert best < 0.7 * even["break_even_bid"]                  # the best bid is well below break-even
    with pytest.raises(ValueError, match="conversion"):
        economics.ad_break_even(WORLD, PRODUCT, MARKET, price, 4.0)


def test_a_late_restock_costs_the_sales_out_of_stock_and_rank_afterwards():
    table = economics.stockout_experiment(CONFIG, PRODUCT, MARKET, seed=1, pause_weeks=3)
    steady, late = (table[table["store"] == name].set_index("week") for name in ("steady", "late"))
    assert (steady["lost_units"] == 0).all() and (late["lost_units"] > 0).any()
    assert (late.loc[:2, "units"] == steady.loc[:2, "units"]).all()          # the same luck until it runs out
    cost = economics.stockout_cost(table)
    assert cost["units_lost_out_of_stock"] == late["lost_units"].sum()
    out = late.index[late["lost_units"] > 0]
    after = late.index > out.max()
    assert (late.loc[after, "visibility"] < steady.loc[after, "visibility"]).all()   # the lost rank
    assert cost["units_lost_after"] == (steady.loc[after, "units"] - late.loc[after, "units"]).sum() > 0
    assert cost["margin_lost"] == pytest.approx(
        (cost["units_lost_out_of_stock"] + cost["units_lost_after"]) * cost["margin_per_unit"])
    with pytest.raises(ValueError, match="pause_weeks"):
        economics.stockout_experiment(CONFIG, PRODUCT, MARKET, pause_weeks=20)
    never = economics.stockout_experiment(replace(CONFIG, initial_units=5000), PRODUCT, MARKET, pause_weeks=1)
    with pytest.raises(ValueError, match="never ran out"):
        economics.stockout_cost(never)
