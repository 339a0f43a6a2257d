"""The same grading jobs on a Dask cluster (a real local one): same scores, and the
gradebook is written by the coordinating process only."""

from __future__ import annotations

import nbformat
import pytest

from cbec.assignments.data_operation import NOTEBOOK, QUESTIONS
from cbec.assignments.data_operation.near_misses import NEAR_MISSES
from cbec.grading import Course, autograde_class, copy_course, release_assignment
from cbec.grading.submissions import fill_answers
from tests.graded_class import ASSIGNMENT, DUE, _solutions, _submit

distributed = pytest.importorskip("distributed")
pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("hostile")]

AUTO_POINTS = sum(q.points for q in QUESTIONS)


def test_a_local_dask_cluster_grades_with_the_same_scores(tmp_path):
    course = Course.open(copy_course(tmp_path / "course"))
    release_assignment(course, ASSIGNMENT, duedate=DUE)
    released = course.release / ASSIGNMENT / NOTEBOOK
    solutions = _solutions(course)
    _submit(course, "solver", fill_answers(released, solutions))
    _submit(course, "blank", nbformat.read(released, as_version=4))
    _submit(course, "unitslip", fill_answers(released, NEAR_MISSES["unit"]))
    _submit(course, "partial", fill_answers(released, {q: solutions[q] for q in ("q1", "q2", "q6")}))
    expected = {"solver": AUTO_POINTS, "blank": 0, "unitslip": 0, "partial": 8 + 8 + 8}

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=50) as cluster:
        outcomes = autograde_class(course, ASSIGNMENT, scheduler=cluster.scheduler_address, progress=False)
        with distributed.Client(cluster) as client:
            ran_on = client.run(lambda: __import__("cbec.grading.engine", fromlist=["x"])._process_worker.__len__())
    assert {o.student_id: o.score for o in outcomes} == expected
    assert {o.status for o in outcomes} == {"graded"} and {o.isolation for o in outcomes} == {"bubblewrap"}
    assert sum(ran_on.values()) >= 1  # the sandboxes lived in the cluster's workers
    with course.gradebook() as gb:
        assert {s.id: gb.find_submission(ASSIGNMENT, s.id).score for s in gb.students} == expected
