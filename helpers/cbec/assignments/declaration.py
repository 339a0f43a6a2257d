"""What the shared machinery needs to know of one assignment, declared in its own package.

Every assignment lives in ``cbec.assignments.<name>`` and exposes ``DECLARATION``: its
questions (answer variable, points, plausibility check) and the wrong answers a simulated
class draws on.  Grading, class simulation and reports look it up by the assignment's name
(:func:`declaration`) and never import an assignment themselves.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from cbec.assignments.checks import Question


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


class UnknownAssignmentError(LookupError):
    """No package declares this assignment."""


def declaration(assignment: str) -> AssignmentDeclaration:
    """The ``DECLARATION`` of ``cbec.assignments.<assignment>``."""
    try:
        module = importlib.import_module(f"cbec.assignments.{assignment}")
        found = module.DECLARATION
    except (ImportError, AttributeError):
        raise UnknownAssignmentError(
            f"No declaration for assignment {assignment!r}: add helpers/cbec/assignments/{assignment}/__init__.py "
            "with DECLARATION = AssignmentDeclaration(...) (see cbec.assignments.declaration).") from None
    if not isinstance(found, AssignmentDeclaration):
        raise UnknownAssignmentError(f"cbec.assignments.{assignment}.DECLARATION is not an AssignmentDeclaration.")
    return found
