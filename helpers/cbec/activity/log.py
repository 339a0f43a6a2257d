"""The activity log: one append-only JSON-lines file per student, ``<folder>/<student>.jsonl``.

**Writing.**  :class:`ActivityLog` checks an event (:mod:`cbec.activity.events`), stamps it
with the UTC time and the student, and appends it as one line with a single ``write`` on a
file opened with ``O_APPEND``: the kernel moves to the end and writes in one step, so lines
from concurrent writers (two notebooks of one student, a grader) never interleave or
overwrite each other.

**Reading.**  :func:`scan_activity` reads every file; a line that is not JSON, not a valid
event, or claims another student is skipped and reported with its file, line number and
reason, and never stops the others.

**Whose event is it?**  The file's name, never the ``student`` field inside it: a student
who can write their own file could type another's id into a line.  Such a line (a
``student`` field that differs from the file's name) is skipped as *forged* and reported.
On a shared server the folder is made like nbgrader's inbound (everyone may create files,
nobody may list them) and each file is its owner's, writable by nobody else, so a student
can only write lines into their own file.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cbec.activity.events import EVENT_KINDS, STAMP_FIELDS, ActivityError, validate_fields
from cbec.activity.timestamps import iso, parse_time, utc_now
from cbec.identity import StudentIdError, validate_student_id

SUFFIX = ".jsonl"
#: Longest line written; an event is a handful of numbers, a megabyte of it is a bug.
MAX_LINE_BYTES = 16 * 1024
#: Like nbgrader's inbound: anyone may create and write files, nobody else may list them.
FOLDER_MODE = stat.S_IRWXU | stat.S_IWGRP | stat.S_IXGRP | stat.S_IWOTH | stat.S_IXOTH
#: The owner writes; the instructor (and others) read.
FILE_MODE = stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH
COLUMNS = ("student", "time", "kind")


class ActivityLog:
    """Appends ``student``'s events to ``<folder>/<student>.jsonl``."""

    def __init__(self, folder: str | Path, student: str):
        try:
            self.student = validate_student_id(student)
        except StudentIdError as error:
            raise ActivityError(str(error)) from None
        self.folder = Path(folder)
        self.path = self.folder / f"{self.student}{SUFFIX}"

    def record(self, event: dict, *, at=None) -> dict:
        """Check ``event`` (a dict with ``kind`` and its fields), stamp it and append it.

        ``at`` is the event's time (default: now, UTC); a replay or a simulation passes it.
        Returns the stored event.
        """
        if not isinstance(event, dict):
            raise ActivityError(f"An event is a dict with a 'kind' and its fields, got {type(event).__name__}.")
        stamped = [k for k in ("time", "student") if k in event]
        if stamped:
            raise ActivityError(f"Do not set {', '.join(stamped)} in an event: the log adds them "
                                "(pass at=... to record a past time).")
        # numpy scalars (a simulator's output) are plain numbers once unwrapped
        fields = {k: (v.item() if hasattr(v, "item") and getattr(v, "ndim", None) == 0 else v)
                  for k, v in event.items() if k != "kind"}
        stored = {"kind": event.get("kind"), "time": iso(at if at is not None else utc_now()),
                  "student": self.student, **validate_fields(event.get("kind"), fields)}
        try:
            line = json.dumps(stored, allow_nan=False, ensure_ascii=False) + "\n"
        except (TypeError, ValueError) as error:
            raise ActivityError(f"The event cannot be stored as JSON ({error}); "
                                "use plain numbers and strings.") from None
        data = line.encode("utf-8")
        if len(data) > MAX_LINE_BYTES:
            raise ActivityError(f"The event is {len(data)} bytes; at most {MAX_LINE_BYTES} fit in one log line.")
        ensure_folder(self.folder)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        try:
            written = os.write(descriptor, data)  # one write: the line lands whole or not at all
        finally:
            os.close(descriptor)
        if written != len(data):
            raise ActivityError(f"Only {written} of {len(data)} bytes reached {self.path} (disk full?).")
        return stored

    def __repr__(self) -> str:
        return f"ActivityLog({str(self.folder)!r}, {self.student!r})"


def ensure_folder(folder: Path) -> Path:
    """Create the log folder (with nbgrader inbound's permissions) if it is missing."""
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        try:
            os.chmod(folder, FOLDER_MODE)
        except PermissionError:  # someone else's folder: it already has its permissions
            pass
    return folder


@dataclass(frozen=True)
class ActivityScan:
    """What :func:`scan_activity` found: the valid ``events`` and the ``skipped`` lines."""

    events: pd.DataFrame
    skipped: pd.DataFrame


def _event_from_line(text: str, owner: str) -> dict:
    """The event on one line of ``owner``'s file, or :class:`ActivityError` saying why not."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ActivityError(f"not JSON ({error.msg})") from None
    if not isinstance(raw, dict):
        raise ActivityError("not a JSON object")
    claimed = raw.get("student", owner)
    if claimed != owner:
        raise ActivityError(f"forged: claims student {claimed!r} in {owner}'s file")
    time = parse_time(raw.get("time"))
    fields = validate_fields(raw.get("kind"), {k: v for k, v in raw.items() if k not in STAMP_FIELDS})
    return {"student": owner, "time": time, "kind": raw["kind"], **fields}


def scan_activity(folder: str | Path) -> ActivityScan:
    """Every valid event under ``folder`` and every skipped line, with its reason.

    ``events`` has ``student`` (the file's name), ``time`` (UTC), ``kind``, the fields of
    every kind, ``file`` and ``line``.  A missing folder is an empty log.
    """
    folder = Path(folder)
    rows, skipped = [], []
    for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []:
        try:
            owner = validate_student_id(path.stem)
        except StudentIdError:
            skipped.append({"file": path.name, "line": 0, "reason": "file name is not a student id"})
            continue
        try:
            content = path.read_bytes()
        except OSError as error:
            skipped.append({"file": path.name, "line": 0, "reason": f"cannot read: {error.strerror}"})
            continue
        for number, raw_line in enumerate(content.split(b"\n"), start=1):
            if not raw_line.strip():
                continue
            try:
                event = _event_from_line(raw_line.decode("utf-8"), owner)
            except UnicodeDecodeError:
                skipped.append({"file": path.name, "line": number, "reason": "not UTF-8 text"})
                continue
            except ActivityError as error:
                skipped.append({"file": path.name, "line": number, "reason": str(error)})
                continue
            rows.append({**event, "file": path.name, "line": number})
    events = pd.DataFrame(rows)
    if events.empty:
        events = pd.DataFrame({c: pd.Series(dtype="object") for c in (*COLUMNS, "file", "line")})
        events["time"] = pd.Series(dtype="datetime64[ns, UTC]")
    # every kind's fields are columns, present or not, so readers never meet a missing column
    fields = list(dict.fromkeys(f.name for kind in EVENT_KINDS.values() for f in kind))
    events = events.reindex(columns=[*COLUMNS, *fields, "file", "line"])
    events = events.sort_values(["time", "student"], kind="stable").reset_index(drop=True)
    return ActivityScan(events, pd.DataFrame(skipped, columns=["file", "line", "reason"]))


def read_activity(folder: str | Path) -> pd.DataFrame:
    """The valid events under ``folder`` (see :func:`scan_activity`).

    The skipped lines are in ``.attrs["skipped"]`` (file, line, reason); use
    :func:`scan_activity` to get them as a field that survives further pandas operations.
    """
    scan = scan_activity(folder)
    events = scan.events
    events.attrs["skipped"] = scan.skipped
    return events
