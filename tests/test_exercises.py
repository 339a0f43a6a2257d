"""Lecture exercises (learntools style): right, wrong and near-miss answers, hints, and a
solution that waits for the number of tries the instructor sets."""

from __future__ import annotations

import pandas as pd
import pytest

from cbec.assignments.checks import Question
from cbec.modules.data_operation.exercises import EXERCISES
from cbec.exercises import SOLUTION_AFTER_ENV, Exercise

SESSIONS = pd.DataFrame({"traffic_source": ["ads", "ads", "email", "organic"],
                         "sessions": [100, 50, 50, 400], "orders": [4, 6, 5, 8]})


@pytest.fixture
def conversion(monkeypatch):
    monkeypatch.delenv(SOLUTION_AFTER_ENV, raising=False)
    return EXERCISES["conversion_by_source"].bind(sessions=SESSIONS)


def _right():
    return pd.Series({"email": 0.1, "ads": 10 / 150, "organic": 0.02})


def test_the_right_answer_is_correct(conversion, capsys):
    assert conversion.check(_right())
    assert capsys.readouterr().out.strip() == "Correct: conversion_by_source is right."


@pytest.mark.parametrize("answer, message", [
    (0.03, "should be a pandas Series"),                                          # a number
    (pd.Series({"email": 0.1, "ads": 10 / 150}), "one value for each of"),       # a source missing
    (pd.Series({"email": 0.1, "ads": 10 / 150, "organic": 0.2}), "values of conversion_by_source are off"),
    (pd.Series({"ads": 10 / 150, "email": 0.1, "organic": 0.02}), "not sorted"),  # right numbers, wrong order
    (SESSIONS.groupby("traffic_source").apply(lambda g: (g.orders / g.sessions).mean()), "are off"),  # mean of ratios
])
def test_wrong_and_near_miss_answers_say_what_is_off_in_one_line(conversion, capsys, answer, message):
    assert not conversion.check(answer)
    printed = capsys.readouterr().out.strip()
    assert message in printed and printed.startswith("Not yet:") and "\n" not in printed


def test_a_percentage_for_a_fraction_is_named():
    bound = Exercise("share", lambda: 0.25, "h", "s", fraction=True).bind()
    assert not bound.check(25.0)


def test_the_solution_waits_for_the_instructors_number_of_tries(conversion, capsys, monkeypatch):
    conversion.hint()
    assert "Sum sessions and orders" in capsys.readouterr().out
    conversion.solution()
    assert "Try 2 more times" in capsys.readouterr().out
    conversion.check(0.5)
    conversion.check(0.4)
    conversion.solution()
    assert "Solution:" in capsys.readouterr().out
    monkeypatch.setenv(SOLUTION_AFTER_ENV, "0")
    fresh = EXERCISES["conversion_by_source"].bind(sessions=SESSIONS)
    fresh.solution()
    assert "conversion_by_source = " in capsys.readouterr().out


def test_graded_questions_have_no_solution():
    assert not hasattr(Question, "solution")
