"""nbgrader's exchange: how a real class hands work in and gets feedback back.

The instructor side goes through nbgrader's API on the course (release to the exchange,
collect, release feedback).  The student side is nbgrader's own command line, run the way
a student runs it: in the student's home folder, with the student's id, against the
course's exchange folder (``c.Exchange.root`` in ``nbgrader_config.py``; by default
``.runtime/exchange`` beside the course, or ``CBEC_EXCHANGE``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from cbec.grading.course import Course, CourseError
from cbec.identity import STUDENT_ID_ENV


class ExchangeError(CourseError):
    """An exchange step failed; the message has nbgrader's reason."""


def exchange_root(course: Course) -> Path:
    return Path(course.config().Exchange.root)


def _check(result: dict, what: str) -> None:
    if not result["success"]:
        lines = (result.get("error") or result.get("log") or "").strip().splitlines()
        reasons = [line for line in lines if "[ERROR]" in line or "Error" in line] or lines[-3:]
        raise ExchangeError(f"nbgrader could not {what}: " + " | ".join(reasons[-3:]))


def release_to_exchange(course: Course, assignment: str) -> Path:
    """Put the student version (``cbec release`` first) into the exchange's outbound folder."""
    course.require_assignment(assignment)
    api = course.make_api(ExchangeReleaseAssignment__force=True)  # releasing again replaces the old version
    _check(api.release_assignment(assignment), f"release {assignment!r} to the exchange")
    return exchange_root(course) / course.config().CourseDirectory.course_id / "outbound" / assignment


def collect(course: Course, assignment: str) -> list[str]:
    """Copy every submission from the exchange into ``submitted/`` (the latest per student).

    Where the assignment's declaration sets a ``submission_limit``, a student's submissions
    after that many are not graded: their last counted one is collected instead
    (:func:`apply_submission_limit`).
    """
    course.require_assignment(assignment)
    _check(course.api.collect(assignment), f"collect {assignment!r}")
    limit = _declared_limit(assignment)
    if limit:
        apply_submission_limit(course, assignment, limit)
    return sorted(p.parent.name for p in course.submitted.glob(f"*/{assignment}"))


#: Written beside a collected submission that is not the student's latest (the limit held it back).
LIMIT_NOTE = "submission_limit.txt"


def _declared_limit(assignment: str) -> int | None:
    from cbec.assignments.declaration import UnknownAssignmentError, declaration

    try:
        return declaration(assignment).submission_limit
    except UnknownAssignmentError:
        return None


def inbound_submissions(course: Course, assignment: str) -> dict[str, list[Path]]:
    """Every submission in the exchange's inbound folder, per student, oldest first.

    nbgrader keeps each one as ``<student>+<assignment>+<timestamp>+<random>``, with the
    time it was handed in in ``timestamp.txt``.
    """
    inbound = exchange_root(course) / course.config().CourseDirectory.course_id / "inbound"
    found: dict[str, list[Path]] = {}
    for folder in inbound.glob(f"*+{assignment}+*") if inbound.is_dir() else []:
        student, _, rest = folder.name.partition("+")
        if rest.startswith(f"{assignment}+") and folder.is_dir():
            found.setdefault(student, []).append(folder)
    for folders in found.values():
        folders.sort(key=lambda f: (_stamp(f), f.name))
    return found


def _stamp(folder: Path) -> str:
    try:
        return (folder / "timestamp.txt").read_text(encoding="utf-8").strip()
    except OSError:
        return folder.name.split("+")[2] if folder.name.count("+") >= 2 else ""


def apply_submission_limit(course: Course, assignment: str, limit: int) -> dict[str, int]:
    """Put each student's ``limit``-th submission in ``submitted/`` where they handed in more.

    Returns how many each such student handed in; a note beside the collected work says which
    one counts and why.
    """
    import shutil

    if limit < 1:
        raise ValueError(f"a submission limit must be at least 1, got {limit}.")
    over = {}
    for student, folders in inbound_submissions(course, assignment).items():
        if len(folders) <= limit:
            continue
        counted = folders[limit - 1]
        target = course.submitted / student / assignment
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(counted, target)
        (target / LIMIT_NOTE).write_text(
            f"{student} handed in {len(folders)} times; the limit is {limit}, so submission {limit} "
            f"(of {_stamp(counted)}) is graded and the later ones are not.\n", encoding="utf-8")
        over[student] = len(folders)
    return over


def release_feedback(course: Course, assignment: str) -> list[str]:
    """Put the generated feedback (``cbec feedback`` first) where students can fetch it.

    Only students who handed in through the exchange can fetch feedback (nbgrader matches
    it to the secret of their submission); the others are left out.  Returns who got it.
    """
    course.require_assignment(assignment)
    students = sorted(folder.parent.name for folder in course.feedback.glob(f"*/{assignment}")
                      if (course.submitted / folder.parent.name / assignment / "submission_secret.txt").is_file())
    for student in students:
        _check(course.api.release_feedback(assignment, student), f"release feedback of {assignment!r} to {student}")
    return students


@dataclass(frozen=True)
class Student:
    """A student with a home folder of their own, using nbgrader's command line."""

    student_id: str
    home: Path
    exchange: Path
    course_id: str = "cbec-lab"

    def nbgrader(self, *args: str) -> subprocess.CompletedProcess:
        self.home.mkdir(parents=True, exist_ok=True)
        environment = {**os.environ, "HOME": str(self.home), STUDENT_ID_ENV: self.student_id,
                       "JUPYTER_CONFIG_DIR": str(self.home / ".jupyter"),
                       "JUPYTER_DATA_DIR": str(self.home / ".local" / "share" / "jupyter")}
        command = [str(Path(sys.executable).parent / "nbgrader"), *args, "--course", self.course_id,
                   f"--Exchange.root={self.exchange}"]
        done = subprocess.run(command, cwd=self.home, env=environment, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise ExchangeError(f"{self.student_id}: nbgrader {args[0]} failed: "
                                + " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:]))
        return done

    def fetch(self, assignment: str) -> Path:
        if not (self.home / assignment).is_dir():  # nbgrader refuses to fetch over earlier work
            self.nbgrader("fetch_assignment", assignment)
        return self.home / assignment

    def submit(self, assignment: str) -> None:
        self.nbgrader("submit", assignment, "--student", self.student_id)

    def fetch_feedback(self, assignment: str) -> list[Path]:
        self.nbgrader("fetch_feedback", assignment, "--student", self.student_id)
        return sorted((self.home / assignment / "feedback").glob("*/*.html"))
