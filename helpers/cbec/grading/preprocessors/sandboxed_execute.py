"""Execute a submission in the grading sandbox instead of a Jupyter kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from cbec.grading import engine as engines
from cbec.grading.functions import course_secret
from cbec.grading.plan import load_plan
from cbec.grading.sandbox import GradingLimits

#: What the last grading of each (assignment, student, notebook) reported, for the caller.
REPORTS: dict[tuple[str, str, str], dict] = {}


class GradingFailed(RuntimeError):
    """The engine could not grade this notebook (not the student's doing); nothing is saved."""


class SandboxedExecute(NbGraderPreprocessor):
    """nbgrader's ``Execute`` step, done by :mod:`cbec.grading.engine`.

    The student's cells run isolated; the test cells run in the grader, on answers taken
    out as plain data, against the truth rebuilt from the instructor's ``source/``
    notebook for the student whose submission folder this is.  The notebook comes back
    with every cell's outputs, so nbgrader's ``SaveAutoGrades`` scores it as usual.
    """

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        assignment, student, notebook = info["assignment"], info["student"], info["notebook"]
        coursedir = CourseDirectory(config=self.config)
        source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment)) / f"{notebook}.ipynb"
        plan = load_plan(source)
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        secret = course_secret(coursedir.root) if any(t.functions for t in plan.tests.values()) else ""
        job = engines.build_job(plan, nb, student, assignment, folder, secret)
        limits = GradingLimits(config=self.config)
        result = engines.current_engine(limits).grade(job, plan)
        REPORTS[(assignment, student, notebook)] = {k: v for k, v in result.items() if k != "cells"}
        if result["status"] == "failed":
            raise GradingFailed(f"{student}: {result['message']}")
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            ran = result["cells"].get(index)
            cell.outputs = [nbformat.from_dict(output) for output in (ran or {}).get("outputs", [])]
            cell.execution_count = (ran or {}).get("execution_count")
        return nb, resources
