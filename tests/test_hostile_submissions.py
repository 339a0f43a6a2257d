"""A hostile class: every attack in tests/hostile_attacks.py is graded in one batch beside
honest students, through the real `cbec autograde` engine and nbgrader's gradebook.

For each attack the test asserts that it scores no more than a blank submission, that
nothing outside its scratch folder changed (the gradebook's rows, other students' files,
files in /tmp, the home folder and the course folder), that no network connection reached
the grader's loopback, that no process it started is still running, and that the honest
students' scores are exact.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from cbec.modules.data_operation.assignment import NOTEBOOK, QUESTIONS
from cbec.modules.data_operation.variants import variant_config
from cbec.grading import Course, autograde_class, generate_feedback
from cbec.grading.regions import hidden_test_lines
from cbec.grading.submissions import fill_answers
from tests.graded_class import ASSIGNMENT, _solutions, _submit, released_course, submit_honest_students
from tests.hostile_attacks import ATTACKS, Attack

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("hostile")]

AUTO_POINTS = sum(q.points for q in QUESTIONS)
PARTIAL = ["q1", "q2", "q3", "q4", "q5"]  # the partly right student answers these
HONEST = {"solver": AUTO_POINTS, "blank": 0, "unitslip": 0,
          "partial": sum(q.points for q in QUESTIONS if q.qid in PARTIAL)}
CRASH_MESSAGES = {"hard_exit": "exited early", "segfault": "SIGSEGV", "kill_self": "SIGKILL",
                  "endless_loop_ignoring_interrupt": "did not stop when interrupted"}


@dataclass
class HostileBatch:
    course: Course
    outcomes: dict
    token: str
    before: dict[str, str]
    after: dict[str, str]
    connections: int
    survivors: list[str]
    outside_files: list[str]
    gradebook_students: set[str]


def _tree_hashes(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    hashes = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not relative.startswith(skip):
            hashes[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def _processes_named(token: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if token in command and "pytest" not in command:
                found.append(f"{entry.name}: {command[:120]}")
    return found


def _files_named(token: str, folders: list[Path]) -> list[str]:
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for root, dirs, files in os.walk(folder):
            if root.startswith(("/proc", "/sys")):
                dirs[:] = []
                continue
            found += [os.path.join(root, name) for name in files + dirs if token in name]
            if folder in (Path("/tmp"), Path.home()):
                dirs[:] = [d for d in dirs if not d.startswith((".venv", ".pyenv", ".cache"))]
    return found


def _classmate_of(student: str) -> str:
    """A student whose funnel leaks elsewhere, so that even the text answer differs."""
    mine = variant_config(student, ASSIGNMENT).funnel_leak
    return next(s for s in ("solver", "alice", "bob", "carol", "dave")
                if variant_config(s, ASSIGNMENT).funnel_leak != mine)


def _attack_notebook(released: Path, attack: Attack, solutions: dict, placeholders: dict):
    code = attack.code.format(**placeholders, classmate=_classmate_of(attack.name))
    answers = {"q1": code}
    if attack.solve_others:
        answers.update({q: solutions[q] for q in solutions if q != "q1"})
    return fill_answers(released, answers)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> HostileBatch:
    token = f"cbecattack{uuid.uuid4().hex[:10]}"
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    datagrams = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    datagrams.bind(("127.0.0.1", port))
    datagrams.setblocking(False)

    course = released_course(tmp_path_factory.mktemp("hostile") / "course")
    assert submit_honest_students(course, PARTIAL) == HONEST
    released = course.release / ASSIGNMENT / NOTEBOOK
    solutions = _solutions(course)
    placeholders = {"course": str(course.root), "port": port, "token": token}
    for attack in ATTACKS:
        _submit(course, attack.name, _attack_notebook(released, attack, solutions, placeholders))

    before = _tree_hashes(course.root, skip=("autograded", "gradebook.db", "grading_log"))
    outcomes = autograde_class(course, ASSIGNMENT, timeout=4, workers=2, progress=False)

    deadline = time.monotonic() + 3
    while (survivors := _processes_named(token)) and time.monotonic() < deadline:
        time.sleep(0.2)
    connections = 0
    for sock in (listener, datagrams):
        try:
            connections += 1 if (sock.accept() if sock is listener else sock.recv(64)) else 0
        except BlockingIOError:
            pass
    listener.close()
    datagrams.close()
    with course.gradebook() as gb:
        students = {s.id for s in gb.students}
    return HostileBatch(
        course=course, outcomes={o.student_id: o for o in outcomes}, token=token, before=before,
        after=_tree_hashes(course.root, skip=("autograded", "gradebook.db", "grading_log")),
        connections=connections, survivors=survivors,
        outside_files=_files_named(token, [Path("/tmp"), Path.home(), course.root, Path("/dev/shm"),
                                           Path("/work"), Path("/var/cache")]),
        gradebook_students=students)


def _question_scores(course: Course, student: str) -> dict[str, float]:
    with course.gradebook() as gb:
        notebook = gb.find_submission_notebook(NOTEBOOK.removesuffix(".ipynb"), ASSIGNMENT, student)
        return {g.name: g.score for g in notebook.grades if g.name.endswith("_tests")}


def _autograded_text(batch: HostileBatch, student: str) -> str:
    return (batch.course.autograded / student / ASSIGNMENT / NOTEBOOK).read_text(encoding="utf-8")


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_attack_is_contained(hostile: HostileBatch, attack: Attack):
    outcome = hostile.outcomes[attack.name]
    blank = hostile.outcomes["blank"]
    # graded (crashes included), and worth no more than handing in nothing
    assert outcome.status == "graded", outcome
    assert outcome.isolation == "bubblewrap"
    assert outcome.score <= blank.score == 0, (attack.name, _question_scores(hostile.course, attack.name))
    # nothing outside its scratch folder changed
    assert hostile.after == hostile.before
    assert hostile.outside_files == []
    assert hostile.gradebook_students >= set(HONEST) | {a.name for a in ATTACKS}
    # no connection reached the grader, no process outlived its grading
    assert hostile.connections == 0
    assert hostile.survivors == []
    # honest students are graded exactly
    for student, points in HONEST.items():
        assert hostile.outcomes[student].status == "graded"
        assert hostile.outcomes[student].score == points, student
    assert set(_question_scores(hostile.course, "solver").values()) == {q.points for q in QUESTIONS}


def test_secrets_never_reach_the_outputs_or_the_feedback(hostile: HostileBatch):
    student = "read_source_and_gradebook"
    notebook = nbformat.read(hostile.course.autograded / student / ASSIGNMENT / NOTEBOOK, as_version=4)
    printed = json.dumps([cell.get("outputs", []) for cell in notebook.cells])
    assert "blocked" in printed  # the attempts ran, and failed
    assert "LEAKED" not in printed and "BEGIN HIDDEN TESTS" not in printed and "_expected" not in printed
    [feedback] = generate_feedback(hostile.course, ASSIGNMENT, students=[student], progress=False)
    page = feedback.path.read_text(encoding="utf-8")
    hidden = hidden_test_lines(hostile.course.source / ASSIGNMENT / NOTEBOOK)
    assert [line for line in hidden if len(line) > 15 and line in html.unescape(page)] == []


def test_endless_output_is_cut_with_a_note(hostile: HostileBatch):
    path = hostile.course.autograded / "endless_output" / ASSIGNMENT / NOTEBOOK
    assert path.stat().st_size < 3 * 2**20
    assert "output truncated" in path.read_text(encoding="utf-8")


def test_memory_and_process_bombs_hit_their_limits(hostile: HostileBatch):
    assert "MemoryError" in _autograded_text(hostile, "memory_bomb")
    assert "stopped after" in _autograded_text(hostile, "fork_bomb")


@pytest.mark.parametrize("student, words", sorted(CRASH_MESSAGES.items()))
def test_crashing_submissions_are_reported_by_name(hostile: HostileBatch, student: str, words: str):
    outcome = hostile.outcomes[student]
    assert outcome.status == "graded" and words in outcome.message, outcome
    assert outcome.score == 0
