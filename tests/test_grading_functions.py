"""Function answers: the grader plays a student's function through the sandbox, call by call.

Each test builds a one-question notebook whose answer is ``guess(low, high, history)``
(:mod:`cbec.grading.guessing_game`), grades it through :func:`cbec.grading.engine.grade_job`
on a real bubblewrap worker, and reads what nbgrader would score: the test cell's output.
"""

from __future__ import annotations

import hashlib

import nbformat
import pytest

from cbec.grading import engine
from cbec.grading.functions import DriveContext, course_secret
from cbec.grading.guessing_game import hidden_number
from cbec.grading.plan import PlanError, check_plan, load_plan
from cbec.grading.sandbox import GradingLimits, SandboxWorker

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("function_answers")]

GAME = "cbec.grading.guessing_game"
SECRET = "a-secret-the-sandbox-never-sees"
STUDENT = "s001"
BISECTION = "def guess(low, high, history):\n    return (low + high) // 2\n"


def _notebook(answer: str, functions: dict | None = None, test: str = "guess.points(10)") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import math", metadata={"nbgrader": {"grade_id": "setup", "locked": True,
                                                                         "solution": False, "grade": False}}),
        nbformat.v4.new_code_cell(answer, metadata={"nbgrader": {"grade_id": "answer", "solution": True,
                                                                 "grade": False, "locked": False}}),
        nbformat.v4.new_code_cell(test, metadata={"nbgrader": {"grade_id": "test", "grade": True, "points": 10,
                                                               "solution": False, "locked": True},
                                                  "cbec": {"functions": functions if functions is not None
                                                           else {"guess": GAME}}}),
        nbformat.v4.new_code_cell("after = 1"),
    ]
    return nb


@pytest.fixture(scope="module")
def worker():
    limits = GradingLimits(call_timeout=2.5, cell_timeout=20.0, notebook_timeout=60.0,
                           preload=["numpy", "cbec.grading.guessing_game"])
    with SandboxWorker(limits, isolate=True) as started:
        yield started


def _grade(worker, answer: str, tmp_path, **notebook) -> dict:
    path = tmp_path / "game.ipynb"
    nbformat.write(_notebook(BISECTION, **notebook), path)
    plan = load_plan(path)
    job = engine.build_job(plan, _notebook(answer, **notebook), STUDENT, "game", secret=SECRET)
    return engine.grade_job(job, plan, worker)


def _test_output(result: dict) -> list[dict]:
    return result["cells"][2]["outputs"]


def _points(result: dict) -> float | None:
    for output in _test_output(result):
        if output["output_type"] == "error":
            return 0.0
        if output["output_type"] == "execute_result":
            return float(output["data"]["text/plain"])
    return None


def _failures(result: dict) -> list[dict]:
    return result["records"]["test"]["guess"]["failures"]


def test_a_bisection_is_played_in_the_sandbox_and_scores_full_marks(worker, tmp_path):
    result = _grade(worker, BISECTION, tmp_path)
    assert result["status"] == "completed" and result["isolation"] == "bubblewrap"
    assert _points(result) == 10.0
    record = result["records"]["test"]["guess"]
    assert record["found"] and 1 <= record["turns"] <= 10 and record["failures"] == []
    assert 3 in result["cells"]  # the notebook went on after the served cell


def test_the_secret_stays_in_the_grader(worker, tmp_path):
    job = engine.build_job(load_plan(_write(tmp_path)), _notebook(BISECTION), STUDENT, "game", secret=SECRET)
    assert SECRET in str(job)
    # grade_job sends only these keys to the sandbox
    assert SECRET not in str({key: job[key] for key in ("student", "assignment", "steps", "files")})
    digest = hashlib.sha256(SECRET.encode()).hexdigest()
    searching = ("import gc, hashlib, os\n"
                 "def guess(low, high, history):\n"
                 "    texts = [o for o in gc.get_objects() if isinstance(o, str)] + list(os.environ.values())\n"
                 f"    if any(hashlib.sha256(t.encode()).hexdigest() == {digest!r} for t in texts):\n"
                 "        raise RuntimeError('found the secret')\n"
                 "    return (low + high) // 2\n")
    result = _grade(worker, searching, tmp_path)
    assert _failures(result) == [] and result["records"]["test"]["guess"]["found"]


def _write(tmp_path):
    path = tmp_path / "game.ipynb"
    nbformat.write(_notebook(BISECTION), path)
    return path


def test_a_wrong_strategy_scores_less(worker, tmp_path):
    linear = "def guess(low, high, history):\n    return low\n"
    result = _grade(worker, linear, tmp_path)
    number = hidden_number(DriveContext(STUDENT, "game", SECRET))
    expected = 10.0 if number <= 10 else (max(0.0, 10 * (1 - 0.1 * (number - 10))) if number <= 12 else 0.0)
    assert _points(result) == pytest.approx(expected)


def test_a_call_that_raises_costs_its_turn_and_the_game_goes_on(worker, tmp_path):
    flaky = ("calls = []\n"
             "def guess(low, high, history):\n"
             "    calls.append(1)\n"
             "    if len(calls) == 2:\n"
             "        raise ValueError('no idea')\n"
             "    return (low + high) // 2\n")
    result = _grade(worker, flaky, tmp_path)
    failures = _failures(result)
    assert [f["kind"] for f in failures] == ["error"] and "ValueError: no idea" in failures[0]["message"]
    assert failures[0]["turn"] == 2 and result["records"]["test"]["guess"]["found"]


def test_a_slow_call_is_interrupted_at_the_call_timeout_and_the_next_call_is_served(worker, tmp_path):
    slow = ("import time\n"
            "calls = []\n"
            "def guess(low, high, history):\n"
            "    calls.append(1)\n"
            "    if len(calls) == 1:\n"
            "        time.sleep(30)\n"
            "    return (low + high) // 2\n")
    result = _grade(worker, slow, tmp_path)
    failures = _failures(result)
    assert failures[0]["kind"] == "timeout" and "longer than 2.5 s" in failures[0]["message"]
    assert len(failures) == 1  # the second turn was played normally
    assert result["status"] == "completed"


def test_a_call_that_ignores_the_interrupt_stops_the_notebook_and_every_later_call(worker, tmp_path):
    stubborn = ("def guess(low, high, history):\n"
                "    while True:\n"
                "        try:\n"
                "            while True:\n"
                "                pass\n"
                "        except KeyboardInterrupt:\n"
                "            pass\n")
    result = _grade(worker, stubborn, tmp_path)
    assert result["status"] == "timeout" and "did not stop when interrupted" in result["message"]
    failures = _failures(result)
    assert [f["kind"] for f in failures] == ["stopped"]
    assert _points(result) == 0.0


def test_a_function_that_kills_its_process_is_recorded_as_stopped(worker, tmp_path):
    dying = "import os\ndef guess(low, high, history):\n    os._exit(3)\n"
    result = _grade(worker, dying, tmp_path)
    assert result["status"] == "crashed"
    assert [f["kind"] for f in _failures(result)] == ["stopped"]
    assert _points(result) == 0.0


def test_an_answer_that_cheats_on_equality_is_unreadable(worker, tmp_path):
    cheat = ("import numpy as np\n"
             "class Always(int):\n"
             "    def __eq__(self, other):\n        return True\n"
             "    __hash__ = int.__hash__\n"
             "import cbec.grading.guessing_game as game\n"
             "game.call = lambda function, args: Always(500)\n"   # patching the caller: still plain data out
             "def guess(low, high, history):\n    return 500\n")
    result = _grade(worker, cheat, tmp_path)
    # the patched caller's int subclass cannot cross the channel: every turn is unreadable
    kinds = {f["kind"] for f in _failures(result)}
    number = hidden_number(DriveContext(STUDENT, "game", SECRET))
    assert kinds == {"unreadable"} or number == 500
    assert _points(result) == (10.0 if number == 500 else 0.0)


def test_a_missing_function_is_named(worker, tmp_path):
    result = _grade(worker, "gues = 3\n", tmp_path)
    [error] = [o for o in _test_output(result) if o["output_type"] == "error"]
    assert error["ename"] == "NameError" and "guess could not be played" in error["evalue"]


def test_plans_refuse_function_modules_that_cannot_play(tmp_path):
    path = tmp_path / "game.ipynb"
    nbformat.write(_notebook(BISECTION, functions={"guess": "cbec.arithmetic"}), path)
    assert any("lacks drive and call" in problem for problem in check_plan(load_plan(path)))
    nbformat.write(_notebook(BISECTION, functions={"guess": "os"}), path)
    with pytest.raises(PlanError, match="map answer variables to the cbec module"):
        load_plan(path)
    nbformat.write(_notebook(BISECTION, functions={"other": GAME}), path)
    with pytest.raises(PlanError, match="does not read them"):
        load_plan(path)


def test_the_course_secret_is_made_once_and_kept_private(tmp_path):
    first = course_secret(tmp_path)
    assert first == course_secret(tmp_path) and len(first) == 32
    assert (tmp_path / ".cbec" / "grading-secret").stat().st_mode & 0o077 == 0


def test_garbage_on_the_results_channel_ends_the_play_and_nothing_else(worker, tmp_path):
    garbling = ("import os\n"
                "def guess(low, high, history):\n"
                "    os.write(3, b'\\xff\\xff\\xff\\xffnot a frame')\n"
                "    return (low + high) // 2\n")
    result = _grade(worker, garbling, tmp_path)
    assert result["status"] == "corrupt_channel" and "garbled" in result["message"]
    assert [f["kind"] for f in _failures(result)] == ["stopped"]
    assert _points(result) == 0.0
    assert _grade(worker, BISECTION, tmp_path)["status"] == "completed"  # the worker grades the next one


def test_a_forged_reply_counts_only_as_the_functions_own_answer(worker, tmp_path):
    forging = ("import json, os, struct\n"
               "def _frame(message):\n"
               "    body = json.dumps(message).encode()\n"
               "    return struct.pack('>I', len(body)) + body\n"
               "def guess(low, high, history):\n"
               "    # a 'served' and an extra 'returned' for calls nobody made, then a normal answer\n"
               "    os.write(3, _frame({'event': 'served', 'cell': 2}))\n"
               "    os.write(3, _frame({'event': 'returned', 'value': {'t': 'int', 'v': '1'}}))\n"
               "    return (low + high) // 2\n")
    result = _grade(worker, forging, tmp_path)
    record = result["records"]["test"]["guess"]
    # the first forged 'returned' answers the pending call (the function's own answer, 1); later
    # forged replies find no call waiting and are dropped, so the game is still played to the end
    assert result["status"] == "completed" and record["turns"] >= 2
