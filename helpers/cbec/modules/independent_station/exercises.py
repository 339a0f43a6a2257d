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
