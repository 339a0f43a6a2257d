"""The analytics recover what the season simulator put in: deal uplifts on a real simulated season."""

from __future__ import annotations

import pytest

from cbec.modules.livestream_analytics import deals
from cbec.modules.livestream_analytics.simulator import simulate_season

SEEDS = range(6)


@pytest.fixture(scope="module")
def fits():
    results = []
    for seed in SEEDS:
        season = simulate_season(seed=seed)
        minutes = deals.minute_sales(season.events, season.streams, season.deals)
        results.append((season, deals.deal_uplift(minutes, per="viewer_minute"), deals.deal_uplift(minutes)))
    return results


def test_per_viewer_uplift_intervals_cover_the_true_uplift_of_each_format(fits):
    covered = []
    for season, per_viewer, _ in fits:
        for row in per_viewer.by_format.itertuples():
            truth = season.truth.deal_uplift[row.format]
            covered.append(row.ci_low <= truth <= row.ci_high)
    # 18 intervals at 95%: a few misses are chance, many would be bias
    assert sum(covered) >= 15, covered


def test_sales_per_minute_rise_more_than_conversion_because_deals_draw_viewers_in(fits):
    for _, per_viewer, per_minute in fits:
        assert per_minute.overall.uplift > per_viewer.overall.uplift


def test_the_viewer_minutes_of_a_season_add_up_to_its_watch_time(fits):
    from cbec.modules.livestream_analytics.concurrency import watch_time

    season = fits[0][0]
    minutes = deals.minute_sales(season.events, season.streams, season.deals)
    total = watch_time(season.events, season.streams)["total_watch_minutes"].sum()
    assert minutes["viewer_minutes"].sum() == pytest.approx(total, rel=1e-9)
