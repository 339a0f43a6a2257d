"""What the shared machinery needs to know of one assignment, declared in its own package.

Every assignment lives in its course module, ``cbec.modules.<name>.assignment``, and exposes ``DECLARATION``: its
questions (answer variable, points, plausibility check) and the wrong answers a simulated
class draws on.  Grading, class simulation and reports look it up by the assignment's name
(:func:`declaration`) and never import an assignment themselves.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from cbec.assignments.checks import Question


@dataclass(frozen=True)
class PersonalData:
    """One student's data for an assignment: the parameters, the tables and their schemas."""

    config: object
    tables: dict[str, pd.DataFrame]
    schemas: Mapping = field(default_factory=dict)


def simulated_personal_data(assignment: str, simulate: Callable, variant_config: Callable,
                            schemas: Mapping) -> Callable[[str], PersonalData]:
    """``personal_data`` for an assignment on simulated data: student id -> that student's tables.

    ``variant_config(student_id, assignment)`` gives the student's simulator parameters and
    ``simulate(config)`` a result with ``config``, ``TABLES`` and ``tables()``
    (:class:`cbec.world.simulated.SimulatedTables`).
    """
    def personal(student_id: str) -> PersonalData:
        result = simulate(variant_config(student_id, assignment))
        return PersonalData(result.config, result.tables(), {table: schemas[table] for table in result.TABLES})

    return personal


@dataclass(frozen=True)
class AssignmentDeclaration:
    name: str
    notebook: str
    questions: tuple[Question, ...]
    #: kind of mistake -> question id -> code a student might write instead of the answer
    near_misses: dict[str, dict[str, str]] = field(default_factory=dict)
    #: an answer that never finishes, for the per-cell timeout, and the question it replaces
    endless_loop: str = "while True:\n    pass"
    endless_loop_question: str = ""  # default: the first question
    #: a written answer a simulated student hands in for the manually graded question
    sample_memo: str = ""
    #: student id -> that student's data (see cbec.assignments.datasets.personal_dataset)
    personal_data: Callable[[str], PersonalData] | None = None
    #: points of the manually graded cells (the autograded points are the questions')
    manual_points: int = 0
    #: what a copying student hands in, question id -> code, where answers are not per-student
    #: values a classmate's can be copied from (a strategy: the course's reference one)
    copied_answer: dict[str, str] = field(default_factory=dict)
    #: submissions of a student that count (later ones are not collected for grading); None: no limit
    submission_limit: int | None = None
    #: other good answers a simulated student may write, question id -> codes (strategies differ
    #: from student to student; exact answers need none)
    answer_variants: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def plays_functions(self) -> bool:
        """Whether an answer is a function the grader plays (scored by performance, not compared)."""
        return any(question.kind == "function" for question in self.questions)

    @property
    def points(self) -> int:
        """Autograded points: the sum of the questions' points, written once, in the questions."""
        return sum(question.points for question in self.questions)


def declared_assignments() -> list[str]:
    """Names of every assignment a course module declares (``cbec.modules.<name>.assignment``)."""
    from cbec.modules.registry import assignment_modules

    return [module.split(".")[2] for module in assignment_modules()]


class UnknownAssignmentError(LookupError):
    """No package declares this assignment."""


def declaration(assignment: str) -> AssignmentDeclaration:
    """The ``DECLARATION`` of ``cbec.modules.<assignment>.assignment``."""
    try:
        module = importlib.import_module(f"cbec.modules.{assignment}.assignment")
        found = module.DECLARATION
    except (ImportError, AttributeError):
        raise UnknownAssignmentError(
            f"No declaration for assignment {assignment!r}: add helpers/cbec/modules/{assignment}/assignment.py "
            "with DECLARATION = AssignmentDeclaration(...) (see cbec.assignments.declaration).") from None
    if not isinstance(found, AssignmentDeclaration):
        raise UnknownAssignmentError(f"cbec.modules.{assignment}.assignment.DECLARATION is not an AssignmentDeclaration.")
    return found
