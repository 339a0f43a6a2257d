"""Short quizzes in the spirit of Kaggle Learn's checks: small declarative questions.

A :class:`QuizQuestion` is a prompt with either choices or a numeric answer (and its
tolerance), an explanation, and optionally the *known mistakes* of that question (the
number a student gets when forgetting the minimum fee, say), each with what went wrong.
Checking (:meth:`QuizQuestion.check`, :meth:`Quiz.score`) returns plain data; showing
(``_repr_markdown_``) is separate, so a notebook, a test and the grader read the same result.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field


class QuizError(ValueError):
    """A quiz is declared wrongly, or answers name questions it does not have."""


@dataclass(frozen=True)
class Check:
    """The verdict on one answer."""

    question: str
    correct: bool
    message: str
    answered: bool = True

    def _repr_markdown_(self) -> str:
        return f"{'✅' if self.correct else '❌'} **{self.question}**: {self.message}"


@dataclass(frozen=True)
class QuizQuestion:
    """One question: ``choices`` with the right one in ``answer``, or a numeric ``answer``.

    ``tolerance`` is absolute.  ``mistakes`` maps a wrong number (numeric) or choice to what
    it reveals, shown when a student gives it.
    """

    name: str
    prompt: str
    answer: object
    explanation: str
    choices: tuple[str, ...] = ()
    tolerance: float = 0.0
    unit: str = ""
    mistakes: dict = field(default_factory=dict)
    points: float = 1.0

    def __post_init__(self):
        if self.choices:
            if self.answer not in self.choices:
                raise QuizError(f"{self.name}: the answer {self.answer!r} is not one of its choices.")
            if len(set(self.choices)) != len(self.choices):
                raise QuizError(f"{self.name}: two choices are the same.")
        elif isinstance(self.answer, bool) or not isinstance(self.answer, numbers.Real) \
                or not math.isfinite(float(self.answer)):
            raise QuizError(f"{self.name}: a question without choices needs a finite numeric answer.")
        if self.tolerance < 0 or self.points <= 0:
            raise QuizError(f"{self.name}: tolerance must be >= 0 and points > 0.")

    @property
    def numeric(self) -> bool:
        return not self.choices

    def _choice(self, answer) -> str | None:
        """The choice ``answer`` means: its text, or its letter (``"b"``), or None."""
        if isinstance(answer, str):
            text = answer.strip()
            for choice in self.choices:
                if text.lower() == choice.lower():
                    return choice
            letters = "abcdefghij"
            if len(text) == 1 and text.lower() in letters[:len(self.choices)]:
                return self.choices[letters.index(text.lower())]
        return None

    def _number(self, answer) -> float | None:
        if isinstance(answer, bool):
            return None
        if isinstance(answer, numbers.Real):
            return float(answer)
        if isinstance(answer, str):
            try:
                return float(answer.replace(",", "").replace("%", "e-2").strip())
            except ValueError:
                return None
        return None

    def check(self, answer) -> Check:
        """Whether ``answer`` is right, and what to learn from it either way."""
        if answer is None:
            return Check(self.name, False, "not answered.", answered=False)
        if self.choices:
            choice = self._choice(answer)
            if choice is None:
                letters = ", ".join(f"{'abcdefghij'[i]}) {c}" for i, c in enumerate(self.choices))
                return Check(self.name, False, f"{answer!r} is not one of the choices: {letters}.")
            if choice == self.answer:
                return Check(self.name, True, f"right. {self.explanation}")
            hint = self.mistakes.get(choice, "not quite.")
            return Check(self.name, False, f"{hint} {self.explanation}")
        value = self._number(answer)
        if value is None or not math.isfinite(value):
            return Check(self.name, False, f"give a number, got {answer!r}.")
        target = float(self.answer)
        if abs(value - target) <= self.tolerance + 1e-12:
            return Check(self.name, True, f"right ({_fmt(target, self.unit)}). {self.explanation}")
        for wrong, why in self.mistakes.items():
            if abs(value - float(wrong)) <= self.tolerance + 1e-12:
                return Check(self.name, False, f"{why} {self.explanation}")
        if target and abs(value - 100 * target) <= 100 * self.tolerance + 1e-12:
            return Check(self.name, False, "that is the percentage; give the share (0.25, not 25).")
        close = abs(value - target) <= max(10 * self.tolerance, 0.05 * abs(target))
        lead = "close, but outside the tolerance" if close else "not quite"
        return Check(self.name, False, f"{lead} (±{_fmt(self.tolerance, self.unit)}): recompute. {self.explanation}")

    def _repr_markdown_(self) -> str:
        text = f"**{self.name}** ({self.points:g} point{'s' if self.points != 1 else ''}). {self.prompt}"
        if self.choices:
            text += "\n\n" + "\n".join(f"- {'abcdefghij'[i]}) {c}" for i, c in enumerate(self.choices))
        elif self.unit:
            text += f" *(answer in {self.unit})*"
        return text


def _fmt(value: float, unit: str) -> str:
    return f"{value:.6g}{(' ' + unit) if unit else ''}"


@dataclass(frozen=True)
class QuizResult:
    """A scored attempt: points per question and the checks behind them."""

    module: str
    score: float
    max_score: float
    checks: tuple[Check, ...]

    @property
    def share(self) -> float:
        return self.score / self.max_score

    def _repr_markdown_(self) -> str:
        lines = [f"### {self.module}: {self.score:g} of {self.max_score:g}"]
        lines += [check._repr_markdown_() for check in self.checks]
        return "\n\n".join(lines)


@dataclass(frozen=True)
class Quiz:
    """A module's quiz: a title and a few :class:`QuizQuestion` (unique names)."""

    module: str
    title: str
    questions: tuple[QuizQuestion, ...]

    def __post_init__(self):
        names = [q.name for q in self.questions]
        if not names or len(set(names)) != len(names):
            raise QuizError(f"Quiz {self.module!r} needs questions with distinct names, got {names}.")

    @property
    def max_score(self) -> float:
        return float(sum(q.points for q in self.questions))

    def question(self, name: str) -> QuizQuestion:
        for question in self.questions:
            if question.name == name:
                return question
        raise QuizError(f"Quiz {self.module!r} has no question {name!r}; "
                        f"its questions are: {', '.join(q.name for q in self.questions)}.")

    def check(self, name: str, answer) -> Check:
        return self.question(name).check(answer)

    def score(self, answers: dict) -> QuizResult:
        """Score ``answers`` ({question name: answer}); a missing answer scores nothing."""
        unknown = [name for name in answers if name not in {q.name for q in self.questions}]
        if unknown:
            raise QuizError(f"Quiz {self.module!r} has no question(s) {', '.join(map(str, unknown))}; "
                            f"its questions are: {', '.join(q.name for q in self.questions)}.")
        checks = tuple(q.check(answers.get(q.name)) for q in self.questions)
        points = sum(q.points for q, c in zip(self.questions, checks) if c.correct)
        return QuizResult(self.module, float(points), self.max_score, checks)

    def submit(self, answers: dict, log, *, at=None) -> QuizResult:
        """Score ``answers`` and record the score as a ``quiz`` event in ``log`` (an ActivityLog)."""
        result = self.score(answers)
        log.record({"kind": "quiz", "module": self.module, "score": result.score, "max_score": result.max_score},
                   at=at)
        return result

    def _repr_markdown_(self) -> str:
        return "\n\n".join([f"## {self.title}"] + [q._repr_markdown_() for q in self.questions])
