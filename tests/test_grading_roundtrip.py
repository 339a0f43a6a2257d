"""Every declared assignment graded by real nbgrader, as an instructor would use it.

For each assignment one class is built with a student per scenario, autograded once
(nbgrader is slow to start kernels) in the same batch as the attacks of
tests/test_hostile_submissions.py (tests/graded_class.py), and every test reads its own
student's result from the real gradebook.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import nbformat
import pytest

from cbec.grading import Course, autograde_class, find_leaks, generate_feedback
from cbec.grading.regions import hidden_test_lines, solution_lines
from tests.graded_class import ASSIGNMENTS, Spec, class_group, declaration, near_miss_student
from tests.hostile_attacks import BY_NAME

pytestmark = pytest.mark.grading


def question_scores(course: Course, spec: Spec, student: str) -> dict[str, float]:
    with course.gradebook() as gb:
        notebook = gb.find_submission_notebook(spec.notebook.removesuffix(".ipynb"), spec.name, student)
        return {g.name.removesuffix("_tests"): g.score for g in notebook.grades if g.name.endswith("_tests")}


_NEAR_MISS_STUDENTS = [pytest.param(name, near_miss_student(kind), id=f"{name}-{kind}", marks=class_group(name))
                       for name in ASSIGNMENTS for kind in declaration(name).near_misses]


def test_release_contains_no_solution_and_no_hidden_test(graded_assignment):
    spec, course, _ = graded_assignment
    assert find_leaks(course, spec.name) == []
    released = (course.release / spec.name / spec.notebook).read_text(encoding="utf-8")
    source = course.source / spec.name / spec.notebook
    for line in hidden_test_lines(source) | solution_lines(source):
        assert line not in released
    assert "_truth" not in released and "raise NotImplementedError()" in released


def test_solution_scores_full_autograded_marks(graded_assignment):
    spec, course, outcomes = graded_assignment
    assert outcomes["solver"].status == "graded"
    assert outcomes["solver"].score == spec.auto_points
    assert outcomes["solver"].max_score == spec.auto_points + spec.declared.manual_points == 100
    scores = question_scores(course, spec, "solver")
    assert scores == {q.qid: q.points for q in spec.questions}


def test_released_notebook_executes_and_scores_zero(graded_assignment):
    spec, course, outcomes = graded_assignment
    assert outcomes["blank"].status == "graded"
    assert outcomes["blank"].score == 0
    executed = nbformat.read(course.autograded / "blank" / spec.name / spec.notebook, as_version=4)
    setup = next(c for c in executed.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    assert not [o for o in setup.outputs if o.output_type == "error"], "the set-up cell must run for students"


@pytest.mark.parametrize("assignment, student", [*_NEAR_MISS_STUDENTS,
                                                 *[pytest.param(n, "copier", id=f"{n}-copied", marks=class_group(n))
                                                   for n in ASSIGNMENTS]])
def test_near_miss_and_copied_answers_fail_every_question_they_target(request, assignment, student):
    course, _ = request.getfixturevalue("graded_class_of")(assignment)
    spec = Spec(assignment)
    scores = question_scores(course, spec, student)
    assert set(scores) == set(spec.qids)
    assert {q: s for q, s in scores.items() if s != 0} == {}  # questions not targeted are left unanswered


def test_editing_or_deleting_test_cells_does_not_change_the_score(graded_assignment):
    spec, course, outcomes = graded_assignment
    first, second = spec.qids[:2]
    scores = question_scores(course, spec, "tamperer")
    assert scores[first] == 0 and scores[second] == 0
    assert outcomes["tamperer"].score == spec.auto_points - spec.points(first, second)


def test_infinite_loop_is_stopped_by_the_timeout_and_the_rest_is_graded(graded_assignment):
    spec, course, outcomes = graded_assignment
    looper = outcomes["looper"]
    assert looper.status == "graded" and "timeout" in looper.message
    scores = question_scores(course, spec, "looper")
    assert scores[spec.loop_question] == 0
    assert looper.score == spec.auto_points - spec.points(spec.loop_question)


def test_corrupt_notebook_is_reported_and_others_are_still_graded(graded_assignment):
    spec, _, outcomes = graded_assignment
    assert outcomes["corrupted"].status == "corrupt"
    assert spec.notebook in outcomes["corrupted"].message
    assert outcomes["absent"].status == "missing"
    assert outcomes["latecomer"].status == "graded" and outcomes["latecomer"].score == spec.auto_points


def test_late_submission_is_recorded_as_late(graded_assignment):
    spec, course, _ = graded_assignment
    with course.gradebook() as gb:
        assert gb.find_submission(spec.name, "latecomer").total_seconds_late > 0
        assert gb.find_submission(spec.name, "solver").total_seconds_late == 0


def test_regrading_is_opt_in_and_nothing_graded_is_overwritten(graded_assignment):
    spec, course, _ = graded_assignment
    autograded = course.autograded / "solver" / spec.name / spec.notebook
    before = autograded.stat().st_mtime_ns
    again = autograde_class(course, spec.name, students=["solver", "blank"], progress=False)
    assert {o.status for o in again} == {"kept"}
    assert autograded.stat().st_mtime_ns == before
    assert [o.score for o in again] == [spec.auto_points, 0]


def test_feedback_shows_scores_but_never_hidden_tests(graded_assignment):
    spec, course, graded = graded_assignment
    students = [s for s in graded if s not in BY_NAME]  # the attacks' feedback: test_hostile_submissions.py
    outcomes = {o.student_id: o for o in generate_feedback(course, spec.name, students=students, progress=False)}
    slips = [near_miss_student(kind) for kind in spec.declared.near_misses]
    assert {outcomes[s].status for s in slips} == {"written"}
    hidden = hidden_test_lines(course.source / spec.name / spec.notebook)
    for student in ("solver", *slips):
        page = _visible_text(outcomes[student].path)
        assert "BEGIN HIDDEN TESTS" not in page and "_truth" not in page and "_expected" not in page
        leaked = [line for line in hidden if len(line) > 15 and line in page]
        assert leaked == []
    assert "Hidden tests did not pass" in _visible_text(outcomes[slips[0]].path)


def test_feedback_pages_work_offline_and_say_whose_they_are(graded_assignment):
    spec, course, _ = graded_assignment
    student = near_miss_student(sorted(spec.declared.near_misses)[0])
    [outcome] = generate_feedback(course, spec.name, students=[student], progress=False)
    page = outcome.path.read_text(encoding="utf-8")
    assert re.findall(r'(?:src|href)="(https?:)?//', page) == [], "feedback must load nothing from the network"
    assert "<math" in page and "$$" not in page, "the notebook's formulas are written as MathML"
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert title.endswith(f"feedback for {student}") and "assignment" in title.lower()
    assert "white-space: pre-wrap" in page, "long messages wrap instead of being cut at the edge"


def test_feedback_is_rewritten_after_a_regrade_and_kept_otherwise(graded_assignment):
    spec, course, _ = graded_assignment
    [first] = generate_feedback(course, spec.name, students=["solver"], progress=False)
    [again] = generate_feedback(course, spec.name, students=["solver"], progress=False)
    assert again.status == "kept"
    autograded = course.autograded / "solver" / spec.name / spec.notebook
    later = first.path.stat().st_mtime + 5
    os.utime(autograded, (later, later))
    [after] = generate_feedback(course, spec.name, students=["solver"], progress=False)
    assert after.status == "written"


def _visible_text(page: Path) -> str:
    """What a reader of the HTML sees: tags (and syntax-highlighting spans) removed."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
