"""The Platform Operation lectures' exercises (check, hint, solution; never graded).

Each lecture binds its exercise to its own data: ``exercise = EXERCISES["name"].bind(...)``.
"""

from __future__ import annotations

from cbec.exercises import Exercise
from cbec.modules.platform_operation import economics, pricing


def _used_discount(auctions):
    fit = pricing.price_drivers(auctions, pricing.WHEELS_AND_CONDITION)
    return float(-fit.params["used"])


EXERCISES = {
    "price_cut_volume": Exercise(
        variable="price_cut_volume",
        expected=lambda price, unit_costs, category, schedule: economics.price_cut_volume_increase(
            price, 0.15, category=category, unit_costs=unit_costs, schedule=schedule),
        hint="The referral fee is a share of the price, so it falls with the price: recompute it at the new "
             "price. The extra volume is old margin / new margin - 1, a fraction such as 0.4.",
        solution="price_cut_volume = economics.price_cut_volume_increase(\n"
                 "    price, 0.15, category=category, unit_costs=unit_costs, schedule=schedule)",
        fraction=False),
    "cheaper_on_amazon": Exercise(
        variable="cheaper_on_amazon",
        expected=lambda books: float((books["amazon_price"] < books["bookstore_price"]).mean()),
        hint="Compare the two price columns row by row; the mean of a True/False column is the share of True. "
             "A share is a fraction such as 0.7, not 70.",
        solution='cheaper_on_amazon = float((books["amazon_price"] < books["bookstore_price"]).mean())',
        fraction=False),
    "used_discount": Exercise(
        variable="used_discount",
        expected=_used_discount,
        hint="Fit pricing.WHEELS_AND_CONDITION on the auctions without the two bundles, then read the "
             "coefficient of `used` in fit.params; the discount is its size in USD (a positive number).",
        solution='fit = pricing.price_drivers(auctions, pricing.WHEELS_AND_CONDITION)\n'
                 'used_discount = float(-fit.params["used"])'),
}
