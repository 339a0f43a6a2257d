"""The same grading jobs on a Dask cluster (a real local one): same scores, and the
gradebook is written by the coordinating process only."""

from __future__ import annotations

import pytest

from cbec.grading import autograde_class
from tests.graded_class import ASSIGNMENT, released_course, submit_honest_students

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.grading


def test_a_local_dask_cluster_grades_with_the_same_scores(tmp_path):
    course = released_course(tmp_path / "course")
    expected = submit_honest_students(course, partial=["q1", "q2", "q6"])

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
