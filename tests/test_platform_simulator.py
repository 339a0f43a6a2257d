"""The seller-account simulator: determinism, layout, ranges from the facts, consistency."""

import time

import numpy as np
import pandas as pd
import pytest

from cbec.modules.platform_operation import advertising as ads
from cbec.modules.platform_operation import economics as econ
from cbec.modules.platform_operation.fees import load_schedule
from cbec.modules.platform_operation.simulator import AccountConfig, simulate_account

SEEDS = (0, 7, 31)


@pytest.fixture(scope="module")
def accounts():
    return {seed: simulate_account(seed=seed) for seed in SEEDS}


def test_same_seed_same_tables_and_different_seed_different(accounts):
    again = simulate_account(seed=7)
    for name, table in accounts[7].tables().items():
        pd.testing.assert_frame_equal(table, again.tables()[name], obj=name)
    assert not accounts[0].orders.equals(accounts[7].orders)
    assert not accounts[0].search_terms["clicks"].equals(accounts[7].search_terms["clicks"])


def test_tables_and_columns(accounts):
    account = accounts[0]
    assert set(account.tables()) == {"products", "business_report", "search_terms", "orders", "inquiries",
                                     "b2b_traffic"}
    expected = {
        "products": {"product_id", "title", "category", "length_in", "width_in", "height_in", "unit_weight_lb",
                     "unit_cost", "price", "size_tier"},
        "business_report": {"date", "product_id", "sessions", "page_views", "units_ordered",
                            "ordered_product_sales", "unit_session_percentage", "featured_offer_percentage"},
        "search_terms": {"date", "campaign", "ad_group", "keyword", "match_type", "customer_search_term",
                         "impressions", "clicks", "spend", "orders", "sales"},
        "orders": {"order_id", "order_date", "product_id", "quantity", "price", "ship_by_date", "shipped_date",
                   "cancelled", "negative_feedback", "a_to_z_claim", "chargeback", "valid_tracking"},
        "inquiries": {"inquiry_id", "date", "buyer_country", "response_hours", "quotation_sent", "order_placed",
                      "order_value_usd"},
        "b2b_traffic": {"date", "exposure", "clicks", "inquiries"},
    }
    for name, columns in expected.items():
        assert columns <= set(account.tables()[name].columns), name
    assert set(account.search_terms["match_type"]) == {"exact", "phrase", "broad"}
    assert account.orders["order_id"].is_unique
    assert len(account.business_report) == 365 * account.config.n_products


def test_a_year_is_generated_well_under_a_second():
    simulate_account(seed=1)   # warm caches (schedule file, imports)
    started = time.perf_counter()
    simulate_account(seed=2)
    assert time.perf_counter() - started < 1.0


def test_configurable_days_and_helpful_errors():
    short = simulate_account(seed=3, days=30, n_products=3)
    assert short.business_report["date"].nunique() == 30
    assert short.products.shape[0] == 3
    with pytest.raises(ValueError, match="non-negative integer"):
        AccountConfig(seed=-1)
    with pytest.raises(ValueError, match="CATALOGUE"):
        AccountConfig(n_products=99)
    with pytest.raises(ValueError, match="exact"):
        AccountConfig(cvr_by_match_type={"exact": 0.1})
    with pytest.raises(TypeError, match="not both"):
        simulate_account(AccountConfig(), seed=2)


@pytest.mark.parametrize("seed", SEEDS)
def test_advertising_ranges_follow_the_facts(accounts, seed):
    account = accounts[seed]
    total = ads.ad_metrics(account.search_terms, by=()).iloc[0]
    assert 0.003 <= total["ctr"] <= 0.007          # sponsored products CTR
    assert 0.08 <= total["cvr"] <= 0.15            # ad CVR about 10%
    assert 0.15 <= total["acos"] <= 0.40           # typical ACoS
    total_sales = account.business_report["ordered_product_sales"].sum()
    assert ads.tacos(total["spend"], total_sales) < 0.15


@pytest.mark.parametrize("seed", SEEDS)
def test_business_report_ranges_follow_the_facts(accounts, seed):
    report = accounts[seed].business_report
    usp = report["units_ordered"].sum() / report["sessions"].sum()
    assert 0.09 <= usp <= 0.16                     # unit session percentage about 10%-15%
    assert report["featured_offer_percentage"].between(0, 1).all()
    assert 0.7 <= report["featured_offer_percentage"].mean() <= 1.0
    assert (report["page_views"] >= report["sessions"]).all()


def test_average_acos_over_seeds_is_near_27_percent():
    acos = [ads.ad_metrics(simulate_account(seed=s, days=120).search_terms, by=()).iloc[0]["acos"]
            for s in range(6)]
    assert 0.20 <= np.mean(acos) <= 0.34


def test_tables_agree_with_each_other(accounts):
    account = accounts[31]
    orders, report, terms = account.orders, account.business_report, account.search_terms
    units = orders.groupby(["order_date", "product_id"])["quantity"].sum()
    by_cell = report.set_index(["date", "product_id"])["units_ordered"]
    assert units.reindex(by_cell.index, fill_value=0).to_numpy().tolist() == by_cell.to_numpy().tolist()
    ad_orders = terms.groupby(["date", "product_id"])["orders"].sum()
    assert (ad_orders <= by_cell.reindex(ad_orders.index)).all()
    prices = account.products.set_index("product_id")["price"]
    assert np.allclose(terms["sales"], terms["orders"] * terms["product_id"].map(prices).to_numpy())
    assert (orders["ship_by_date"] > orders["order_date"]).all()
    shipped = orders["shipped_date"].notna()
    assert (orders.loc[shipped, "shipped_date"] >= orders.loc[shipped, "order_date"]).all()
    assert not (orders["cancelled"] & shipped).any()
    assert orders.loc[~shipped, "valid_tracking"].isna().all()
    assert not (orders["cancelled"] & orders["a_to_z_claim"]).any()
    assert account.b2b_traffic["inquiries"].sum() == len(account.inquiries)
    placed = account.inquiries["order_placed"]
    assert account.inquiries.loc[placed, "quotation_sent"].all()
    assert account.inquiries.loc[placed, "order_value_usd"].notna().all()


def test_products_carry_the_tier_the_fee_schedule_gives():
    products = simulate_account(seed=5, n_products=12, days=30).products
    schedule = load_schedule("amazon_us")
    tiers = econ.size_tier(products["length_in"], products["width_in"], products["height_in"],
                           products["unit_weight_lb"], schedule)
    assert tiers.tolist() == products["size_tier"].tolist()
    assert {"small_standard", "large_standard", "large_bulky"} <= set(tiers)
    with_fees = econ.fee_table(products, schedule)
    margin = with_fees["price"] - with_fees["referral_fee"] - with_fees["fulfilment_fee"] - with_fees["unit_cost"]
    assert (margin > 0).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_cvr_by_match_type_recovers_the_truth(accounts, seed):
    account = accounts[seed]
    truth = account.truth.search_terms
    relevant = truth.loc[truth["relevant"], ["campaign", "ad_group", "customer_search_term", "cvr"]]
    terms = account.search_terms.merge(relevant.drop_duplicates(["campaign", "ad_group", "customer_search_term"]),
                                       on=["campaign", "ad_group", "customer_search_term"])
    for match_type, rows in terms.groupby("match_type"):
        clicks = rows["clicks"].sum()
        expected = (rows["clicks"] * rows["cvr"]).sum() / clicks
        observed = rows["orders"].sum() / clicks
        assert abs(observed - expected) < 4 * np.sqrt(expected * (1 - expected) / clicks), match_type
        # and the terms' true rates are centred on the match type's parameter
        assert rows["cvr"].mean() == pytest.approx(account.truth.cvr_by_match_type[match_type], rel=0.25)
    exact, broad = (terms[terms["match_type"] == m] for m in ("exact", "broad"))
    assert exact["orders"].sum() / exact["clicks"].sum() > broad["orders"].sum() / broad["clicks"].sum()


def test_the_truth_is_what_the_config_says():
    config = AccountConfig(seed=4, order_defect_rate=0.02, bid_multiplier=1.5, bid_change_day=100)
    account = simulate_account(config)
    assert account.truth.order_defect_rate == 0.02
    assert account.truth.bid_change_date == pd.Timestamp("2024-01-01") + pd.Timedelta(days=100)
    assert account.truth.expected_acos_after == pytest.approx(1.5 * account.truth.expected_acos_before)
    # changing B2B settings leaves the storefront's tables alone (separate random streams)
    other = simulate_account(seed=4, order_defect_rate=0.02, bid_multiplier=1.5, bid_change_day=100,
                             quotation_rate=0.5)
    pd.testing.assert_frame_equal(account.orders, other.orders)
    assert not account.inquiries.equals(other.inquiries)
