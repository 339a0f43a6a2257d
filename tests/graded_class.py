"""Graded classes shared by the grading and report tests (nbgrader is slow to start kernels).

Every declared assignment gets the same class: a solver, a blank, one student per kind of
near miss its declaration lists, a copier, an endless loop, a latecomer, a tamperer, a
corrupt file, an absent student and a partly right student, and beside them one student per
attack of tests/hostile_attacks.py; the whole class is autograded once, in one batch,
through the real engine, with a :class:`~tests.hostile_attacks.Watch` on the grader.  The
tests of one assignment's class share the xdist group :func:`class_group`, so one test
process grades it once.
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
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
from tests.hostile_attacks import ATTACKS, Attack, Watch, placeholders


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
PARTIAL_SHARE = 0.5  # the partly right student answers the first half of the questions
TIMEOUT = 4  # seconds a cell may run: the endless loops (the looper's and the attacks') are cut after it


def class_group(assignment: str) -> pytest.MarkDecorator:
    """The xdist group of every test reading ``assignment``'s graded class."""
    return pytest.mark.xdist_group(f"graded-{assignment}")


# ``params`` for fixtures and tests taking an assignment's graded class: one group per assignment
CLASS_PARAMS = [pytest.param(name, id=name, marks=class_group(name)) for name in ASSIGNMENTS]


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


_RELEASED: dict[str, Path] = {}  # assignment -> a course folder with it released, made once per process


def released_course(folder: Path, assignment: str = ASSIGNMENT) -> Course:
    """A private copy of the course with the assignment released (due :data:`DUE`).

    The release (``release_assignment``: the gradability check, nbgrader's
    ``generate_assignment``, the due date and the leak check) runs once per test process
    and assignment, in a course of its own; every caller gets a fresh copy of that folder.
    """
    if assignment not in _RELEASED:
        scratch = Path(tempfile.mkdtemp(prefix=f"cbec-released-{assignment}-"))
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)
        release_assignment(Course.open(copy_course(scratch / "course")), assignment, duedate=DUE)
        _RELEASED[assignment] = scratch / "course"
    shutil.copytree(_RELEASED[assignment], folder, dirs_exist_ok=True)
    return Course.open(folder)


_ANSWERS: dict[tuple[str, str], tuple] = {}


def answer_values(source: Path, assignment: str, student: str) -> tuple:
    """``student``'s model answers (one per declared question) in the source notebook
    ``source``: its set-up and solution cells run in-process, once per test process,
    notebook content and student."""
    key = (hashlib.sha256(source.read_bytes()).hexdigest(), student)
    if key not in _ANSWERS:
        values = solution_values(source, student)
        _ANSWERS[key] = tuple(values[q.variable] for q in declaration(assignment).questions)
    return _ANSWERS[key]


def classmate_of(course: Course, assignment: str, student: str) -> str:
    """A classmate whose model answers differ from ``student``'s on every question."""
    source = course.source / assignment / Spec(assignment).notebook
    mine = answer_values(source, assignment, student)
    for other in CLASSMATES:
        theirs = answer_values(source, assignment, other)
        if other != student and all(a != b for a, b in zip(mine, theirs)):
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


def attack_notebook(course: Course, spec: Spec, attack: Attack, solutions: dict, run: dict):
    """The released notebook with ``attack`` as its first answer (and, if it says so, the
    model answers to the others); ``run``: the placeholders of :class:`~tests.hostile_attacks.Watch`."""
    released = course.release / spec.name / spec.notebook
    plan = load_plan(course.source / spec.name / spec.notebook)
    first = spec.qids[0]
    # only the attacks using a classmate's data need one (finding one runs model answers)
    classmate = classmate_of(course, spec.name, attack.name) if "{classmate}" in attack.code else "nobody"
    code = attack.code.format(**placeholders(
        spec.name, "\n".join(plan.setup.values()), solutions[first], **run, classmate=classmate))
    answers = {first: code}
    if attack.solve_others:
        answers.update({q: solutions[q] for q in solutions if q != first})
    return fill_answers(released, answers)


@dataclass
class GradedClass:
    """One assignment's class, graded: ``honest`` are the points the solver, the blank, the
    first near miss and the partly right student must get; ``watch`` what the batch left
    behind outside the students' sandboxes."""

    spec: Spec
    course: Course
    outcomes: dict
    honest: dict[str, float]
    watch: Watch
    gradebook_students: set[str]


def _grade_class(folder: Path, assignment: str) -> GradedClass:
    spec = Spec(assignment)
    course = released_course(folder, assignment)
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

    partial = spec.qids[: int(len(spec.qids) * PARTIAL_SHARE)]
    submit("partial", fill_answers(released, {q: solutions[q] for q in partial}))
    honest = {"solver": spec.auto_points, "blank": 0, near_miss_student(sorted(spec.declared.near_misses)[0]): 0,
              "partial": spec.points(*partial)}

    with course.gradebook() as gb:
        gb.update_or_create_student("absent", first_name="Ab", last_name="Sent")

    watch = Watch(course.root)
    for attack in ATTACKS:
        submit(attack.name, attack_notebook(course, spec, attack, solutions, watch.run))
    watch.before()
    outcomes = autograde_class(course, assignment, timeout=TIMEOUT, workers=2, progress=False)
    watch.after()
    with course.gradebook() as gb:
        students = {s.id for s in gb.students}
    return GradedClass(spec, course, {o.student_id: o for o in outcomes}, honest, watch, students)


_GRADED: dict[str, GradedClass] = {}


def graded_class(assignment: str, tmp_path_factory) -> GradedClass:
    """The graded class of ``assignment``, built once per test process."""
    if assignment not in _GRADED:
        _GRADED[assignment] = _grade_class(tmp_path_factory.mktemp(f"graded-{assignment}") / "course", assignment)
    return _GRADED[assignment]


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """The Data Operation class: a released assignment, one submission per scenario, autograded
    once: ``(course, outcomes)`` (tests using it belong to ``class_group(ASSIGNMENT)``)."""
    found = graded_class(ASSIGNMENT, tmp_path_factory)
    return found.course, found.outcomes


@pytest.fixture(scope="session")
def graded_class_of(tmp_path_factory):
    """``graded_class_of(name)``: the graded class of any declared assignment, ``(course, outcomes)``."""
    def of(assignment):
        found = graded_class(assignment, tmp_path_factory)
        return found.course, found.outcomes
    return of


@pytest.fixture(scope="session", params=CLASS_PARAMS)
def graded_assignment(request, tmp_path_factory):
    """Each declared assignment's graded class, with its spec: ``(spec, course, outcomes)``."""
    found = graded_class(request.param, tmp_path_factory)
    return found.spec, found.course, found.outcomes


@pytest.fixture(scope="session", params=CLASS_PARAMS)
def hostile_class(request, tmp_path_factory) -> GradedClass:
    """Each declared assignment's graded class, with the attacks' outcomes and the watch."""
    return graded_class(request.param, tmp_path_factory)
