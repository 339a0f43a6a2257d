"""The analytics recover what the season simulator put in: deal uplifts on a real simulated season."""

from __future__ import annotations

import numpy as np
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


def test_host_effect_intervals_cover_the_true_host_effects():
    from cbec.modules.livestream_analytics import hosts

    covered, adjusted_error, league_error = [], [], []
    for seed in range(8):
        season = simulate_season(seed=seed, n_hosts=6, streams_per_host=20)
        result = hosts.host_effects(hosts.audience_cells(season.events, season.streams))
        checked = hosts.effects_against_truth(result, season.truth.host_order_effect()).iloc[1:]
        covered += checked["inside"].tolist()
        adjusted_error.append(checked["log_error"].mean())
        league = hosts.raw_host_averages(hosts.stream_table(season.events, season.streams)).set_index("host_id")
        league_error.append(np.abs(np.log(league["gmv_ratio"].iloc[1:] / checked.set_index("host_id")["true_effect"]))
                            .mean())
    # 40 intervals at 95%: two or three misses are chance; the sandwich errors missed about one in eight
    assert sum(covered) >= 35, covered
    assert np.mean(adjusted_error) < 0.5 * np.mean(league_error)


def test_engagement_slopes_are_spurious_naively_and_near_zero_with_the_audience_held_fixed():
    from cbec.modules.livestream_analytics import engagement

    controlled, covered = [], []
    for seed in SEEDS:
        season = simulate_season(seed=seed)
        assert season.truth.comment_effect_on_orders == 0.0
        minutes = engagement.engagement_minutes(season.events, season.streams, season.deals)
        for kind in ("comments", "likes"):
            result = engagement.engagement_elasticity(minutes, engagement=kind)
            assert result.naive.interval[0] > 0.5, (seed, kind)
            controlled.append(result.controlled.slope)
            covered.append(result.controlled.interval[0] <= 0 <= result.controlled.interval[1])
    # twelve intervals at 95%: one or two may miss zero by chance
    assert sum(covered) >= 10, covered
    assert abs(np.mean(controlled)) < 0.1, controlled
