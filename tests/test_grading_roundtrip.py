"""The Data Operation assignment graded by real nbgrader, as an instructor would use it.

One class is built with a student per scenario, autograded once (nbgrader is slow to start
kernels), and every test reads its own student's result from the real gradebook.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import nbformat
import pytest

from cbec.modules.data_operation.assignment import MANUAL_POINTS, NOTEBOOK, QUESTIONS
from cbec.grading import Course, autograde_class, find_leaks, generate_feedback
from cbec.grading.regions import hidden_test_lines, solution_lines
from tests.graded_class import ASSIGNMENT

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("nbgrader")]

AUTO_POINTS = sum(q.points for q in QUESTIONS)
QIDS = [q.qid for q in QUESTIONS]


def question_scores(course: Course, student: str) -> dict[str, float]:
    with course.gradebook() as gb:
        notebook = gb.find_submission_notebook(NOTEBOOK.removesuffix(".ipynb"), ASSIGNMENT, student)
        return {g.name.removesuffix("_tests"): g.score for g in notebook.grades if g.name.endswith("_tests")}


def test_release_contains_no_solution_and_no_hidden_test(graded):
    course, _ = graded
    assert find_leaks(course, ASSIGNMENT) == []
    released = (course.release / ASSIGNMENT / NOTEBOOK).read_text(encoding="utf-8")
    source = course.source / ASSIGNMENT / NOTEBOOK
    for line in hidden_test_lines(source) | solution_lines(source):
        assert line not in released
    assert "_truth" not in released and "raise NotImplementedError()" in released


def test_solution_scores_full_autograded_marks(graded):
    course, outcomes = graded
    assert outcomes["solver"].status == "graded"
    assert outcomes["solver"].score == AUTO_POINTS
    assert outcomes["solver"].max_score == AUTO_POINTS + MANUAL_POINTS == 100
    assert set(question_scores(course, "solver").values()) != {0}
    assert all(score > 0 for score in question_scores(course, "solver").values())


def test_released_notebook_executes_and_scores_zero(graded):
    course, outcomes = graded
    assert outcomes["blank"].status == "graded"
    assert outcomes["blank"].score == 0
    executed = nbformat.read(course.autograded / "blank" / ASSIGNMENT / NOTEBOOK, as_version=4)
    setup = next(c for c in executed.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    assert not [o for o in setup.outputs if o.output_type == "error"], "the set-up cell must run for students"


@pytest.mark.parametrize("student", ["unitslip", "typeslip", "copier"])
def test_near_miss_answers_fail_every_question_they_target(graded, student):
    course, _ = graded
    scores = question_scores(course, student)
    assert set(scores) == set(QIDS)
    assert {q: s for q, s in scores.items() if s != 0} == {}


def test_editing_or_deleting_test_cells_does_not_change_the_score(graded):
    course, outcomes = graded
    scores = question_scores(course, "tamperer")
    assert scores["q1"] == 0 and scores["q2"] == 0
    assert outcomes["tamperer"].score == AUTO_POINTS - 16


def test_infinite_loop_is_stopped_by_the_timeout_and_the_rest_is_graded(graded):
    course, outcomes = graded
    looper = outcomes["looper"]
    assert looper.status == "graded" and "timeout" in looper.message
    scores = question_scores(course, "looper")
    assert scores["q3"] == 0
    assert looper.score == AUTO_POINTS - 8


def test_corrupt_notebook_is_reported_and_others_are_still_graded(graded):
    _, outcomes = graded
    assert outcomes["corrupted"].status == "corrupt"
    assert NOTEBOOK in outcomes["corrupted"].message
    assert outcomes["absent"].status == "missing"
    assert outcomes["latecomer"].status == "graded" and outcomes["latecomer"].score == AUTO_POINTS


def test_late_submission_is_recorded_as_late(graded):
    course, _ = graded
    with course.gradebook() as gb:
        assert gb.find_submission(ASSIGNMENT, "latecomer").total_seconds_late > 0
        assert gb.find_submission(ASSIGNMENT, "solver").total_seconds_late == 0


def test_regrading_is_opt_in_and_nothing_graded_is_overwritten(graded):
    course, _ = graded
    autograded = course.autograded / "solver" / ASSIGNMENT / NOTEBOOK
    before = autograded.stat().st_mtime_ns
    again = autograde_class(course, ASSIGNMENT, students=["solver", "blank"], progress=False)
    assert {o.status for o in again} == {"kept"}
    assert autograded.stat().st_mtime_ns == before
    assert [o.score for o in again] == [AUTO_POINTS, 0]


def test_feedback_shows_scores_but_never_hidden_tests(graded):
    course, _ = graded
    outcomes = {o.student_id: o for o in generate_feedback(course, ASSIGNMENT, progress=False)}
    assert outcomes["unitslip"].status == "written"
    hidden = hidden_test_lines(course.source / ASSIGNMENT / NOTEBOOK)
    for student in ("solver", "unitslip", "typeslip"):
        page = _visible_text(outcomes[student].path)
        assert "BEGIN HIDDEN TESTS" not in page and "_truth" not in page and "_expected" not in page
        leaked = [line for line in hidden if len(line) > 15 and line in page]
        assert leaked == []
    assert "Hidden tests did not pass" in _visible_text(outcomes["unitslip"].path)


def test_feedback_pages_work_offline_and_say_whose_they_are(graded):
    course, _ = graded
    [outcome] = generate_feedback(course, ASSIGNMENT, students=["unitslip"], progress=False)
    page = outcome.path.read_text(encoding="utf-8")
    assert re.findall(r'(?:src|href)="(https?:)?//', page) == [], "feedback must load nothing from the network"
    assert "<math" in page and "$$" not in page, "the notebook's formulas are written as MathML"
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert title.endswith("feedback for unitslip") and "assignment" in title.lower()
    assert "white-space: pre-wrap" in page, "long messages wrap instead of being cut at the edge"


def test_feedback_is_rewritten_after_a_regrade_and_kept_otherwise(graded):
    course, _ = graded
    [first] = generate_feedback(course, ASSIGNMENT, students=["solver"], progress=False)
    [again] = generate_feedback(course, ASSIGNMENT, students=["solver"], progress=False)
    assert again.status == "kept"
    autograded = course.autograded / "solver" / ASSIGNMENT / NOTEBOOK
    later = first.path.stat().st_mtime + 5
    os.utime(autograded, (later, later))
    [after] = generate_feedback(course, ASSIGNMENT, students=["solver"], progress=False)
    assert after.status == "written"


def _visible_text(page: Path) -> str:
    """What a reader of the HTML sees: tags (and syntax-highlighting spans) removed."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
