"""The Independent Station assignment: its questions and the learner-facing checks.

Students call ``check.q1(paid_social_sessions)`` from visible test cells.  Expected values
are not here: nbgrader's hidden tests compute them from the student's own store at grading
time.
"""

from __future__ import annotations

from pathlib import Path

from cbec.assignments.checks import Checks, Question
from cbec.assignments.datasets import StudentDataset, personal_dataset
from cbec.assignments.declaration import AssignmentDeclaration, simulated_personal_data
from cbec.modules.independent_station.near_misses import INFINITE_LOOP, NEAR_MISSES
from cbec.modules.independent_station.schemas import SCHEMAS
from cbec.modules.independent_station.simulator import simulate_store
from cbec.modules.independent_station.variants import variant_config

ASSIGNMENT = "independent_station"
NOTEBOOK = "independent_station.ipynb"

_FRACTION = "Give a fraction such as 0.02, not a percentage."
QUESTIONS = [
    Question("q1", "paid_social_sessions", 8, "integer", "Sessions from paid social, UTM tags cleaned", 1, 1e7,
             hint="Case variants (Facebook, FB), aliases (fb, ig) and a missing medium are all paid social."),
    Question("q2", "conversion_rate", 8, "number", "Sessions with an order / sessions (fraction)", 0, 1,
             hint=_FRACTION),
    Question("q3", "cart_abandonment", 8, "number", "1 - purchases / carts (fraction)", 0, 1, hint=_FRACTION),
    Question("q4", "paid_search_roas", 8, "number", "Last-click revenue of paid search / its spend", 0, 100),
    Question("q5", "paid_search_cac", 10, "number", "Paid search spend per new customer (USD)", 0, 1e5,
             hint="New customers only: a returning buyer who clicks a search ad costs nothing to acquire."),
    Question("q6", "average_margin_ltv", 10, "number", "Mean 12-month margin LTV of a customer (USD)", -1e3, 1e5,
             hint="Value the orders by their contribution, not their revenue."),
    Question("q7", "paid_social_payback_months", 8, "number", "Months for a paid-social customer to repay CAC",
             0, 1e4),
    Question("q8", "markov_email_share", 10, "number", "Markov attribution: email's share of conversions", 0, 1,
             hint="The share of conversions, i.e. removal effects normalised to sum to 1, as a fraction."),
    Question("q9", "shapley_paid_social_share", 10, "number", "Shapley attribution: paid social's share", 0, 1,
             hint=_FRACTION),
    Question("q10", "geo_relative_lift", 10, "number", "Relative lift of the channel in the geo holdout test",
             -1, 20, hint="A lift of 25% is 0.25."),
]

#: Points for the manually graded budget recommendation (q11); 90 + 10 = 100 in total.
MANUAL_POINTS = 10

check = Checks(QUESTIONS)


def student_store(student_id: str | None = None, *, cwd: Path | None = None) -> StudentDataset:
    """Your own store: its tables (``sessions``, ``orders`` ...), generated from your student id."""
    return personal_dataset(ASSIGNMENT, student_id, cwd=cwd)


_SAMPLE_MEMO = ("Paid search repays its CAC within the year (LTV:CAC above 1, Q5-Q7), so it keeps its budget. "
                "Paid social looks poor on last click, but the data-driven models credit it with more conversions "
                "(Q9) and the geo holdout shows a real lift with an interval above zero (Q10), so I would hold its "
                "budget and cut display, whose customers never repay their cost. Limitation: the lift test covers "
                "one channel for four weeks; test display next.")

DECLARATION = AssignmentDeclaration(ASSIGNMENT, NOTEBOOK, tuple(QUESTIONS), NEAR_MISSES, INFINITE_LOOP,
                                    endless_loop_question="q2", sample_memo=_SAMPLE_MEMO,
                                    personal_data=simulated_personal_data(
                                        ASSIGNMENT, simulate_store, variant_config, SCHEMAS),
                                    manual_points=MANUAL_POINTS)

__all__ = ["ASSIGNMENT", "NOTEBOOK", "QUESTIONS", "MANUAL_POINTS", "DECLARATION", "check", "student_store"]
