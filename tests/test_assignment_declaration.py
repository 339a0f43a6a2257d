"""Assignments declare themselves; the shared machinery finds them by name."""

from __future__ import annotations

import contextlib
import io

import nbformat
import pytest

from cbec.assignments.checks import Question
from cbec.modules.data_operation.assignment import NOTEBOOK, QUESTIONS
from cbec.assignments.declaration import (AssignmentDeclaration, UnknownAssignmentError, declaration,
                                         declared_assignments)
from cbec.grading import Course, CourseError
from cbec.grading.autograde import check_assignment, declaration_problems
from cbec.grading.plan import load_plan, python_source
from cbec.identity import assigned_student
from cbec.grading.classroom import answer_cells
from cbec.grading.regions import solution_code


def test_the_data_operation_declaration_is_found_by_name():
    declared = declaration("data_operation")
    assert declared.notebook == NOTEBOOK and list(declared.questions) == QUESTIONS
    assert set(declared.near_misses) == {"unit", "dtype"} and declared.endless_loop_question == "q3"


def test_an_undeclared_assignment_says_what_to_add():
    with pytest.raises(UnknownAssignmentError, match="add helpers/cbec/modules/no_such/assignment.py"):
        declaration("no_such")


def test_answer_cells_are_found_by_the_variable_they_assign(course_copy):
    solutions = solution_code(course_copy / "source" / "data_operation" / NOTEBOOK)
    cells = answer_cells(declaration("data_operation"), solutions)
    assert cells == {q.qid: f"{q.qid}_answer" for q in QUESTIONS}
    stray = AssignmentDeclaration("x", "x.ipynb", (Question("q1", "not_assigned", 1, "number", "?"),))
    with pytest.raises(CourseError, match="No solution cell of 'x' assigns not_assigned"):
        answer_cells(stray, solutions)


@pytest.mark.parametrize("assignment", declared_assignments())
def test_declared_points_match_the_source_notebook(course_copy, assignment):
    declared = declaration(assignment)
    source = course_copy / "source" / assignment / declared.notebook
    assert declaration_problems(assignment, {source.name: load_plan(source)}) == []
    assert declared.points + declared.manual_points == 100
    headings = solution_free_text(course_copy / "source" / assignment / declared.notebook)
    for question in declared.questions:  # the prompt tells students what nbgrader will award
        assert f"## {question.qid.upper()}. " in headings and f"({question.points} points)" in headings


def test_a_declaration_disagreeing_with_its_notebook_is_refused(course_copy):
    source = course_copy / "source" / "platform_operation" / "platform_operation.ipynb"
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q2_tests":
            cell.metadata["nbgrader"]["points"] = 12
    nbformat.write(notebook, source)
    with pytest.raises(CourseError, match=r"the tests of q2 \(q2_tests\) are worth 12 points in platform_operation.ipynb but 10"):
        check_assignment(Course.open(course_copy), "platform_operation")


@pytest.mark.parametrize("assignment", [a for a in declared_assignments() if not declaration(a).plays_functions])
def test_model_answers_pass_and_every_near_miss_fails_for_many_students(course_copy, assignment):
    """The declaration checked fast on a dozen students: the instructor's own model answers
    and tests only (students' code is graded through the sandboxed engine, elsewhere)."""
    declared = declaration(assignment)
    plan = load_plan(course_copy / "source" / assignment / declared.notebook)
    model = {qid.removesuffix("_answer"): code for qid, code in plan.solutions.items()}
    for student in [f"student{i:02d}" for i in range(12)]:
        assert _passing(plan, declared, student, model) == {q.qid for q in declared.questions}, student
        for kind, answers in declared.near_misses.items():
            assert _passing(plan, declared, student, {**model, **answers}, only=set(answers)) == set(), (student, kind)


def _passing(plan, declared, student: str, answers: dict[str, str], only: set[str] | None = None) -> set[str]:
    """The questions (of ``only``, default all) whose hidden tests pass on ``answers`` (run in-process:
    instructor code only)."""
    namespace: dict = {}
    passed = set()
    with assigned_student(student), contextlib.redirect_stdout(io.StringIO()):
        for grade_id, code in plan.setup.items():
            exec(compile(python_source(code), grade_id, "exec"), namespace)
        for question in declared.questions:
            if only is not None and question.qid not in only:
                continue
            local = dict(namespace)
            try:
                exec(compile(python_source(answers[question.qid]), question.qid, "exec"), local)
                for test in plan.tests_reading(question.variable):
                    exec(compile(python_source(test.source), test.grade_id, "exec"), local)
            except Exception:  # noqa: BLE001 - any failure is a failed question
                continue
            passed.add(question.qid)
    return passed


def solution_free_text(path) -> str:
    return "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "markdown")
