"""The grade-summary report: gradebook statistics and a real papermill run."""

from __future__ import annotations

import hashlib
import json
import re

import pandas as pd
import pytest

from cbec.reporting import AssignmentGrades, GradebookError, item_statistics, load_assignment_grades, students_behind
from cbec.reporting.runner import ReportConfigError, load_specs, run_reports, select
from tests.graded_class import ASSIGNMENT, class_group


def _grades(scores: dict[str, dict[str, float]], late=()) -> AssignmentGrades:
    items = pd.DataFrame([
        {"student_id": s, "notebook": "nb", "grade_id": f"{q}_tests", "question": q, "graded_by": "auto",
         "score": v, "max_score": 10.0, "needs_manual_grade": False}
        for s, qs in scores.items() for q, v in qs.items()])
    students = pd.DataFrame([
        {"student_id": s, "first_name": s, "last_name": "", "submitted": True, "timestamp": pd.NaT,
         "hours_late": 5.0 if s in late else 0.0, "late": s in late, "score": sum(qs.values()),
         "auto_score": sum(qs.values()), "max_score": 10.0 * len(qs), "needs_manual_grade": False}
        for s, qs in scores.items()])
    return AssignmentGrades("demo", None, students, items)


def test_difficulty_and_discrimination_by_hand():
    grades = _grades({"a": {"q1": 10, "q2": 10, "q3": 0}, "b": {"q1": 10, "q2": 0, "q3": 10},
                      "c": {"q1": 0, "q2": 0, "q3": 0}})
    stats = item_statistics(grades)
    assert stats.loc["q1", "difficulty"] == pytest.approx(2 / 3)
    # q1 vs rest totals (10, 10, 0): perfectly aligned
    assert stats.loc["q1", "discrimination"] == pytest.approx(1.0)
    # q2 (10, 0, 0) vs rest (10, 20, 0): deviations (6.7, -3.3, -3.3) and (0, 10, -10), r = 0
    assert stats.loc["q2", "discrimination"] == pytest.approx(0.0, abs=1e-12)


def test_students_behind_names_the_reason():
    grades = _grades({"strong": {"q1": 10, "q2": 10}, "weak": {"q1": 0, "q2": 5}, "late": {"q1": 10, "q2": 10}},
                     late=("late",))
    behind = students_behind(grades, threshold=0.5).set_index("student_id")
    assert set(behind.index) == {"weak", "late"}
    assert "below 50%" in behind.loc["weak", "reason"] and "late by 5.0 h" in behind.loc["late", "reason"]
    with pytest.raises(ValueError, match="threshold"):
        students_behind(grades, threshold=50)


def test_a_grading_log_without_any_message_is_read(tmp_path):
    """Every submission graded: the log's message column is empty, and pandas reads it as floats."""
    grades = _grades({"strong": {"q1": 10}, "weak": {"q1": 0}})
    pd.DataFrame({"student_id": ["strong", "weak"], "status": ["graded", "graded"], "message": ["", ""]}).to_csv(
        tmp_path / "log.csv", index=False)
    log = pd.read_csv(tmp_path / "log.csv")
    assert log["message"].dtype == float
    behind = students_behind(grades, threshold=0.5, grading_log=log).set_index("student_id")
    assert list(behind.index) == ["weak"]
    log.loc[1, "status"] = "corrupt"
    behind = students_behind(grades, threshold=0.5, grading_log=log).set_index("student_id")
    assert behind.loc["weak", "reason"] == "corrupt: "


@class_group(ASSIGNMENT)  # tests using the shared graded class run in its group, so it is built once
def test_gradebook_errors_say_what_to_do(tmp_path, graded):
    with pytest.raises(GradebookError, match="cbec autograde"):
        load_assignment_grades(tmp_path / "none.db", ASSIGNMENT)
    course, _ = graded
    with pytest.raises(GradebookError, match="data_operation"):
        load_assignment_grades(course.gradebook_path, "no_such_assignment")


@class_group(ASSIGNMENT)
def test_grade_summary_report_runs_on_the_real_gradebook(graded, tmp_path):
    course, outcomes = graded
    specs = select(load_specs(), ["data_operation_outcomes"])
    runs = run_reports(specs + [specs[0].__class__("broken", specs[0].notebook, "bad parameter",
                                                   {"assignment": "no_such_assignment"})],
                       out_root=tmp_path, overrides={"course_dir": str(course.root)}, progress=False)
    ok, broken = runs
    assert ok.ok, ok.error
    summary = json.loads((tmp_path / "data_operation_outcomes" / "summary.json").read_text())
    grades = load_assignment_grades(course.gradebook_path, ASSIGNMENT)
    assert summary["students"] == len(grades.students) == len(outcomes)
    assert summary["submitted"] == sum(o.status == "graded" for o in outcomes.values())
    assert summary["late"] == 1
    block = summary["provenance"]  # what the numbers were computed from
    assert block["parameters"] == {"course_dir": str(course.root), "gradebook": None, "assignment": ASSIGNMENT,
                                   "behind_threshold": 0.5} and block["seed"] is None
    gradebook = block["data"][0]
    assert gradebook["path"] == str(course.gradebook_path.resolve())
    assert gradebook["sha256"] == hashlib.sha256(course.gradebook_path.read_bytes()).hexdigest()
    assert gradebook["table_rows"]["student"] == summary["students"]
    behind = pd.read_csv(tmp_path / "data_operation_outcomes" / "students_behind.csv")
    assert {"absent", "corrupted", "blank", "latecomer"} <= set(behind["student_id"])
    assert "solver" not in set(behind["student_id"])
    page = ok.html.read_text(encoding="utf-8")
    assert "load_assignment_grades(" not in page, "the HTML report must hide code"
    assert "Students falling behind" in page
    assert str(tmp_path) not in page and "summary.json" in page  # no machine's absolute paths
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert title.endswith("(data_operation_outcomes)") and title != "Notebook (data_operation_outcomes)"
    # one broken run is reported and does not stop the others
    assert not broken.ok and "no_such_assignment" in broken.error
    index = (tmp_path / "index.html").read_text()
    assert "data_operation_outcomes" in index and "failed" in index


def test_unknown_report_lists_the_configured_ones():
    with pytest.raises(ReportConfigError, match="data_operation_outcomes"):
        select(load_specs(), ["nope"])


def test_item_analysis_labels_do_not_overlap():
    import matplotlib

    matplotlib.use("agg")
    from cbec.reporting.figures import difficulty_discrimination

    stats = pd.DataFrame({"question": [f"q{i}" for i in range(1, 11)],
                          "difficulty": [0.62, 0.63, 0.61, 0.64, 0.5, 0.62, 0.3, 0.63, 0.61, 0.62],
                          "discrimination": [0.55, 0.56, 0.54, 0.55, 0.4, 0.57, 0.3, 0.55, 0.56, 0.54],
                          "max_score": [8, 8, 8, 10, 10, 8, 10, 8, 10, 10]}).set_index("question")
    ax = difficulty_discrimination(stats)
    renderer = ax.figure.canvas.get_renderer()
    boxes = [text.get_window_extent(renderer) for text in ax.texts]
    assert len(boxes) == 10
    overlapping = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    assert overlapping == []
