"""The Platform Operation assignment: its questions and the learner-facing checks.

Students call ``check.q1(clearance_referral_fees)`` from visible test cells.  Expected
values are not here: nbgrader's hidden tests compute them from the student's own seller
account at grading time.
"""

from __future__ import annotations

from pathlib import Path

from cbec.assignments.checks import Checks, Question
from cbec.assignments.datasets import StudentDataset, personal_dataset
from cbec.assignments.declaration import AssignmentDeclaration, simulated_personal_data
from cbec.modules.platform_operation.near_misses import INFINITE_LOOP, NEAR_MISSES
from cbec.modules.platform_operation.schemas import SCHEMAS
from cbec.modules.platform_operation.simulator import simulate_account
from cbec.modules.platform_operation.variants import variant_config

ASSIGNMENT = "platform_operation"
NOTEBOOK = "platform_operation.ipynb"

_FRACTION = "Give a fraction such as 0.35, not a percentage."
QUESTIONS = [
    Question("q1", "clearance_referral_fees", 8, "number", "Referral fees of one unit of each product at clearance prices",
             0, 50, hint="Each fee is max(rate x price, minimum): a few cents to a dollar per product."),
    Question("q2", "fulfilment_fees_usd", 10, "number", "Fulfilment fees on the year's shipped units (USD)", 1, 1e8),
    Question("q3", "best_seller_contribution", 8, "number", "Contribution per unit of the best seller (USD)",
             -100, 500),
    Question("q4", "break_even_acos", 8, "number", "Break-even ACoS of the best seller (fraction)", -1, 1,
             hint=_FRACTION),
    Question("q5", "acos", 8, "number", "ACoS of the sponsored-products ads over the year (fraction)", 0, 2,
             hint="ACoS is ad spend / ad sales (sales / spend is ROAS), as a fraction such as 0.25."),
    Question("q6", "tacos", 8, "number", "TACoS: ad spend / total sales (fraction)", 0, 1, hint=_FRACTION),
    Question("q7", "wasted_spend", 10, "number", "Last 30 days' spend on search terms to negate (USD)", 0, 1e6),
    Question("q8", "order_defect_rate", 10, "number", "Order defect rate over the last 60 days (fraction)", 0, 1,
             hint=_FRACTION),
    Question("q9", "order_rate_after_quote", 8, "number", "Share of quoted B2B inquiries that ordered", 0, 1,
             hint=_FRACTION),
    Question("q10", "response_slope", 12, "number", "Logit slope of ln(1 + response hours) on ordering", -5, 5),
]

#: Points for the manually graded recommendation (q11); 90 + 10 = 100 in total.
MANUAL_POINTS = 10

check = Checks(QUESTIONS)


def student_account(student_id: str | None = None, *, cwd: Path | None = None) -> StudentDataset:
    """Your own seller account: its tables (``products``, ``orders`` ...), generated from your student id."""
    return personal_dataset(ASSIGNMENT, student_id, cwd=cwd)


_SAMPLE_MEMO = ("My ads run at an ACoS above the best seller's break-even ACoS, so every advertised sale loses "
                "money; I would negate the search terms of Q7 first, which saves their monthly spend at once, "
                "then lower bids on exact keywords above target. The order defect rate of Q8 is close to the 1% "
                "limit, so the claims must be answered this week. Risk: 30 days of clicks is a small sample for "
                "some terms.")

DECLARATION = AssignmentDeclaration(ASSIGNMENT, NOTEBOOK, tuple(QUESTIONS), NEAR_MISSES, INFINITE_LOOP,
                                    endless_loop_question="q3", sample_memo=_SAMPLE_MEMO,
                                    personal_data=simulated_personal_data(
                                        ASSIGNMENT, simulate_account, variant_config, SCHEMAS),
                                    manual_points=MANUAL_POINTS)

__all__ = ["ASSIGNMENT", "NOTEBOOK", "QUESTIONS", "MANUAL_POINTS", "DECLARATION", "check", "student_account"]
