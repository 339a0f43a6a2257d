"""Generate the student version of an assignment and prove it gives nothing away."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import nbformat

from cbec.grading.course import Course, CourseError
from cbec.grading.regions import hidden_test_lines, solution_lines

_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
            "BEGIN MARK SCHEME")


class LeakError(CourseError):
    """The released files contain solutions or hidden tests."""


def release_assignment(course: Course, assignment: str, duedate: datetime | None = None) -> list[Path]:
    """Check the assignment can be autograded, run nbgrader ``generate_assignment``,
    record the due date, and check for leaks.

    Returns the released notebooks.  Regenerating replaces the old student version; it
    never touches submissions or grades.
    """
    course.require_assignment(assignment)
    from cbec.grading.autograde import check_assignment

    check_assignment(course, assignment)  # the engine must be able to grade every test cell
    result = course.api.generate_assignment(assignment, force=True, create=True)
    if not result["success"]:
        raise CourseError(f"nbgrader could not generate {assignment!r}:\n{_last_lines(result)}")
    if duedate is not None:
        with course.gradebook() as gb:
            gb.update_or_create_assignment(assignment, duedate=_naive_utc(duedate))
    released = sorted((course.release / assignment).glob("*.ipynb"))
    problems = find_leaks(course, assignment)
    if problems:
        raise LeakError("The student version gives answers away:\n  " + "\n  ".join(problems))
    return released


def find_leaks(course: Course, assignment: str) -> list[str]:
    """Every solution line, hidden test line or marker that survived into ``release/``."""
    problems = []
    for source in course.source_notebooks(assignment):
        released = course.release / assignment / source.name
        if not released.exists():
            problems.append(f"{released} was not generated")
            continue
        text = "\n".join(cell.source for cell in nbformat.read(released, as_version=4).cells)
        secrets = solution_lines(source) | hidden_test_lines(source)
        problems += [f"{released.name}: marker {m!r}" for m in _MARKERS if m in text]
        problems += [f"{released.name}: leaked line {line!r}" for line in sorted(secrets)
                     if line in text]
    return problems


def _naive_utc(moment: datetime) -> datetime:
    # nbgrader stores naive UTC datetimes in its gradebook.
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _last_lines(result: dict, n: int = 15) -> str:
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    return "\n".join(text.strip().splitlines()[-n:])
