"""Learner-facing sanity checks (in the spirit of Kaggle's learntools ``q1.check()``).

A check tells a student early that an answer has the wrong type or an implausible size
(a percentage where a fraction is asked, a Series where a number is asked).  It never
knows the right answer: correctness is decided by nbgrader's hidden tests at grading time.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any


class AnswerCheckError(AssertionError):
    """A visible check failed; the message says what to fix.

    In a notebook it shows as its message alone: IPython asks ``_render_traceback_`` for
    the lines to print, so no traceback into this package buries the one useful line.
    nbgrader still sees an error in the cell.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"Check failed: {self}"]


def _shown(value) -> str:
    """A number as a student would write it (``2.157``, not ``np.float64(2.157...)``)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):.6g}"
    return repr(value)


@dataclass(frozen=True)
class Question:
    """One autograded question: where its answer lives and what a plausible answer looks like."""

    qid: str
    variable: str
    points: int
    kind: str  # "number", "integer", "text" or "function" (played by the grader, see cbec.grading.functions)
    summary: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    hint: str = ""

    def check(self, value: Any) -> None:
        """Raise :class:`AnswerCheckError` if ``value`` cannot be a right answer."""
        name = f"{self.qid} ({self.variable})"
        if value is None or value is NotImplemented or value is Ellipsis:
            raise AnswerCheckError(f"{name}: you have not answered yet.")
        if self.kind == "function":
            if not callable(value):
                raise AnswerCheckError(f"{name}: expected a function (def {self.variable}(view): ...), "
                                       f"got {type(value).__name__}.")
            print(f"{name}: a function. It is played on hidden markets when your notebook is graded.")
            return
        if self.kind == "text":
            if not isinstance(value, str):
                raise AnswerCheckError(
                    f"{name}: expected a text (str) such as {self.choices[0]!r}, "
                    f"got {type(value).__name__}."
                )
            if self.choices and value not in self.choices:
                raise AnswerCheckError(f"{name}: {value!r} is not one of {list(self.choices)}.")
        else:
            wanted = numbers.Integral if self.kind == "integer" else numbers.Real
            if isinstance(value, bool) or not isinstance(value, wanted):
                if self.kind == "integer":
                    advice = ("Round up with math.ceil(...) and make it an int with int(...)."
                              if isinstance(value, numbers.Real) and not isinstance(value, bool)
                              else "Take the single value out and make it an int with int(...).")
                    raise AnswerCheckError(f"{name}: expected a whole number (int), got "
                                           f"{type(value).__name__}. {advice}")
                raise AnswerCheckError(
                    f"{name}: expected a single number (float), got {type(value).__name__}. "
                    "If you have a one-element Series or array, take its value with float(...)."
                )
            if value != value:
                raise AnswerCheckError(f"{name}: your answer is NaN; check for empty selections.")
            if self.low is not None and value < self.low or self.high is not None and value > self.high:
                raise AnswerCheckError(
                    f"{name}: {_shown(value)} is outside the plausible range "
                    f"{_shown(self.low)} to {_shown(self.high)}. {self.hint}".rstrip()
                )
        print(f"{name}: plausible. Correctness is checked when your notebook is graded.")


class Checks:
    """Attribute access to the questions of one assignment: ``check.q1(answer)``."""

    def __init__(self, questions: list[Question]):
        self._questions = {q.qid: q for q in questions}

    def __getattr__(self, qid: str):
        try:
            return self._questions[qid].check
        except KeyError:
            raise AttributeError(
                f"No question {qid!r}; questions are {', '.join(self._questions)}."
            ) from None

    def __iter__(self):
        return iter(self._questions.values())

    def __dir__(self):
        return list(self._questions)
