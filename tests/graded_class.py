"""Graded classes shared by the grading and report tests (nbgrader is slow to start kernels).

Every declared assignment gets the same class: a solver, a blank, one student per kind of
near miss its declaration lists, a copier, an endless loop, a latecomer, a tamperer, a
corrupt file and an absent student, autograded once through the real engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

import nbformat
import pytest

from cbec.assignments.declaration import AssignmentDeclaration, declaration, declared_assignments
from cbec.grading import Course, autograde_class, copy_course, release_assignment
from cbec.grading.plan import load_plan
from cbec.grading.regions import solution_code
from cbec.grading.submissions import copied_answers, fill_answers, solution_values, write_submission


@pytest.fixture
def course_copy(tmp_path) -> Path:
    return copy_course(tmp_path / "course")


ASSIGNMENT = "data_operation"  # the assignment the engine-level tests use as their vehicle
#: Assignments graded by comparing answers; a strategy played for points has its own tests
#: (tests/test_competition_grading.py), as its near misses score less, not zero.
ASSIGNMENTS = [name for name in declared_assignments() if not declaration(name).plays_functions]
DUE = datetime(2025, 1, 10, 23, 59)
ON_TIME = datetime(2025, 1, 9, 12, 0)
CLASSMATES = ("solver", "alice", "bob", "carol", "dave", "erin", "frank")


@dataclass(frozen=True)
class Spec:
    """What a test needs to know of one assignment, all read from its declaration."""

    name: str

    @cached_property
    def declared(self) -> AssignmentDeclaration:
        return declaration(self.name)

    @property
    def notebook(self) -> str:
        return self.declared.notebook

    @property
    def questions(self):
        return self.declared.questions

    @property
    def qids(self) -> list[str]:
        return [q.qid for q in self.questions]

    @property
    def auto_points(self) -> int:
        return self.declared.points

    def points(self, *qids: str) -> int:
        return sum(q.points for q in self.questions if q.qid in qids)

    @property
    def loop_question(self) -> str:
        return self.declared.endless_loop_question or self.qids[0]


def _solutions(course: Course, assignment: str = ASSIGNMENT) -> dict[str, str]:
    notebook = declaration(assignment).notebook
    return {k.removesuffix("_answer"): v for k, v in solution_code(course.source / assignment / notebook).items()}


def _submit(course: Course, student: str, notebook, when: datetime = ON_TIME, assignment: str = ASSIGNMENT) -> None:
    write_submission(course.submitted / student / assignment, declaration(assignment).notebook, notebook, when)


def released_course(folder: Path, assignment: str = ASSIGNMENT) -> Course:
    """A private copy of the course with the assignment released."""
    course = Course.open(copy_course(folder))
    release_assignment(course, assignment, duedate=DUE)
    return course


def classmate_of(course: Course, assignment: str, student: str) -> str:
    """A classmate whose model answers differ from ``student``'s on every question."""
    spec = Spec(assignment)
    source = course.source / assignment / spec.notebook
    mine = solution_values(source, student)
    for other in CLASSMATES:
        theirs = solution_values(source, other)
        if other != student and all(mine[q.variable] != theirs[q.variable] for q in spec.questions):
            return other
    raise AssertionError(f"no classmate of {student} differs on every question of {assignment}")


def submit_honest_students(course: Course, partial: list[str], assignment: str = ASSIGNMENT) -> dict[str, float]:
    """Submit a solver, a blank, a near-miss and a partly right student (who answers
    ``partial``); return the autograded points each must get."""
    spec = Spec(assignment)
    released = course.release / assignment / spec.notebook
    solutions = _solutions(course, assignment)
    first_kind = sorted(spec.declared.near_misses)[0]
    _submit(course, "solver", fill_answers(released, solutions), assignment=assignment)
    _submit(course, "blank", nbformat.read(released, as_version=4), assignment=assignment)
    _submit(course, "unitslip", fill_answers(released, spec.declared.near_misses[first_kind]), assignment=assignment)
    _submit(course, "partial", fill_answers(released, {q: solutions[q] for q in partial}), assignment=assignment)
    return {"solver": spec.auto_points, "blank": 0, "unitslip": 0, "partial": spec.points(*partial)}


def near_miss_student(kind: str) -> str:
    return f"nearmiss-{kind}"


def _grade_class(folder: Path, assignment: str):
    spec = Spec(assignment)
    course = Course.open(copy_course(folder))
    release_assignment(course, assignment, duedate=DUE)
    released = course.release / assignment / spec.notebook
    solutions = _solutions(course, assignment)

    def submit(student, notebook, when=ON_TIME):
        _submit(course, student, notebook, when, assignment=assignment)

    submit("solver", fill_answers(released, solutions, memo="My memo."))
    submit("blank", nbformat.read(released, as_version=4))
    for kind, answers in spec.declared.near_misses.items():
        submit(near_miss_student(kind), fill_answers(released, answers))
    classmate = classmate_of(course, assignment, "copier")
    submit("copier", fill_answers(released, copied_answers(
        course.source / assignment / spec.notebook, {q.qid: q.variable for q in spec.questions}, classmate)))
    submit("looper", fill_answers(released, {**solutions, spec.loop_question: spec.declared.endless_loop}))
    submit("latecomer", fill_answers(released, solutions), when=datetime(2025, 1, 12, 8, 0))

    # the first two questions answered wrongly, then their test cells deleted / emptied to hide it
    first, second = spec.qids[:2]
    wrong = next(answers for answers in spec.declared.near_misses.values() if first in answers and second in answers)
    tampered = fill_answers(released, {**solutions, first: wrong[first], second: wrong[second]})
    plan = load_plan(course.source / assignment / spec.notebook)
    variable = {q.qid: q.variable for q in spec.questions}
    [emptied], [deleted] = (plan.tests_reading(variable[qid]) for qid in (second, first))
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in tampered.cells]
    tampered.cells[ids.index(emptied.grade_id)].source = "pass  # nothing to see here"
    del tampered.cells[ids.index(deleted.grade_id)]
    submit("tamperer", tampered)

    text = released.read_text(encoding="utf-8")
    submit("corrupted", text[: len(text) // 3])

    with course.gradebook() as gb:
        gb.update_or_create_student("absent", first_name="Ab", last_name="Sent")

    outcomes = autograde_class(course, assignment, timeout=10, progress=False)
    return course, {o.student_id: o for o in outcomes}


_GRADED: dict[str, tuple] = {}


def graded_class(assignment: str, tmp_path_factory) -> tuple[Course, dict]:
    """The graded class of ``assignment``, built once per test process."""
    if assignment not in _GRADED:
        _GRADED[assignment] = _grade_class(tmp_path_factory.mktemp(f"graded-{assignment}") / "course", assignment)
    return _GRADED[assignment]


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """The Data Operation class: a released assignment, one submission per scenario, autograded once."""
    return graded_class(ASSIGNMENT, tmp_path_factory)


@pytest.fixture(scope="session")
def graded_class_of(tmp_path_factory):
    """``graded_class_of(name)``: the graded class of any declared assignment."""
    return lambda assignment: graded_class(assignment, tmp_path_factory)


@pytest.fixture(scope="session", params=ASSIGNMENTS)
def graded_assignment(request, tmp_path_factory):
    """Each declared assignment's graded class, with its spec: ``(spec, course, outcomes)``."""
    course, outcomes = graded_class(request.param, tmp_path_factory)
    return Spec(request.param), course, outcomes
