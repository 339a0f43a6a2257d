"""The competition lectures' exercises (check, hint, solution; never graded).

Each lecture binds its exercise to its own data: ``exercise = EXERCISES["name"].bind(...)``.
"""

from __future__ import annotations

import pandas as pd

from cbec.exercises import Exercise
from cbec.modules.competition import economics
from cbec.modules.competition.practice import paired_wins
from cbec.modules.competition.reports import KEYS


# Lecture 1: the economics of one listing -----------------------------------------------------------------------
def _break_even_acos(world, product, market):
    unit = economics.unit_economics(world, product, market)
    return float(unit["margin_before_ads"] / unit["price"])


# Lecture 2: a practice season ----------------------------------------------------------------------------------
def _lost_sales_usd(reports):
    keys = list(KEYS)
    lost = reports["inventory_report"][keys + ["lost_units"]].merge(
        reports["business_report"][keys + ["price_paid"]], on=keys, validate="one_to_one")
    return float((lost["lost_units"] * lost["price_paid"]).sum())


# Lecture 3: writing a strategy ---------------------------------------------------------------------------------
def _win_rate_against_baseline(table: pd.DataFrame, strategy: str):
    return paired_wins(table, strategy, "baseline")


EXERCISES = {
    "break_even_acos": Exercise(
        variable="break_even_acos",
        expected=_break_even_acos,
        fraction=True,
        hint="Break-even ACoS is the margin before ads over the price: economics.unit_economics(world, product, "
             "market) gives both at the list price (margin_before_ads and price). A fraction such as 0.4, not 40.",
        solution="unit = economics.unit_economics(world, product, market)\n"
                 "break_even_acos = unit[\"margin_before_ads\"] / unit[\"price\"]"),
    "lost_sales_usd": Exercise(
        variable="lost_sales_usd",
        expected=_lost_sales_usd,
        rel_tol=1e-6,
        hint="Lost sales are in the inventory report (lost_units), the price the shopper would have paid in the "
             "business report (price_paid); both have one row per week, product and market. Multiply row by row "
             "and add up, over every week played.",
        solution="keys = [\"week\", \"product\", \"market\"]\n"
                 "lost = reports[\"inventory_report\"][keys + [\"lost_units\"]].merge(\n"
                 "    reports[\"business_report\"][keys + [\"price_paid\"]], on=keys)\n"
                 "lost_sales_usd = float((lost[\"lost_units\"] * lost[\"price_paid\"]).sum())"),
    "win_rate_against_baseline": Exercise(
        variable="win_rate_against_baseline",
        expected=_win_rate_against_baseline,
        fraction=True,
        hint="Compare seed by seed (the same seed is the same luck): pivot the league table to one row per seed and "
             "one column per strategy, then take the share of rows where your strategy's profit is above "
             "baseline's. practice.paired_wins does exactly that.",
        solution="wide = table.pivot(index=\"seed\", columns=\"strategy\", values=\"profit\")\n"
                 "win_rate_against_baseline = float((wide[strategy] > wide[\"baseline\"]).mean())"),
}
