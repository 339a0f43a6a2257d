"""Unit economics: worked examples by hand, edge cases, vectorised inputs."""

import numpy as np
import pandas as pd
import pytest

from cbec.modules.platform_operation import economics as econ
from cbec.modules.platform_operation.fees import FeeScheduleError, load_schedule

AMAZON = load_schedule("amazon_us")
EBAY = load_schedule("ebay_us")


def test_referral_fee_is_the_rate_on_price_plus_shipping():
    assert econ.referral_fee(20.0, "toys_and_games", AMAZON) == pytest.approx(3.00)
    assert econ.referral_fee(20.0, "toys_and_games", AMAZON, shipping=5.0) == pytest.approx(3.75)
    assert econ.referral_fee(100.0, "consumer_electronics", AMAZON) == pytest.approx(8.00)


def test_referral_fee_minimum_binds_on_cheap_items():
    # 15% of 1.50 is 0.225, below the 0.30 minimum
    assert econ.referral_fee(1.50, "toys_and_games", AMAZON) == pytest.approx(0.30)
    # exactly at the switch point 2.00 -> 0.30 either way
    assert econ.referral_fee(2.00, "toys_and_games", AMAZON) == pytest.approx(0.30)


def test_ebay_final_value_fee_adds_the_per_order_fee():
    # 13.25% of 40 = 5.30, plus 0.30
    assert econ.referral_fee(40.0, "home_and_kitchen", EBAY) == pytest.approx(5.60)


def test_referral_fee_is_vectorised_over_series_and_keeps_the_index():
    prices = pd.Series([1.0, 20.0, 100.0], index=["a", "b", "c"])
    categories = pd.Series(["toys_and_games", "jewelry", "computers"], index=prices.index)
    fees = econ.referral_fee(prices, categories, AMAZON)
    assert isinstance(fees, pd.Series) and list(fees.index) == ["a", "b", "c"]
    assert fees.tolist() == pytest.approx([0.30, 4.00, 8.00])
    with pytest.raises(KeyError, match="spaceships"):
        econ.referral_fee(prices, pd.Series(["toys_and_games", "spaceships", "jewelry"]), AMAZON)


def test_dimensional_weight_and_shipping_weight():
    assert econ.dimensional_weight(12, 10, 8) == pytest.approx(960 / 139)
    # a light, bulky pillow ships at its dimensional weight
    assert econ.shipping_weight(1.0, 12, 10, 8) == pytest.approx(960 / 139)
    # a dense item ships at its own weight
    assert econ.shipping_weight(9.0, 12, 10, 8) == pytest.approx(9.0)


@pytest.mark.parametrize("sides, weight, tier", [
    ((10, 8, 0.5), 0.5, "small_standard"),
    ((15, 12, 0.75), 0.9, "small_standard"),      # every limit exactly reached: limits are inclusive
    ((15.01, 12, 0.75), 0.9, "large_standard"),   # just over the longest side
    ((0.5, 10, 8), 0.5, "small_standard"),        # side order does not matter
    ((10, 8, 2), 0.5, "large_standard"),
    ((12, 10, 8), 1.0, "large_standard"),         # 6.9 lb dimensional, within 20 lb
    ((24, 16, 15), 6.0, "large_bulky"),           # 41.4 lb dimensional
    ((40, 20, 10), 20.0, "extra_large"),          # 57.6 lb dimensional weight > 50 lb
])
def test_size_tier_uses_sorted_sides_and_shipping_weight(sides, weight, tier):
    assert econ.size_tier(*sides, weight, AMAZON) == tier


def test_dimensional_weight_above_actual_weight_raises_band_and_tier():
    # 12 x 12 x 0.75 in at 0.6 lb: 108/139 = 0.78 lb shipping weight -> the 1 lb band, not 0.75 lb
    weight = econ.shipping_weight(0.6, 12, 12, 0.75)
    assert weight == pytest.approx(108 / 139)
    assert econ.size_tier(12, 12, 0.75, 0.6, AMAZON) == "small_standard"
    assert econ.fulfilment_fee("small_standard", weight, AMAZON) == pytest.approx(3.77)
    # 40 x 20 x 10 in at 20 lb fits large bulky on size and weight, but weighs 57.6 lb dimensionally
    assert econ.size_tier(40, 20, 10, 20.0, AMAZON) == "extra_large"
    assert econ.size_tier(40, 20, 4, 20.0, AMAZON) == "large_bulky"   # 23 lb dimensional


def test_size_tier_is_vectorised_and_too_big_items_get_advice():
    tiers = econ.size_tier(pd.Series([10, 24]), pd.Series([8, 16]), pd.Series([0.5, 15]),
                           pd.Series([0.5, 6.0]), AMAZON)
    assert tiers.tolist() == ["small_standard", "large_bulky"]
    with pytest.raises(ValueError, match="inches and pounds"):
        econ.size_tier(100, 50, 50, 400, AMAZON)


def test_fulfilment_fee_picks_the_weight_band():
    assert econ.fulfilment_fee("small_standard", 0.25, AMAZON) == pytest.approx(3.25)
    assert econ.fulfilment_fee("small_standard", 0.26, AMAZON) == pytest.approx(3.40)
    assert econ.fulfilment_fee("large_standard", 3.0, AMAZON) == pytest.approx(6.39)
    # 5.2 lb: 6.39 for the first 3 lb, then 3 started pounds at 0.32
    assert econ.fulfilment_fee("large_standard", 5.2, AMAZON) == pytest.approx(6.39 + 3 * 0.32)
    # large bulky, 41.4 lb: 9.50 + 41 started pounds above 1 lb at 0.38
    assert econ.fulfilment_fee("large_bulky", 41.4, AMAZON) == pytest.approx(9.50 + 41 * 0.38)


def test_fulfilment_fee_errors_point_to_size_tier():
    with pytest.raises(ValueError, match="size_tier"):
        econ.fulfilment_fee("small_standard", 3.0, AMAZON)
    with pytest.raises(KeyError, match="small_standard"):
        econ.fulfilment_fee("medium", 1.0, AMAZON)
    with pytest.raises(FeeScheduleError, match="own shipping cost"):
        econ.fulfilment_fee("small_standard", 0.5, EBAY)


def test_storage_fee_per_cubic_foot_off_peak_and_peak():
    # 12 x 12 x 12 in = 1 cubic foot
    assert econ.storage_fee(12, 12, 12, "large_standard", 3, AMAZON) == pytest.approx(0.78)
    assert econ.storage_fee(12, 12, 12, "large_standard", 11, AMAZON) == pytest.approx(2.40)
    assert econ.storage_fee(24, 12, 12, "large_bulky", pd.Timestamp("2024-12-05"), AMAZON) == pytest.approx(2.80)
    months = econ.storage_fee(12, 12, 12, "large_standard", np.array([9, 10]), AMAZON)
    assert months.tolist() == pytest.approx([0.78, 2.40])


def test_landed_cost_components_by_hand():
    # 50 CNY goods + 5 CNY freight at 0.14 USD/CNY; 1% insurance, 10% duty, 20% VAT
    cost = econ.landed_cost(50, freight=5, fx_rate=0.14, duty_rate=0.10, vat_rate=0.20, insurance_rate=0.01)
    assert cost.goods == pytest.approx(7.00)
    assert cost.freight == pytest.approx(0.70)
    assert cost.insurance == pytest.approx(0.077)
    assert cost.cif == pytest.approx(7.777)
    assert cost.duty == pytest.approx(0.7777)
    assert cost.import_vat == pytest.approx((7.777 + 0.7777) * 0.20, abs=1e-4)
    assert cost.total == pytest.approx(cost.cif + cost.duty + cost.import_vat, abs=1e-3)
    reclaimed = econ.landed_cost(50, freight=5, fx_rate=0.14, duty_rate=0.10, vat_rate=0.20,
                                 insurance_rate=0.01, vat_reclaimable=True)
    assert reclaimed.total == pytest.approx(cost.cif + cost.duty, abs=1e-3)


def test_landed_cost_rejects_percentages_written_as_whole_numbers():
    with pytest.raises(ValueError, match="0.2 for 20%"):
        econ.landed_cost(10, freight=1, fx_rate=1, duty_rate=0.05, vat_rate=20)
    with pytest.raises(ValueError, match="fx_rate"):
        econ.landed_cost(10, freight=1, fx_rate=0, duty_rate=0.05)


def test_ioss_limit_is_150_eur():
    assert econ.ioss_applies(150.0) and econ.ioss_applies(22.5)
    assert not econ.ioss_applies(150.01)


def test_contribution_and_unit_economics_by_hand():
    assert econ.contribution_per_unit(30, 4.5, 5.0, 10.0, ad_cost_per_unit=2.0, storage_per_unit=0.5) == \
        pytest.approx(8.0)
    unit = econ.unit_economics(30.0, category="toys_and_games", landed=10.0, fulfilment=5.0, schedule=AMAZON,
                               ad_cost_per_unit=2.0, storage_per_unit=0.5)
    assert unit.referral_fee == pytest.approx(4.5)
    assert unit.margin_before_advertising == pytest.approx(10.0)
    assert unit.contribution == pytest.approx(8.0)
    assert unit.break_even_acos == pytest.approx(10 / 30)


def test_break_even_price_where_the_percentage_binds():
    price = econ.break_even_price(10.0, "toys_and_games", AMAZON)
    assert price == pytest.approx(10 / 0.85)
    fee = econ.referral_fee(price, "toys_and_games", AMAZON)
    assert price - 10.0 - fee == pytest.approx(0, abs=0.01)


def test_break_even_price_where_the_minimum_binds():
    # costs 0.50: 0.50 / 0.85 = 0.59 would pay 0.09, but the minimum is 0.30 -> 0.80
    assert econ.break_even_price(0.50, "toys_and_games", AMAZON) == pytest.approx(0.80)


def test_break_even_price_on_ebay_includes_the_per_order_fee():
    price = econ.break_even_price(10.0, "home_and_kitchen", EBAY)
    assert price == pytest.approx(10.30 / (1 - 0.1325))


def test_acos_targets():
    assert econ.break_even_acos(9.0, 30.0) == pytest.approx(0.30)
    assert econ.target_acos(9.0, 30.0, 0.10) == pytest.approx(0.20)
    with pytest.raises(ValueError, match="0.10 for 10%"):
        econ.target_acos(9.0, 30.0, 10)


def test_volume_needed_after_a_price_cut():
    # margin 10 -> 7 after a 3-dollar cut: 10/7 - 1 = 42.9% more units
    assert econ.required_volume_increase(10.0, 7.0) == pytest.approx(10 / 7 - 1)
    with pytest.raises(ValueError, match="cut the price less"):
        econ.required_volume_increase(10.0, -1.0)
    # price 30, other costs 15; referral 4.50 -> 4.05 after a 10% cut: margins 10.50 -> 7.95
    assert econ.price_cut_volume_increase(30.0, 0.10, category="toys_and_games", unit_costs=15.0,
                                          schedule=AMAZON) == pytest.approx(10.50 / 7.95 - 1)


def test_sales_rank_to_weekly_units():
    assert econ.weekly_units_from_sales_rank(1) == pytest.approx(np.exp(10.526))
    assert econ.weekly_units_from_sales_rank(1000) == pytest.approx(np.exp(10.526 - 0.87 * np.log(1000)))
    with pytest.raises(ValueError):
        econ.weekly_units_from_sales_rank(0)


def test_fee_table_adds_the_fee_columns():
    products = pd.DataFrame({"length_in": [10, 24], "width_in": [8, 16], "height_in": [0.5, 15],
                             "unit_weight_lb": [0.3, 6.0], "category": ["toys_and_games", "furniture"],
                             "price": [12.0, 80.0]})
    table = econ.fee_table(products, AMAZON)
    assert table["size_tier"].tolist() == ["small_standard", "large_bulky"]
    assert table["referral_fee"].tolist() == pytest.approx([1.80, 12.00])
    # 0.3 lb (above its 0.29 lb dimensional weight) -> the 0.5 lb band
    assert table["fulfilment_fee"].tolist() == pytest.approx([3.40, 9.50 + 41 * 0.38])
    with pytest.raises(KeyError, match="unit_weight_lb"):
        econ.fee_table(products.drop(columns="unit_weight_lb"), AMAZON)


def test_acos_targets_per_product_by_hand():
    products = pd.DataFrame({"length_in": [10.0], "width_in": [8.0], "height_in": [0.5], "unit_weight_lb": [0.3],
                             "category": ["toys_and_games"], "price": [20.0], "unit_cost": [4.0]})
    row = econ.acos_targets(products, AMAZON, target_net_margin=0.10).iloc[0]
    # referral 15% of 20 = 3.00, fulfilment 3.40 (small standard, 0.5 lb band): margin 20 - 3 - 3.40 - 4 = 9.60
    assert row["margin_before_advertising"] == pytest.approx(9.60)
    assert row["break_even_acos"] == pytest.approx(0.48)
    assert row["target_acos"] == pytest.approx(0.38)
    with pytest.raises(KeyError, match="cost_column"):
        econ.acos_targets(products.drop(columns="unit_cost"), AMAZON, target_net_margin=0.1)
    with pytest.raises(ValueError, match="share of price"):
        econ.acos_targets(products, AMAZON, target_net_margin=10)
