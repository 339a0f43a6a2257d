"""Read an nbgrader gradebook into tidy pandas tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


class GradebookError(RuntimeError):
    """The gradebook is missing or has no such assignment."""


@dataclass(frozen=True)
class AssignmentGrades:
    """Everything a grade summary needs about one assignment.

    ``students``: one row per registered student (submitted or not) with totals.
    ``items``: one row per student and graded cell, with ``question`` (``q1``...) and
    ``graded_by`` (``auto``/``manual``).
    """

    assignment: str
    duedate: pd.Timestamp | None
    students: pd.DataFrame
    items: pd.DataFrame


def _question(grade_id: str) -> str:
    return grade_id.split("_")[0]


def load_assignment_grades(gradebook: str | Path, assignment: str) -> AssignmentGrades:
    """Read ``assignment`` from the SQLite gradebook at ``gradebook``."""
    from nbgrader.api import Gradebook, MissingEntry

    path = Path(gradebook)
    if not path.is_file():
        raise GradebookError(
            f"No gradebook at {path}. Autograde first (`cbec autograde {assignment}`), "
            "or pass the path of your course's gradebook.db."
        )
    with Gradebook(f"sqlite:///{path.resolve()}") as gb:
        try:
            record = gb.find_assignment(assignment)
        except MissingEntry:
            known = ", ".join(a.name for a in gb.assignments) or "none"
            raise GradebookError(f"The gradebook has no assignment {assignment!r} (it has: {known}).") from None
        duedate = pd.Timestamp(record.duedate) if record.duedate else None
        max_score = float(record.max_score)
        submitted = {s.student.id: s for s in gb.assignment_submissions(assignment)}
        student_rows, item_rows = [], []
        for student in gb.students:
            sub = submitted.get(student.id)
            row = {"student_id": student.id, "first_name": student.first_name,
                   "last_name": student.last_name, "submitted": sub is not None,
                   "timestamp": pd.NaT, "hours_late": 0.0, "late": False,
                   "score": 0.0, "auto_score": 0.0, "max_score": max_score,
                   "needs_manual_grade": False}
            if sub is not None:
                seconds_late = float(sub.total_seconds_late or 0.0)
                row.update(timestamp=pd.Timestamp(sub.timestamp) if sub.timestamp else pd.NaT,
                           hours_late=seconds_late / 3600, late=seconds_late > 0,
                           score=float(sub.score), needs_manual_grade=bool(sub.needs_manual_grade))
                for notebook in sub.notebooks:
                    for grade in notebook.grades:
                        manual = grade.cell.cell_type == "markdown"
                        item_rows.append({
                            "student_id": student.id, "notebook": notebook.name,
                            "grade_id": grade.name, "question": _question(grade.name),
                            "graded_by": "manual" if manual else "auto",
                            "score": float(grade.score), "max_score": float(grade.max_score),
                            "needs_manual_grade": bool(grade.needs_manual_grade),
                        })
                row["auto_score"] = sum(r["score"] for r in item_rows
                                        if r["student_id"] == student.id and r["graded_by"] == "auto")
            student_rows.append(row)
    students = pd.DataFrame(student_rows)
    items = pd.DataFrame(item_rows, columns=["student_id", "notebook", "grade_id", "question",
                                             "graded_by", "score", "max_score", "needs_manual_grade"])
    return AssignmentGrades(assignment, duedate, students, items)
