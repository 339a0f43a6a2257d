"""The course grade: module assignments, the competition and practice activity, with the instructor's weights.

Weights live in ``nbgrader_config.py`` beside the grading limits::

    c.CourseWeights.assignments = 0.6   # mean share of points over the module assignments
    c.CourseWeights.competition = 0.2   # the competition assignment's share of points
    c.CourseWeights.practice = 0.2      # practice seasons played, up to a target

Practice activity is credited from the activity log (:func:`practice_credit`) and written
into nbgrader's gradebook as an assignment of its own, ``practice_activity`` (one manually
graded cell worth 100 points), so formgrader and every grade summary show it beside the
others; :func:`course_grades` then weighs the three parts.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from traitlets import Float, Int, Unicode
from traitlets.config import Configurable

PRACTICE_ASSIGNMENT = "practice_activity"
_PRACTICE_NOTEBOOK, _PRACTICE_CELL = "practice", "practice_credit"


class CourseWeights(Configurable):
    """How the course grade is made (set these in ``nbgrader_config.py``)."""

    assignments = Float(0.6, help="Weight of the module assignments (their mean share of points).").tag(config=True)
    competition = Float(0.2, help="Weight of the competition assignment.").tag(config=True)
    practice = Float(0.2, help="Weight of practice activity (seasons played, up to the target).").tag(config=True)
    competition_assignment = Unicode("", help="The assignment strategies are submitted to; empty: the declared "
                                     "assignment whose answer is a played function.").tag(config=True)
    practice_target_seasons = Int(5, help="Practice seasons that earn full practice credit.").tag(config=True)

    def competition_name(self) -> str:
        """The competition assignment: as configured, else the one declaration that plays functions."""
        if self.competition_assignment:
            return self.competition_assignment
        from cbec.assignments.declaration import declaration, declared_assignments

        playing = [name for name in declared_assignments() if declaration(name).plays_functions]
        return playing[0] if len(playing) == 1 else ""

    def checked(self) -> dict[str, float]:
        parts = {"assignments": self.assignments, "competition": self.competition, "practice": self.practice}
        bad = {name: value for name, value in parts.items() if not 0 <= value <= 1}
        if bad or abs(sum(parts.values()) - 1) > 1e-9:
            raise ValueError(f"CourseWeights {parts} must each lie in [0, 1] and add up to 1; "
                             "fix c.CourseWeights in nbgrader_config.py.")
        if self.practice_target_seasons < 1:
            raise ValueError("CourseWeights.practice_target_seasons must be at least 1.")
        return parts


def practice_credit(events: pd.DataFrame, students: list[str], target_seasons: int) -> pd.Series:
    """Share of practice credit per student: practice seasons finished / target, at most 1."""
    seasons = events[events["kind"] == "practice_season"] if len(events) else events
    played = seasons.groupby("student").size() if len(seasons) else pd.Series(dtype=float)
    return (played.reindex(students).fillna(0) / target_seasons).clip(upper=1.0).rename("practice_credit")


def record_practice_credit(gradebook_path: str | Path, credit: pd.Series) -> int:
    """Write each student's practice credit (0-100 points) into the gradebook's ``practice_activity``.

    The credit is a manual grade of that assignment's one cell, so formgrader shows it and an
    instructor can still change it there.  Returns the number of students written.
    """
    from nbgrader.api import Gradebook, MissingEntry

    from cbec.grading.course import _put_interpreter_tools_on_path

    _put_interpreter_tools_on_path()  # nbgrader may run alembic on the gradebook
    with Gradebook(f"sqlite:///{Path(gradebook_path).resolve()}") as gb:
        gb.update_or_create_assignment(PRACTICE_ASSIGNMENT)
        gb.update_or_create_notebook(_PRACTICE_NOTEBOOK, PRACTICE_ASSIGNMENT)
        gb.update_or_create_grade_cell(_PRACTICE_CELL, _PRACTICE_NOTEBOOK, PRACTICE_ASSIGNMENT,
                                       max_score=100.0, cell_type="markdown")
        known = {s.id for s in gb.students}
        written = 0
        for student, share in credit.items():
            if student not in known:
                gb.update_or_create_student(student)
            try:
                gb.find_submission(PRACTICE_ASSIGNMENT, student)
            except MissingEntry:
                gb.add_submission(PRACTICE_ASSIGNMENT, student)
            grade = gb.find_grade(_PRACTICE_CELL, _PRACTICE_NOTEBOOK, PRACTICE_ASSIGNMENT, student)
            grade.manual_score = round(100.0 * float(share), 2)
            written += 1
        gb.db.commit()
    return written


def course_grades(gradebook_path: str | Path, weights: CourseWeights) -> pd.DataFrame:
    """Per student: each part's share of points and the weighted course grade (0-100).

    Module assignments are every gradebook assignment but the competition and practice
    activity; a missing submission counts as 0.
    """
    from nbgrader.api import Gradebook

    parts = weights.checked()
    competition = weights.competition_name()
    rows = []
    with Gradebook(f"sqlite:///{Path(gradebook_path).resolve()}") as gb:
        names = [a.name for a in gb.assignments]
        modules = [n for n in names if n not in (competition, PRACTICE_ASSIGNMENT)]
        maxima = {a.name: float(a.max_score) for a in gb.assignments}
        scores = {(s.student.id, s.assignment.name): float(s.score) for name in names
                  for s in gb.assignment_submissions(name)}
        for student in gb.students:
            share = {n: scores.get((student.id, n), 0.0) / maxima[n] if maxima[n] else 0.0 for n in names}
            row = {"student_id": student.id, "first_name": student.first_name, "last_name": student.last_name,
                   "assignments": sum(share[n] for n in modules) / len(modules) if modules else 0.0,
                   "competition": share.get(competition, 0.0),
                   "practice": share.get(PRACTICE_ASSIGNMENT, 0.0)}
            row["course_grade"] = round(100 * sum(parts[p] * row[p] for p in parts), 2)
            rows.append(row)
    table = pd.DataFrame(rows, columns=["student_id", "first_name", "last_name", "assignments", "competition",
                                        "practice", "course_grade"])
    return table.sort_values("course_grade", ascending=False).reset_index(drop=True)
