"""nbgrader's real hand-in flow through the exchange: release, two students with homes of
their own fetch, work and submit, the instructor collects, autogrades, grades the memo by
hand, generates and releases feedback, and the students fetch it."""

from __future__ import annotations

import html
import re

import nbformat
import pytest

from cbec.modules.data_operation.assignment import NOTEBOOK, QUESTIONS
from cbec.modules.data_operation.near_misses import NEAR_MISSES
from cbec.grading import autograde_class, generate_feedback
from cbec.grading.exchange import Student, collect, exchange_root, release_feedback, release_to_exchange
from cbec.grading.submissions import fill_answers
from tests.graded_class import ASSIGNMENT, _solutions, released_course

pytestmark = pytest.mark.grading

AUTO_POINTS = sum(q.points for q in QUESTIONS)


def test_release_fetch_submit_collect_grade_and_feedback_through_the_exchange(tmp_path):
    course = released_course(tmp_path / "course")
    assert exchange_root(course) == tmp_path / ".runtime" / "exchange"
    outbound = release_to_exchange(course, ASSIGNMENT)
    assert (outbound / NOTEBOOK).is_file()

    exchange = exchange_root(course)
    alice = Student("alice", tmp_path / "homes" / "alice", exchange)
    bob = Student("bob", tmp_path / "homes" / "bob", exchange)
    work = {"alice": (alice, _solutions(course), "Alice's memo."), "bob": (bob, NEAR_MISSES["unit"], None)}
    for student, answers, memo in work.values():
        fetched = student.fetch(ASSIGNMENT) / NOTEBOOK
        assert "_truth" not in fetched.read_text() and "BEGIN SOLUTION" not in fetched.read_text()
        nbformat.write(fill_answers(fetched, answers, memo=memo), fetched)  # the student's work, saved
        student.submit(ASSIGNMENT)
    assert not (bob.home / ASSIGNMENT / "feedback").exists()

    assert collect(course, ASSIGNMENT) == ["alice", "bob"]
    outcomes = {o.student_id: o for o in autograde_class(course, ASSIGNMENT, progress=False)}
    assert outcomes["alice"].score == AUTO_POINTS and outcomes["bob"].score == 0

    with course.gradebook() as gb:  # the memo, graded by hand as the formgrader would
        memo = gb.find_grade("q11_memo", NOTEBOOK.removesuffix(".ipynb"), ASSIGNMENT, "alice")
        memo.manual_score = 8
        gb.db.commit()
        assert gb.find_submission(ASSIGNMENT, "alice").score == AUTO_POINTS + 8

    assert {o.status for o in generate_feedback(course, ASSIGNMENT, progress=False)} == {"written"}
    release_feedback(course, ASSIGNMENT)
    for name, (student, _, _) in work.items():
        [page] = student.fetch_feedback(ASSIGNMENT)
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
        assert "_expected" not in text and "BEGIN HIDDEN TESTS" not in text
        if name == "alice":
            assert f"{AUTO_POINTS + 8}" in text
        else:
            assert "Hidden tests did not pass" in text


def test_the_demo_can_hand_the_class_in_through_the_exchange(tmp_path):
    from tests.test_cli import cbec

    course = released_course(tmp_path / "course")
    common = ["--course-dir", str(course.root), "-q"]
    failed = cbec(*common, "simulate-class", ASSIGNMENT, "--through-exchange")
    assert failed.returncode == 4 and "not been released to the exchange" in failed.stderr
    release_to_exchange(course, ASSIGNMENT)
    made = cbec(*common, "simulate-class", ASSIGNMENT, "--students", "8", "--seed", "4", "--through-exchange")
    assert made.returncode == 0, made.stdout + made.stderr
    assert not course.submitted.exists()  # nothing written straight into submitted/
    collected = cbec(*common, "collect", ASSIGNMENT)
    assert collected.returncode == 0 and "Collected from the exchange: 8 submission(s)" in collected.stdout
    homes = sorted(p.name for p in (tmp_path / ".runtime" / "homes").iterdir())
    assert len(homes) == 8 and all((tmp_path / ".runtime" / "homes" / h / ASSIGNMENT / NOTEBOOK).is_file()
                                   for h in homes)


def test_nbgrader_started_at_the_project_root_finds_the_course(tmp_path):
    """JupyterLab's Formgrader and nbgrader's commands run from the root see the course."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from cbec import paths

    shutil.copy(paths.project_root() / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    course = released_course(tmp_path / "assignments")
    listed = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "db", "assignment", "list"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr[-1500:]
    assert "data_operation" in listed.stdout and str(course.gradebook_path) not in listed.stderr
    assert exchange_root(course) == tmp_path / ".runtime" / "exchange"
