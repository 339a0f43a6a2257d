"""The markets strategies are scored on: fixed public ones, hidden ones drawn from the course's secret."""

from __future__ import annotations

import numpy as np
import pytest

from cbec.modules.competition.scenarios import (HIDDEN_KINDS, HIDDEN_PLAY_SEEDS, SCORE_BOUNDS, hidden_scenarios,
                                                normalised_score, public_scenarios, reference_profits)


def test_hidden_scenarios_follow_the_secret_and_nothing_else():
    first, again, other = hidden_scenarios("s3cret"), hidden_scenarios("s3cret"), hidden_scenarios("other")
    assert first == again
    assert [s.kind for s in first] == list(HIDDEN_KINDS) and all(s.hidden for s in first)
    assert all(a.config.seed != b.config.seed and a.play_seeds != b.play_seeds for a, b in zip(first, other))
    assert all(len(s.play_seeds) == HIDDEN_PLAY_SEEDS and min(s.play_seeds) > 10**6 for s in first)
    for scenario in first:  # each kind changes what it says it changes
        for name, value in HIDDEN_KINDS[scenario.kind].items():
            assert getattr(scenario.config, name) == value
    with pytest.raises(ValueError, match="grading secret"):
        hidden_scenarios("")


def test_public_scenarios_are_fixed_and_never_hidden():
    assert public_scenarios() == public_scenarios() and not any(s.hidden for s in public_scenarios())


def test_the_normalised_score_is_zero_for_naive_one_for_baseline_and_clipped():
    profit = np.array([100.0, 300.0, 200.0, 10_000.0])
    naive, baseline = np.array([100.0, 100.0, 100.0, 100.0]), np.array([300.0, 300.0, 300.0, 300.0])
    assert list(normalised_score(profit, naive, baseline)) == [0.0, 1.0, 0.5, SCORE_BOUNDS[1]]
    # where the baseline does not beat naive, the gap is measured against naive's own size
    assert normalised_score(150.0, 100.0, 90.0) == pytest.approx(0.5)


def test_the_baseline_beats_naive_on_the_hidden_markets():
    """Over several courses' secrets, in every kind of hidden market, on almost every store."""
    wins = stores = 0
    for secret in [f"course-{k}" for k in range(6)]:
        for scenario in hidden_scenarios(secret):
            profits = reference_profits(scenario.config, scenario.play_seeds)
            assert profits["baseline"].sum() > profits["naive"].sum(), (secret, scenario.kind)
            wins += int((profits["baseline"] > profits["naive"]).sum())
            stores += len(scenario.play_seeds)
    assert wins / stores >= 0.9
