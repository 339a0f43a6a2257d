"""Sponsored-products metrics, search-term harvesting and negation, bid-change evaluation."""

import numpy as np
import pandas as pd
import pytest

from cbec.modules.platform_operation import advertising as ads
from cbec.modules.platform_operation.simulator import simulate_account


def report(rows):
    columns = ["campaign", "ad_group", "keyword", "match_type", "customer_search_term",
               "impressions", "clicks", "spend", "orders", "sales"]
    return pd.DataFrame(rows, columns=columns)


SMALL = report([
    ("C1", "Exact", "yoga mat", "exact", "yoga mat", 10000, 50, 40.0, 6, 180.0),
    ("C1", "Phrase", "yoga mat", "phrase", "yoga mat thick", 8000, 40, 30.0, 5, 150.0),
    ("C1", "Phrase", "yoga mat", "phrase", "yoga mat", 2000, 10, 8.0, 1, 30.0),
    ("C1", "Broad", "yoga mat", "broad", "yoga mat diy", 5000, 20, 16.0, 0, 0.0),
    ("C1", "Broad", "yoga mat", "broad", "cheap yoga mat", 4000, 20, 15.0, 1, 30.0),
    ("C1", "Broad", "yoga mat", "broad", "mat repair", 500, 5, 4.0, 0, 0.0),
])


def test_metrics_by_hand():
    table = ads.ad_metrics(SMALL, by="match_type").set_index("match_type")
    exact = table.loc["exact"]
    assert exact["ctr"] == pytest.approx(50 / 10000)
    assert exact["cpc"] == pytest.approx(40 / 50)
    assert exact["cvr"] == pytest.approx(6 / 50)
    assert exact["acos"] == pytest.approx(40 / 180)
    assert exact["roas"] == pytest.approx(180 / 40)
    total = ads.ad_metrics(SMALL, by=()).iloc[0]
    assert total["spend"] == pytest.approx(113.0)
    assert total["acos"] == pytest.approx(113 / 390)


def test_zero_denominators_are_nan_or_infinite():
    table = ads.ad_metrics(SMALL, by="customer_search_term").set_index("customer_search_term")
    assert np.isinf(table.loc["yoga mat diy", "acos"])       # spend without sales
    zero = ads.add_metrics(report([("C", "A", "k", "exact", "t", 0, 0, 0.0, 0, 0.0)]).iloc[:, 5:])
    assert np.isnan(zero["ctr"].iloc[0]) and np.isnan(zero["acos"].iloc[0])


def test_tacos():
    assert ads.tacos(100.0, 1000.0) == pytest.approx(0.10)


def test_missing_columns_are_named():
    with pytest.raises(KeyError, match="spend"):
        ads.ad_metrics(SMALL.drop(columns="spend"))


def test_harvest_keeps_cheap_converting_terms_that_are_not_exact_keywords():
    harvested = ads.harvest_search_terms(SMALL, target_acos=0.30, min_clicks=10, min_orders=2)
    # "yoga mat" is already an exact keyword; "cheap yoga mat" has one order; "yoga mat diy" none
    assert harvested["customer_search_term"].tolist() == ["yoga mat thick"]
    assert harvested["acos"].iloc[0] == pytest.approx(0.20)
    assert ads.harvest_search_terms(SMALL, target_acos=0.15).empty


def test_negate_flags_clicks_without_orders_and_acos_far_above_break_even():
    negated = ads.negate_search_terms(SMALL, break_even_acos=0.30, min_clicks=15, acos_multiple=1.5)
    reasons = dict(zip(negated["customer_search_term"], negated["reason"]))
    # "mat repair" has too few clicks to judge; "cheap yoga mat" has ACoS 0.5 > 0.45
    assert reasons == {"yoga mat diy": "clicks without orders", "cheap yoga mat": "ACoS above 1.5 x break-even"}
    assert negated["spend"].is_monotonic_decreasing
    with pytest.raises(ValueError, match=">= 1"):
        ads.negate_search_terms(SMALL, break_even_acos=0.3, acos_multiple=0.5)


@pytest.fixture(scope="module")
def account():
    return simulate_account(seed=11)


def test_negations_on_simulated_data_are_mostly_irrelevant_searches(account):
    negated = ads.negate_search_terms(account.search_terms, break_even_acos=0.35, min_clicks=20)
    truth = account.truth.search_terms.drop_duplicates(["campaign", "ad_group", "customer_search_term"])
    merged = negated.merge(truth, on=["campaign", "ad_group", "customer_search_term"], how="left")
    assert len(merged) >= 3
    assert (~merged["relevant"]).mean() >= 0.8
    # and most irrelevant terms that were shown enough get caught
    irrelevant = truth[~truth["relevant"]]
    caught = irrelevant["customer_search_term"].isin(negated["customer_search_term"]).mean()
    assert caught >= 0.6


def test_harvested_terms_on_simulated_data_are_relevant(account):
    harvested = ads.harvest_search_terms(account.search_terms, target_acos=0.35)
    truth = account.truth.search_terms
    relevant_terms = set(truth.loc[truth["relevant"], "customer_search_term"])
    assert len(harvested) >= 5
    assert harvested["customer_search_term"].isin(relevant_terms).all()


def split_at_bid_change(account):
    terms = account.search_terms
    change = account.truth.bid_change_date
    return terms[terms["date"] < change], terms[terms["date"] >= change]


def test_bid_change_raises_cpc_and_acos_but_not_cvr(account):
    before, after = split_at_bid_change(account)
    result = ads.compare_bid_change(before, after, seed=1)
    assert result.cpc_after / result.cpc_before == pytest.approx(account.truth.bid_multiplier, rel=0.03)
    assert result.acos_difference_interval[0] > 0
    low, high = result.cvr_difference_interval
    assert low < result.cvr_difference < high
    assert result.bootstrap_samples == 2000


def test_bid_change_intervals_cover_the_truth_on_most_seeds():
    covered_cvr = covered_acos = 0
    seeds = range(20, 25)
    for seed in seeds:
        account = simulate_account(seed=seed)
        before, after = split_at_bid_change(account)
        result = ads.compare_bid_change(before, after, seed=seed, bootstrap_samples=1000)
        true_acos_change = account.truth.expected_acos_after - account.truth.expected_acos_before
        covered_cvr += result.cvr_difference_interval[0] <= 0 <= result.cvr_difference_interval[1]
        covered_acos += result.acos_difference_interval[0] <= true_acos_change <= result.acos_difference_interval[1]
    # 95% intervals: missing on more than one seed in five would be suspicious
    assert covered_cvr >= 4 and covered_acos >= 4


def test_bid_change_is_repeatable_and_refuses_empty_periods(account):
    before, after = split_at_bid_change(account)
    first = ads.compare_bid_change(before, after, seed=3, bootstrap_samples=500)
    again = ads.compare_bid_change(before, after, seed=3, bootstrap_samples=500)
    other = ads.compare_bid_change(before, after, seed=4, bootstrap_samples=500)
    assert first == again
    assert first.acos_difference_interval != other.acos_difference_interval
    with pytest.raises(ValueError, match="widen the period"):
        ads.compare_bid_change(before.iloc[:0], after, seed=1)


def test_ad_funnel_by_hand():
    funnel = ads.ad_funnel(SMALL)
    assert funnel["stage"].tolist() == ["impressions", "clicks", "orders"]
    assert funnel["count"].tolist() == [29500, 145, 13]
    assert np.isnan(funnel["step_conversion"].iloc[0])
    assert funnel["step_conversion"].iloc[1:].tolist() == pytest.approx([145 / 29500, 13 / 145])
    assert funnel["step_rate"].tolist() == ["", "CTR", "CVR"]


def test_metrics_by_period_sums_calendar_weeks_starting_on_monday():
    dated = pd.concat([SMALL.assign(date=pd.Timestamp(day)) for day in ("2024-01-07", "2024-01-08", "2024-01-14")])
    weeks = ads.metrics_by_period(dated)
    # Sunday 7 January closes the week of 1 January; 8 and 14 January are one week
    assert weeks["period_start"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-08")]
    assert weeks["days"].tolist() == [1, 2]
    assert weeks["spend"].tolist() == pytest.approx([113.0, 226.0])
    assert weeks["acos"].tolist() == pytest.approx([113 / 390, 113 / 390])
    with pytest.raises(KeyError, match="date"):
        ads.metrics_by_period(SMALL)


def test_term_actions_label_every_loose_term_once():
    actions = ads.term_actions(SMALL, target_acos=0.30, break_even_acos=0.30, min_clicks=10, min_orders=2,
                               negate_min_clicks=15)
    assert set(actions["match_type"]) == {"phrase", "broad"} and len(actions) == 5
    labelled = dict(zip(actions["customer_search_term"], actions["action"]))
    assert labelled == {"yoga mat thick": "harvest", "yoga mat": "keep", "yoga mat diy": "negate",
                        "cheap yoga mat": "negate", "mat repair": "keep"}


def test_negating_wins_over_harvesting_in_the_ad_group_that_wastes():
    # the term converts cheaply in Phrase (harvested overall) but only burns clicks in Broad
    table = report([
        ("C1", "Phrase", "mat", "phrase", "mat thick", 5000, 60, 30.0, 8, 240.0),
        ("C1", "Broad", "mat", "broad", "mat thick", 5000, 30, 20.0, 0, 0.0),
    ])
    actions = ads.term_actions(table, target_acos=0.30, break_even_acos=0.40).set_index("ad_group")["action"]
    assert actions.to_dict() == {"Broad": "negate", "Phrase": "harvest"}


def test_term_actions_on_simulated_data_negate_irrelevant_and_harvest_relevant_terms(account):
    actions = ads.term_actions(account.search_terms, target_acos=0.25, break_even_acos=0.35)
    truth = account.truth.search_terms[["campaign", "ad_group", "customer_search_term", "relevant"]]
    merged = actions.merge(truth, on=["campaign", "ad_group", "customer_search_term"], how="left")
    assert merged["relevant"].notna().all()
    assert (~merged.loc[merged["action"] == "negate", "relevant"]).mean() >= 0.8
    assert merged.loc[merged["action"] == "harvest", "relevant"].all()


def test_split_at_date_takes_equal_spans_either_side():
    dated = pd.concat([SMALL.assign(date=pd.Timestamp("2024-07-01") + pd.Timedelta(days=d)) for d in range(-20, 20)])
    before, after = ads.split_at_date(dated, "2024-07-01", days=14)
    assert before["date"].min() == pd.Timestamp("2024-06-17") and before["date"].max() == pd.Timestamp("2024-06-30")
    assert after["date"].min() == pd.Timestamp("2024-07-01") and after["date"].max() == pd.Timestamp("2024-07-14")
    everything_before, everything_after = ads.split_at_date(dated, "2024-07-01")
    assert len(everything_before) == 20 * len(SMALL) and len(everything_after) == 20 * len(SMALL)
    with pytest.raises(ValueError, match=">= 1"):
        ads.split_at_date(dated, "2024-07-01", days=0)
