"""A grading batch killed with SIGKILL half-way, then run again, completes the class with
no submission lost and none graded twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from cbec.modules.data_operation.assignment import NOTEBOOK, QUESTIONS
from cbec.grading import Course
from cbec.grading.autograde import COMPLETE_MARKER, read_log
from cbec.grading.submissions import fill_answers
from tests.graded_class import ASSIGNMENT, _solutions, _submit, released_course

pytestmark = pytest.mark.grading

AUTO_POINTS = sum(q.points for q in QUESTIONS)
STUDENTS = [f"s{i:02d}" for i in range(1, 13)]


def _cbec(course: Course, *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).parent / "cbec"), "--course-dir", str(course.root), "-q",
                             "autograde", "data_operation", "--workers", "2", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def test_killed_batch_resumes_without_losing_or_regrading(tmp_path):
    course = released_course(tmp_path / "course")
    released = course.release / ASSIGNMENT / NOTEBOOK
    solutions = _solutions(course)
    expected = {}
    for number, student in enumerate(STUDENTS):
        if number % 2:
            _submit(course, student, nbformat.read(released, as_version=4))
            expected[student] = 0
        else:
            _submit(course, student, fill_answers(released, solutions))
            expected[student] = AUTO_POINTS

    batch = _cbec(course)
    markers = lambda: sorted(p.parents[1].name for p in course.autograded.glob(f"*/{ASSIGNMENT}/{COMPLETE_MARKER}"))
    deadline = time.monotonic() + 240
    while len(markers()) < 3 and time.monotonic() < deadline and batch.poll() is None:
        time.sleep(0.05)
    os.killpg(batch.pid, signal.SIGKILL)  # the whole batch: coordinator, workers and sandboxes
    batch.wait()
    finished_before = markers()
    assert 3 <= len(finished_before) < len(STUDENTS), "the kill should land in the middle of the batch"
    times_before = {s: (course.autograded / s / ASSIGNMENT / COMPLETE_MARKER).stat().st_mtime_ns
                    for s in finished_before}

    again = _cbec(course)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, out + err
    assert markers() == STUDENTS
    log = {row["student_id"]: row for row in read_log(course, ASSIGNMENT)}
    assert {s: log[s]["status"] for s in finished_before} == {s: "kept" for s in finished_before}
    assert {s: log[s]["status"] for s in STUDENTS if s not in finished_before} == \
        {s: "graded" for s in STUDENTS if s not in finished_before}
    assert {s: (course.autograded / s / ASSIGNMENT / COMPLETE_MARKER).stat().st_mtime_ns
            for s in finished_before} == times_before  # not graded twice
    with course.gradebook() as gb:
        assert {s: gb.find_submission(ASSIGNMENT, s).score for s in STUDENTS} == expected
        assert len(gb.find_assignment(ASSIGNMENT).submissions) == len(STUDENTS)
