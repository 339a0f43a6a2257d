"""The Independent Station lectures' exercises (check, hint, solution; never graded).

Each lecture binds its exercise to its own data: ``exercise = EXERCISES["name"].bind(...)``.
"""

from __future__ import annotations

from cbec.exercises import Exercise


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

from cbec.modules.independent_station import lift as _lift  # noqa: E402
from cbec.modules.independent_station import markov as _markov  # noqa: E402


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
