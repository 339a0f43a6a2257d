"""The smallest playing module for a function answer: guess the grader's hidden number.

It shows the two halves every playing module has (see :mod:`cbec.grading.functions`) and
is what the engine's own tests play.  The grader draws a whole number from 1 to
:data:`HIGHEST` out of the course's grading secret and the student's id; the student's
``guess(low, high, history)`` is called up to :data:`TURNS` times, each time told the
range still open and its earlier guesses with the answers ``"higher"`` or ``"lower"``.
A bisection finds any number in ten turns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from cbec.grading.functions import DriveContext, FunctionAnswerError

HIGHEST = 1000
TURNS = 12


def call(function, args: dict) -> int:
    """In the student's process: ``function(low, high, history)``, as a whole number."""
    history = [(int(guess), str(answer)) for guess, answer in args["history"]]
    return int(function(int(args["low"]), int(args["high"]), history))


@dataclass
class GuessingResult:
    """How the student's function played: did it find the number, in how many turns, what failed."""

    found: bool = False
    turns: int = 0
    failures: list[dict] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def points(self, full: float) -> float:
        """``full`` for a find within ten turns, one tenth less per extra turn, 0 if never found."""
        return 0.0 if not self.found else max(0.0, full * (1 - 0.1 * max(0, self.turns - 10)))

    def record(self) -> dict:
        return {"found": self.found, "turns": self.turns, "failures": self.failures,
                "slowest_call_seconds": max(self.seconds, default=0.0)}


def hidden_number(context: DriveContext) -> int:
    digest = hashlib.sha256(f"{context.secret}/{context.assignment}/{context.student}".encode()).digest()
    return 1 + int.from_bytes(digest[:8], "big") % HIGHEST


def drive(function, context: DriveContext) -> GuessingResult:
    """In the grader: up to :data:`TURNS` calls; a failed call costs its turn."""
    number, low, high = hidden_number(context), 1, HIGHEST
    history: list[list] = []
    result = GuessingResult()
    for turn in range(1, TURNS + 1):
        result.turns = turn
        try:
            guess = function({"low": low, "high": high, "history": history})
        except FunctionAnswerError as error:
            result.failures.append({"turn": turn, "kind": error.kind, "message": str(error)[:300]})
            if error.kind == "stopped":
                break
            continue
        if not isinstance(guess, int) or isinstance(guess, bool):
            result.failures.append({"turn": turn, "kind": "invalid", "message": f"a guess must be an int, got {guess!r}"[:300]})
            continue
        if guess == number:
            result.found = True
            break
        answer = "higher" if guess < number else "lower"
        if answer == "higher":
            low = max(low, guess + 1)
        else:
            high = min(high, guess - 1)
        history.append([guess, answer])
    result.seconds = list(getattr(function, "seconds", []))
    return result
