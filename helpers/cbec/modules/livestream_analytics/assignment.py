"""The Live-Stream Analytics assignment: its questions and the learner-facing checks.

Students call ``check.q1(peak_concurrent_viewers)`` from visible test cells.  Expected
values are not here: nbgrader's hidden tests compute them from the student's own season at
grading time.
"""

from __future__ import annotations

from pathlib import Path

from cbec.assignments.checks import Checks, Question
from cbec.assignments.datasets import StudentDataset, personal_dataset
from cbec.assignments.declaration import AssignmentDeclaration, simulated_personal_data
from cbec.modules.livestream_analytics.near_misses import INFINITE_LOOP, NEAR_MISSES
from cbec.modules.livestream_analytics.schemas import SCHEMAS
from cbec.modules.livestream_analytics.simulator import simulate_season
from cbec.modules.livestream_analytics.variants import variant_config

ASSIGNMENT = "livestream_analytics"
NOTEBOOK = "livestream_analytics.ipynb"

_FRACTION = "Give a fraction such as 0.02, not a percentage."
QUESTIONS = [
    Question("q1", "peak_concurrent_viewers", 8, "integer", "Peak of viewers in one room at once", 1, 1e6,
             hint="Leaves must be subtracted from entries: the peak is far below a stream's entries."),
    Question("q2", "average_watch_minutes", 8, "number", "Average watch duration over all visits (minutes)", 0, 600),
    Question("q3", "unique_viewers", 8, "integer", "Distinct viewers who entered a room", 1, 1e8),
    Question("q4", "gmv", 10, "number", "GMV: payments minus refunds (USD)", 0, 1e9),
    Question("q5", "gmv_per_viewer", 8, "number", "GMV per unique viewer (USD)", 0, 1e4),
    Question("q6", "gpm", 8, "number", "GMV per thousand room entries (USD)", 0, 1e6),
    Question("q7", "click_to_order_rate", 10, "number", "Orders / product clicks (fraction)", 0, 1, hint=_FRACTION),
    Question("q8", "flash_orders_per_minute", 10, "number", "Orders per minute inside flash-price deals", 0, 1e4),
    Question("q9", "median_watch_minutes", 10, "number", "Kaplan-Meier median watch time (minutes)", 0, 600),
    Question("q10", "flash_conversion_uplift", 10, "number", "Per-viewer uplift of flash-price deals (x)", 0, 100),
]

#: Points for the manually graded recommendation (q11); 90 + 10 = 100 in total.
MANUAL_POINTS = 10

check = Checks(QUESTIONS)


def student_season(student_id: str | None = None, *, cwd: Path | None = None) -> StudentDataset:
    """Your own season of streams: its tables (``events``, ``streams`` ...), generated from your student id."""
    return personal_dataset(ASSIGNMENT, student_id, cwd=cwd)


_SAMPLE_MEMO = ("Flash-price deals lift the chance that a viewer buys the most (Q10), with an interval above "
                "the other formats, so I would run more flash prices. The host with the best raw GPM streams in "
                "prime time with the biggest ad budget; within the same slots another host converts as well, so "
                "that host gets the extra streams. Limitation: six streams per host give wide intervals.")

DECLARATION = AssignmentDeclaration(ASSIGNMENT, NOTEBOOK, tuple(QUESTIONS), NEAR_MISSES, INFINITE_LOOP,
                                    endless_loop_question="q3", sample_memo=_SAMPLE_MEMO,
                                    personal_data=simulated_personal_data(
                                        ASSIGNMENT, simulate_season, variant_config, SCHEMAS),
                                    manual_points=MANUAL_POINTS)

__all__ = ["ASSIGNMENT", "NOTEBOOK", "QUESTIONS", "MANUAL_POINTS", "DECLARATION", "check", "student_season"]
