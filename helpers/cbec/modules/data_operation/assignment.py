"""The Data Operation assignment: its questions and the learner-facing checks.

Students call ``check.q1(gmv_usd)`` from visible test cells.  Expected values are not here:
nbgrader's hidden tests compute them from the student's own dataset at grading time.
"""

from __future__ import annotations

from pathlib import Path

from cbec.assignments.checks import Checks, Question
from cbec.assignments.datasets import StudentDataset, personal_dataset
from cbec.assignments.declaration import AssignmentDeclaration, simulated_personal_data
from cbec.modules.data_operation.near_misses import INFINITE_LOOP, NEAR_MISSES
from cbec.modules.data_operation.schemas import SCHEMAS
from cbec.modules.data_operation.store import FUNNEL_STAGES, simulate_store
from cbec.modules.data_operation.variants import variant_config

ASSIGNMENT = "data_operation"
NOTEBOOK = "data_operation.ipynb"

QUESTIONS = [
    Question("q1", "gmv_usd", 8, "number", "Gross merchandise value in USD", 1e4, 1e8,
             hint="GMV is in US dollars: use the gmv_usd column, not local currency."),
    Question("q2", "aov_usd", 8, "number", "Average order value in USD", 5, 2000),
    Question("q3", "units_per_order", 8, "number", "Units per order", 1, 10),
    Question("q4", "conversion_rate", 10, "number", "Session conversion rate (fraction)", 0, 1,
             hint="Give a fraction such as 0.021, not a percentage."),
    Question("q5", "refund_rate", 10, "number", "Refund rate (refunds / GMV, USD)", 0, 1,
             hint="Give a fraction of GMV, not a percentage."),
    Question("q6", "largest_drop_stage", 8, "text", "Funnel stage with the lowest step conversion",
             choices=FUNNEL_STAGES[1:]),
    Question("q7", "month1_retention", 10, "number", "Month-1 retention of the first cohort", 0, 1),
    Question("q8", "repeat_purchase_rate", 8, "number", "Share of customers with 2+ orders", 0, 1),
    Question("q9", "n_per_arm", 10, "integer", "A/B test sample size per arm (sessions)", 100, 1e8),
    Question("q10", "reorder_point", 10, "number", "Reorder point of the best seller (units)", 0, 1e5),
]

#: Points for the manually graded interpretation memo (q11); 90 + 10 = 100 in total.
MANUAL_POINTS = 10

check = Checks(QUESTIONS)


def student_dataset(student_id: str | None = None, *, cwd: Path | None = None) -> StudentDataset:
    """Your own store: its tables (``orders``, ``sessions`` ...), generated from your student id."""
    return personal_dataset(ASSIGNMENT, student_id, cwd=cwd)


_SAMPLE_MEMO = ("My largest market by GMV also converts above the store average, so it should get "
                "more budget; its refund rate is close to the store's. The funnel leaks most at the "
                "stage I found in Q6, so I would A/B test a fix there, sized as in Q9. Limitation: "
                "one year of data with Black Friday and 11.11 peaks.")

DECLARATION = AssignmentDeclaration(ASSIGNMENT, NOTEBOOK, tuple(QUESTIONS), NEAR_MISSES, INFINITE_LOOP,
                                    endless_loop_question="q3", sample_memo=_SAMPLE_MEMO,
                                    personal_data=simulated_personal_data(ASSIGNMENT, simulate_store, variant_config, SCHEMAS),
                                    manual_points=MANUAL_POINTS)

__all__ = ["ASSIGNMENT", "NOTEBOOK", "QUESTIONS", "MANUAL_POINTS", "FUNNEL_STAGES", "DECLARATION", "check",
           "student_dataset"]
