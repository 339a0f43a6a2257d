"""A graded class shared by the grading and report tests (nbgrader is slow to start kernels)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import nbformat
import pytest

from cbec.modules.data_operation.assignment import NOTEBOOK, QUESTIONS
from cbec.modules.data_operation.near_misses import INFINITE_LOOP, NEAR_MISSES
from cbec.modules.data_operation.variants import variant_config
from cbec.grading import Course, autograde_class, copy_course, release_assignment
from cbec.grading.regions import solution_code
from cbec.grading.submissions import copied_answers, fill_answers, write_submission


@pytest.fixture
def course_copy(tmp_path) -> Path:
    return copy_course(tmp_path / "course")


ASSIGNMENT = "data_operation"
DUE = datetime(2025, 1, 10, 23, 59)
ON_TIME = datetime(2025, 1, 9, 12, 0)
QIDS = [q.qid for q in QUESTIONS]


def _solutions(course: Course) -> dict[str, str]:
    return {k.removesuffix("_answer"): v for k, v in solution_code(course.source / ASSIGNMENT / NOTEBOOK).items()}


def _submit(course: Course, student: str, notebook, when: datetime = ON_TIME) -> None:
    write_submission(course.submitted / student / ASSIGNMENT, NOTEBOOK, notebook, when)


def released_course(folder: Path) -> Course:
    """A private copy of the course with the assignment released."""
    course = Course.open(copy_course(folder))
    release_assignment(course, ASSIGNMENT, duedate=DUE)
    return course


def submit_honest_students(course: Course, partial: list[str]) -> dict[str, float]:
    """Submit a solver, a blank, a unit-slip and a partly right student (who answers
    ``partial``); return the autograded points each must get."""
    released = course.release / ASSIGNMENT / NOTEBOOK
    solutions = _solutions(course)
    _submit(course, "solver", fill_answers(released, solutions))
    _submit(course, "blank", nbformat.read(released, as_version=4))
    _submit(course, "unitslip", fill_answers(released, NEAR_MISSES["unit"]))
    _submit(course, "partial", fill_answers(released, {q: solutions[q] for q in partial}))
    return {"solver": sum(q.points for q in QUESTIONS), "blank": 0, "unitslip": 0,
            "partial": sum(q.points for q in QUESTIONS if q.qid in partial)}


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """A released assignment, one submission per scenario, autograded once."""
    course = Course.open(copy_course(tmp_path_factory.mktemp("graded") / "course"))
    release_assignment(course, ASSIGNMENT, duedate=DUE)
    released = course.release / ASSIGNMENT / NOTEBOOK
    solutions = _solutions(course)

    _submit(course, "solver", fill_answers(released, solutions, memo="My memo."))
    _submit(course, "blank", nbformat.read(released, as_version=4))
    _submit(course, "unitslip", fill_answers(released, NEAR_MISSES["unit"]))
    _submit(course, "typeslip", fill_answers(released, NEAR_MISSES["dtype"]))
    # copy from a classmate whose funnel leaks elsewhere, so even the text answer (q6) differs
    mine = variant_config("copier", ASSIGNMENT).funnel_leak
    classmate = next(s for s in ("solver", "alice", "bob", "carol") if variant_config(s, ASSIGNMENT).funnel_leak != mine)
    _submit(course, "copier", fill_answers(released, copied_answers(
        course.source / ASSIGNMENT / NOTEBOOK, {q.qid: q.variable for q in QUESTIONS}, classmate)))
    _submit(course, "looper", fill_answers(released, {**solutions, "q3": INFINITE_LOOP}))
    _submit(course, "latecomer", fill_answers(released, solutions), when=datetime(2025, 1, 12, 8, 0))

    # q1 and q2 answered wrongly, then their test cells deleted / emptied to hide it
    tampered = fill_answers(released, {**solutions, "q1": NEAR_MISSES["unit"]["q1"],
                                       "q2": NEAR_MISSES["unit"]["q2"]})
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in tampered.cells]
    tampered.cells[ids.index("q2_tests")].source = "pass  # nothing to see here"
    del tampered.cells[ids.index("q1_tests")]
    _submit(course, "tamperer", tampered)

    text = released.read_text(encoding="utf-8")
    _submit(course, "corrupted", text[: len(text) // 3])

    with course.gradebook() as gb:
        gb.update_or_create_student("absent", first_name="Ab", last_name="Sent")

    outcomes = autograde_class(course, ASSIGNMENT, timeout=10, progress=False)
    return course, {o.student_id: o for o in outcomes}


