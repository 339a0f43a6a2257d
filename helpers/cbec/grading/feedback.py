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
        if existing and not regenerate and _up_to_date(existing, course, student_id, assignment):
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


def _up_to_date(pages: list[Path], course: Course, student_id: str, assignment: str) -> bool:
    """Feedback newer than the student's autograded work and every grade (a hand grade too)."""
    written = min(page.stat().st_mtime for page in pages)
    sources = [*(course.autograded / student_id / assignment).glob("*.ipynb"), Path(course.db_url.removeprefix("sqlite:///"))]
    return all(written >= source.stat().st_mtime for source in sources if source.exists())
