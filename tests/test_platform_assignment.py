"""The Platform Operation assignment's own parts: personal accounts and the learner-facing checks."""

from __future__ import annotations

import pandas as pd
import pytest

from cbec.assignments.checks import AnswerCheckError
from cbec.modules.platform_operation.assignment import ASSIGNMENT, check, student_account
from cbec.modules.platform_operation.schemas import SCHEMAS
from cbec.modules.platform_operation.simulator import AccountData
from cbec.modules.platform_operation.variants import variant_config


def test_each_student_gets_an_account_of_their_own():
    alice, bob = student_account("alice"), student_account("bob")
    assert alice.student_id == "alice" and variant_config("alice", ASSIGNMENT) == alice.config
    assert alice.config != bob.config
    assert not alice.orders.equals(bob.orders)
    pd.testing.assert_frame_equal(student_account("alice").orders, alice.orders)  # stable for one id


def test_the_account_has_every_table_its_schema_documents():
    account = student_account("alice")
    assert list(account) == list(AccountData.TABLES) == list(SCHEMAS)
    for name in account:
        assert list(account[name].columns) == list(SCHEMAS[name].columns)


def test_changing_a_table_never_changes_what_the_grader_sees():
    first = student_account("alice")
    first.orders.loc[:, "quantity"] = 0
    assert student_account("alice").orders["quantity"].sum() > 0


def test_parameters_vary_within_sensible_ranges():
    configs = [variant_config(f"s{i}", ASSIGNMENT) for i in range(30)]
    assert {c.n_products for c in configs} <= set(range(6, 10)) and len({c.n_products for c in configs}) > 1
    assert all(-0.6 <= c.response_logit_slope <= -0.3 for c in configs)
    assert len({c.seed for c in configs}) == 30


@pytest.mark.parametrize("qid, answer, words", [
    ("q4", 35.0, "not a percentage"),           # a percentage for a fraction
    ("q5", 4.2, "sales / spend is ROAS"),        # ROAS given for ACoS
    ("q8", 1.3, "not a percentage"),
    ("q1", pd.Series([2.5]), "take its value with float"),
    ("q10", None, "not answered"),
])
def test_checks_name_the_slip_in_one_line(qid, answer, words):
    with pytest.raises(AnswerCheckError, match=words) as caught:
        getattr(check, qid)(answer)
    assert "\n" not in str(caught.value)


def test_a_plausible_answer_passes_the_check_without_revealing_correctness(capsys):
    check.q5(0.27)
    assert "plausible" in capsys.readouterr().out
