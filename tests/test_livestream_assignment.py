"""The Live-Stream Analytics assignment's own parts: personal seasons and the learner-facing checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cbec.assignments.checks import AnswerCheckError
from cbec.modules.livestream_analytics.assignment import ASSIGNMENT, check, student_season
from cbec.modules.livestream_analytics.schemas import SCHEMAS
from cbec.modules.livestream_analytics.variants import variant_config


def test_each_student_gets_a_season_of_their_own():
    alice, bob = student_season("alice"), student_season("bob")
    assert alice.config == variant_config("alice", ASSIGNMENT) != bob.config
    assert len(alice.events) != len(bob.events)
    pd.testing.assert_frame_equal(student_season("alice").events, alice.events)
    assert list(alice) == list(SCHEMAS)


def test_which_deal_format_lifts_conversion_most_differs_between_students():
    best = {max(variant_config(f"s{i}", ASSIGNMENT).deal_uplift.items(), key=lambda item: item[1])[0]
            for i in range(30)}
    assert len(best) >= 2


def test_a_season_is_small_enough_to_grade_in_seconds():
    sizes = [len(student_season(f"s{i}").events) for i in range(5)]
    assert all(50_000 < n < 600_000 for n in sizes), sizes


@pytest.mark.parametrize("qid, answer, words", [
    ("q1", 2.5, "whole number"),                 # a float for a count
    ("q7", 1.8, "not a percentage"),              # a percentage for a fraction
    ("q3", np.array([3]), "Take the single value out"),
    ("q9", None, "not answered"),
])
def test_checks_name_the_slip_in_one_line(qid, answer, words):
    with pytest.raises(AnswerCheckError, match=words) as caught:
        getattr(check, qid)(answer)
    assert "\n" not in str(caught.value)
