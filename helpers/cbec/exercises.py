"""Lecture exercises in the style of Kaggle's learntools: ``check()``, ``hint()``, ``solution()``.

An :class:`Exercise` is a small declaration: the variable the student assigns, how the
right answer is computed from the lecture's data, a hint and the model solution.  In the
notebook it is bound to that data (``exercise = EXERCISES["x"].bind(sessions=sessions)``),
then ``exercise.check(x)`` says *correct* or what is off in one line, ``exercise.hint()``
gives a nudge, and ``exercise.solution()`` shows the code once the student has tried
``solution_after`` times (``CBEC_SOLUTION_AFTER``, set by the instructor; 0 shows it at
once).  Graded assignment questions never have a ``solution()``: see
:mod:`cbec.assignments.checks`.
"""

from __future__ import annotations

import math
import numbers
import os
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

SOLUTION_AFTER_ENV = "CBEC_SOLUTION_AFTER"
DEFAULT_SOLUTION_AFTER = 2


def solution_after() -> int:
    """How many tries unlock ``solution()`` (the instructor's ``CBEC_SOLUTION_AFTER``)."""
    text = os.environ.get(SOLUTION_AFTER_ENV, "")
    return int(text) if text.strip().isdigit() else DEFAULT_SOLUTION_AFTER


@dataclass(frozen=True)
class Exercise:
    """One lecture exercise: which variable, how to compute the answer, a hint, the solution."""

    variable: str
    expected: Callable[..., Any]
    hint: str
    solution: str
    rel_tol: float = 1e-6
    ordered: bool = False  # a Series answer must also be sorted like the expected one
    fraction: bool = False  # a number in [-1, 1] is asked for: a percentage is a near miss

    def bind(self, **data) -> "BoundExercise":
        return BoundExercise(self, data)


@dataclass
class BoundExercise:
    """An exercise together with the lecture's data; counts the student's tries."""

    exercise: Exercise
    data: dict
    tries: int = 0
    solved: bool = False
    _expected: Any = field(default=None, repr=False)

    def expected(self):
        if self._expected is None:
            self._expected = self.exercise.expected(**self.data)
        return self._expected

    def check(self, answer) -> bool:
        """Print whether ``answer`` is right (one line) and return True if it is."""
        self.tries += 1
        problem = compare(answer, self.expected(), self.exercise)
        self.solved = self.solved or problem is None
        if problem is None:
            print(f"Correct: {self.exercise.variable} is right.")
        else:
            left = max(0, solution_after() - self.tries)
            later = f" ({left} more tr{'y' if left == 1 else 'ies'} unlock solution())" if left else \
                " (exercise.solution() shows one way)"
            print(f"Not yet: {problem}. Try exercise.hint(){later}.")
        return problem is None

    def hint(self) -> None:
        print(f"Hint: {self.exercise.hint}")

    def solution(self) -> None:
        needed = solution_after()
        if not self.solved and self.tries < needed:
            left = needed - self.tries
            print(f"Try {left} more time{'s' if left > 1 else ''} with exercise.check({self.exercise.variable}) "
                  "first; exercise.hint() may help.")
            return
        print(f"Solution:\n{self.exercise.solution.strip()}")


def compare(answer, expected, exercise: Exercise) -> str | None:
    """Why ``answer`` is not ``expected`` (``None`` when it is), in words a student can act on."""
    name = exercise.variable
    if isinstance(expected, pd.Series):
        if isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
            answer = answer.iloc[:, 0]
        if not isinstance(answer, pd.Series):
            return f"{name} should be a pandas Series indexed by {expected.index.name or 'label'}, got {type(answer).__name__}"
        if set(answer.index) != set(expected.index):
            return f"{name} should have one value for each of {sorted(map(str, expected.index))}"
        aligned = pd.to_numeric(answer.reindex(expected.index), errors="coerce").to_numpy(dtype=float)
        if not np.allclose(aligned, expected.to_numpy(dtype=float), rtol=exercise.rel_tol, equal_nan=True):
            return f"some values of {name} are off"
        if exercise.ordered and list(answer.index) != list(expected.index):
            return f"the values of {name} are right, but not sorted from highest to lowest"
        return None
    if isinstance(expected, numbers.Real):
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
            return f"{name} should be a single number, got {type(answer).__name__}"
        if math.isclose(float(answer), float(expected), rel_tol=exercise.rel_tol, abs_tol=1e-12):
            return None
        if exercise.fraction and math.isclose(float(answer), 100 * float(expected), rel_tol=exercise.rel_tol):
            return f"{name} looks like a percentage; give a fraction ({float(expected):.3f}, not {float(answer):.1f})"
        return f"{name} = {float(answer):.6g} is not the answer"
    return None if answer == expected else f"{name} is not the answer"
