"""Per-student HTML feedback, rendered by nbgrader with hidden tests removed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from cbec.grading.course import Course


@dataclass(frozen=True)
class FeedbackOutcome:
    student_id: str
    status: str  # "written", "kept" or "failed"
    path: Path | None
    message: str = ""


def generate_feedback(course: Course, assignment: str, students: list[str] | None = None,
                      regenerate: bool = False, progress: bool = True) -> list[FeedbackOutcome]:
    """Write ``feedback/<student>/<assignment>/*.html`` for every autograded student."""
    course.require_assignment(assignment)
    graded = sorted(p.parent.name for p in course.autograded.glob(f"*/{assignment}")) if course.autograded.is_dir() else []
    wanted = [s for s in graded if students is None or s in students]
    outcomes = []
    for student_id in tqdm(wanted, desc="Writing feedback", unit="student", disable=not progress):
        folder = course.feedback / student_id / assignment
        existing = sorted(folder.glob("*.html"))
        if existing and not regenerate:
            outcomes.append(FeedbackOutcome(student_id, "kept", existing[0], "already written"))
            continue
        result = course.api.generate_feedback(assignment, student_id, force=True)
        html = sorted(folder.glob("*.html"))
        if result["success"] and html:
            outcomes.append(FeedbackOutcome(student_id, "written", html[0]))
        else:
            last = (result.get("error") or result.get("log") or "").strip().splitlines()
            outcomes.append(FeedbackOutcome(student_id, "failed", None, last[-1] if last else "no HTML written"))
    return outcomes
