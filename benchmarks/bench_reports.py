"""How much faster is `cbec report` (parallel workers) than running the same papermill
executions one after another?

Run:  .venv/bin/python benchmarks/bench_reports.py [--workers 2]

Every report in analysis/reports.yml is rendered twice in this run: once as a plain loop of
`papermill.execute_notebook` + HTML export, once by the report runner with worker
processes. The grade summary needs a graded class: the project's gradebook is used when
`make demo` has filled it, otherwise a small class is graded in a temporary folder first.
Machines are noisy: compare the ratio, not the seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import papermill as pm

from cbec import paths
from cbec.reporting.gradebook import GradebookError, load_assignment_grades
from cbec.reporting.runner import export_html, load_specs, report_parameters, run_reports

ASSIGNMENT = "data_operation"


def graded_course(scratch: Path) -> Path:
    """A course folder whose gradebook holds graded submissions of the assignment."""
    course_dir = paths.course_dir()
    try:
        if len(load_assignment_grades(course_dir / "gradebook.db", ASSIGNMENT).students):
            return course_dir
    except GradebookError:
        pass
    from cbec.grading import Course, autograde_class, copy_course, release_assignment, simulate_class

    print("No graded class in the project yet: grading 6 simulated students in a scratch folder ...", flush=True)
    course = Course.open(copy_course(scratch / "course"))
    release_assignment(course, ASSIGNMENT, duedate=datetime(2025, 1, 10, 23, 59))
    simulate_class(course, ASSIGNMENT, n_students=6, progress=False)
    autograde_class(course, ASSIGNMENT, workers=2, progress=False)
    return course.root


def sequential(specs, out_root: Path, shared: dict) -> float:
    """The obvious alternative: one papermill execution after another."""
    start = time.perf_counter()
    for spec in specs:
        folder = out_root / spec.name
        folder.mkdir(parents=True, exist_ok=True)
        parameters = report_parameters(spec, folder, shared=shared)
        executed = folder / spec.notebook.name
        pm.execute_notebook(str(spec.notebook), str(executed), parameters=parameters, cwd=str(spec.notebook.parent),
                            kernel_name="python3", progress_bar=False, log_output=False,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
        export_html(executed, folder / "report.html")
    return time.perf_counter() - start


def parallel(specs, out_root: Path, shared: dict, workers: int) -> tuple[float, list]:
    start = time.perf_counter()
    runs = run_reports(specs, out_root=out_root, workers=workers, progress=False, shared=shared)
    return time.perf_counter() - start, runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the runner (default 2)")
    args = parser.parse_args(argv)
    specs = list(load_specs().values())
    print(f"{len(specs)} configured reports: {', '.join(s.name for s in specs)}; "
          f"{os.cpu_count()} CPUs, {args.workers} workers.")
    with tempfile.TemporaryDirectory(prefix="cbec-bench-") as scratch:
        scratch = Path(scratch)
        shared = {"course_dir": str(graded_course(scratch))}
        # Warm-up: the first kernel start pays for cold imports; neither contender should.
        sequential(specs[:1], scratch / "warmup", shared)
        seq_seconds = sequential(specs, scratch / "sequential", shared)
        par_seconds, runs = parallel(specs, scratch / "parallel", shared, args.workers)
    failed = [run for run in runs if not run.ok]
    for run in failed:
        print(f"  {run.name} failed in the runner: {run.error}")
    print(f"\n  papermill one after another : {seq_seconds:6.1f} s")
    print(f"  cbec report, {args.workers} workers     : {par_seconds:6.1f} s")
    print(f"  speed-up                    : {seq_seconds / par_seconds:6.2f}x")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
