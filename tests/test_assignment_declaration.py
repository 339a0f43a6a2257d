"""Assignments declare themselves; the shared machinery finds them by name."""

from __future__ import annotations

import pytest

from cbec.assignments.checks import Question
from cbec.modules.data_operation.assignment import NOTEBOOK, QUESTIONS
from cbec.assignments.declaration import AssignmentDeclaration, UnknownAssignmentError, declaration
from cbec.grading import CourseError
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
