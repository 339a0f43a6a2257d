"""Grading jobs and the engines that run them.

A *job* is one submitted notebook turned into plain data: which cells to execute (the
student's code, with set-up cells taken from the instructor's source) and at which test
cells to take the answers out.  :func:`grade_job` runs the student's part in a sandbox
worker and then the tests in its own, trusted process; it needs nothing but the job, so
the same function runs in local worker processes (:class:`LocalEngine`) or on a Dask
cluster (:class:`DaskEngine`).  Only the coordinating process talks to nbgrader's
gradebook: while a job runs elsewhere, the coordinator's thread gives up the
*bookkeeping lock*, so nbgrader's own work (sanitising, saving grades) is done by one
thread at a time and SQLite never sees two writers.
"""

from __future__ import annotations

import atexit
import base64
import multiprocessing.util
import contextlib
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from cbec.grading import functions
from cbec.grading.plan import GradingPlan
from cbec.grading.sandbox import ISOLATED, GradingLimits, SandboxWorker
from cbec.grading.trusted import run_tests

_MAX_FILES_BYTES = 32 * 2**20
_SKIP_FILES = {"timestamp.txt"}

# The bookkeeping lock ------------------------------------------------------------------
_bookkeeping = threading.Lock()
_holder = threading.local()


@contextlib.contextmanager
def bookkeeping():
    """Hold while calling nbgrader; :meth:`Engine.grade` lets go of it while a job runs."""
    with _bookkeeping:
        _holder.held = True
        try:
            yield
        finally:
            _holder.held = False


@contextlib.contextmanager
def _released():
    if getattr(_holder, "held", False):
        _bookkeeping.release()
        _holder.held = False
        try:
            yield
        finally:
            _bookkeeping.acquire()
            _holder.held = True
    else:
        yield


# Jobs ------------------------------------------------------------------------------------
def build_job(plan: GradingPlan, notebook, student_id: str, assignment: str, folder: Path | None = None,
              secret: str = "") -> dict:
    """The job for one sanitised notebook (cells as nbgrader left them after OverwriteCells).

    ``secret`` (the course's grading secret) stays in the grader: only the student's part
    of the job goes to the sandbox.
    """
    steps, tests, labels = [], {}, {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        labels[str(index)] = grade_id or f"cell {index + 1}"
        if grade_id in plan.tests:
            test = plan.tests[grade_id]
            step = {"cell": index, "snapshot": list(test.plain_answers)}
            if test.functions:
                step["serve"] = dict(test.functions)
            steps.append(step)
            tests[str(index)] = grade_id
        elif grade_id in plan.setup:
            steps.append({"cell": index, "run": plan.setup[grade_id]})
        else:
            steps.append({"cell": index, "run": cell.source})
    return {"student": student_id, "assignment": assignment, "steps": steps, "tests": tests, "labels": labels,
            "files": _student_files(folder) if folder else {}, "secret": secret}


def _student_files(folder: Path) -> dict[str, str]:
    """Data files that sit beside the notebook (the student's and the assignment's)."""
    files, total = {}, 0
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if (not path.is_file() or path.suffix == ".ipynb" or path.name in _SKIP_FILES
                or any(part.startswith(".") for part in relative.split("/"))):
            continue
        total += path.stat().st_size
        if total > _MAX_FILES_BYTES:
            break
        files[relative] = base64.b64encode(path.read_bytes()).decode("ascii")
    return files


def grade_job(job: dict, plan: GradingPlan, worker: SandboxWorker) -> dict:
    """Execute the student's cells in ``worker``'s sandbox, then the tests here."""
    student_part = {key: job[key] for key in ("student", "assignment", "steps", "files")}
    played: dict[str, dict] = {}
    ran = worker.run(student_part, serve=functions.serving(plan, job, played))
    cells = {int(k): {"outputs": clean_outputs(v.get("outputs")), "execution_count": _count(v.get("execution_count"))}
             for k, v in ran.get("cells", {}).items() if str(k).isdigit() and isinstance(v, dict)}
    snapshots = {grade_id: ran.get("snapshots", {}).get(index) for index, grade_id in job["tests"].items()
                 if isinstance(ran.get("snapshots", {}).get(index), dict)}
    status = ran.get("status", "failed")
    stopped = "" if status == "completed" else _stopped_reason(ran, job)
    if status == "failed":
        return {"status": "failed", "message": ran.get("message", "grading failed"), "cells": {},
                "isolation": ran.get("isolation", worker.isolation)}
    outputs = run_tests(plan, job["student"], snapshots, stopped, played)
    for index, grade_id in job["tests"].items():
        cells[int(index)] = {"outputs": outputs.get(grade_id, []), "execution_count": None}
    timed_out = [int(i) for i in ran.get("timed_out", []) if isinstance(i, int)]
    for index in timed_out:
        if index in cells:
            cells[index]["outputs"] = [o for o in cells[index]["outputs"] if o.get("ename") != "KeyboardInterrupt"]
            cells[index]["outputs"].append(_timeout_output(worker.limits.cell_timeout))
    if ran.get("raw_output"):
        last = max((i for i in cells if str(i) not in job["tests"]), default=None)
        if last is not None:
            cells[last]["outputs"].append({"output_type": "stream", "name": "stderr",
                                           "text": "[written outside Python]\n" + ran["raw_output"]})
    return {"status": status, "message": stopped if status != "completed" else "", "cells": cells,
            "timed_out": [job["labels"].get(str(i), f"cell {i + 1}") for i in timed_out], "isolation": ran.get("isolation", worker.isolation),
            "seconds": ran.get("seconds"), "records": functions.records(played)}


def clean_outputs(outputs) -> list[dict]:
    """Outputs rebuilt field by field, so that whatever the student's process sent is a valid notebook."""
    cleaned = []
    for output in outputs if isinstance(outputs, list) else []:
        if not isinstance(output, dict):
            continue
        kind = output.get("output_type")
        if kind == "stream" and output.get("name") in ("stdout", "stderr"):
            cleaned.append({"output_type": "stream", "name": output["name"], "text": str(output.get("text", ""))})
        elif kind in ("display_data", "execute_result"):
            data = {str(k): v if isinstance(v, (str, dict, list)) else str(v)
                    for k, v in (output.get("data") or {}).items() if isinstance(k, str) and "/" in k}
            if not data:
                continue
            entry = {"output_type": kind, "data": data,
                     "metadata": output.get("metadata") if isinstance(output.get("metadata"), dict) else {}}
            if kind == "execute_result":
                entry["execution_count"] = _count(output.get("execution_count"))
            cleaned.append(entry)
        elif kind == "error":
            traceback = output.get("traceback") if isinstance(output.get("traceback"), list) else []
            cleaned.append({"output_type": "error", "ename": str(output.get("ename", "Error"))[:200],
                            "evalue": str(output.get("evalue", ""))[:4000],
                            "traceback": [str(line)[:4000] for line in traceback[-40:]]})
    return cleaned


def _count(value):
    return value if type(value) is int and value >= 0 else None


def _stopped_reason(ran: dict, job: dict) -> str:
    where = job.get("labels", {}).get(str(ran.get("stopped_at")))
    message = ran.get("message") or "stopped"
    return f"the notebook {message} in {where}" if where else f"the notebook {message}"


def _timeout_output(seconds: float) -> dict:
    text = f"this cell ran longer than {seconds:g} s and was interrupted (an endless loop?)"
    return {"output_type": "error", "ename": "CellTimeoutError", "evalue": text,
            "traceback": [f"CellTimeoutError: {text}"]}


# Engines ---------------------------------------------------------------------------------
def limit_values(limits: GradingLimits) -> dict:
    return {name: getattr(limits, name) for name in limits.trait_names() if limits.trait_metadata(name, "config")}


_process_worker: dict = {}


def _worker_for(values: dict, isolate: bool) -> SandboxWorker:
    key = (tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in values.items())), isolate)
    worker = _process_worker.get(key)
    if worker is None:
        for old in _process_worker.values():
            old.close()
        _process_worker.clear()
        worker = _process_worker[key] = SandboxWorker(GradingLimits(**values), isolate).start()
        atexit.register(worker.close)
        # worker processes of a pool skip atexit; multiprocessing's finalizers do run there
        multiprocessing.util.Finalize(worker, worker.close, exitpriority=10)
    return worker


def _start_local_worker(values: dict, isolate: bool) -> None:
    """Warm the sandbox up before the first job; if it cannot start, each job says why."""
    try:
        _worker_for(values, isolate)
    except Exception:  # noqa: BLE001 - a broken initializer would break the whole pool
        pass


def run_job_here(job: dict, plan: GradingPlan, values: dict, isolate: bool) -> dict:
    """The task a worker process (local or Dask) runs for one job."""
    return grade_job(job, plan, _worker_for(values, isolate))


class Engine:
    """Runs jobs somewhere and hands back their results."""

    slots = 1
    isolation = ISOLATED

    def submit(self, job: dict, plan: GradingPlan) -> Future:
        raise NotImplementedError

    def grade(self, job: dict, plan: GradingPlan) -> dict:
        future = self.submit(job, plan)
        with _released():
            return future.result()

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class LocalEngine(Engine):
    """Worker processes on this machine, each with a pre-started sandbox."""

    def __init__(self, limits: GradingLimits, workers: int = 2, isolate: bool = True):
        self.values = limit_values(limits)
        self.isolate = isolate
        self.isolation = ISOLATED if isolate else "none (--no-sandbox)"
        self.slots = max(1, workers)
        self._pool = ProcessPoolExecutor(max_workers=self.slots, initializer=_start_local_worker,
                                         initargs=(self.values, isolate))

    def submit(self, job: dict, plan: GradingPlan) -> Future:
        return self._pool.submit(run_job_here, job, plan, self.values, self.isolate)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskEngine(Engine):
    """Jobs on a Dask cluster (``cbec autograde --scheduler ADDRESS``); results come back here."""

    def __init__(self, scheduler, limits: GradingLimits, isolate: bool = True):
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover - distributed is a dependency
            raise RuntimeError("Grading on a cluster needs dask.distributed: pip install distributed") from None
        self.values = limit_values(limits)
        self.isolate = isolate
        self.isolation = ISOLATED if isolate else "none (--no-sandbox)"
        self._own_client = not hasattr(scheduler, "submit")
        self.client = Client(scheduler, set_as_default=False) if self._own_client else scheduler
        self.slots = max(1, sum(self.client.nthreads().values()))

    def submit(self, job: dict, plan: GradingPlan):
        return self.client.submit(run_job_here, job, plan, self.values, self.isolate, pure=False)

    def close(self) -> None:
        if self._own_client:
            self.client.close()


# The engine nbgrader's preprocessor uses --------------------------------------------------
_active: list[Engine] = []
_fallback: dict = {}


@contextlib.contextmanager
def using(engine: Engine):
    """Make ``engine`` the one :class:`SandboxedExecute` sends its jobs to."""
    _active.append(engine)
    try:
        yield engine
    finally:
        _active.remove(engine)


def current_engine(limits: GradingLimits) -> Engine:
    """The engine in use, or (plain ``nbgrader autograde``) a one-worker local engine."""
    if _active:
        return _active[-1]
    values = limit_values(limits)
    key = tuple(sorted((k, str(v)) for k, v in values.items()))
    if key not in _fallback:
        engine = _fallback[key] = LocalEngine(limits, workers=1, isolate=True)
        atexit.register(engine.close)
    return _fallback[key]
