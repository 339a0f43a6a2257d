"""Where a report's numbers came from: the ``provenance`` block of every ``summary.json``.

A report describes each input with :func:`file_input`, :func:`folder_input` or
:func:`table_input` (a content hash and a row count), builds a :class:`Provenance` with
:meth:`Provenance.collect` from its parameters, those inputs and its random seed, and hands
it to :func:`cbec.reporting.summary.write_summary`, which refuses to write a summary
without one.  ``collect`` adds the package versions, the project's git commit (and whether
the tree had uncommitted changes) and the time.

``cbec report --check`` (:mod:`cbec.reporting.check`) compares everything in the block but
the time, the commit and the versions.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import platform
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from cbec import paths

#: distributions whose versions can move a report's numbers or how it runs
PACKAGES = ("cbec-lab", "numpy", "pandas", "scipy", "statsmodels", "wildboottest", "numba", "pyarrow",
            "matplotlib", "papermill", "nbclient", "ipykernel", "nbgrader")

_SQLITE_MAGIC = b"SQLite format 3\x00"
_CHUNK = 1 << 20


def sha256_of_file(path: str | Path) -> str:
    """SHA-256 of the file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def count_rows(path: str | Path) -> int | None:
    """Data rows of a table file: CSV/TSV records less the header, Parquet rows, JSON-lines lines.

    ``None`` for files that are not tables (a notebook, a configuration, a SQLite database).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            # blank lines are not records (pandas skips them too)
            records = sum(1 for record in csv.reader(handle, delimiter="\t" if suffix == ".tsv" else ",") if record)
        return max(records - 1, 0)
    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    if suffix == ".jsonl":
        with open(path, "rb") as handle:
            return sum(1 for line in handle if line.strip())
    return None


def sqlite_table_rows(path: str | Path) -> dict[str, int]:
    """Rows of every table of a SQLite database, read-only (the file is not touched)."""
    connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {name: connection.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}
    finally:
        connection.close()


def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC


def file_input(path: str | Path) -> dict:
    """One input file: its path, SHA-256 and rows (see :func:`count_rows`).

    A SQLite database (such as nbgrader's gradebook) also gets ``table_rows``, the rows of
    each of its tables.
    """
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise FileNotFoundError(f"Input file {path} does not exist, so its provenance cannot be recorded; "
                                "record only the inputs the report read.")
    entry = {"path": str(path), "kind": "file", "sha256": sha256_of_file(path), "rows": count_rows(path)}
    if _is_sqlite(path):
        entry["table_rows"] = sqlite_table_rows(path)
    return entry


def folder_input(path: str | Path, pattern: str = "*", *, names_only: bool = False) -> dict:
    """The files under ``path`` matching ``pattern`` (a glob relative to it), as one input.

    ``sha256`` hashes each file's relative path with its SHA-256, in sorted order, so a file
    added, removed, renamed or changed changes it; ``rows`` adds up the files' rows when every
    one is a table.  ``names_only`` hashes the names of the matching entries alone (folders
    too), for sources whose names are the record, such as nbgrader's exchange ``inbound``.
    A missing folder is an input with no files.
    """
    path = Path(path).expanduser().resolve()
    matches = sorted(path.glob(pattern)) if path.is_dir() else []
    digest = hashlib.sha256()
    rows: int | None = 0
    if names_only:
        for entry in matches:
            digest.update(f"{entry.relative_to(path).as_posix()}\n".encode())
        rows = None
    else:
        matches = [entry for entry in matches if entry.is_file()]
        for entry in matches:
            digest.update(f"{entry.relative_to(path).as_posix()}\0{sha256_of_file(entry)}\n".encode())
            counted = count_rows(entry)
            rows = None if rows is None or counted is None else rows + counted
    return {"path": str(path), "kind": "folder", "pattern": pattern, "sha256": digest.hexdigest(),
            "files": len(matches), "rows": rows if matches else None}


def canonical_csv(table: pd.DataFrame) -> bytes:
    """The table as CSV text: header, no index, ``\\n`` line ends, floats written to round-trip."""
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


def table_input(name: str, table: pd.DataFrame, kind: str = "built-in") -> dict:
    """A table a report built or loaded by name (no file): its SHA-256 of :func:`canonical_csv` and rows."""
    return {"name": name, "kind": kind, "sha256": hashlib.sha256(canonical_csv(table)).hexdigest(),
            "rows": len(table)}


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """Python's version and each distribution's (``None`` where it is not installed)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_state(root: str | Path | None = None) -> dict:
    """The commit checked out at ``root`` (default: the project) and whether the tree is clean.

    ``clean`` is False when ``git status --porcelain`` lists anything (changed, staged or
    untracked files that are not ignored).  Without git, or outside a checkout, ``commit``
    and ``clean`` are None and ``reason`` says why.
    """
    root = Path(root) if root is not None else paths.project_root()
    git = shutil.which("git")
    if git is None:
        return {"commit": None, "clean": None, "reason": "git is not installed"}

    def run(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([git, "-C", str(root), *arguments], capture_output=True, text=True, timeout=60)

    head = run("rev-parse", "HEAD")
    if head.returncode != 0:
        said = (head.stderr.strip().splitlines() or ["git rev-parse failed"])[-1]
        return {"commit": None, "clean": None, "reason": f"{root} has no git commit ({said})"}
    status = run("status", "--porcelain")
    if status.returncode != 0:
        said = (status.stderr.strip().splitlines() or ["git status failed"])[-1]
        return {"commit": head.stdout.strip(), "clean": None, "reason": f"git status failed: {said}"}
    changed = [line for line in status.stdout.splitlines() if line.strip()]
    return {"commit": head.stdout.strip(), "clean": not changed, "changed_files": len(changed), "reason": None}


def utc_timestamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Provenance:
    """What a summary was computed from; build it with :meth:`collect`.

    ``clock`` holds parameters the run left to the clock (None meaning "now") with the time
    it used, so ``cbec report --check`` can regenerate the report as of the same time.
    """

    parameters: dict
    data: list[dict]
    seed: int | None
    packages: dict = field(default_factory=package_versions)
    git: dict = field(default_factory=git_state)
    generated_at: str = field(default_factory=utc_timestamp)
    clock: dict = field(default_factory=dict)

    @classmethod
    def collect(cls, *, parameters: dict, data: list[dict], seed: int | None, clock: dict | None = None,
                root: str | Path | None = None) -> Provenance:
        """The block of one run: ``parameters`` as given (``output_dir`` is left out: where a
        summary is written is not part of what it says), one ``data`` entry per input, the
        ``seed`` of its random numbers (None when it draws none)."""
        bad = [entry for entry in data if not isinstance(entry, dict) or "sha256" not in entry]
        if bad:
            raise TypeError(f"data must list inputs made by file_input, folder_input or table_input; got {bad[0]!r}")
        return cls(parameters={k: v for k, v in parameters.items() if k != "output_dir"}, data=list(data),
                   seed=seed, git=git_state(root), clock=dict(clock or {}))

    def as_dict(self, output_dir: str | Path | None = None) -> dict:
        """The block as written; inputs inside ``output_dir`` (files the run generated there)
        are named relative to it, as their folder changes from run to run."""
        data = [_relative_to_output(entry, output_dir) for entry in self.data]
        return {"parameters": self.parameters, "data": data, "seed": self.seed, "clock": self.clock,
                "packages": self.packages, "git": self.git, "generated_at": self.generated_at}


def _relative_to_output(entry: dict, output_dir: str | Path | None) -> dict:
    if output_dir is None or "path" not in entry:
        return entry
    folder = Path(output_dir).expanduser().resolve()
    path = Path(entry["path"])
    if not path.is_relative_to(folder):
        return entry
    return {**entry, "path": path.relative_to(folder).as_posix(), "relative_to": "output_dir"}
