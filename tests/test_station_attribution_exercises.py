"""Independent Station lectures 4 and 5 exercises: the right answer passes; wrong and near-miss answers are
rejected with one line that says what is off; the solution code runs."""

import pytest

from cbec.modules.independent_station import attribution, lift, markov, studies
from cbec.modules.independent_station.exercises import EXERCISES
from cbec.modules.independent_station.simulator import simulate_store
from tests.exercise_checks import default_tries, one_line_rejection, solution_runs_and_hints_in_one_line  # noqa: F401 - autouse fixture


@pytest.fixture(scope="module")
def store_journeys():
    return studies.store_journeys(simulate_store(seed=7, prospects=20_000))


@pytest.fixture(scope="module")
def search_test():
    return simulate_store(seed=7, prospects=20_000, geo_test_channel="paid_search").geo_test


def accepted(bound, answer, capsys):
    assert bound.check(answer)
    assert capsys.readouterr().out.strip() == f"Correct: {bound.exercise.variable} is right."


def test_email_markov_share(store_journeys, capsys):
    bound = EXERCISES["email_markov_share"].bind(journeys=store_journeys)
    chain = markov.markov(store_journeys).set_index("channel")
    right = chain.loc["email", "share"]
    assert 0.005 < right < 0.2
    accepted(bound, float(right), capsys)
    one_line_rejection(bound, 100 * right, capsys, "looks like a percentage")
    # the near miss: the raw removal effect, not normalised by the sum of all channels' effects
    raw = chain.loc["email", "removal_effect"]
    assert raw > 2 * right
    one_line_rejection(bound, float(raw), capsys, "is not the answer")
    last = attribution.last_click(store_journeys).set_index("channel").loc["email", "share"]
    one_line_rejection(bound, float(last), capsys, "is not the answer")
    one_line_rejection(bound, float(chain.loc["email", "attributed_conversions"]), capsys, "is not the answer")
    one_line_rejection(bound, chain["share"], capsys, "should be a single number")


def test_paid_search_iroas(search_test, capsys):
    bound = EXERCISES["paid_search_iroas"].bind(search_test=search_test)
    spend = search_test["test_spend_usd"].sum()
    result = lift.geo_lift(search_test, spend=spend)
    assert result.channel == "paid_search" and 0.3 < result.iroas < 5
    accepted(bound, result.iroas, capsys)
    # the near miss: plain ROAS, all the treatment regions' revenue over the spend, without the holdout
    roas = result.treatment_revenue / spend
    assert roas > 2 * result.iroas
    one_line_rejection(bound, roas, capsys, "is not the answer")
    # the naive difference of the arms' revenue, ignoring the regions' sizes and pre-period
    revenue = search_test.groupby("group", observed=True)["test_revenue_usd"].sum()
    one_line_rejection(bound, float((revenue["treatment"] - revenue["holdout"]) / spend), capsys, "is not the answer")
    one_line_rejection(bound, result.incremental_revenue, capsys, "is not the answer")
    one_line_rejection(bound, 1 / result.icpa, capsys, "is not the answer")
    one_line_rejection(bound, result.to_series(), capsys, "should be a single number")


@pytest.mark.parametrize("name", ["email_markov_share", "paid_search_iroas"])
def test_hints_and_solutions_name_the_functions_and_the_solution_runs(store_journeys, search_test, name, capsys):
    data = {"email_markov_share": {"journeys": store_journeys},
            "paid_search_iroas": {"search_test": search_test}}[name]
    solution_runs_and_hints_in_one_line(EXERCISES[name], data, {"attribution": attribution, "lift": lift,
                                                                 "markov": markov}, capsys)
    assert {"email_markov_share": "markov.markov", "paid_search_iroas": "lift.geo_lift"}[name] in \
        EXERCISES[name].hint
