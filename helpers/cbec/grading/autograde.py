"""Autograde a whole class with nbgrader, one student at a time, never losing a result.

What this adds around ``nbgrader autograde``: a progress bar; a check of each submission
before nbgrader sees it (missing, corrupt), so one bad file is reported by name instead of
stopping the class; already graded work is kept unless a regrade is asked for; timeouts
are reported; and every outcome is written to ``grading_log_<assignment>.csv``.
"""

from __future__ import annotations

import csv
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import nbformat
from tqdm.auto import tqdm

from cbec.grading.course import Course

_LOCK_RETRIES = 3

#: Outcome statuses, in the order a person reads them.
STATUSES = ("graded", "kept", "corrupt", "incomplete", "failed", "missing")


@dataclass(frozen=True)
class GradingOutcome:
    student_id: str
    status: str  # one of STATUSES
    score: float | None
    max_score: float | None
    message: str = ""


def check_submission(course: Course, assignment: str, student_id: str) -> str | None:
    """Why a submission cannot be graded, or ``None`` if it can."""
    folder = course.submitted / student_id / assignment
    if not folder.is_dir():
        return "missing: no submission"
    for source in course.source_notebooks(assignment):
        path = folder / source.name
        if not path.is_file():
            return f"incomplete: {source.name} is not in the submission"
        try:
            nbformat.validate(nbformat.read(path, as_version=4))
        except Exception as error:  # json errors, schema errors, encoding errors
            summary = str(error).strip().splitlines()[0][:160] if str(error).strip() else type(error).__name__
            return f"corrupt: {source.name} is not a valid notebook ({summary})"
    return None


def class_list(course: Course, assignment: str) -> list[str]:
    """Students in the gradebook plus anyone who submitted."""
    with course.gradebook() as gb:
        registered = {s.id for s in gb.students}
    submitted = {p.parent.name for p in course.submitted.glob(f"*/{assignment}")} if course.submitted.is_dir() else set()
    return sorted(registered | submitted)


def autograde_class(course: Course, assignment: str, students: list[str] | None = None,
                    regrade: bool = False, timeout: int | None = None, workers: int = 1,
                    progress: bool = True) -> list[GradingOutcome]:
    """Autograde ``students`` (default: the whole class) and return one outcome each.

    With ``workers`` > 1 students are graded in parallel processes (nbgrader itself grades
    one at a time, nbgrader issue 174); each process has its own nbgrader API and the
    SQLite gradebook serialises their writes.
    """
    course.require_assignment(assignment)
    roster = students or class_list(course, assignment)
    _register(course, roster)  # so that ungradable submissions still show up in reports
    bar = tqdm(total=len(roster), desc="Autograding", unit="student", disable=not progress)
    outcomes = []
    if workers <= 1:
        api = course.make_api(Execute__timeout=timeout) if timeout else course.api
        for student_id in roster:
            bar.set_postfix_str(student_id)
            outcomes.append(_grade_one(course, api, assignment, student_id, regrade))
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                                 initargs=(str(course.root), timeout)) as pool:
            futures = {pool.submit(_grade_in_worker, assignment, sid, regrade): sid for sid in roster}
            for future in as_completed(futures):
                outcomes.append(future.result())
                bar.set_postfix_str(futures[future])
                bar.update()
        outcomes.sort(key=lambda o: roster.index(o.student_id))
    bar.close()
    write_log(course, assignment, outcomes)
    return outcomes


def _register(course: Course, students: list[str]) -> None:
    with course.gradebook() as gb:
        known = {s.id for s in gb.students}
        for student_id in students:
            if student_id not in known:
                gb.update_or_create_student(student_id)


_worker: dict = {}


def _init_worker(root: str, timeout: int | None) -> None:
    course = Course.open(root)
    _worker["course"] = course
    _worker["api"] = course.make_api(Execute__timeout=timeout) if timeout else course.make_api()


def _grade_in_worker(assignment: str, student_id: str, regrade: bool) -> GradingOutcome:
    return _grade_one(_worker["course"], _worker["api"], assignment, student_id, regrade)


def _grade_one(course: Course, api, assignment: str, student_id: str, regrade: bool) -> GradingOutcome:
    problem = check_submission(course, assignment, student_id)
    if problem:
        status, _, message = problem.partition(": ")
        return GradingOutcome(student_id, status, None, None, message)
    if (course.autograded / student_id / assignment).is_dir() and not regrade:
        score, max_score = _score(course, assignment, student_id)
        return GradingOutcome(student_id, "kept", score, max_score,
                              "already graded; pass --regrade to grade again")
    for attempt in range(_LOCK_RETRIES):
        result = api.autograde(assignment, student_id, force=True if attempt else regrade, create=True)
        if result["success"] or "database is locked" not in (result.get("error") or result.get("log") or ""):
            break
        time.sleep(1 + attempt)  # another worker holds the SQLite write lock
    if not result["success"]:
        return GradingOutcome(student_id, "failed", None, None, _error_summary(result))
    score, max_score = _score(course, assignment, student_id)
    timed_out = _timed_out_cells(course, assignment, student_id)
    message = f"stopped after the timeout: {', '.join(timed_out)} (an endless loop?)" if timed_out else ""
    return GradingOutcome(student_id, "graded", score, max_score, message)


def _score(course: Course, assignment: str, student_id: str) -> tuple[float | None, float | None]:
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            submission = gb.find_submission(assignment, student_id)
        except MissingEntry:
            return None, None
        return float(submission.score), float(submission.max_score)


def _timed_out_cells(course: Course, assignment: str, student_id: str) -> list[str]:
    cells = []
    for path in sorted((course.autograded / student_id / assignment).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if any(out.get("ename") == "CellTimeoutError" for out in cell.get("outputs", [])):
                cells.append(cell.metadata.get("nbgrader", {}).get("grade_id", f"cell in {path.name}"))
    return cells


def _error_summary(result: dict) -> str:
    text = (result.get("error") or result.get("log") or "unknown error").strip().splitlines()
    return text[-1][:300] if text else "unknown error"


def log_path(course: Course, assignment: str) -> Path:
    return course.root / f"grading_log_{assignment}.csv"


def write_log(course: Course, assignment: str, outcomes: list[GradingOutcome]) -> Path:
    """Merge these outcomes into the assignment's grading log (one row per student)."""
    path = log_path(course, assignment)
    rows = {row["student_id"]: row for row in read_log(course, assignment)}
    rows.update({o.student_id: {k: ("" if v is None else v) for k, v in asdict(o).items()} for o in outcomes})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[f.name for f in fields(GradingOutcome)])
        writer.writeheader()
        writer.writerows(rows[k] for k in sorted(rows))
    return path


def read_log(course: Course, assignment: str) -> list[dict]:
    path = log_path(course, assignment)
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
