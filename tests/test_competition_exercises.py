"""Competition lecture exercises: the right answer passes; wrong and near-miss answers are rejected with one line
that says what is off, and the solution each exercise shows is the right answer."""

import numpy as np
import pytest

from cbec.modules.competition import Decisions, SeasonConfig, baseline, build_world, economics, naive, play_league
from cbec.modules.competition.exercises import EXERCISES
from cbec.modules.competition.practice import PracticeSeason, league_table
from cbec.modules.competition.strategies import margin_before_ads
from tests.exercise_checks import default_tries, one_line_rejection, solution_runs_and_hints_in_one_line  # noqa: F401 - autouse fixture

WORLD = build_world(SeasonConfig())
PRODUCT, MARKET = "Camping Hammock", "DE"


def cut_price(view):
    """A student's strategy: 10% under the competitors, a restock of what sold, no ads."""
    sold = view.history["units"][-1] + view.history["lost_units"][-1] if view.week else view.on_hand / 4
    return Decisions(price=np.round(view.competitor_price * 0.9, 2), inbound=np.round(sold))


@pytest.fixture(scope="module")
def reports():
    practice = PracticeSeason(seed=3)
    practice.play_rest(cut_price)                    # runs out of stock
    return practice.reports()


def matched(view):
    """Another student's strategy: baseline, but never above the competitors' price."""
    decided = baseline(view)
    return Decisions(price=np.minimum(decided.price, view.competitor_price), ad_budget=decided.ad_budget,
                     bid=decided.bid, inbound=decided.inbound, deal=decided.deal)


@pytest.fixture(scope="module")
def table():
    return league_table(play_league({"naive": naive, "baseline": baseline, "cut_price": cut_price,
                                     "matched": matched}, SeasonConfig(), seeds=range(1, 13)))


def accepted(bound, answer, capsys):
    assert bound.check(answer)
    assert capsys.readouterr().out.strip() == f"Correct: {bound.exercise.variable} is right."


def test_break_even_acos(capsys):
    bound = EXERCISES["break_even_acos"].bind(world=WORLD, product=PRODUCT, market=MARKET)
    i, j = economics.listing_index(WORLD, PRODUCT, MARKET)
    price = WORLD.list_price[i, j]
    right = float(margin_before_ads(WORLD, WORLD.list_price)[i, j] / price)
    assert 0.2 < right < 0.6
    assert bound.expected() == pytest.approx(right, abs=1e-3)   # the schedule's fee rounds to the cent
    accepted(bound, float(economics.unit_economics(WORLD, PRODUCT, MARKET)["margin_share"]), capsys)
    one_line_rejection(bound, 100 * bound.expected(), capsys, "looks like a percentage")
    no_returns = (price - WORLD.referral_rate[i, j] * price - WORLD.unit_cost[i] - WORLD.fulfilment_fee[i, j]) / price
    one_line_rejection(bound, float(no_returns), capsys, "is not the answer")            # returns forgotten
    one_line_rejection(bound, float(economics.unit_economics(WORLD, PRODUCT, "US")["margin_share"]), capsys,
                       "is not the answer")                                                 # another market
    one_line_rejection(bound, float(economics.unit_economics(WORLD, PRODUCT, MARKET)["margin_before_ads"]), capsys,
                       "is not the answer")                                                 # USD, not a share


def test_lost_sales_usd(reports, capsys):
    bound = EXERCISES["lost_sales_usd"].bind(reports=reports)
    inventory, business = reports["inventory_report"], reports["business_report"]
    right = float((inventory["lost_units"] * business["price_paid"]).sum())
    assert right > 0
    accepted(bound, right, capsys)
    one_line_rejection(bound, float(inventory["lost_units"].sum()), capsys, "is not the answer")      # units
    list_price = business["market"].map(dict(zip(WORLD.markets, range(3)))).to_numpy()
    at_list = WORLD.list_price[business["product"].map(WORLD.products.index).to_numpy(), list_price]
    one_line_rejection(bound, float((inventory["lost_units"] * at_list).sum()), capsys,
                       "is not the answer")                                                         # list, not paid
    lost_weeks = float((inventory["lost_units"] * business["price_paid"])[inventory["week"] < 11].sum())
    one_line_rejection(bound, lost_weeks, capsys, "is not the answer")                             # a week missing
    one_line_rejection(bound, inventory["lost_units"] * business["price_paid"], capsys, "should be a single number")


def test_win_rate_against_baseline(table, capsys):
    bound = EXERCISES["win_rate_against_baseline"].bind(table=table, strategy="matched")
    wide = table.pivot(index="seed", columns="strategy", values="profit")
    right = float((wide["matched"] > wide["baseline"]).mean())
    accepted(bound, right, capsys)
    assert 0 < right < 1                                          # some seeds each way
    unpaired = float(wide["matched"].mean() > wide["baseline"].mean())   # one comparison of means, not per seed
    one_line_rejection(bound, unpaired, capsys, "is not the answer")
    one_line_rejection(bound, 1 - right, capsys, "is not the answer")       # the other way round
    one_line_rejection(bound, 100 * right, capsys, "looks like a percentage")
    one_line_rejection(bound, float((wide["cut_price"] > wide["baseline"]).mean()), capsys, "is not the answer")


EXERCISE_DATA = {
    "break_even_acos": lambda reports, table: {"world": WORLD, "product": PRODUCT, "market": MARKET},
    "lost_sales_usd": lambda reports, table: {"reports": reports},
    "win_rate_against_baseline": lambda reports, table: {"table": table, "strategy": "matched"},
}


@pytest.mark.parametrize("name", list(EXERCISE_DATA))
def test_hints_and_solutions_run(reports, table, name, capsys):
    solution_runs_and_hints_in_one_line(EXERCISES[name], EXERCISE_DATA[name](reports, table),
                                        {"economics": economics}, capsys)
