"""Deal windows to the minute, and the event-study uplift recovering a known one."""

import numpy as np
import pandas as pd
import pytest

from cbec.modules.livestream_analytics import deals
from tests.livestream_fixtures import T0, deals_frame, events_frame, streams_frame, synthetic_season


def test_deal_minutes_are_start_inclusive_end_exclusive():
    streams = streams_frame([(1, 1, 0, 12), (2, 1, 0, 3)])
    table = deals.deal_minutes(streams, deals_frame([(7, 1, 2, 4, "coupon"), (8, 1, 6, 9)]))
    one = table[table["stream_id"] == 1]
    assert one["phase"].astype(str).tolist() == ["before", "before", "in", "in", "before", "before", "in", "in", "in",
                                                 "after", "after", "after"]
    assert one["deal_id"].tolist() == [7, 7, 7, 7, 8, 8, 8, 8, 8, 8, 8, 8]
    assert one["minutes_from_deal_start"].tolist() == [-2, -1, 0, 1, -2, -1, 0, 1, 2, 3, 4, 5]
    assert np.isnan(one["minutes_since_deal_end"].iloc[:4]).all()
    assert one["minutes_since_deal_end"].iloc[4:6].tolist() == [0, 1]
    assert one["format"].astype(str).iloc[2] == "coupon"
    assert table.loc[table["stream_id"] == 2, "phase"].astype(str).tolist() == ["none"] * 3
    assert deals.deal_at([1, 1, 1, 2], [T0 + pd.Timedelta(minutes=m) for m in (1.99, 2, 4, 3)],
                         deals_frame([(7, 1, 2, 4)])).tolist() == [pd.NA, 7, pd.NA, pd.NA]


def test_overlapping_or_reversed_deals_are_refused():
    streams = streams_frame([(1, 1, 0, 30)])
    with pytest.raises(ValueError, match="overlapping"):
        deals.deal_minutes(streams, deals_frame([(1, 1, 2, 10), (2, 1, 8, 12)]))
    with pytest.raises(ValueError, match="end before"):
        deals.deal_minutes(streams, deals_frame([(1, 1, 10, 10)]))


def test_minute_sales_books_orders_to_their_minute_with_zeros_kept():
    events = events_frame([(1, 1, 2.5, "order", 1, 1, 10.0), (1, 1, 2.6, "payment", 1, 1, 10.0),
                           (1, 2, 3.0, "order", 1, 2, 5.0), (1, 3, 3.9, "order", 1, 3, 7.0),
                           (1, 3, 3.95, "payment", 1, 3, 7.0), (1, 3, 60, "refund", 1, 3, 7.0),
                           (1, 4, 30, "order", 1, 4, 9.0)])   # after the stream: left out
    table = deals.minute_sales(events, streams_frame([(1, 1, 0, 6)]), deals_frame([(1, 1, 3, 5)]))
    assert table["orders"].tolist() == [0, 0, 1, 2, 0, 0]
    assert table["gmv"].tolist() == [0, 0, 10.0, 0, 0, 0]   # order 2 unpaid, order 3 refunded
    naive = deals.naive_deal_comparison(table, before_minutes=2)
    assert naive[["in_per_minute", "before_per_minute"]].iloc[0].tolist() == [1.0, 0.5]


@pytest.fixture(scope="module")
def season_minutes():
    season = synthetic_season(21, n_streams=50, deal_uplift={"flash_price": 2.0, "coupon": 1.2, "bundle": 1.5})
    return season, deals.minute_sales(season.events, season.streams, season.deals)


def test_uplift_by_format_recovers_each_formats_truth(season_minutes):
    season, minutes = season_minutes
    result = deals.deal_uplift(minutes)
    table = result.by_format.set_index("format")
    for deal_format, truth in season.truth.deal_uplift.items():
        assert table.loc[deal_format, "ci_low"] <= truth <= table.loc[deal_format, "ci_high"], deal_format
    assert table.loc["flash_price", "ci_low"] > table.loc["coupon", "ci_high"]
    assert result.deals == len(season.deals) and table["deals"].sum() == len(season.deals)
    assert deals.deal_uplift(minutes, measure="gmv", by_format=False).overall.interval[0] > 1.2


def test_uplift_interval_covers_the_truth_over_seeds():
    estimates, covered = [], 0
    for seed in range(30, 38):
        season = synthetic_season(seed, n_streams=40, deal_uplift=1.6)
        minutes = deals.minute_sales(season.events, season.streams, season.deals)
        overall = deals.deal_uplift(minutes, by_format=False).overall
        estimates.append(np.log(overall.uplift))
        covered += overall.interval[0] <= 1.6 <= overall.interval[1]
        assert overall.interval[0] > 1.3    # clearly an effect every time
    assert covered >= 6                      # of 8, at 95% nominal
    assert np.mean(estimates) == pytest.approx(np.log(1.6), abs=0.04)


def test_naive_comparison_overstates_while_the_audience_builds_up(season_minutes):
    season = synthetic_season(22, n_streams=50, deal_uplift=1.0)   # deals do nothing here
    minutes = deals.minute_sales(season.events, season.streams, season.deals)
    assert deals.naive_uplift(minutes, before_minutes=10) > 1.03
    low, high = deals.deal_uplift(minutes, by_format=False).overall.interval
    assert low <= 1.0 <= high


def test_event_study_profile_is_flat_before_and_up_in_the_window(season_minutes):
    _, minutes = season_minutes
    profile = deals.event_study_profile(minutes, before_minutes=10, after_minutes=12).set_index("minutes_from_deal_start")
    assert profile.index.min() == -10 and profile.index.max() == 12
    assert profile.loc[-10:-1, "relative"].mean() == pytest.approx(1.0, abs=0.05)  # pooled before-level is 1
    assert profile.loc[0:4, "relative"].min() > 1.2
    assert (profile.loc[0:4, "in_deal_share"] == 1).all() and (profile.loc[-10:-1, "in_deal_share"] == 0).all()


def test_too_few_deals_is_explained():
    streams = streams_frame([(1, 1, 0, 20)])
    minutes = deals.minute_sales(events_frame([(1, 1, 5, "order", 1, 1, 3.0)]), streams, deals_frame([(1, 1, 5, 8)]))
    with pytest.raises(ValueError, match="at least two streams"):
        deals.deal_uplift(minutes)
