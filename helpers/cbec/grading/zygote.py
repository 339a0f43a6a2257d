"""The grading zygote: a pre-started Python, inside the sandbox, that forks one fresh
process per submission.

Started once per grading worker (``python -m cbec.grading.zygote`` inside bubblewrap), it
imports pandas, numpy, scipy and the course package once and never runs student code
itself.  For each job it forks; the child enters new user, mount, PID, network and IPC
namespaces and forks a *reaper*, PID 1 of the new PID namespace, which forks the *runner*
and leaves when the runner ends: then the kernel ends every process the submission
started.  The runner mounts a private scratch ``/tmp``, makes every other mount read-only, drops all capabilities,
sets its resource limits and only then executes the student's cells.  ``/proc`` still
shows the zygote's few processes, but they are not dumpable, so a runner without
capabilities can neither read their file descriptors nor trace them, and it cannot signal
them: they have no process id in its namespace.

Talks to the grader on stdin/stdout with :mod:`cbec.grading.channel` frames: a settings
message, then one job and one result at a time.  While a submission serves a function
answer (:mod:`cbec.grading.functions`), the zygote relays the grader's calls to the runner
and the runner's replies back (``{"relay": ...}`` frames), and times every call: one that
runs longer than ``call_timeout`` is interrupted and answered with a ``CallTimeout``.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import resource
import select
import signal
import sys
import time
import warnings

from cbec.grading.channel import FrameError, FrameReader, pack, read_message, write_message
from cbec.identity import STUDENT_ID_ENV

_CLONE_NEWNS, _CLONE_NEWUTS, _CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
_CLONE_NEWUSER, _CLONE_NEWPID, _CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 16384, 1 << 18
_MS_NOATIME, _MS_NODIRATIME, _MS_RELATIME = 1024, 2048, 1 << 21
_PR_SET_PDEATHSIG, _PR_SET_DUMPABLE, _PR_CAPBSET_DROP, _PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
_MOUNT_FLAGS = {"ro": _MS_RDONLY, "nosuid": _MS_NOSUID, "nodev": _MS_NODEV, "noexec": _MS_NOEXEC,
                "noatime": _MS_NOATIME, "nodiratime": _MS_NODIRATIME, "relatime": _MS_RELATIME}
_JOB_LIMIT = 256 * 2**20
_MESSAGE_LIMIT = 96 * 2**20
_GRACE = 3.0  # seconds a cell gets to stop after its interrupt

_libc = ctypes.CDLL(None, use_errno=True)


class _SetupError(OSError):
    pass


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise _SetupError(errno, f"{what}: {os.strerror(errno)}")


# Isolation of one submission -------------------------------------------------------------
def _enter_namespaces() -> None:
    uid, gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNS | _CLONE_NEWPID | _CLONE_NEWNET
                         | _CLONE_NEWIPC | _CLONE_NEWUTS), "unshare")
    with open("/proc/self/setgroups", "w") as handle:
        handle.write("deny")
    with open("/proc/self/uid_map", "w") as handle:
        handle.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as handle:
        handle.write(f"{gid} {gid} 1")


def _mount(source, target, fstype, flags, data=None) -> None:
    _check(_libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(),
                       ctypes.c_ulong(flags), data and data.encode()), f"mount {target}")


def _seal_filesystem(scratch_bytes: int, readable: list[str]) -> None:
    """Everything read-only but a fresh /tmp (the scratch folder) and /dev/shm.

    Read-only folders that live under /tmp (a project cloned there) are bound again on
    top of the fresh /tmp, from file descriptors opened before it covered them.
    """
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
    kept = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in readable
            if path.startswith("/tmp/") and os.path.isdir(path)}
    with open("/proc/self/mountinfo") as handle:
        mounts = [line.split() for line in handle]
    for fields in mounts:
        target, options = fields[4].replace("\\040", " "), fields[5].split(",")
        if "rw" not in options or target == "/proc" or target.startswith("/proc/"):
            continue
        flags = _MS_BIND | _MS_REMOUNT | _MS_RDONLY
        for option in options:
            flags |= _MOUNT_FLAGS.get(option, 0)
        try:
            _mount(None, target, None, flags)
        except _SetupError:
            _mount(None, target, None, flags & ~(_MS_NOATIME | _MS_NODIRATIME | _MS_RELATIME))
    _mount("tmpfs", "/tmp", "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={scratch_bytes},mode=1777")
    for path, fd in kept.items():
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", path, None, _MS_BIND | _MS_REC)  # keeps its read-only flag
        os.close(fd)
    if os.path.isdir("/dev/shm"):
        _mount("tmpfs", "/dev/shm", "tmpfs", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, "size=16m,mode=1777")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _drop_privileges() -> None:
    for capability in range(64):
        if _libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            break  # past the last capability this kernel knows
    _check(_libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    _check(_libc.capset(ctypes.byref(_CapHeader(0x20080522, 0)), (_CapData * 2)()), "capset")


def _limit_resources(limits: dict) -> None:
    with open("/proc/self/statm") as handle:
        mapped = int(handle.read().split()[0]) * resource.getpagesize()
    memory = mapped + int(limits["memory_bytes"])  # on top of the libraries already loaded
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_NPROC, (int(limits["processes"]),) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(limits["file_bytes"]),) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


def _write_files(files: dict[str, str]) -> None:
    import base64

    for name, data in files.items():
        if os.path.isabs(name) or ".." in name.split("/"):
            continue
        os.makedirs(os.path.dirname(name) or ".", exist_ok=True)
        with open(name, "wb") as handle:
            handle.write(base64.b64decode(data))


def _become_runner(job: dict, shell, channel: int, raw: int, isolate: bool, readable: list[str],
                   inbound: int) -> None:
    """In the forked child: seal it off, then run the student's cells.  Never returns."""
    try:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        _libc.prctl(_PR_SET_DUMPABLE, 1, 0, 0, 0)  # its own /proc/self stays usable
        limits = job["limits"]
        if isolate:
            _seal_filesystem(int(limits["scratch_bytes"]), readable)
            _drop_privileges()
            home = "/tmp/home"
        else:
            os.setsid()
            home = job["scratch"]
        workdir = os.path.join(home, "autograded", job["student"], job["assignment"])
        os.makedirs(workdir, exist_ok=True)
        os.chdir(workdir)
        _write_files(job.get("files", {}))
        os.environ.clear()
        os.environ.update({"HOME": home, "TMPDIR": "/tmp" if isolate else home, "PATH": job["path"],
                           "LANG": "C.UTF-8", STUDENT_ID_ENV: job["student"], "MPLBACKEND": "agg",
                           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                           "NBGRADER_EXECUTION": "autograde", "PYTHONDONTWRITEBYTECODE": "1"})
        _limit_resources(limits)
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(raw, 1)
        os.dup2(raw, 2)
        os.dup2(channel, 3)
        os.dup2(inbound, 4)
        os.closerange(5, 65536)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        from cbec.grading.runner import run_notebook

        run_notebook(shell, job["steps"], 3, int(limits["output_bytes"]), inbound=4)
        os._exit(0)
    except BaseException as error:  # noqa: BLE001 - report and leave, whatever happened
        report = {"event": "setup_failed", "message": f"{type(error).__name__}: {error}"[:500]}
        for fd in (3, channel):
            try:
                write_message(fd, report)
                break
            except OSError:
                continue
        os._exit(70)


def _reap(job: dict, shell, channel: int, raw: int, readable: list[str], inbound: int) -> None:
    """PID 1 of the submission's namespace: start the runner (PID 2), pass on interrupts,
    reap every process, and leave when the runner ends, which ends all the others."""
    runner = os.fork()
    if runner == 0:
        _become_runner(job, shell, channel, raw, True, readable, inbound)
    os.close(channel)
    os.close(raw)
    os.close(inbound)
    signal.signal(signal.SIGINT, lambda *_: os.kill(runner, signal.SIGINT))
    try:
        _drop_privileges()
    except _SetupError:
        pass
    status = 0
    while True:
        try:
            pid, waited = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if pid == runner:
            status = waited
            break
    os._exit(_exit_code(status))


# Supervision -------------------------------------------------------------------------
def _exit_code(status: int) -> int:
    """A wait status as a shell reports it: the exit code, or 128 + the signal's number."""
    return 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _describe_exit(code: int | None) -> str:
    """In words, how the submission ended, from its shell-style exit code."""
    if code is None:
        return "was stopped by the grader"
    if code > 128:
        number = code - 128
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        return f"crashed ({name})" if name != "SIGKILL" else "was killed (SIGKILL: out of memory or killed)"
    return f"exited with code {code}" if code else "exited early (exit code 0)"


def supervise(job: dict, shell, isolate: bool, readable: list[str],
              relay: tuple[int, int] | None = None) -> dict:
    """Run one job in a fresh, sealed process and return what it produced.

    ``relay`` is the grader's (requests, replies) pair of file descriptors, for the calls
    of function answers during the job.
    """
    limits = job["limits"]
    channel_r, channel_w = os.pipe()
    raw_r, raw_w = os.pipe()
    pid_r, pid_w = os.pipe()
    inbound_r, inbound_w = os.pipe()
    started = time.monotonic()
    middle = os.fork()
    if middle == 0:  # joins the new namespaces, forks the runner, waits for it
        try:
            for fd in (channel_r, raw_r, pid_r, inbound_w, 0, 1):
                os.close(fd)
            if isolate:
                _enter_namespaces()
            runner = os.fork()  # with isolation: the reaper, PID 1 of the new namespace
            if runner == 0:
                os.close(pid_w)
                if isolate:
                    _reap(job, shell, channel_w, raw_w, readable, inbound_r)
                _become_runner(job, shell, channel_w, raw_w, isolate, readable, inbound_r)
            os.close(channel_w)
            os.close(raw_w)
            os.close(inbound_r)
            os.write(pid_w, str(runner).encode())
            os.close(pid_w)
            _, status = os.waitpid(runner, 0)
            os._exit(_exit_code(status))
        except BaseException as error:  # noqa: BLE001
            try:
                os.write(2, f"grading sandbox: {error}\n".encode())
            finally:
                os._exit(71)
    for fd in (channel_w, raw_w, pid_w, inbound_r):
        os.close(fd)
    runner_pid = _read_pid(pid_r)
    try:
        result = _collect(runner_pid, channel_r, raw_r, limits, started, _Relay(relay, inbound_w, limits))
    finally:
        os.close(inbound_w)
    middle_status = _wait_briefly(middle) if result["status"] == "running" else None
    _kill(runner_pid, isolate)  # whatever is left of the submission
    if middle_status is None:
        _, middle_status = os.waitpid(middle, 0)
    code = os.WEXITSTATUS(middle_status) if os.WIFEXITED(middle_status) else None
    if result["status"] == "running":
        if result["done"]:
            result["status"] = "completed"
        else:
            result["status"] = "crashed"
            signalled = code is not None and code > 128  # the signal says more than any message
            result["message"] = _describe_exit(code) if signalled or not result["message"] else result["message"]
    result["seconds"] = round(time.monotonic() - started, 3)
    for fd in (channel_r, raw_r):
        os.close(fd)
    return result


def _wait_briefly(pid: int, seconds: float = 2.0) -> int | None:
    """The exit status of ``pid`` if it ends within ``seconds`` (it should: its output ended)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.005)
    return None


def _read_pid(fd: int) -> int | None:
    data = b""
    while chunk := os.read(fd, 32):
        data += chunk
    os.close(fd)
    return int(data) if data.strip().isdigit() else None


def _kill(pid: int | None, isolate: bool) -> None:
    if pid is None:
        return
    try:
        if isolate:
            os.kill(pid, signal.SIGKILL)  # PID 1 of its namespace: the kernel ends the rest
        else:
            os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class _Relay:
    """The calls of function answers: grader -> runner requests, runner -> grader replies."""

    def __init__(self, fds: tuple[int, int] | None, inbound: int | None, limits: dict):
        self.requests, self.replies = fds if fds else (None, None)
        self.inbound = inbound
        self.timeout = float(limits.get("call_timeout", 10.0))
        self.pending = bytearray()  # request bytes not yet taken by the runner
        self.deadline: float | None = None
        self.started = 0.0
        self.interrupted = False
        if inbound is not None:
            os.set_blocking(inbound, False)

    def readers(self) -> list[int]:
        # not gated on the runner's word: a forged "served" must not stop the grader's calls
        # (an unanswered call then times out like any other)
        return [self.requests] if self.requests is not None else []

    def writers(self) -> list[int]:
        return [self.inbound] if self.pending and self.inbound is not None else []

    def take_request(self) -> bool:
        """Read the grader's next request and queue it for the runner (False: the grader is gone)."""
        request = read_message(self.requests, _JOB_LIMIT)
        if request is None:
            return False
        self.pending += pack(request)
        if isinstance(request, dict) and "call" in request:
            self.started = time.monotonic()
            self.deadline, self.interrupted = self.started + self.timeout, False
        return True

    def flush(self) -> None:
        try:
            written = os.write(self.inbound, self.pending)
        except BlockingIOError:
            return
        except OSError:  # the runner closed its end: the calls cannot reach it
            self.pending.clear()
            return
        del self.pending[:written]

    def forward(self, message: dict) -> None:
        """Pass one of the runner's serving events on to the grader."""
        event = message.get("event")
        if self.replies is None:
            return
        if event == "serving":
            missing = message.get("missing")
            reply = {"event": "serving", "cell": message.get("cell"),
                     "missing": [str(n)[:200] for n in missing] if isinstance(missing, list) else []}
        elif event == "served":
            reply = {"event": "served", "cell": message.get("cell")}
        elif self.deadline is None and not self.interrupted:
            return  # a reply nobody asked for
        elif self.interrupted:
            reply = {"event": "returned", "error": "CallTimeout",
                     "message": f"the call ran longer than {self.timeout:g} s and was interrupted"}
        else:
            reply = {"event": "returned", **{k: message[k] for k in ("value", "error", "message", "traceback")
                                             if k in message}}
        if event == "returned":
            reply["seconds"] = round(time.monotonic() - self.started, 4)
            self.deadline, self.interrupted = None, False
        write_message(self.replies, {"relay": reply})


def _collect(runner: int | None, channel: int, raw: int, limits: dict, started: float,
             relay: _Relay | None = None) -> dict:
    result = {"status": "running", "message": "", "cells": {}, "snapshots": {}, "timed_out": [],
              "done": False, "raw_output": "", "stopped_at": None}
    if runner is None:
        result["status"], result["message"] = "failed", "the sandbox could not start the submission"
    os.set_blocking(channel, False)
    os.set_blocking(raw, False)
    reader = FrameReader(channel, _MESSAGE_LIMIT, int(limits["output_bytes"]) * 4 + _MESSAGE_LIMIT)
    raw_kept, raw_budget = [], 20_000
    open_fds = {channel, raw}
    notebook_deadline = started + float(limits["notebook_timeout"])
    current, cell_deadline, interrupted = None, None, None
    relay = relay or _Relay(None, None, limits)
    while open_fds and runner is not None:
        now = time.monotonic()
        deadlines = [notebook_deadline] + [d for d in (cell_deadline, relay.deadline) if d]
        ready, writable, _ = select.select(list(open_fds) + relay.readers(), relay.writers(), [],
                                           max(0.0, min(deadlines) - now))
        if writable:
            relay.flush()
        for fd in ready:
            if fd == relay.requests:
                if not relay.take_request():
                    result["status"], result["message"] = "failed", "the grader stopped while calling the submission"
                    return _finish(result, raw_kept)
                continue
            if fd == raw:
                chunk = os.read(raw, 1 << 16)
                if not chunk:
                    open_fds.discard(raw)
                elif raw_budget > 0:
                    raw_kept.append(chunk[:raw_budget])
                    raw_budget -= len(chunk)
                continue
            try:
                messages = reader.feed()
            except FrameError as error:
                result["status"], result["message"] = "corrupt_channel", f"the submission garbled its results ({error})"
                return _finish(result, raw_kept)
            if reader.closed:
                open_fds.discard(channel)
            for message in messages:
                if not isinstance(message, dict):
                    continue
                event, cell = message.get("event"), message.get("cell")
                if event == "start" and isinstance(cell, int):
                    current, interrupted = cell, None
                    cell_deadline = time.monotonic() + float(limits["cell_timeout"])
                    result["stopped_at"] = cell
                elif event == "cell" and isinstance(cell, int):
                    result["cells"][str(cell)] = {"outputs": message.get("outputs", []),
                                                  "execution_count": message.get("execution_count")}
                    current, cell_deadline = None, None
                elif event == "snapshot" and isinstance(cell, int):
                    result["snapshots"][str(cell)] = message.get("values", {})
                    current, cell_deadline = None, None
                elif event in ("serving", "returned", "served"):
                    if event == "serving":
                        current, cell_deadline = None, None  # each call has its own deadline now
                    relay.forward(message)
                elif event == "done":
                    result["done"], result["stopped_at"] = True, None
                elif event == "setup_failed":
                    result["status"] = "crashed"
                    result["message"] = f"the sandbox could not prepare the submission: {message.get('message', '')}"[:600]
        if channel not in open_fds:
            break
        now = time.monotonic()
        if now >= notebook_deadline:
            result["status"] = "timeout"
            result["message"] = f"the notebook ran longer than {float(limits['notebook_timeout']):g} s and was stopped"
            break
        if relay.deadline and now >= relay.deadline:
            if not relay.interrupted:
                relay.interrupted = True
                try:
                    os.kill(runner, signal.SIGINT)
                except ProcessLookupError:
                    pass
                relay.deadline = now + _GRACE
            else:
                result["status"] = "timeout"
                result["message"] = (f"a call of the answer function ran longer than {relay.timeout:g} s and did "
                                     "not stop when interrupted")
                break
        if cell_deadline and now >= cell_deadline:
            if interrupted is None:
                interrupted = current
                if current not in result["timed_out"]:
                    result["timed_out"].append(current)
                try:
                    os.kill(runner, signal.SIGINT)
                except ProcessLookupError:
                    pass
                cell_deadline = now + _GRACE
            else:
                result["status"] = "timeout"
                result["message"] = (f"a cell ran longer than {float(limits['cell_timeout']):g} s and did not "
                                     "stop when interrupted")
                break
    return _finish(result, raw_kept)


def _finish(result: dict, raw_kept: list[bytes]) -> dict:
    result["raw_output"] = b"".join(raw_kept).decode("utf-8", "replace")
    return result


# Main loop -----------------------------------------------------------------------------
def _preload(modules: list[str]) -> list[str]:
    loaded = []
    warnings.simplefilter("ignore")
    for name in modules:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except Exception:  # noqa: BLE001 - a missing optional library is the student's problem later
            pass
    try:  # build matplotlib's font cache now, not in every submission
        import matplotlib.font_manager  # noqa: F401
    except Exception:  # noqa: BLE001
        pass
    return loaded


def main() -> int:
    _libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)  # no runner may read this process's pipes
    jobs, results = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    settings = read_message(jobs, _JOB_LIMIT)
    if not isinstance(settings, dict):
        return 2
    loaded = _preload(list(settings.get("preload", [])))
    from cbec.grading.runner import make_shell

    shell = make_shell()
    isolate = bool(settings.get("isolate", True))
    readable = [str(path) for path in settings.get("readable", [])]
    write_message(results, {"ready": True, "preloaded": loaded, "pid": os.getpid()})
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        job = read_message(jobs, _JOB_LIMIT)
        if job is None:
            return 0
        try:
            result = supervise(job, shell, isolate, readable, (jobs, results))
        except Exception as error:  # noqa: BLE001 - one job's trouble must not stop the worker
            result = {"status": "failed", "message": f"grading sandbox error: {type(error).__name__}: {error}",
                      "cells": {}, "snapshots": {}, "timed_out": [], "done": False, "raw_output": ""}
        write_message(results, result)


if __name__ == "__main__":
    sys.exit(main())
