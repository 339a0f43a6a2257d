"""What the engine reads from a source notebook, and what release refuses
(tests mirror cbec/grading/plan.py and preprocessors/hide_hidden_tests.py)."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from cbec.modules.data_operation.assignment import NOTEBOOK, QUESTIONS
from cbec.grading import Course, CourseError, release_assignment
from cbec.grading.plan import PlanError, check_plan, load_plan, split_hidden
from cbec.grading.preprocessors import HideHiddenTests


def _cell(source, grade_id, **flags):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "schema_version": 3, "locked": False,
                                 "solution": False, "grade": False, **flags}
    return cell


def _write(tmp_path, cells):
    path = tmp_path / "hw.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    return path


def test_the_data_operation_plan_names_every_answer_variable(course_copy):
    plan = load_plan(course_copy / "source" / "data_operation" / NOTEBOOK)
    assert {grade_id: test.answers for grade_id, test in plan.tests.items()} == \
        {f"{q.qid}_tests": (q.variable,) for q in QUESTIONS}
    assert list(plan.setup) == ["setup"] and check_plan(plan) == []
    assert [test.grade_id for test in plan.tests_reading("gmv_usd")] == ["q1_tests"]
    assert plan.tests_reading("not_an_answer") == []
    assert plan.manual_points == 10  # the memo, graded by hand


def test_setup_names_and_names_the_test_assigns_are_not_answers(tmp_path):
    plan = load_plan(_write(tmp_path, [
        _cell("import math\nfrom x import data as table\n%matplotlib inline", "setup", locked=True),
        _cell("answer = 1", "a1", solution=True),
        _cell("_expected = len(table)\nassert math.isclose(answer, _expected), 'no'", "t1", grade=True, points=2),
    ]))
    assert plan.tests["t1"].answers == ("answer",) and plan.tests["t1"].points == 2
    assert check_plan(plan) == []


def test_declared_answers_override_inference_and_are_checked(tmp_path):
    test = _cell("assert check(orders)", "t1", grade=True, points=1)
    test.metadata["cbec"] = {"answers": ["orders"]}
    plan = load_plan(_write(tmp_path, [_cell("orders = []\ncheck = bool", "setup", locked=True),
                                       _cell("orders = [1]", "a1", solution=True), test]))
    assert plan.tests["t1"].answers == ("orders",)
    test.metadata["cbec"] = {"answers": "orders"}
    with pytest.raises(PlanError, match="list of variable names"):
        load_plan(_write(tmp_path, [test]))


def test_check_plan_names_tests_no_student_can_affect_and_typos(tmp_path):
    plan = load_plan(_write(tmp_path, [
        _cell("import math", "setup", locked=True),
        _cell("gmv = 1.0", "a1", solution=True),
        _cell("assert math.isclose(gmw, 1.0)", "typo", grade=True, points=1),
        _cell("assert math.pi > 3", "constant", grade=True, points=1),
    ]))
    problems = "\n".join(check_plan(plan))
    assert "'typo' reads gmw, which no solution cell assigns" in problems
    assert "'constant' reads no answer variable" in problems


def test_a_broken_cell_is_named(tmp_path):
    with pytest.raises(PlanError, match="cell 'setup' is not valid Python"):
        load_plan(_write(tmp_path, [_cell("import (", "setup", locked=True)]))


def test_release_refuses_an_assignment_the_engine_cannot_grade(course_copy):
    source = course_copy / "source" / "data_operation" / NOTEBOOK
    notebook = nbformat.read(source, as_version=4)
    tests = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q1_tests")
    tests.source = tests.source.replace("gmv_usd,", "gmv_usdd,")
    nbformat.write(notebook, source)
    with pytest.raises(CourseError, match="gmv_usdd, which no solution cell assigns"):
        release_assignment(Course.open(course_copy), "data_operation")
    assert not (course_copy / "release").exists()


def test_hidden_markers_must_pair_up():
    assert split_hidden("a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS\nc") == ("a\nc", "b")
    for broken in ("### BEGIN HIDDEN TESTS\nb", "b\n### END HIDDEN TESTS",
                   "### BEGIN HIDDEN TESTS\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS"):
        with pytest.raises(PlanError):
            split_hidden(broken)


def _feedback_cell(outputs):
    cell = _cell("check(x)\n### BEGIN HIDDEN TESTS\n_expected = 41 + 1\nassert x == _expected, 'x is not right'\n"
                 "### END HIDDEN TESTS", "t1", grade=True, points=1)
    cell.outputs = outputs
    return cell


def test_feedback_keeps_the_tests_message_but_not_the_hidden_code():
    error = new_output("error", ename="AssertionError", evalue="x is not right",
                       traceback=["AssertionError: x is not right"])
    cell, _ = HideHiddenTests().preprocess_cell(_feedback_cell([error]), {}, 0)
    assert "_expected" not in cell.source and "check(x)" in cell.source
    assert cell.outputs[0]["name"] == "stderr"
    assert "Hidden tests did not pass" in cell.outputs[0]["text"] and "x is not right" in cell.outputs[0]["text"]


def test_feedback_drops_a_traceback_that_quotes_hidden_code():
    quoting = new_output("error", ename="AssertionError", evalue="",
                         traceback=["----> 3 assert x == _expected, 'x is not right'"])
    cell, _ = HideHiddenTests().preprocess_cell(_feedback_cell([quoting]), {}, 0)
    assert "_expected" not in cell.outputs[0]["text"]


def test_feedback_refuses_unpaired_markers():
    cell = _cell("### BEGIN HIDDEN TESTS\nassert secret", "t1", grade=True, points=1)
    with pytest.raises(ValueError, match="never closed"):
        HideHiddenTests().preprocess_cell(cell, {}, 0)
