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
    """Copy every submission from the exchange into ``submitted/`` (the latest per student)."""
    course.require_assignment(assignment)
    _check(course.api.collect(assignment), f"collect {assignment!r}")
    return sorted(p.parent.name for p in course.submitted.glob(f"*/{assignment}"))


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
