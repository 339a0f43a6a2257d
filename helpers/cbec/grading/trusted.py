"""Run an assignment's tests in the trusted grader process, never in the student's.

The set-up cells of the instructor's source notebook run here for the student the grader
assigned (the submission folder's name), so the "truth" the hidden tests compare against
is rebuilt from scratch.  Each test cell then runs on a copy of that namespace plus the
student's answers, which arrive as plain data (:mod:`cbec.grading.answers`).  Whatever the
student's code patched, rebound or hooked lived and died in another process.

A function answer arrives as what the grader measured by playing it
(:mod:`cbec.grading.functions`).  A test cell whose last line is an expression giving a
number scores that many points (nbgrader's partial credit), clipped to the cell's points.
"""

from __future__ import annotations

import ast
import contextlib
import io
import math
import numbers
import warnings

from cbec.identity import assigned_student
from cbec.grading.answers import ChannelError, Unreadable, decode, describe_unreadable
from cbec.grading.functions import NotPlayed
from cbec.grading.plan import GradingPlan, TestCell, python_source

_MAX_TEST_OUTPUT = 20_000


def run_tests(plan: GradingPlan, student_id: str, snapshots: dict[str, dict],
              stopped: str = "", played: dict[str, dict] | None = None) -> dict[str, list[dict]]:
    """Outputs of every test cell (nbformat output dicts), keyed by grade id.

    ``snapshots`` maps a test's grade id to the encoded answer variables taken when the
    student's notebook reached that cell; a test with no snapshot did not run (``stopped``
    says why) and gets an error output, which nbgrader scores as zero.  ``played`` maps a
    test's grade id to its function answers' measurements.
    """
    played = played or {}
    outputs: dict[str, list[dict]] = {}
    namespace: dict = {"__name__": "__main__"}
    setup_error = ""
    with assigned_student(student_id), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for grade_id in plan.order:
            if grade_id in plan.setup:
                if setup_error:
                    continue
                try:
                    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                        exec(compile(python_source(plan.setup[grade_id]), f"<{grade_id}>", "exec"), namespace)
                except Exception as error:  # noqa: BLE001 - an instructor's bug is reported, not raised
                    setup_error = f"the set-up cell {grade_id!r} failed in the grader: {type(error).__name__}: {error}"
                continue
            test = plan.tests[grade_id]
            if setup_error:
                outputs[grade_id] = [_error("GraderError", setup_error + " (a problem of the assignment, "
                                            "not of this submission: tell your instructor)")]
            elif grade_id not in snapshots:
                reason = stopped or "its cell was deleted or did not run"
                outputs[grade_id] = [_error("NotGraded", f"this test did not run: {reason}")]
            else:
                outputs[grade_id] = _run_test(test, namespace, snapshots[grade_id], played.get(grade_id, {}))
    return outputs


def _run_test(test: TestCell, namespace: dict, encoded: dict, played: dict) -> list[dict]:
    local = dict(namespace)
    for name in test.functions:
        value = played.get(name)
        if value is None:
            return [_error("NameError", f"{name} could not be played: it is not defined when this test runs "
                                        "(define it in the answer cell above; did that cell stop with an error?)")]
        if isinstance(value, NotPlayed):
            return [_error("GraderError", value.reason + " (a problem of the assignment, not of this submission: "
                                                         "tell your instructor)")]
        local[name] = value
    for name in test.plain_answers:
        node = encoded.get(name) if isinstance(encoded, dict) else None
        if node is None or (isinstance(node, dict) and node.get("t") == "missing"):
            return [_error("NameError", f"{name} is not defined when this test runs: assign it in the "
                                        "answer cell above (did that cell stop with an error?)")]
        try:
            value = decode(node)
        except (ChannelError, ValueError, TypeError, OverflowError) as error:
            return [_error("WrongAnswerType", f"{name} could not be read by the grader ({error})")]
        if isinstance(value, Unreadable):
            return [_error("WrongAnswerType", describe_unreadable(name, value))]
        local[name] = value
    stdout = io.StringIO()
    outputs = []
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stdout):
            points = _execute(python_source(test.source), test.grade_id, local)
        if points is not None:
            outputs = [_points_output(points, test.points)]
    except Exception as error:  # noqa: BLE001 - every failure is a failed test
        outputs = [_error(type(error).__name__, str(error) or "the test failed")]
    text = stdout.getvalue()
    if text:
        outputs.insert(0, {"output_type": "stream", "name": "stdout", "text": text[:_MAX_TEST_OUTPUT]})
    return outputs


def _execute(code: str, grade_id: str, namespace: dict):
    """Run a test's code; the value of a last line that is an expression giving a number."""
    tree = ast.parse(code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, f"<{grade_id}>", "exec"), namespace)
    if last is None:
        return None
    value = eval(compile(ast.Expression(last.value), f"<{grade_id}>", "eval"), namespace)
    return value if isinstance(value, numbers.Real) and not isinstance(value, bool) else None


def _points_output(points, max_points: float) -> dict:
    score = float(points)
    score = 0.0 if not math.isfinite(score) else min(max(score, 0.0), max_points)
    return {"output_type": "execute_result", "execution_count": None, "metadata": {},
            "data": {"text/plain": f"{score:g}"}}


def _error(name: str, message: str) -> dict:
    return {"output_type": "error", "ename": name, "evalue": message, "traceback": [f"{name}: {message}"]}
