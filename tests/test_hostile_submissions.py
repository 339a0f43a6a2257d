"""A hostile class for every declared assignment: each attack in tests/hostile_attacks.py is graded in one batch beside
honest students, through the real `cbec autograde` engine and nbgrader's gradebook.

The batch is the assignment's shared graded class (tests/graded_class.py): the attacks are
graded together with the class the round-trip tests read (tests/test_grading_roundtrip.py).
For each attack the test asserts that it scores no more than a blank submission, that
nothing outside its scratch folder changed (the gradebook's rows, other students' files,
files in /tmp, the home folder and the course folder), that no network connection reached
the grader's loopback, that no process it started is still running, and that the honest
students' scores are exact.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import nbformat
import pytest

from cbec.grading import generate_feedback
from cbec.grading.regions import hidden_test_lines
from tests.graded_class import GradedClass
from tests.hostile_attacks import ATTACKS, Attack

pytestmark = pytest.mark.grading

CRASH_MESSAGES = {"hard_exit": "exited early", "segfault": "SIGSEGV", "kill_self": "SIGKILL",
                  "endless_loop_ignoring_interrupt": "did not stop when interrupted"}


@pytest.fixture
def hostile(hostile_class) -> GradedClass:
    """The assignment's graded class (``hostile_class``, in tests/graded_class.py), read for its attacks."""
    return hostile_class


def _question_scores(batch: GradedClass, student: str) -> dict[str, float]:
    with batch.course.gradebook() as gb:
        notebook = gb.find_submission_notebook(batch.spec.notebook.removesuffix(".ipynb"), batch.spec.name, student)
        return {g.name: g.score for g in notebook.grades if g.name.endswith("_tests")}


def _autograded(batch: GradedClass, student: str) -> Path:
    return batch.course.autograded / student / batch.spec.name / batch.spec.notebook


def _autograded_text(batch: GradedClass, student: str) -> str:
    return _autograded(batch, student).read_text(encoding="utf-8")


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_attack_is_contained(hostile: GradedClass, attack: Attack):
    outcome = hostile.outcomes[attack.name]
    blank = hostile.outcomes["blank"]
    # graded (crashes included), and worth no more than handing in nothing
    assert outcome.status == "graded", outcome
    assert outcome.isolation == "bubblewrap"
    assert outcome.score <= blank.score == 0, (attack.name, _question_scores(hostile, attack.name))
    # nothing outside its scratch folder changed
    assert hostile.watch.hashes_after == hostile.watch.hashes_before
    assert hostile.watch.outside_files == []
    assert hostile.gradebook_students >= set(hostile.honest) | {a.name for a in ATTACKS}
    # no connection reached the grader, no process outlived its grading
    assert hostile.watch.connections == 0
    assert hostile.watch.survivors == []
    # honest students are graded exactly
    for student, points in hostile.honest.items():
        assert hostile.outcomes[student].status == "graded"
        assert hostile.outcomes[student].score == points, student
    assert set(_question_scores(hostile, "solver").values()) == {q.points for q in hostile.spec.questions}


def test_secrets_never_reach_the_outputs_or_the_feedback(hostile: GradedClass):
    student = "read_source_and_gradebook"
    notebook = nbformat.read(_autograded(hostile, student), as_version=4)
    printed = json.dumps([cell.get("outputs", []) for cell in notebook.cells])
    assert "blocked" in printed  # the attempts ran, and failed
    assert "LEAKED" not in printed and "BEGIN HIDDEN TESTS" not in printed and "_expected" not in printed
    [feedback] = generate_feedback(hostile.course, hostile.spec.name, students=[student], progress=False)
    page = feedback.path.read_text(encoding="utf-8")
    hidden = hidden_test_lines(hostile.course.source / hostile.spec.name / hostile.spec.notebook)
    assert [line for line in hidden if len(line) > 15 and line in html.unescape(page)] == []


def test_endless_output_is_cut_with_a_note(hostile: GradedClass):
    path = _autograded(hostile, "endless_output")
    assert path.stat().st_size < 3 * 2**20
    assert "output truncated" in path.read_text(encoding="utf-8")


def test_memory_and_process_bombs_hit_their_limits(hostile: GradedClass):
    assert "MemoryError" in _autograded_text(hostile, "memory_bomb")
    assert "stopped after" in _autograded_text(hostile, "fork_bomb")


@pytest.mark.parametrize("student, words", sorted(CRASH_MESSAGES.items()))
def test_crashing_submissions_are_reported_by_name(hostile: GradedClass, student: str, words: str):
    outcome = hostile.outcomes[student]
    assert outcome.status == "graded" and words in outcome.message, outcome
    assert outcome.score == 0
