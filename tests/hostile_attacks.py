"""Cheating and destructive submissions, one per attack, for the hostile-class tests.

Each attack is the code a student puts in the first answer cell; the other answers are
left as released unless ``solve_others`` is set, in which case the model answers follow
(so an attack that rebinds data or patches checks gets every chance to turn
honest-looking code into points).  Every attack works on any assignment: what it needs of
one comes from placeholders (:func:`placeholders`): ``{course}`` (the real course
folder), ``{port}`` (a TCP listener on the grader's loopback), ``{token}`` (a marker
unique to the test run, written into every file and process name an attack creates),
``{classmate}`` (a student whose numbers differ everywhere), ``{assignment}`` and
``{notebook}``, ``{wrong_answers}`` (a wrong value for every answer variable),
``{answer_names}``, ``{checks}``, ``{setup_code}`` (the released set-up cell) and
``{first_solution}`` (the model answer of the first question).

:class:`Watch` looks at the grader's surroundings while a batch with attacks in it is graded:
a listener on the loopback, a unique token, hashes of the course folder before and after,
and afterwards the processes and files the attacks may have left behind.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from cbec.assignments.declaration import declaration


@dataclass(frozen=True)
class Attack:
    name: str
    what: str
    code: str
    solve_others: bool = False


_WRONG_ANSWERS = "\n{wrong_answers}\n"


def wrong_answers(assignment: str, number: str = "0.5", integer: str = "1000",
                  text: str = repr("not one of the choices")) -> str:
    """Code giving every answer variable of ``assignment`` a wrong value, written by kind."""
    values = {"number": number, "integer": integer, "text": text}
    return "\n".join(f"{q.variable} = {values[q.kind]}" for q in declaration(assignment).questions)


def placeholders(assignment: str, setup_code: str, first_solution: str, **run) -> dict[str, str]:
    """What the attacks' placeholders stand for, for one assignment (``run``: course, port, token, classmate)."""
    declared = declaration(assignment)
    return {**run, "assignment": assignment, "notebook": declared.notebook,
            "wrong_answers": wrong_answers(assignment),
            "always_equal_answers": wrong_answers(assignment, "Close(0.5)", "Same(3)", 'Yes("orders")'),
            "always_equal_integers": wrong_answers(assignment, "Same(3)", "Same(3)"),
            "answer_names": repr(tuple(q.variable for q in declared.questions)),
            "checks": repr([q.qid for q in declared.questions]),
            "first_variable": declared.questions[0].variable,
            "setup_code": setup_code, "first_solution": first_solution}


ATTACKS = [
    Attack("patch_isclose", "math.isclose always True, wrong answers",
           "import math\nmath.isclose = lambda *args, **kwargs: True\n" + _WRONG_ANSWERS),
    Attack("always_equal_str", "str/float subclasses whose __eq__ always returns True", """
class Yes(str):
    __eq__ = lambda self, other: True
    __ne__ = lambda self, other: False
    __hash__ = str.__hash__
class Close(float):
    __eq__ = lambda self, other: True
    __ne__ = lambda self, other: False
    __sub__ = __rsub__ = lambda self, other: 0.0
    __abs__ = lambda self: 0.0
    __hash__ = float.__hash__
class Same(int):
    __eq__ = lambda self, other: True
    __hash__ = int.__hash__
{always_equal_answers}
"""),
    Attack("always_equal_int", "int subclass whose __eq__ always returns True", """
class Same(int):
    __eq__ = lambda self, other: True
    __hash__ = int.__hash__
{always_equal_integers}
"""),
    Attack("patch_series_sum", "pandas.Series.sum and DataFrame.sum patched to return the answer", """
import pandas as pd
pd.Series.sum = lambda self, *args, **kwargs: 0.5
pd.DataFrame.sum = lambda self, *args, **kwargs: pd.Series(0.5, index=self.columns)
pd.Series.__len__ = lambda self: 1
""" + _WRONG_ANSWERS),
    Attack("settrace_copies_expected", "a trace hook copying the hidden test's _expected into the answer", """
import sys, threading
def _steal(frame, event, arg):
    if "_expected" in frame.f_locals or "_expected" in frame.f_globals:
        value = frame.f_locals.get("_expected", frame.f_globals.get("_expected"))
        for name in {answer_names}:
            frame.f_globals[name] = value
    return _steal
sys.settrace(_steal)
threading.settrace(_steal)
sys.setprofile(lambda *a: None)
""" + _WRONG_ANSWERS),
    Attack("rebind_student_dataset", "the personal dataset rebound to a classmate's data, then honest code", """
import importlib
from pathlib import Path
_assignment = importlib.import_module("cbec.modules.{assignment}.assignment")
_real = _assignment.personal_dataset
_assignment.personal_dataset = lambda name, student_id=None, **kwargs: _real(name, "{classmate}", cwd=Path("/"))
{setup_code}
{first_solution}
""", solve_others=True),
    Attack("environment_and_cwd", "CBEC_STUDENT_ID and the working directory changed to a classmate's", """
import os
os.environ["CBEC_STUDENT_ID"] = "{classmate}"
os.environ["JUPYTERHUB_USER"] = "{classmate}"
os.makedirs("/tmp/submitted/{classmate}/{assignment}", exist_ok=True)
os.chdir("/tmp/submitted/{classmate}/{assignment}")
{setup_code}
{first_solution}
""", solve_others=True),
    Attack("sys_modules_and_builtins", "sys.modules and builtins edited: checks pass, isinstance lies", """
import builtins, sys, types
fake = types.ModuleType("cbec.modules.{assignment}.assignment")
fake.check = types.SimpleNamespace(**{{qid: (lambda *a: None) for qid in {checks}}})
sys.modules["cbec.modules.{assignment}.assignment"] = fake
builtins.isinstance = lambda *args: True
sys.modules["math"].isclose = lambda *a, **k: True
""" + _WRONG_ANSWERS),
    Attack("read_source_and_gradebook", "reads source/, the gradebook and other submissions into the output", """
import glob, os
for path in ["{course}/source/{assignment}/{notebook}", "{course}/gradebook.db",
             "{course}/nbgrader_config.py", "/root/.bash_history"]:
    try:
        print("LEAKED", path, open(path, errors="replace").read()[:3000])
    except OSError as error:
        print("blocked", path, type(error).__name__)
for pattern in ["/**/source/**/*.ipynb", "/**/gradebook.db", "/**/submitted/*"]:
    for path in glob.glob(pattern, recursive=True)[:20]:
        try:
            if os.path.isfile(path):
                print("LEAKED", path, open(path, errors="replace").read()[:3000])
        except OSError:
            pass
""" + _WRONG_ANSWERS),
    Attack("wipe_gradebook", "deletes rows from gradebook.db wherever it can find one", """
import glob, sqlite3
for path in ["{course}/gradebook.db", *glob.glob("/**/gradebook.db", recursive=True)]:
    try:
        db = sqlite3.connect(path)
        for table in ("grade", "comment", "submitted_notebook", "submitted_assignment", "student"):
            db.execute(f"DELETE FROM {{table}}")
        db.commit()
        print("wiped", path)
    except Exception as error:
        print("blocked", path, type(error).__name__)
""" + _WRONG_ANSWERS),
    Attack("delete_other_students", "removes other students' submitted/ and autograded/ folders", """
import glob, shutil
for folder in ["submitted", "autograded", "feedback", "source", "release"]:
    for path in [f"{course}/{{folder}}", *glob.glob(f"/**/{{folder}}", recursive=True)]:
        shutil.rmtree(path, ignore_errors=True)
""" + _WRONG_ANSWERS),
    Attack("write_everywhere", "writes marker files in every folder it can name", """
import os
targets = ["/tmp", os.path.expanduser("~"), "{course}", "{course}/submitted", "/root", "/work", "/",
           "/usr", "/etc", "/dev/shm", "/var/cache/cbec", os.getcwd(), "..", "../..", "/proc/self/cwd/.."]
for folder in targets:
    try:
        with open(os.path.join(folder, "{token}-written"), "w") as handle:
            handle.write("{token}")
        print("wrote", folder)
    except OSError as error:
        print("blocked", folder, type(error).__name__)
""" + _WRONG_ANSWERS),
    Attack("network", "opens TCP/UDP connections to the grader's loopback", """
import socket
for family, kind in ((socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET, socket.SOCK_DGRAM)):
    try:
        connection = socket.socket(family, kind)
        connection.settimeout(2)
        connection.connect(("127.0.0.1", {port}))
        connection.send(b"{token}")
        print("connected")
    except OSError as error:
        print("blocked", type(error).__name__, error)
""" + _WRONG_ANSWERS),
    Attack("memory_bomb", "allocates 3 GiB", """
try:
    hog = bytearray(3 * 2**30)
    hog[::4096] = b"x" * len(hog[::4096])
    print("allocated")
except MemoryError:
    print("MemoryError")
""" + _WRONG_ANSWERS),
    Attack("fork_bomb", "starts 300 processes", """
import subprocess, sys
started = []
for _ in range(300):
    try:
        started.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "{token}-bomb"]))
    except OSError as error:
        print("stopped after", len(started), type(error).__name__)
        break
""" + _WRONG_ANSWERS),
    Attack("daemon", "leaves a daemon process running after grading", """
import os, subprocess, sys
subprocess.Popen([sys.executable, "-c", "import os, time; os.setsid(); time.sleep(300)", "{token}-daemon"],
                 start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", "{token}-daemon"])
    os._exit(0)
""" + _WRONG_ANSWERS),
    Attack("endless_output", "prints 200 MB", """
import sys
line = "x" * 2**20
for _ in range(200):
    print(line)
""" + _WRONG_ANSWERS),
    Attack("hard_exit", "os._exit(0) in the middle of the notebook", "import os\nos._exit(0)"),
    Attack("segfault", "crashes the interpreter with a segmentation fault", "import ctypes\nctypes.string_at(0)"),
    Attack("kill_self", "kills its own process with SIGKILL", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
    Attack("endless_loop_ignoring_interrupt", "an endless loop that ignores the interrupt", """
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
"""),
    Attack("forge_results", "writes forged result frames to every pipe it can find", """
import json, os, struct
def frame(message):
    body = json.dumps(message).encode()
    return struct.pack(">I", len(body)) + body
forged = {{"event": "snapshot", "cell": 0, "values": {{"{first_variable}": {{"t": "float", "v": "1.0"}}}}}}
for fd in range(3, 64):
    try:
        os.write(fd, frame(forged) + b"\\xff\\xff\\xff\\xff garbage")
    except OSError:
        pass
for pid in os.listdir("/proc"):
    for fd in ("0", "1", "3", "4", "5"):
        try:
            with open(f"/proc/{{pid}}/fd/{{fd}}", "wb") as handle:
                handle.write(frame({{"status": "completed", "cells": {{}}, "snapshots": {{}}}}))
            print("wrote to", pid, fd)
        except OSError:
            pass
for pid in os.listdir("/proc"):
    if pid.isdigit() and int(pid) != os.getpid():
        try:
            os.kill(int(pid), 9)
            print("killed", pid)
        except OSError:
            pass
""" + _WRONG_ANSWERS),
]

BY_NAME = {attack.name: attack for attack in ATTACKS}


# Watching a graded batch from outside the sandbox ----------------------------------------
_NOT_HASHED = ("autograded", "gradebook.db", "grading_log")  # what grading itself writes


def tree_hashes(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    hashes = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not relative.startswith(skip):
            hashes[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def processes_named(token: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if token in command and "pytest" not in command:
                found.append(f"{entry.name}: {command[:120]}")
    return found


def files_named(token: str, folders: list[Path]) -> list[str]:
    found = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for root, dirs, files in os.walk(folder):
            if root.startswith(("/proc", "/sys")):
                dirs[:] = []
                continue
            found += [os.path.join(root, name) for name in files + dirs if token in name]
            if folder in (Path("/tmp"), Path.home()):
                dirs[:] = [d for d in dirs if not d.startswith((".venv", ".pyenv", ".cache"))]
    return found


@dataclass
class Watch:
    """The grader's surroundings, watched while one batch with attacks in it is graded.

    Open it before the attacks are written (they need :attr:`run`: the course folder, the
    port of a TCP and UDP listener on the loopback, the token), call :meth:`before` just
    before grading and :meth:`after` just after; the fields then say what the batch left.
    """

    course: Path
    token: str = field(default_factory=lambda: f"cbecattack{uuid.uuid4().hex[:10]}")
    hashes_before: dict[str, str] = field(default_factory=dict)
    hashes_after: dict[str, str] = field(default_factory=dict)
    connections: int = 0
    survivors: list[str] = field(default_factory=list)
    outside_files: list[str] = field(default_factory=list)

    def __post_init__(self):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self._datagrams = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._datagrams.bind(("127.0.0.1", self.port))
        self._datagrams.setblocking(False)

    @property
    def run(self) -> dict:
        """The run's placeholders of the attacks (besides ``classmate``)."""
        return {"course": str(self.course), "port": self.port, "token": self.token}

    def before(self) -> None:
        self.hashes_before = tree_hashes(self.course, skip=_NOT_HASHED)

    def after(self) -> None:
        deadline = time.monotonic() + 3
        while (survivors := processes_named(self.token)) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.survivors = survivors
        for sock in (self._listener, self._datagrams):
            try:
                self.connections += 1 if (sock.accept() if sock is self._listener else sock.recv(64)) else 0
            except BlockingIOError:
                pass
        self._listener.close()
        self._datagrams.close()
        self.hashes_after = tree_hashes(self.course, skip=_NOT_HASHED)
        self.outside_files = files_named(self.token, [Path("/tmp"), Path.home(), self.course, Path("/dev/shm"),
                                                      Path("/work"), Path("/var/cache")])
