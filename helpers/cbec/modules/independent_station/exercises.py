"""The Independent Station lectures' exercises (check, hint, solution; never graded).

Each lecture binds its exercise to its own data: ``exercise = EXERCISES["name"].bind(...)``.
"""

from __future__ import annotations

from cbec.exercises import Exercise
from cbec.modules.independent_station import checkout, utm
from cbec.modules.independent_station import lift as _lift
from cbec.modules.independent_station import markov as _markov


def _paid_blended_cac(cac):
    paid = cac.loc[cac["paid"] & (cac.index != "total")]
    return float(paid["spend_usd"].sum() / paid["new_customers"].sum())


EXERCISES = {
    "paid_blended_cac": Exercise(
        variable="paid_blended_cac",
        expected=_paid_blended_cac,
        hint="Take the rows of economics.cac_by_channel(...) whose paid column is True (without the total row) and "
             "divide their summed spend_usd by their summed new_customers.",
        solution="paid = cac.loc[cac[\"paid\"] & (cac.index != \"total\")]\n"
                 "paid_blended_cac = float(paid[\"spend_usd\"].sum() / paid[\"new_customers\"].sum())"),
}


# -- lectures 4 (attribution) and 5 (incrementality) --------------------------------------------------



def _email_markov_share(journeys):
    return float(_markov.markov(journeys).set_index("channel").loc["email", "share"])


def _paid_search_iroas(search_test):
    return float(_lift.geo_lift(search_test, spend=float(search_test["test_spend_usd"].sum())).iroas)


EXERCISES.update({
    "email_markov_share": Exercise(
        variable="email_markov_share",
        expected=_email_markov_share,
        hint="markov.markov(journeys) gives each channel's raw removal_effect and its share: the removal effects "
             "normalised to sum to 1. Email's credit is its share (a fraction such as 0.05), not its raw removal "
             "effect.",
        solution="result = markov.markov(journeys).set_index(\"channel\")\n"
                 "email_markov_share = float(result.loc[\"email\", \"share\"])",
        fraction=True),
    "paid_search_iroas": Exercise(
        variable="paid_search_iroas",
        expected=_paid_search_iroas,
        hint="Read the paid search test with lift.geo_lift(search_test, spend=...), the spend being the channel's "
             "spend in the treatment regions (search_test's test_spend_usd, summed). iROAS is the result's "
             "incremental revenue over that spend (result.iroas), not all the treatment regions' revenue over it.",
        solution="search = lift.geo_lift(search_test, spend=search_test[\"test_spend_usd\"].sum())\n"
                 "paid_search_iroas = search.iroas"),
})


# Lecture 1: traffic and UTM --------------------------------------------------------------------------------------
def _facebook_sessions(sessions):
    cleaned = utm.normalise_utm(utm.parse_utm(sessions["landing_url"]))
    return int((cleaned["utm_source"] == "facebook").sum())


# Lecture 2: the checkout funnel ----------------------------------------------------------------------------------
def _mobile_cart_abandonment(checkout_events, sessions, orders):
    mobile = sessions.loc[sessions["device"] == "mobile", "session_id"]
    table = checkout.cart_abandonment(checkout_events[checkout_events["session_id"].isin(mobile)],
                                      orders[orders["session_id"].isin(mobile)]).set_index("stage")
    return float(table.loc["cart", "abandonment_rate"])


EXERCISES.update({
    "facebook_sessions": Exercise(
        variable="facebook_sessions",
        expected=_facebook_sessions,
        hint="Links spell Facebook as facebook, Facebook, FB, fb or facebook.com: count the visits whose utm_source "
             "is 'facebook' once cleaned, in utm.classify_sessions(sessions) (or utm.normalise_utm(utm.parse_utm("
             "sessions['landing_url']))), not in the raw URLs.",
        solution="classified = utm.classify_sessions(sessions)\n"
                 "facebook_sessions = int((classified[\"utm_source\"] == \"facebook\").sum())"),
    "mobile_cart_abandonment": Exercise(
        variable="mobile_cart_abandonment",
        expected=_mobile_cart_abandonment,
        fraction=True,
        hint="Cart abandonment is 1 - purchases / carts, over the mobile visits that reached add_to_cart (not over "
             "all mobile visits): checkout.abandonment_by(checkout_events, sessions, 'device', orders) gives it per "
             "device in its 'cart' rows.",
        solution="by_device = checkout.abandonment_by(checkout_events, sessions, \"device\", orders)\n"
                 "mobile_cart_abandonment = float(by_device.set_index([\"device\", \"stage\"]).loc[\n"
                 "    (\"mobile\", \"cart\"), \"abandonment_rate\"])"),
})
