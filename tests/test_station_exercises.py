"""Independent Station lecture exercises: the right answer passes; wrong and near-miss answers are rejected with one
line that says what is off, and the solution each exercise shows is the right answer."""

import pytest

from cbec.modules.independent_station import checkout, economics, utm
from cbec.modules.independent_station.exercises import EXERCISES
from cbec.modules.independent_station.schemas import PAID_CHANNELS
from cbec.modules.independent_station.simulator import simulate_store
from tests.exercise_checks import default_tries, one_line_rejection, solution_runs_and_hints_in_one_line  # noqa: F401 - autouse fixture


@pytest.fixture(scope="module")
def store():
    """The store of lectures 1 and 2."""
    return simulate_store(seed=7)


@pytest.fixture(scope="module")
def cac():
    """Lecture 3's CAC table: the larger store, sessions with their channel."""
    big = simulate_store(seed=7, prospects=60_000)
    sessions = big.sessions.assign(channel=utm.channel_of(big.sessions))
    return economics.cac_by_channel(big.orders, sessions, big.ad_spend, big.email_campaigns)


def accepted(bound, answer, capsys):
    assert bound.check(answer)
    assert capsys.readouterr().out.strip() == f"Correct: {bound.exercise.variable} is right."


def test_facebook_sessions(store, capsys):
    sessions = store.sessions
    bound = EXERCISES["facebook_sessions"].bind(sessions=sessions)
    classified = utm.classify_sessions(sessions)
    right = int((classified["utm_source"] == "facebook").sum())
    raw = utm.parse_utm(sessions["landing_url"])["utm_source"]
    lower_case_only = int((raw == "facebook").sum())                 # the near miss: the spelling in the guide
    any_case = int((raw.str.lower() == "facebook").sum())            # FB, fb and facebook.com still missed
    assert lower_case_only < any_case < right
    assert right > 2 * lower_case_only  # most Facebook visits are spelt some other way
    accepted(bound, right, capsys)
    one_line_rejection(bound, lower_case_only, capsys, "is not the answer")
    one_line_rejection(bound, any_case, capsys, "is not the answer")
    paid_social = int((classified["channel"] == "paid_social").sum())  # Instagram, TikTok and fbclid visits too
    one_line_rejection(bound, paid_social, capsys, "is not the answer")
    one_line_rejection(bound, right / len(sessions), capsys, "is not the answer")
    one_line_rejection(bound, classified["utm_source"], capsys, "should be a single number")


def test_mobile_cart_abandonment(store, capsys):
    events, sessions, orders = store.checkout_events, store.sessions, store.orders
    bound = EXERCISES["mobile_cart_abandonment"].bind(checkout_events=events, sessions=sessions, orders=orders)
    by_device = checkout.abandonment_by(events, sessions, "device", orders).set_index(["device", "stage"])
    right = float(by_device.loc[("mobile", "cart"), "abandonment_rate"])
    assert 0.6 < right < 0.8
    accepted(bound, right, capsys)
    one_line_rejection(bound, 100 * right, capsys, "looks like a percentage")
    mobile = sessions["device"] == "mobile"
    mobile_orders = orders["session_id"].isin(sessions.loc[mobile, "session_id"]).sum()
    over_sessions = float(1 - mobile_orders / mobile.sum())           # the near miss: orders over visits, not carts
    one_line_rejection(bound, over_sessions, capsys, "is not the answer")
    whole_store = float(checkout.cart_abandonment(events, orders).set_index("stage").loc["cart", "abandonment_rate"])
    assert whole_store == pytest.approx(right, abs=0.01)              # close, and still rejected
    one_line_rejection(bound, whole_store, capsys, "is not the answer")
    one_line_rejection(bound, float(by_device.loc[("mobile", "checkout"), "abandonment_rate"]), capsys,
                       "is not the answer")
    one_line_rejection(bound, float(by_device.loc[("desktop", "cart"), "abandonment_rate"]), capsys,
                       "is not the answer")
    one_line_rejection(bound, 1 - right, capsys, "is not the answer")  # the purchase rate of carts


def test_paid_blended_cac(cac, capsys):
    bound = EXERCISES["paid_blended_cac"].bind(cac=cac)
    paid = cac.loc[cac["paid"] & (cac.index != "total")]
    right = float(paid["spend_usd"].sum() / paid["new_customers"].sum())
    assert right > cac.loc["total", "cac_usd"]  # the unpaid channels' free customers lower the blended figure
    accepted(bound, right, capsys)
    one_line_rejection(bound, float(cac.loc["total", "cac_usd"]), capsys, "is not the answer")
    ads_only = cac.loc[list(PAID_CHANNELS)]                           # email left out
    one_line_rejection(bound, float(ads_only["spend_usd"].sum() / ads_only["new_customers"].sum()), capsys,
                       "is not the answer")
    one_line_rejection(bound, float(paid["cac_usd"].mean()), capsys, "is not the answer")  # mean of the CACs
    one_line_rejection(bound, paid["cac_usd"], capsys, "should be a single number")


EXERCISE_DATA = {
    "facebook_sessions": lambda store, cac: {"sessions": store.sessions},
    "mobile_cart_abandonment": lambda store, cac: {"checkout_events": store.checkout_events,
                                                   "sessions": store.sessions, "orders": store.orders},
    "paid_blended_cac": lambda store, cac: {"cac": cac},
}


@pytest.mark.parametrize("name", list(EXERCISE_DATA))
def test_hints_and_solutions_name_the_functions_and_the_solution_runs(store, cac, name, capsys):
    data = EXERCISE_DATA[name](store, cac)
    solution_runs_and_hints_in_one_line(EXERCISES[name], data, {"utm": utm, "checkout": checkout,
                                                                 "economics": economics}, capsys)


def test_the_solution_is_shown_after_two_tries(store, capsys):
    bound = EXERCISES["facebook_sessions"].bind(sessions=store.sessions)
    bound.solution()
    assert "Try 2 more times" in capsys.readouterr().out
    bound.check(0)
    bound.check(1)
    capsys.readouterr()
    bound.solution()
    assert "classify_sessions" in capsys.readouterr().out
