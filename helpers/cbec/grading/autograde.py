"""Autograde a whole class through the sandboxed engine, never losing a result.

nbgrader stays the system of record: each student goes through nbgrader's own autograde
pipeline (sanitising, gradebook, late penalties), with its kernel-based ``Execute`` step
replaced by :class:`~cbec.grading.preprocessors.SandboxedExecute`.  What this adds: jobs
run in parallel on pre-started sandbox workers (or a Dask cluster) while one thread at a
time does nbgrader's bookkeeping; a check of each submission before nbgrader sees it
(missing, corrupt), so one bad file is reported by name; already graded work is kept
unless a regrade is asked for, and a batch killed half-way picks up where it stopped;
every outcome, and whether it was graded in the sandbox, goes to
``grading_log_<assignment>.csv``.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from tqdm.auto import tqdm

from cbec.grading import engine as engines
from cbec.grading.course import Course, CourseError
from cbec.grading.plan import GradingPlan, PlanError, check_plan, load_plan
from cbec.grading.preprocessors.sandboxed_execute import REPORTS
from cbec.grading.sandbox import check_course_not_visible, check_isolation

#: Written into a student's autograded folder once every grade is in the gradebook.
COMPLETE_MARKER = ".cbec-graded.json"


@dataclass(frozen=True)
class GradingOutcome:
    student_id: str
    status: str  # graded, kept, corrupt, incomplete, failed or missing
    score: float | None
    max_score: float | None
    message: str = ""
    isolation: str = ""  # "bubblewrap", or "none (--no-sandbox)"


def check_submission(course: Course, assignment: str, student_id: str) -> str | None:
    """Why a submission cannot be graded, or ``None`` if it can."""
    folder = course.submitted / student_id / assignment
    if not folder.is_dir():
        return "missing: no submission"
    for source in course.source_notebooks(assignment):
        path = folder / source.name
        if not path.is_file():
            others = sorted(p.name for p in folder.glob("*.ipynb"))
            found = f" (found {', '.join(others)})" if others else ""
            return f"incomplete: {source.name} is not in the submission{found}"
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


def check_assignment(course: Course, assignment: str) -> None:
    """Refuse an assignment the engine cannot grade (raises :class:`CourseError`)."""
    problems, plans = [], {}
    for source in course.source_notebooks(assignment):
        try:
            plans[source.name] = load_plan(source)
            problems += check_plan(plans[source.name])
        except PlanError as error:
            problems.append(str(error))
    problems += declaration_problems(assignment, plans)
    if problems:
        raise CourseError(f"{assignment!r} cannot be autograded:\n  " + "\n  ".join(problems))


def declaration_problems(assignment: str, plans: dict[str, GradingPlan]) -> list[str]:
    """Where the assignment's declaration and its source notebook (``plans`` by file name)
    disagree on questions or points.

    Points are nbgrader's, in the notebook's cell metadata; the declaration repeats them for
    the class simulation and the checks, so a change in one place must show in the other.
    """
    from cbec.assignments.declaration import UnknownAssignmentError, declaration

    try:
        declared = declaration(assignment)
    except UnknownAssignmentError:
        return []  # an assignment without a declaration is graded from its notebook alone
    plan = plans.get(declared.notebook)
    if plan is None:
        return [f"the declaration names {declared.notebook}, which is not among the source notebooks "
                f"({', '.join(plans) or 'none'})"]
    problems = []
    for question in declared.questions:
        tests = plan.tests_reading(question.variable)
        points = sum(test.points for test in tests)
        if not tests:
            problems.append(f"{question.qid} is declared but no test cell of {declared.notebook} reads "
                            f"{question.variable}")
        elif points != question.points:
            problems.append(f"the tests of {question.qid} ({', '.join(t.grade_id for t in tests)}) are worth "
                            f"{points:g} points in {declared.notebook} but {question.points} in the declaration")
    if plan.manual_points != declared.manual_points:
        problems.append(f"the manually graded cells of {declared.notebook} are worth {plan.manual_points:g} points, "
                        f"the declaration says {declared.manual_points}")
    return problems


def autograde_class(course: Course, assignment: str, students: list[str] | None = None,
                    regrade: bool = False, timeout: float | None = None, workers: int = 2,
                    progress: bool = True, isolate: bool = True, scheduler=None) -> list[GradingOutcome]:
    """Autograde ``students`` (default: the whole class) and return one outcome each.

    ``isolate=False`` grades without the sandbox (only for trusted code; marked in the
    log).  ``scheduler`` is a Dask scheduler address (or ``distributed.Client``) to run the
    jobs on a cluster instead of ``workers`` local processes.
    """
    course.require_assignment(assignment)
    check_assignment(course, assignment)
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, got {workers}.")
    limits = course.grading_limits(cell_timeout=timeout)
    if isolate:
        check_isolation()
        check_course_not_visible(course.root)
    known = class_list(course, assignment)
    unknown = sorted(set(students or []) - set(known))
    if unknown:
        raise CourseError(f"No student {', '.join(unknown)}: not in the gradebook and no submission in "
                          f"{course.submitted}. Students of {assignment!r}: {', '.join(known) or 'none yet'}.")
    roster = students or known
    _register(course, roster)  # so that ungradable submissions still show up in reports
    engine = (engines.DaskEngine(scheduler, limits, isolate) if scheduler is not None
              else engines.LocalEngine(limits, workers=min(workers, max(1, len(roster))), isolate=isolate))
    bar = tqdm(total=len(roster), desc="Autograding", unit="student", disable=not progress)
    apis = threading.local()
    outcomes = []
    with engine, engines.using(engine), _batch_environment(course), \
            ThreadPoolExecutor(max_workers=engine.slots + 1) as threads:
        futures = {threads.submit(_grade_one, course, apis, assignment, sid, regrade, engine.isolation): sid
                   for sid in roster}
        for future in as_completed(futures):
            outcomes.append(future.result())
            bar.set_postfix_str(futures[future])
            bar.update()
    bar.close()
    outcomes.sort(key=lambda o: roster.index(o.student_id))
    write_log(course, assignment, outcomes)
    return outcomes


@contextlib.contextmanager
def _batch_environment(course: Course):
    """Process-wide state that nbgrader changes per notebook, fixed for the whole batch.

    With several notebooks in flight, nbgrader's per-notebook ``os.chdir(course root)`` and
    its ``setenv(NBGRADER_EXECUTION=...)`` (which deletes the variable afterwards, even
    when it was set before) would undo each other; both are held steady instead.
    """
    from nbgrader import utils as nbgrader_utils

    previous_dir, previous_setenv = os.getcwd(), nbgrader_utils.setenv
    previous_value = os.environ.get("NBGRADER_EXECUTION")
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    nbgrader_utils.setenv = lambda **_: contextlib.nullcontext()
    os.chdir(course.root)
    try:
        yield
    finally:
        os.chdir(previous_dir)
        nbgrader_utils.setenv = previous_setenv
        if previous_value is None:
            os.environ.pop("NBGRADER_EXECUTION", None)
        else:
            os.environ["NBGRADER_EXECUTION"] = previous_value


def _register(course: Course, students: list[str]) -> None:
    with course.gradebook() as gb:
        known = {s.id for s in gb.students}
        for student_id in students:
            if student_id not in known:
                gb.update_or_create_student(student_id)


def _grade_one(course: Course, apis, assignment: str, student_id: str, regrade: bool,
               isolation: str) -> GradingOutcome:
    try:
        return _grade(course, apis, assignment, student_id, regrade, isolation)
    except Exception as error:  # noqa: BLE001 - one student's trouble must not stop the class
        return GradingOutcome(student_id, "failed", None, None, f"{type(error).__name__}: {error}"[:300], isolation)


def _grade(course: Course, apis, assignment: str, student_id: str, regrade: bool, isolation: str) -> GradingOutcome:
    problem = check_submission(course, assignment, student_id)
    if problem:
        status, _, message = problem.partition(": ")
        return GradingOutcome(student_id, status, None, None, message)
    folder = course.autograded / student_id / assignment
    marker = folder / COMPLETE_MARKER
    if marker.is_file() and not regrade:
        with engines.bookkeeping():
            score, max_score = _score(course, assignment, student_id)
        return GradingOutcome(student_id, "kept", score, max_score,
                              "already graded; pass --regrade to grade again", _marked_isolation(marker))
    if not hasattr(apis, "api"):
        apis.api = course.make_api()
    with engines.bookkeeping():
        marker.unlink(missing_ok=True)
        # an autograded folder without the marker is a grading that was cut off: redo it
        result = apis.api.autograde(assignment, student_id, force=True, create=True)
        if not result["success"]:
            return GradingOutcome(student_id, "failed", None, None, _error_summary(result), isolation)
        score, max_score = _score(course, assignment, student_id)
    reports = [REPORTS.pop((assignment, student_id, nb.stem), {}) for nb in course.source_notebooks(assignment)]
    message = "; ".join(filter(None, map(_describe, reports)))
    _write_marker(marker, score, max_score, isolation, reports)
    return GradingOutcome(student_id, "graded", score, max_score, message, isolation)


def _describe(report: dict) -> str:
    """What the grading log says about one notebook's run (empty when all went well)."""
    timed_out = report.get("timed_out") or []
    parts = []
    if timed_out:
        parts.append(f"stopped after the timeout: {', '.join(timed_out)} (an endless loop?)")
    if report.get("status") not in (None, "completed") and report.get("message"):
        parts.append(report["message"] + "; tests after it scored 0")
    return "; ".join(parts)


def _write_marker(marker: Path, score, max_score, isolation: str, reports: list[dict]) -> None:
    record = {"graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "score": score,
              "max_score": max_score, "isolation": isolation,
              "runs": [{k: r.get(k) for k in ("status", "message", "seconds", "records") if k != "records" or r.get(k)}
                       for r in reports]}
    temporary = marker.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.replace(temporary, marker)


def _marked_isolation(marker: Path) -> str:
    try:
        return str(json.loads(marker.read_text(encoding="utf-8")).get("isolation", ""))
    except (OSError, ValueError):
        return ""


def _score(course: Course, assignment: str, student_id: str) -> tuple[float | None, float | None]:
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            submission = gb.find_submission(assignment, student_id)
        except MissingEntry:
            return None, None
        return float(submission.score), float(submission.max_score)


def _error_summary(result: dict) -> str:
    """The line of nbgrader's log that says what went wrong (not its 'see the traceback above')."""
    lines = [line.strip() for line in (result.get("error") or result.get("log") or "").splitlines()]
    causes = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Failed|Unavailable|Pool)\b.*:", line)
              and "NbGraderException" not in line]
    return (causes[-1] if causes else next((l for l in reversed(lines) if l), "unknown error"))[:300]


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
