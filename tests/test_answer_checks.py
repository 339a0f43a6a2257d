"""Learner-facing checks: helpful for wrong types and sizes, silent on correctness."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cbec.assignments.checks import AnswerCheckError
from cbec.modules.data_operation.assignment import MANUAL_POINTS, QUESTIONS, check


def test_points_add_up_to_one_hundred():
    assert len(QUESTIONS) >= 8
    assert sum(q.points for q in QUESTIONS) + MANUAL_POINTS == 100


def test_plausible_answers_pass(capsys):
    check.q1(123456.7)
    check.q4(np.float64(0.021))
    check.q6("add_to_cart")
    check.q9(np.int64(25000))
    assert "plausible" in capsys.readouterr().out


@pytest.mark.parametrize("question, answer, message", [
    ("q4", 2.1, "fraction"),                         # a percentage
    ("q1", pd.Series([1.0]), "float"),               # a Series
    ("q4", np.array([0.02]), "single number"),       # an array
    ("q9", 2500.5, "whole number"),                  # not rounded
    ("q9", True, "whole number"),                    # a bool is not a count
    ("q6", 2, "str"),                                # an index, not a name
    ("q6", "cart", "not one of"),                    # not a stage
    ("q7", float("nan"), "NaN"),
    ("q2", None, "not answered"),
])
def test_implausible_answers_fail_with_a_useful_message(question, answer, message):
    with pytest.raises(AnswerCheckError, match=message):
        getattr(check, question)(answer)


def test_unknown_question_lists_the_questions():
    with pytest.raises(AttributeError, match="q1, q2"):
        check.q99


def test_a_failed_check_shows_one_line_and_plain_numbers():
    with pytest.raises(AnswerCheckError) as failed:
        check.q4(np.float64(2.1574))
    lines = failed.value._render_traceback_()
    assert lines == [f"Check failed: {failed.value}"] and "np.float64" not in lines[0] and "2.1574" in lines[0]


@pytest.mark.parametrize("answer, advice", [(2500.5, "math.ceil"), (np.array([3]), "int(...)")])
def test_an_integer_question_asks_for_an_int(answer, advice):
    with pytest.raises(AnswerCheckError, match="whole number") as failed:
        check.q9(answer)
    assert advice in str(failed.value) and "float(...)" not in str(failed.value)
