"""Who is on the course: a roster table, or the students of nbgrader's gradebook, and their assignment scores."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROSTER_COLUMNS = ("student", "first_name", "last_name", "email")


class SupervisionError(ValueError):
    """An input of the training dashboard is unusable; the message says what to do."""


def load_roster(table: pd.DataFrame | str | Path | None = None, gradebook: str | Path | None = None) -> pd.DataFrame:
    """The roster: ``student``, ``first_name``, ``last_name``, ``email`` (empty text where unknown).

    ``table`` is a DataFrame or a CSV file with a ``student`` (or ``student_id``) column;
    without it the students of the nbgrader ``gradebook`` (``gradebook.db``) are read.
    """
    if table is None and gradebook is None:
        raise SupervisionError("No roster: pass a roster table (a CSV with a 'student' column) or the "
                               "course's gradebook.db, whose students are the roster.")
    if table is not None:
        if not isinstance(table, pd.DataFrame):
            path = Path(table)
            if not path.is_file():
                raise SupervisionError(f"No roster file at {path}; give a CSV with a 'student' column.")
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame = table.rename(columns={"student_id": "student"})
        if "student" not in frame:
            raise SupervisionError(f"The roster has no 'student' column (it has: {', '.join(map(str, frame.columns))}).")
    else:
        frame = _gradebook_students(Path(gradebook))
    frame = frame.copy()
    frame["student"] = frame["student"].astype(str).str.strip()
    duplicated = sorted(frame.loc[frame["student"].duplicated(), "student"].unique())
    if duplicated:
        raise SupervisionError(f"The roster lists these students twice: {', '.join(duplicated)}; keep one row each.")
    for column in ROSTER_COLUMNS[1:]:
        frame[column] = frame[column].fillna("").astype(str) if column in frame else ""
    return frame[list(ROSTER_COLUMNS)].sort_values("student").reset_index(drop=True)


def _gradebook_students(path: Path) -> pd.DataFrame:
    from nbgrader.api import Gradebook

    if not path.is_file():
        raise SupervisionError(f"No gradebook at {path}; pass the course's gradebook.db or a roster CSV.")
    with Gradebook(f"sqlite:///{path.resolve()}") as gb:
        return pd.DataFrame([{"student": s.id, "first_name": s.first_name or "", "last_name": s.last_name or "",
                              "email": s.email or ""} for s in gb.students], columns=list(ROSTER_COLUMNS))


def gradebook_assignments(gradebook: str | Path) -> list[str]:
    """The assignments nbgrader's gradebook knows, by name."""
    from nbgrader.api import Gradebook

    path = Path(gradebook)
    if not path.is_file():
        raise SupervisionError(f"No gradebook at {path}.")
    with Gradebook(f"sqlite:///{path.resolve()}") as gb:
        return sorted(a.name for a in gb.assignments)


def assignment_scores(gradebook: str | Path, assignments: list[str] | None = None,
                      exclude: tuple[str, ...] = ()) -> pd.DataFrame:
    """Students (rows) x assignments (columns): score / max score, 0 for no submission.

    ``assignments`` default to every assignment in the gradebook except ``exclude``.
    """
    from cbec.reporting.gradebook import load_assignment_grades

    names = [a for a in (assignments or gradebook_assignments(gradebook)) if a not in exclude]
    columns = {}
    for name in names:
        students = load_assignment_grades(gradebook, name).students.set_index("student_id")
        columns[name] = (students["score"] / students["max_score"]).where(students["max_score"] > 0, 0.0)
    table = pd.DataFrame(columns)
    table.index.name = "student"
    return table
