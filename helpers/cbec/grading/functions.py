"""Function answers: a student's function (a competition strategy) played by the grader.

A function cannot leave the student's process as data, and must not: whatever it closes
over could lie.  So it stays there, and the grader calls it through the sandbox.  When the
notebook reaches a test cell that reads a function answer (see :mod:`cbec.grading.plan`),
the runner *serves* it; the grader's trusted process runs the playing module's
``drive(function, context)``, which calls ``function(args)`` as often as it likes with
plain-data arguments and gets plain data back, each call timed by the sandbox
(``GradingLimits.call_timeout``).  ``drive`` returns what it measured; the test cell sees
that object under the answer's name.

A playing module (named in the test cell's metadata) defines two functions:

* ``call(function, args)`` -- runs in the student's process: turns the plain-data
  ``args`` into the function's arguments, calls it and turns its result into plain data.
  Everything it returns is untrusted.
* ``drive(function, context)`` -- runs in the grader: plays the game, with hidden data
  drawn from ``context.secret`` (the course's grading secret, never in the sandbox), and
  returns the measurements (an object with ``record()`` for the grading log, if wanted).

A call that raises, runs too long or returns something unreadable raises
:class:`FunctionAnswerError` in ``drive``; once the submission has stopped, every call does.
"""

from __future__ import annotations

import importlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cbec.grading.answers import ChannelError, Unreadable, decode, describe_unreadable, encode
from cbec.grading.plan import GradingPlan
from cbec.grading.sandbox import Calls, SessionEnded

_SECRET_FILE = Path(".cbec") / "grading-secret"


class FunctionAnswerError(RuntimeError):
    """One call of a student's function failed; ``kind`` is error, timeout, unreadable or stopped."""

    def __init__(self, kind: str, message: str, traceback: str = ""):
        super().__init__(message)
        self.kind = kind
        self.traceback = traceback


@dataclass(frozen=True)
class DriveContext:
    """What ``drive`` knows of the submission: whose it is, and the course's grading secret."""

    student: str
    assignment: str
    secret: str


class RemoteFunction:
    """The student's function as the grader sees it: call it with plain data, get plain data."""

    def __init__(self, name: str, calls: Calls):
        self.name = name
        self._calls = calls
        self.count = 0
        self.seconds: list[float] = []

    def __call__(self, args):
        self.count += 1
        try:
            reply = self._calls.call(self.name, encode(args))
        except SessionEnded as ended:
            raise FunctionAnswerError("stopped", f"the notebook stopped ({ended})") from None
        seconds = reply.get("seconds")
        if isinstance(seconds, (int, float)):
            self.seconds.append(float(seconds))
        if "error" in reply:
            kind = "timeout" if reply.get("error") == "CallTimeout" else "error"
            message = str(reply.get("message", ""))[:2000]
            raise FunctionAnswerError(kind, f"{str(reply['error'])[:100]}: {message}" if kind == "error" else message,
                                      str(reply.get("traceback", ""))[:4000])
        try:
            value = decode(reply.get("value"))
        except (ChannelError, ValueError, TypeError, OverflowError) as error:
            raise FunctionAnswerError("unreadable", f"{self.name} returned data the grader cannot read ({error})") from None
        if isinstance(value, Unreadable):
            raise FunctionAnswerError("unreadable", describe_unreadable(f"what {self.name} returned", value))
        return value


@dataclass(frozen=True)
class NotPlayed:
    """Stands in for a function answer the grader could not play (its own failure, not the student's)."""

    reason: str


def serving(plan: GradingPlan, job: dict, played: dict[str, dict]):
    """The ``serve`` callback for :meth:`SandboxWorker.run`: plays each function answer of a
    served test cell and puts what ``drive`` returned in ``played[grade_id][name]``."""
    def serve(event: dict, calls: Calls) -> None:
        grade_id = job["tests"].get(str(event.get("cell")))
        test = plan.tests.get(grade_id)
        if test is None or not test.functions or grade_id in played:
            return
        missing = set(event.get("missing") or [])
        context = DriveContext(job["student"], job["assignment"], job.get("secret", ""))
        values = played.setdefault(grade_id, {})
        for name, module in test.functions.items():
            if name in missing:
                continue
            try:
                drive = importlib.import_module(module).drive
                values[name] = drive(RemoteFunction(name, calls), context)
            except Exception as error:  # noqa: BLE001 - a bug of the grader is reported, not raised
                values[name] = NotPlayed(f"{module}.drive failed in the grader: {type(error).__name__}: {error}")
    return serve


def records(played: dict[str, dict]) -> dict[str, dict]:
    """What each played function's measurements say of themselves (``record()``), for the log."""
    out = {}
    for grade_id, values in played.items():
        for name, value in values.items():
            record = getattr(value, "record", None)
            if callable(record):
                out.setdefault(grade_id, {})[name] = record()
    return out


def course_secret(course_root: Path | str) -> str:
    """The course's grading secret (made on first use, readable by its owner only).

    It lives in the course folder, which the sandbox cannot see; hidden tests and ``drive``
    functions draw hidden data from it, so a public repository does not give it away.
    """
    path = Path(course_root) / _SECRET_FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(16))
        try:
            os.link(temporary, path)  # first writer wins; others read its secret
        except FileExistsError:
            pass
        finally:
            temporary.unlink(missing_ok=True)
    secret = path.read_text().strip()
    if not secret:
        raise RuntimeError(f"{path} is empty; delete it and grade again to make a new grading secret.")
    return secret
