"""The kinds of activity event and the fields each carries, checked before anything is written.

One declaration serves the writer (which refuses a bad event) and the reader (which skips
and reports a bad line), so the two can never disagree on what a valid event is.

Every stored line is a JSON object with ``kind``, ``time`` (UTC, ISO 8601) and ``student``
added by the log, plus the kind's fields below.  Unknown fields are refused: a misspelt
``proft`` would otherwise vanish from every report without a word.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

#: Fields the log adds itself; an event may not set them.
STAMP_FIELDS = ("kind", "time", "student")


class ActivityError(ValueError):
    """An event or a log folder is unusable; the message says what to fix."""


@dataclass(frozen=True)
class Field:
    """One field of an event kind: its type (``int``, ``float``, ``str``) and bounds."""

    name: str
    type: type
    required: bool = True
    minimum: float | None = None
    help: str = ""

    def check(self, value) -> str | None:
        """Why ``value`` is unusable for this field, or ``None`` when it is fine."""
        if self.type is str:
            if not isinstance(value, str) or not value.strip():
                return f"{self.name} must be a non-empty string, got {value!r}"
            return None
        # bool is an int in Python; True as a profit is a bug, not a number
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return f"{self.name} must be a number, got {type(value).__name__} {value!r}"
        if self.type is int and float(value) != int(value):
            return f"{self.name} must be a whole number, got {value!r}"
        if not math.isfinite(float(value)):
            return f"{self.name} must be finite, got {value!r}"
        if self.minimum is not None and value < self.minimum:
            return f"{self.name} must be at least {self.minimum:g}, got {value!r}"
        return None


def _f(name, kind=float, required=True, minimum=None, help=""):
    return Field(name, kind, required, minimum, help)


#: Every event kind and its fields.
EVENT_KINDS: dict[str, tuple[Field, ...]] = {
    "training": (
        _f("session", str, help="which training session was attended, e.g. 'kickoff'"),
        _f("hours", float, required=False, minimum=0),
    ),
    "practice_round": (
        _f("seed", int, help="the practice season's seed"),
        _f("week", int, minimum=1),
        _f("profit", float, help="the week's profit"),
        _f("lost_units", float, minimum=0, help="units demanded but not sold: stock-outs"),
        _f("ad_spend", float, minimum=0),
        _f("ad_gross_margin", float, help="gross margin of the units the ads sold"),
        _f("stockout_lines", int, minimum=0, help="products that ran out of stock this week"),
        _f("season", int, required=False, minimum=1, help="the student's season number"),
    ),
    "practice_season": (
        _f("seed", int),
        _f("profit", float, help="the whole season's profit"),
        _f("weeks", int, minimum=1),
        _f("season", int, required=False, minimum=1),
    ),
    "quiz": (
        _f("module", str, help="the course module the quiz belongs to"),
        _f("score", float, minimum=0),
        _f("max_score", float, minimum=0),
    ),
    "submission": (
        _f("assignment", str),
        _f("timestamp", str, help="when it was handed in (ISO 8601)"),
    ),
}


def validate_fields(kind: object, fields: dict) -> dict:
    """``fields`` checked against ``kind``'s declaration; raises :class:`ActivityError`."""
    if kind not in EVENT_KINDS:
        raise ActivityError(f"Unknown event kind {kind!r}; the kinds are: {', '.join(EVENT_KINDS)}.")
    declared = {f.name: f for f in EVENT_KINDS[kind]}
    unknown = sorted(set(fields) - set(declared))
    if unknown:
        raise ActivityError(f"A {kind} event has no field(s) {', '.join(unknown)}; "
                            f"its fields are: {', '.join(declared)}.")
    missing = [name for name, f in declared.items() if f.required and name not in fields]
    if missing:
        raise ActivityError(f"A {kind} event needs {', '.join(missing)}; its fields are: {', '.join(declared)}.")
    problems = [why for name, value in fields.items() if (why := declared[name].check(value))]
    if kind == "quiz" and not problems:
        if fields["max_score"] <= 0 or fields["score"] > fields["max_score"]:
            problems.append(f"score {fields['score']!r} must lie between 0 and max_score {fields['max_score']!r} "
                            "(which must be above 0)")
    if kind == "submission" and not problems:
        from cbec.activity.timestamps import parse_time

        try:
            parse_time(fields["timestamp"])
        except ActivityError as error:
            problems.append(f"timestamp: {error}")
    if problems:
        raise ActivityError(f"Bad {kind} event: " + "; ".join(problems) + ".")
    return dict(fields)
