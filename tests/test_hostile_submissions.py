"""A hostile class for every declared assignment: each attack in tests/hostile_attacks.py is graded in one batch beside
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

from cbec.grading import Course, autograde_class, generate_feedback
from cbec.grading.plan import load_plan
from cbec.grading.regions import hidden_test_lines
from cbec.grading.submissions import fill_answers
from tests.graded_class import (ASSIGNMENTS, Spec, _solutions, _submit, classmate_of, released_course,
                                submit_honest_students)
from tests.hostile_attacks import ATTACKS, Attack, placeholders

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("hostile")]

PARTIAL_SHARE = 0.5  # the partly right student answers the first half of the questions
CRASH_MESSAGES = {"hard_exit": "exited early", "segfault": "SIGSEGV", "kill_self": "SIGKILL",
                  "endless_loop_ignoring_interrupt": "did not stop when interrupted"}


@dataclass
class HostileBatch:
    spec: Spec
    honest: dict[str, float]
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


def _attack_notebook(course: Course, spec: Spec, attack: Attack, solutions: dict, run: dict):
    released = course.release / spec.name / spec.notebook
    plan = load_plan(course.source / spec.name / spec.notebook)
    first = spec.qids[0]
    code = attack.code.format(**placeholders(
        spec.name, "\n".join(plan.setup.values()), solutions[first], **run,
        classmate=classmate_of(course, spec.name, attack.name)))
    answers = {first: code}
    if attack.solve_others:
        answers.update({q: solutions[q] for q in solutions if q != first})
    return fill_answers(released, answers)


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def hostile(request, tmp_path_factory) -> HostileBatch:
    spec = Spec(request.param)
    token = f"cbecattack{uuid.uuid4().hex[:10]}"
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    datagrams = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    datagrams.bind(("127.0.0.1", port))
    datagrams.setblocking(False)

    course = released_course(tmp_path_factory.mktemp("hostile") / "course", spec.name)
    partial = spec.qids[: int(len(spec.qids) * PARTIAL_SHARE)]
    honest = submit_honest_students(course, partial, spec.name)
    solutions = _solutions(course, spec.name)
    run = {"course": str(course.root), "port": port, "token": token}
    for attack in ATTACKS:
        _submit(course, attack.name, _attack_notebook(course, spec, attack, solutions, run), assignment=spec.name)

    before = _tree_hashes(course.root, skip=("autograded", "gradebook.db", "grading_log"))
    outcomes = autograde_class(course, spec.name, timeout=4, workers=2, progress=False)

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
        spec=spec, honest=honest, course=course, outcomes={o.student_id: o for o in outcomes}, token=token, before=before,
        after=_tree_hashes(course.root, skip=("autograded", "gradebook.db", "grading_log")),
        connections=connections, survivors=survivors,
        outside_files=_files_named(token, [Path("/tmp"), Path.home(), course.root, Path("/dev/shm"),
                                           Path("/work"), Path("/var/cache")]),
        gradebook_students=students)


def _question_scores(batch: HostileBatch, student: str) -> dict[str, float]:
    with batch.course.gradebook() as gb:
        notebook = gb.find_submission_notebook(batch.spec.notebook.removesuffix(".ipynb"), batch.spec.name, student)
        return {g.name: g.score for g in notebook.grades if g.name.endswith("_tests")}


def _autograded(batch: HostileBatch, student: str) -> Path:
    return batch.course.autograded / student / batch.spec.name / batch.spec.notebook


def _autograded_text(batch: HostileBatch, student: str) -> str:
    return _autograded(batch, student).read_text(encoding="utf-8")


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_attack_is_contained(hostile: HostileBatch, attack: Attack):
    outcome = hostile.outcomes[attack.name]
    blank = hostile.outcomes["blank"]
    # graded (crashes included), and worth no more than handing in nothing
    assert outcome.status == "graded", outcome
    assert outcome.isolation == "bubblewrap"
    assert outcome.score <= blank.score == 0, (attack.name, _question_scores(hostile, attack.name))
    # nothing outside its scratch folder changed
    assert hostile.after == hostile.before
    assert hostile.outside_files == []
    assert hostile.gradebook_students >= set(hostile.honest) | {a.name for a in ATTACKS}
    # no connection reached the grader, no process outlived its grading
    assert hostile.connections == 0
    assert hostile.survivors == []
    # honest students are graded exactly
    for student, points in hostile.honest.items():
        assert hostile.outcomes[student].status == "graded"
        assert hostile.outcomes[student].score == points, student
    assert set(_question_scores(hostile, "solver").values()) == {q.points for q in hostile.spec.questions}


def test_secrets_never_reach_the_outputs_or_the_feedback(hostile: HostileBatch):
    student = "read_source_and_gradebook"
    notebook = nbformat.read(_autograded(hostile, student), as_version=4)
    printed = json.dumps([cell.get("outputs", []) for cell in notebook.cells])
    assert "blocked" in printed  # the attempts ran, and failed
    assert "LEAKED" not in printed and "BEGIN HIDDEN TESTS" not in printed and "_expected" not in printed
    [feedback] = generate_feedback(hostile.course, hostile.spec.name, students=[student], progress=False)
    page = feedback.path.read_text(encoding="utf-8")
    hidden = hidden_test_lines(hostile.course.source / hostile.spec.name / hostile.spec.notebook)
    assert [line for line in hidden if len(line) > 15 and line in html.unescape(page)] == []


def test_endless_output_is_cut_with_a_note(hostile: HostileBatch):
    path = _autograded(hostile, "endless_output")
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
