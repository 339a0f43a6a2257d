"""Do the stored reports regenerate identically?  The logic of ``cbec report --check``.

:func:`check_reports` runs the reports again into a temporary folder (the stored ones are
never written) and :func:`compare_summaries` lists how each new ``summary.json`` differs
from the stored one: a number that moved beyond the tolerance, a changed text or flag, a key
added or missing, an input whose SHA-256 or row count changed.  In the ``provenance`` block
the time, the git commit and the package versions are not compared (they say where a
summary came from, not what it says).  A parameter the stored run left to the clock (the
training dashboard's ``as_of``) is regenerated as of the time that run used.
"""

from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from cbec import paths
from cbec.reporting.runner import ReportSpec, run_reports

#: provenance fields that describe the run, not its result
NOT_COMPARED = ("generated_at", "git", "packages", "clock")


@dataclass(frozen=True)
class Tolerance:
    """Two numbers agree when they differ by at most ``relative`` of the larger one, or by at
    most ``absolute`` (so that values at rounding-noise level near zero agree).  Two whole
    numbers (counts) must be equal."""

    relative: float = 1e-6
    absolute: float = 1e-10

    def agrees(self, stored: float, new: float) -> bool:
        if isinstance(stored, int) and isinstance(new, int):
            return stored == new
        if math.isnan(stored) or math.isnan(new):
            return math.isnan(stored) and math.isnan(new)
        return abs(stored - new) <= max(self.relative * max(abs(stored), abs(new)), self.absolute)


@dataclass(frozen=True)
class ReportCheck:
    """The outcome for one report: ``status`` is "same", "differs", "failed" (it could not be
    regenerated) or "not stored" (nothing to compare with); ``lines`` say what and why."""

    name: str
    status: str
    lines: tuple[str, ...] = ()
    stored: Path | None = None

    @property
    def same(self) -> bool:
        return self.status == "same"


def stored_summary(out_root: Path, name: str) -> Path:
    return out_root / name / "summary.json"


def check_reports(specs: list[ReportSpec], out_root: Path | None = None, *, overrides: dict | None = None,
                  shared: dict | None = None, workers: int = 1, tolerance: Tolerance = Tolerance(),
                  progress: bool = False) -> list[ReportCheck]:
    """Regenerate every report of ``specs`` that has a stored summary under ``out_root``
    (default ``reports/``) and compare; ``overrides`` and ``shared`` as in :func:`run_reports`."""
    out_root = Path(out_root) if out_root else paths.reports_dir()
    results: dict[str, ReportCheck] = {}
    stored: dict[str, dict] = {}
    for spec in specs:
        path = stored_summary(out_root, spec.name)
        if not path.is_file():
            results[spec.name] = ReportCheck(spec.name, "not stored", (
                f"no stored summary at {path}; run `cbec report {spec.name}` first",))
            continue
        try:
            stored[spec.name] = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError) as error:
            results[spec.name] = ReportCheck(spec.name, "failed", (
                f"the stored summary {path} is unreadable ({error}); run `cbec report {spec.name}` again",), path)
    to_run = [_as_of_stored_clock(spec, stored[spec.name]) for spec in specs if spec.name in stored]
    if to_run:
        with tempfile.TemporaryDirectory(prefix="cbec-report-check-") as scratch:
            for run in run_reports(to_run, out_root=Path(scratch), overrides=overrides, workers=workers,
                                   progress=progress, shared=shared):
                results[run.name] = _outcome(run, stored[run.name], stored_summary(out_root, run.name), tolerance)
    return [results[spec.name] for spec in specs]


def _outcome(run, stored: dict, stored_path: Path, tolerance: Tolerance) -> ReportCheck:
    if not run.ok:
        return ReportCheck(run.name, "failed", (f"regeneration failed: {run.error}",), stored_path)
    new_path = run.output_dir / "summary.json"
    if not new_path.is_file():
        return ReportCheck(run.name, "failed", ("the regenerated report wrote no summary.json",), stored_path)
    lines = compare_summaries(stored, json.loads(new_path.read_text(encoding="utf-8")), tolerance)
    return ReportCheck(run.name, "differs" if lines else "same", tuple(lines), stored_path)


def _as_of_stored_clock(spec: ReportSpec, stored: dict) -> ReportSpec:
    """``spec`` with the clock values the stored run used, where the configuration leaves them to the clock."""
    clock = (stored.get("provenance") or {}).get("clock") or {}
    replay = {name: value for name, value in clock.items() if spec.parameters.get(name) is None}
    return replace(spec, parameters={**spec.parameters, **replay}) if replay else spec


def compare_summaries(stored: dict, new: dict, tolerance: Tolerance = Tolerance()) -> list[str]:
    """One line per difference between two summaries, each named by its path in the JSON."""
    stored, new = dict(stored), dict(new)
    stored_provenance, new_provenance = stored.pop("provenance", None), new.pop("provenance", None)
    lines = _differences(stored, new, "", tolerance)
    if stored_provenance is None or new_provenance is None:
        if stored_provenance is not new_provenance:
            lines.append("provenance " + ("missing from the stored summary (written before provenance was "
                                          "recorded; store it again with `cbec report`)"
                                          if stored_provenance is None else "missing from the new summary"))
        return lines
    return lines + _provenance_differences(stored_provenance, new_provenance, tolerance)


def _provenance_differences(stored: dict, new: dict, tolerance: Tolerance) -> list[str]:
    # a parameter left to the clock is compared as the time that run used
    stored_parameters = {**(stored.get("parameters") or {}), **(stored.get("clock") or {})}
    new_parameters = {**(new.get("parameters") or {}), **(new.get("clock") or {})}
    lines = _differences(stored_parameters, new_parameters, "provenance.parameters", tolerance)
    lines += _data_differences(stored.get("data") or [], new.get("data") or [])
    rest = [key for key in dict.fromkeys([*stored, *new]) if key not in (*NOT_COMPARED, "parameters", "data")]
    return lines + _differences({k: stored.get(k) for k in rest}, {k: new.get(k) for k in rest}, "provenance",
                                tolerance)


def _data_differences(stored: list[dict], new: list[dict]) -> list[str]:
    """Inputs matched by path (files, folders) or name (built-in tables)."""
    def by_identity(entries):
        return {str(entry.get("path", entry.get("name"))): entry for entry in entries}

    before, after = by_identity(stored), by_identity(new)
    lines = []
    for identity in dict.fromkeys([*before, *after]):
        if identity not in after:
            lines.append(f"data {identity} missing (the regenerated run did not read it)")
        elif identity not in before:
            lines.append(f"data {identity} added (the stored run did not read it)")
        else:
            old, now = before[identity], after[identity]
            for key in dict.fromkeys([*old, *now]):
                if key in ("path", "name") or old.get(key) == now.get(key):
                    continue
                if key == "sha256":
                    lines.append(f"data {identity} sha256 {str(old.get(key))[:12]} -> {str(now.get(key))[:12]}")
                else:
                    exactly = Tolerance(relative=0.0, absolute=0.0)
                    lines += [f"data {identity} {line}" for line in _differences(old.get(key), now.get(key), key,
                                                                                   exactly)]
    return lines


def _differences(stored, new, path: str, tolerance: Tolerance) -> list[str]:
    if isinstance(stored, dict) and isinstance(new, dict):
        lines = []
        for key in dict.fromkeys([*stored, *new]):
            where = f"{path}.{key}" if path else str(key)
            if key not in new:
                lines.append(f"{where} missing (in the stored summary only)")
            elif key not in stored:
                lines.append(f"{where} added (not in the stored summary)")
            else:
                lines += _differences(stored[key], new[key], where, tolerance)
        return lines
    if isinstance(stored, list) and isinstance(new, list):
        lines = []
        for index in range(max(len(stored), len(new))):
            where = f"{path}[{index}]"
            if index >= len(new):
                lines.append(f"{where} missing (in the stored summary only)")
            elif index >= len(stored):
                lines.append(f"{where} added (not in the stored summary)")
            else:
                lines += _differences(stored[index], new[index], where, tolerance)
        return lines
    if _is_number(stored) and _is_number(new):
        if tolerance.agrees(stored, new):
            return []
        return [f"{path} {' -> '.join(_distinct_numbers(stored, new))}"]
    if stored == new and type(stored) is type(new):
        return []
    return [f"{path} {_shown(stored)} -> {_shown(new)}"]


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _distinct_numbers(stored: float, new: float) -> tuple[str, str]:
    """The two numbers with as few significant digits as tell them apart (at least 4)."""
    if isinstance(stored, int) and isinstance(new, int):
        return str(stored), str(new)
    for digits in range(4, 18):
        shown = f"{stored:.{digits}g}", f"{new:.{digits}g}"
        if shown[0] != shown[1]:
            return shown
    return repr(stored), repr(new)


def _shown(value, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 3] + "..."
