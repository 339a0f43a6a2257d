"""How much faster is `cbec autograde` (sandboxed workers) than plain `nbgrader autograde`?

Run:  .venv/bin/python benchmarks/bench_autograde.py [--students 40] [--workers 2] [--keep]

A seeded class of honest submissions of `data_operation` (complete, partial, blank and late
students; no endless loops, corrupt files or copies) is released and written once in a
temporary folder, then copied so that each grader has a gradebook of its own:

* plain nbgrader: its default autograde pipeline with the kernel-based ``Execute`` (the
  course's ``nbgrader_config.py`` installs the sandboxed one, so it is overridden here),
  one student after another, as ``nbgrader autograde`` does;
* ``cbec autograde``: :func:`cbec.grading.autograde_class` with ``--workers`` workers;
* two floors, both running the cells nbgrader executed (set-up, answers, tests with their
  hidden tests) with no isolation and no bookkeeping, ``--workers`` at a time: a bare
  ``python`` process per submission (which pays for starting Python and importing pandas,
  scipy and cbec every time, as a kernel does), and the same cells in ``--workers``
  long-lived interpreters that import those libraries once (the cost of the cells alone).
  Which tests raise is checked against nbgrader's scores, so that they did the same work.

Every submission must get the same score, cell by cell, from both graders; the script
lists any difference and exits with status 1.  Machines are noisy: compare the ratio,
not the seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.pool import ThreadPool
from pathlib import Path

import nbformat

from cbec.identity import STUDENT_ID_ENV
from cbec.grading import Course, autograde_class, copy_course, release_assignment, simulate_class
from cbec.grading.classroom import PROFILE_MIX, make_roster

ASSIGNMENT = "data_operation"
DUE = datetime(2025, 1, 10, 23, 59)  # the simulated class hands in around it
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
HONEST_PROFILES = ("complete", "partial", "blank", "late")
FLOOR_TIMEOUT = 300  # seconds for one submission in the bare interpreter

#: Run by a fresh interpreter per submission: execute the cells given on stdin in one
#: namespace, keep going after an error like nbgrader does, print which cells failed.
FLOOR_PROGRAM = """
import contextlib, io, json, sys
cells = json.load(sys.stdin)
namespace = {"__name__": "__main__"}
failed = []
for cell in cells:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            exec(compile(cell["source"], cell["name"], "exec"), namespace)
        except Exception:
            failed.append(cell["name"])
print(json.dumps(failed))
"""


#: The cells-only floor: import once, then run each submission (one JSON line on stdin) in a
#: fresh namespace for its student, printing which cells failed and the seconds it took.
PRELOADED_PROGRAM = """
import contextlib, io, json, os, sys, time
import numpy, pandas, scipy.stats, cbec.assignments
for line in sys.stdin:
    job = json.loads(line)
    os.environ["CBEC_STUDENT_ID"] = job["student"]
    started = time.perf_counter()
    namespace = {"__name__": "__main__"}
    failed = []
    for cell in job["cells"]:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                exec(compile(cell["source"], cell["name"], "exec"), namespace)
            except Exception:
                failed.append(cell["name"])
    print(json.dumps({"student": job["student"], "failed": failed, "seconds": time.perf_counter() - started}),
          flush=True)
"""


@dataclass(frozen=True)
class Timing:
    method: str
    seconds: float


def progress(message: str) -> None:
    print(message, flush=True)


def class_size_for(honest_students: int, seed: int) -> int:
    """The smallest simulated class that holds ``honest_students`` honest submissions."""
    size = max(honest_students, len(PROFILE_MIX))  # the simulator wants one student per profile
    while sum(s.profile in HONEST_PROFILES for s in make_roster(size, seed)) < honest_students:
        size += 1
    return size


def build_class(folder: Path, n_students: int, seed: int) -> tuple[Course, dict[str, str]]:
    """Release the assignment in ``folder`` and keep the first ``n_students`` honest submissions.

    Returns the course and each kept student's profile, in roster order.
    """
    course = Course.open(copy_course(folder))
    release_assignment(course, ASSIGNMENT, duedate=DUE)
    roster = simulate_class(course, ASSIGNMENT, n_students=class_size_for(n_students, seed), seed=seed,
                            progress=False)
    honest = {s.student_id: s.profile for s in roster if s.profile in HONEST_PROFILES}
    kept = dict(list(honest.items())[:n_students])
    for submission in course.submitted.iterdir():
        if submission.name not in kept:
            shutil.rmtree(submission)
    return course, kept


def copy_class(course: Course, folder: Path) -> Course:
    """An independent copy of a course folder: the same submissions, a gradebook of its own."""
    shutil.copytree(course.root, folder)
    return Course.open(folder)


def grade_with_plain_nbgrader(course: Course, students: list[str]) -> float:
    """nbgrader's own autograde pipeline (a Jupyter kernel per notebook), one student at a time."""
    from nbgrader.converters import Autograde

    nbgrader_pipeline = Autograde.class_traits()["autograde_preprocessors"].default()
    api = course.make_api(Autograde__autograde_preprocessors=nbgrader_pipeline)
    start = time.perf_counter()
    for student in students:
        result = api.autograde(ASSIGNMENT, student, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(f"plain nbgrader could not grade {student}:\n{result.get('error') or result.get('log')}")
    return time.perf_counter() - start


def grade_with_cbec(course: Course, students: list[str], workers: int) -> float:
    """`cbec autograde` of the class, ``workers`` sandbox workers."""
    start = time.perf_counter()
    outcomes = autograde_class(course, ASSIGNMENT, students=students, workers=workers, progress=False)
    seconds = time.perf_counter() - start
    ungraded = [f"{o.student_id}: {o.status} {o.message}" for o in outcomes if o.status != "graded"]
    if ungraded:
        raise RuntimeError("cbec autograde did not grade every submission:\n  " + "\n  ".join(ungraded))
    return seconds


def executed_cells(course: Course, student: str) -> list[dict]:
    """The code cells nbgrader executed for ``student`` (hidden tests included), in order."""
    notebook = nbformat.read(course.autograded / student / ASSIGNMENT / NOTEBOOK, as_version=4)
    return [{"name": cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}", "source": cell.source}
            for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]


def run_floor(course: Course, students: list[str], workers: int, scratch: Path) -> tuple[float, dict[str, list[str]]]:
    """Each submission's cells in a fresh bare interpreter, ``workers`` at a time.

    Returns the seconds and, per student, the cells that raised.
    """
    jobs = {student: json.dumps(executed_cells(course, student)) for student in students}
    scratch.mkdir(parents=True, exist_ok=True)  # not a submission folder: the id comes from the environment

    def run_one(student: str) -> tuple[str, list[str]]:
        done = subprocess.run([sys.executable, "-c", FLOOR_PROGRAM], input=jobs[student], capture_output=True,
                              text=True, cwd=scratch, env={**os.environ, STUDENT_ID_ENV: student},
                              timeout=FLOOR_TIMEOUT, check=True)
        return student, json.loads(done.stdout.strip().splitlines()[-1])

    start = time.perf_counter()
    with ThreadPool(workers) as pool:
        failed = dict(pool.map(run_one, students))
    return time.perf_counter() - start, failed


def run_preloaded_floor(course: Course, students: list[str], workers: int,
                        scratch: Path) -> tuple[float, dict[str, list[str]]]:
    """The cells alone: ``workers`` interpreters that imported the libraries once share the class.

    Returns the slowest interpreter's busy seconds (start-up excluded) and the failed cells.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    shares = [students[i::workers] for i in range(workers)]

    def run_share(share: list[str]) -> tuple[float, dict[str, list[str]]]:
        lines = "".join(json.dumps({"student": s, "cells": executed_cells(course, s)}) + "\n" for s in share)
        done = subprocess.run([sys.executable, "-c", PRELOADED_PROGRAM], input=lines, capture_output=True,
                              text=True, cwd=scratch, timeout=FLOOR_TIMEOUT * max(1, len(share)), check=True)
        results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        return sum(r["seconds"] for r in results), {r["student"]: r["failed"] for r in results}

    with ThreadPool(workers) as pool:
        runs = pool.map(run_share, shares)
    failed = {student: cells for _, share_failed in runs for student, cells in share_failed.items()}
    return max(seconds for seconds, _ in runs), failed


def grade_cell_scores(course: Course, students: list[str]) -> dict[str, dict[str, float]]:
    """Per student, the score of each grade cell and the total, from the course's gradebook."""
    scores = {}
    with course.gradebook() as gb:
        for student in students:
            submission = gb.find_submission(ASSIGNMENT, student)
            cells = {grade.name: float(grade.score) for notebook in submission.notebooks for grade in notebook.grades}
            scores[student] = {**cells, "total": float(submission.score)}
    return scores


def floor_scores(course: Course, failed: dict[str, list[str]]) -> dict[str, float]:
    """The autograded points each student would get from the floor's run: tests that did not raise."""
    with course.gradebook() as gb:
        grade_cells = gb.find_notebook(Path(NOTEBOOK).stem, ASSIGNMENT).grade_cells
        points = {cell.name: float(cell.max_score) for cell in grade_cells if cell.cell_type == "code"}
    return {student: sum(p for name, p in points.items() if name not in cells) for student, cells in failed.items()}


def score_differences(nbgrader_scores: dict[str, dict[str, float]],
                      cbec_scores: dict[str, dict[str, float]]) -> list[str]:
    """One line per (student, grade cell or total) whose score differs between the two gradebooks."""
    lines = []
    for student, cells in nbgrader_scores.items():
        for cell, score in cells.items():
            other = cbec_scores[student].get(cell)
            if other != score:
                lines.append(f"{student:<16} {cell:<10} nbgrader {score:g}  cbec {other}")
    return lines


@dataclass(frozen=True)
class BenchmarkRun:
    students: list[str]
    timings: list[Timing]
    nbgrader_scores: dict[str, dict[str, float]]  # per student: grade cell -> score, and "total"
    cbec_scores: dict[str, dict[str, float]]
    floor_totals: dict[str, float]
    preloaded_totals: dict[str, float]


def run_benchmark(scratch: Path, n_students: int, workers: int, seed: int) -> BenchmarkRun:
    """Build the class, grade it with both graders and run the floor, all in ``scratch``."""
    progress(f"Building a class of {n_students} honest submissions in {scratch} ...")
    course, profiles = build_class(scratch / "class", n_students, seed)
    students = list(profiles)
    counts = Counter(profiles.values())
    mix = ", ".join(f"{counts[profile]} {profile}" for profile in HONEST_PROFILES if counts[profile])
    progress(f"  {len(students)} submissions: {mix}; {os.cpu_count()} CPUs, {workers} workers.")
    plain_course = copy_class(course, scratch / "plain-nbgrader")
    cbec_course = copy_class(course, scratch / "cbec-autograde")

    progress("Grading with plain nbgrader (kernel-based Execute, one student at a time) ...")
    plain_seconds = grade_with_plain_nbgrader(plain_course, students)
    progress(f"Grading with cbec autograde ({workers} workers) ...")
    cbec_seconds = grade_with_cbec(cbec_course, students, workers)
    progress(f"Running the floor: a bare python per submission, {workers} at a time ...")
    floor_seconds, floor_failures = run_floor(plain_course, students, workers, scratch / "floor")
    progress(f"Running the floor of the cells alone: {workers} interpreters that import once ...")
    cells_seconds, cells_failures = run_preloaded_floor(plain_course, students, workers, scratch / "floor")

    timings = [Timing("plain nbgrader autograde (sequential)", plain_seconds),
               Timing(f"cbec autograde ({workers} workers)", cbec_seconds),
               Timing("floor: a fresh python per submission", floor_seconds),
               Timing("floor: the cells alone (imports once)", cells_seconds)]
    return BenchmarkRun(students, timings, grade_cell_scores(plain_course, students),
                        grade_cell_scores(cbec_course, students), floor_scores(plain_course, floor_failures),
                        floor_scores(plain_course, cells_failures))


def print_report(run: BenchmarkRun, workers: int) -> int:
    """The timing table, the ratios and the score check; 1 if the graders disagree on a score."""
    plain, cbec, floor, cells = (timing.seconds for timing in run.timings)
    print(f"\n{len(run.students)} submissions, {workers} workers")
    print(f"\n{'method':<44}{'total s':>10}{'s / submission':>16}")
    for timing in run.timings:
        print(f"{timing.method:<44}{timing.seconds:>10.1f}{timing.seconds / len(run.students):>16.2f}")
    print(f"\n  nbgrader / cbec : {plain / cbec:6.2f}x  (cbec's speed-up)")
    print(f"  cbec / floor    : {cbec / floor:6.2f}x  (cbec's time over a fresh interpreter per submission)")
    print(f"  cbec / cells    : {cbec / cells:6.2f}x  (cbec's time over the cells alone: isolation, "
          "tests in a second process, nbgrader's bookkeeping)")

    totals = [run.nbgrader_scores[s]["total"] for s in run.students]
    print(f"\n  scores (autograded points): mean {sum(totals) / len(totals):.1f}, "
          f"min {min(totals):g}, max {max(totals):g}")
    floor_differences = [f"{s:<16} nbgrader {run.nbgrader_scores[s]['total']:g}  floor {totals[s]:g}"
                         for totals in (run.floor_totals, run.preloaded_totals)
                         for s in run.students if totals[s] != run.nbgrader_scores[s]["total"]]
    if floor_differences:
        print("  the floor's own test results differ from nbgrader's (its timing is not like for like):")
        print("    " + "\n    ".join(floor_differences))
    differences = score_differences(run.nbgrader_scores, run.cbec_scores)
    if differences:
        print(f"  SCORES DIFFER between plain nbgrader and cbec autograde ({len(differences)} lines):")
        print("    " + "\n    ".join(differences))
        return 1
    print("  identical scores from plain nbgrader and cbec autograde, every grade cell of every submission.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40, help="honest submissions to grade (default 40)")
    parser.add_argument("--workers", type=int, default=2,
                        help="workers of cbec autograde and parallel floor processes (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the simulated class (default 0)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = parser.parse_args(argv)
    if args.students < 1 or args.workers < 1:
        parser.error("--students and --workers must be at least 1")
    warnings.filterwarnings("ignore", message=".*not in session.*")

    scratch = Path(tempfile.mkdtemp(prefix="cbec-bench-autograde-"))
    try:
        run = run_benchmark(scratch, args.students, args.workers, args.seed)
    finally:
        if args.keep:
            print(f"Kept {scratch}", flush=True)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return print_report(run, args.workers)


if __name__ == "__main__":
    sys.exit(main())
