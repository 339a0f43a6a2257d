"""Comments go with orders, but in this season they sell nothing: the controlled slope is near zero."""

import numpy as np
import pytest

from cbec.modules.livestream_analytics import engagement
from tests.livestream_fixtures import synthetic_season


def test_engagement_minutes_match_the_generator():
    season = synthetic_season(12, n_streams=20)
    minutes = engagement.engagement_minutes(season.events, season.streams, season.deals)
    for column in ("concurrency", "comments", "likes", "orders", "in_deal"):
        assert (minutes[column].to_numpy() == season.minutes[column].to_numpy()).all(), column


def test_naive_slope_is_positive_and_the_controlled_one_near_zero_over_seeds():
    controlled, covered = [], 0
    for seed in range(10, 16):
        season = synthetic_season(seed, n_streams=40)
        minutes = engagement.engagement_minutes(season.events, season.streams, season.deals)
        result = engagement.engagement_elasticity(minutes)
        assert result.naive.interval[0] > 0.5
        controlled.append(result.controlled.slope)
        covered += result.controlled.interval[0] <= 0 <= result.controlled.interval[1]
    assert covered >= 5
    assert abs(np.mean(controlled)) < 0.05


def test_one_stream_is_not_enough():
    season = synthetic_season(13, n_streams=2)
    minutes = engagement.engagement_minutes(season.events, season.streams, season.deals)
    with pytest.raises(ValueError, match="one stream"):
        engagement.engagement_elasticity(minutes[minutes["stream_id"] == 1])
