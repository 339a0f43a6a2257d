"""Item analysis and follow-up lists from an assignment's grades."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbec.reporting.gradebook import AssignmentGrades


def question_matrix(grades: AssignmentGrades, graded_by: str = "auto") -> pd.DataFrame:
    """Students (rows) x questions (columns) of scores, for students who submitted."""
    items = grades.items[grades.items["graded_by"] == graded_by]
    matrix = items.pivot_table(index="student_id", columns="question", values="score", aggfunc="sum")
    order = sorted(matrix.columns, key=lambda q: (len(q), q))  # q2 before q10
    return matrix[order]


def item_statistics(grades: AssignmentGrades, graded_by: str = "auto") -> pd.DataFrame:
    """Mean score, difficulty and discrimination of every question.

    *Difficulty* is the classical p-value: mean score / max score (higher = easier).
    *Discrimination* is the corrected item-total correlation: the Pearson correlation of
    the question's score with the total of the *other* questions, so the item does not
    correlate with itself.  Below about 0.2 a question separates strong and weak students poorly.
    """
    matrix = question_matrix(grades, graded_by)
    items = grades.items[grades.items["graded_by"] == graded_by]
    max_scores = items.groupby("question")["max_score"].max().reindex(matrix.columns)
    total = matrix.sum(axis=1)
    stats = pd.DataFrame({
        "max_score": max_scores,
        "mean_score": matrix.mean(),
        "difficulty": matrix.mean() / max_scores,
        "discrimination": [_safe_corr(matrix[q], total - matrix[q]) for q in matrix.columns],
        "full_marks_share": (matrix.eq(max_scores, axis=1)).mean(),
    })
    stats.index.name = "question"
    return stats


def _safe_corr(a: pd.Series, b: pd.Series) -> float:
    if a.nunique() < 2 or b.nunique() < 2:
        return float("nan")  # undefined when everyone scores the same
    return float(np.corrcoef(a, b)[0, 1])


def students_behind(grades: AssignmentGrades, threshold: float = 0.5,
                    grading_log: pd.DataFrame | None = None) -> pd.DataFrame:
    """Students to follow up: no submission, ungradable file, low score, or late.

    ``threshold`` is a share of the autograded points; ``grading_log`` (the CSV written by
    ``cbec autograde``) adds why a submission could not be graded.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold is a share of the points between 0 and 1, got {threshold!r}.")
    students = grades.students.set_index("student_id")
    auto_max = grades.items.loc[grades.items["graded_by"] == "auto"].groupby("grade_id")["max_score"].max().sum()
    reasons: dict[str, list[str]] = {sid: [] for sid in students.index}
    problems = {}
    if grading_log is not None and len(grading_log):
        bad = grading_log[grading_log["status"].isin(["corrupt", "incomplete", "failed"])]
        # a log where every message is empty is read as floats (all NaN): make it text first
        messages = bad["message"].astype("string").fillna("")
        problems = dict(zip(bad["student_id"], bad["status"].astype("string") + ": " + messages))
    for sid, row in students.iterrows():
        if sid in problems:
            reasons[sid].append(problems[sid])
        elif not row["submitted"]:
            reasons[sid].append("no submission")
        elif auto_max and row["auto_score"] / auto_max < threshold:
            reasons[sid].append(f"autograded score {row['auto_score']:.0f}/{auto_max:.0f} below {threshold:.0%}")
        if row["late"]:
            reasons[sid].append(f"late by {row['hours_late']:.1f} h")
    behind = students.assign(reason=[", ".join(reasons[s]) for s in students.index])
    behind = behind[behind["reason"] != ""]
    columns = ["first_name", "last_name", "submitted", "auto_score", "score", "hours_late", "reason"]
    return behind[columns].sort_values(["submitted", "auto_score"]).reset_index()


def score_summary(grades: AssignmentGrades) -> dict:
    """Headline numbers of the assignment (counts as int, scores as float)."""
    s = grades.students
    sub = s[s["submitted"]]
    return {
        "students": int(len(s)),
        "submitted": int(s["submitted"].sum()),
        "late": int(s["late"].sum()),
        "mean_auto_score": float(sub["auto_score"].mean()) if len(sub) else float("nan"),
        "median_auto_score": float(sub["auto_score"].median()) if len(sub) else float("nan"),
        "auto_max_score": float(grades.items.loc[grades.items["graded_by"] == "auto"]
                                .groupby("grade_id")["max_score"].max().sum()),
        "needs_manual_grade": int(sub["needs_manual_grade"].sum()),
    }
