"""Platform Operation lecture exercises: the right answer passes; wrong and near-miss answers
are rejected with one line that says what is off."""

import pandas as pd
import pytest

from cbec.modules.platform_operation import account_health, advertising, b2b
from cbec.modules.platform_operation.exercises import EXERCISES
from cbec.modules.platform_operation.simulator import simulate_account
from tests.exercise_checks import default_tries, one_line_rejection  # noqa: F401 - autouse fixture

BREAK_EVEN = 0.38


@pytest.fixture(scope="module")
def account():
    return simulate_account(seed=7)




def test_wasted_spend_share(account, capsys):
    report = account.search_terms
    bound = EXERCISES["wasted_spend_share"].bind(report=report, break_even_acos=BREAK_EVEN)
    negated = advertising.negate_search_terms(report, BREAK_EVEN)
    right = negated["spend"].sum() / report["spend"].sum()
    assert 0.02 < right < 0.3
    assert bound.check(right)
    assert capsys.readouterr().out.strip() == "Correct: wasted_spend_share is right."
    one_line_rejection(bound, 100 * right, capsys, "looks like a percentage")
    loose_spend = report.loc[report["match_type"] != "exact", "spend"].sum()   # wrong denominator
    one_line_rejection(bound, negated["spend"].sum() / loose_spend, capsys, "is not the answer")
    no_orders_only = negated.loc[negated["reason"] == "clicks without orders", "spend"].sum() / report["spend"].sum()
    one_line_rejection(bound, no_orders_only, capsys, "is not the answer")
    one_line_rejection(bound, negated["spend"], capsys, "should be a single number")


def test_defect_rate_by_product(account, capsys):
    orders, as_of = account.orders, account.orders["order_date"].max()
    bound = EXERCISES["defect_rate_by_product"].bind(orders=orders, as_of=as_of)
    right = pd.Series({product: account_health.account_health(rows, as_of).set_index("metric")
                       .loc["order_defect_rate", "rate"] for product, rows in orders.groupby("product_id")}
                      ).sort_values(ascending=False)
    assert bound.check(right)
    capsys.readouterr()
    one_line_rejection(bound, right.sort_index(), capsys, "not sorted from highest to lowest")
    one_line_rejection(bound, right.iloc[:-1], capsys, "one value for each of")
    defective = orders[["negative_feedback", "a_to_z_claim", "chargeback"]].any(axis=1)
    whole_year = defective.groupby(orders["product_id"]).mean().sort_values(ascending=False)  # no 60-day window
    one_line_rejection(bound, whole_year, capsys, "values of defect_rate_by_product are off")
    one_line_rejection(bound, float(right.max()), capsys, "should be a pandas Series")


def test_reply_delay_cost(account, capsys):
    inquiries = account.inquiries
    bound = EXERCISES["reply_delay_cost"].bind(inquiries=inquiries)
    effect = b2b.response_time_logit(inquiries)
    right = effect.order_rate(1) - effect.order_rate(24)
    assert 0.05 < right < 0.3
    assert bound.check(right)
    capsys.readouterr()
    one_line_rejection(bound, 100 * right, capsys, "looks like a percentage")
    one_line_rejection(bound, -right, capsys, "is not the answer")                       # 24 h minus 1 h
    truth = account.truth                                                                 # the truth, not the fit
    one_line_rejection(bound, b2b.order_rate(truth.response_logit_intercept, truth.response_logit_slope, 1)
                       - b2b.order_rate(truth.response_logit_intercept, truth.response_logit_slope, 24),
                       capsys, "is not the answer")
    everyone = b2b.response_time_logit(inquiries, given_quotation=False)                  # unquoted inquiries in
    one_line_rejection(bound, everyone.order_rate(1) - everyone.order_rate(24), capsys, "is not the answer")


@pytest.mark.parametrize("name", ["wasted_spend_share", "defect_rate_by_product", "reply_delay_cost"])
def test_hints_and_solutions_name_the_functions_and_the_solution_runs(account, name, capsys):
    exercise = EXERCISES[name]
    data = {"wasted_spend_share": {"report": account.search_terms, "break_even_acos": BREAK_EVEN},
            "defect_rate_by_product": {"orders": account.orders, "as_of": account.orders["order_date"].max()},
            "reply_delay_cost": {"inquiries": account.inquiries}}[name]
    namespace = {"pd": pd, "advertising": advertising, "account_health": account_health, "b2b": b2b, **data}
    exec(exercise.solution, namespace)  # the code solution() shows is the right answer
    bound = exercise.bind(**data)
    assert bound.check(namespace[name])
    bound.hint()
    assert capsys.readouterr().out.count("\n") == 2  # "Correct" and one hint line


def test_price_cut_volume(capsys):
    from cbec.modules.platform_operation import economics
    from cbec.modules.platform_operation.fees import load_schedule

    schedule = load_schedule("amazon_us")
    bound = EXERCISES["price_cut_volume"].bind(price=29.99, unit_costs=14.0, category="sports_and_outdoors",
                                               schedule=schedule)
    right = economics.price_cut_volume_increase(29.99, 0.15, category="sports_and_outdoors", unit_costs=14.0,
                                                schedule=schedule)
    assert right > 0.15  # a cut out of a thin margin needs more extra volume than the cut itself
    assert bound.check(right)
    capsys.readouterr()
    # the referral fee kept at the old price: the near miss the hint names
    old_referral = 0.15 * 29.99
    stale = (29.99 - old_referral - 14.0) / (0.85 * 29.99 - old_referral - 14.0) - 1
    one_line_rejection(bound, stale, capsys, "not the answer")
    one_line_rejection(bound, 0.15, capsys, "not the answer")  # "a 15% cut needs 15% more"


def test_cheaper_on_amazon(capsys):
    books = pd.DataFrame({"amazon_price": [10.0, 20.0, 35.0, 8.0], "bookstore_price": [12.0, 25.0, 30.0, 9.0]})
    bound = EXERCISES["cheaper_on_amazon"].bind(books=books)
    assert bound.check(0.75)
    capsys.readouterr()
    one_line_rejection(bound, 75.0, capsys, "not the answer")  # a percentage
    one_line_rejection(bound, 0.25, capsys, "not the answer")  # the share cheaper at the bookstore
    one_line_rejection(bound, 3, capsys, "not the answer")     # a count, not a share
