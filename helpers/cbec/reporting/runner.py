"""Run the named report notebooks with papermill and export them as HTML without code.

Each run writes ``reports/<name>/`` with the executed notebook, ``report.html`` and any
machine-readable files the notebook writes into its ``output_dir`` parameter; an
``index.html`` links every run.  A failing run is reported and does not stop the others.
"""

from __future__ import annotations

import html
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from tqdm.auto import tqdm

from cbec import paths
from cbec.reporting.pages import page_title


class ReportConfigError(ValueError):
    """reports.yml is malformed or names an unknown report."""


@dataclass(frozen=True)
class ReportSpec:
    name: str
    notebook: Path
    description: str = ""
    parameters: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ReportRun:
    name: str
    ok: bool
    seconds: float
    output_dir: Path
    html: Path | None = None
    error: str = ""


def load_specs(config: Path | None = None) -> dict[str, ReportSpec]:
    """Read the report declarations (default ``analysis/reports.yml``)."""
    config = config or paths.analysis_dir() / "reports.yml"
    try:
        raw = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ReportConfigError(f"No report configuration at {config}.") from None
    specs = {}
    for name, entry in (raw.get("reports") or {}).items():
        if not isinstance(entry, dict) or "notebook" not in entry:
            raise ReportConfigError(f"{config}: report {name!r} needs a 'notebook' entry.")
        notebook = (config.parent / entry["notebook"]).resolve()
        if not notebook.is_file():
            raise ReportConfigError(f"{config}: report {name!r} points at {notebook}, which does not exist.")
        specs[name] = ReportSpec(name, notebook, entry.get("description", ""), dict(entry.get("parameters") or {}))
    return specs


def select(specs: dict[str, ReportSpec], names: list[str] | None) -> list[ReportSpec]:
    if not names:
        return list(specs.values())
    unknown = [n for n in names if n not in specs]
    if unknown:
        raise ReportConfigError(f"Unknown report(s) {', '.join(unknown)}; configured: {', '.join(specs)}.")
    return [specs[n] for n in names]


def report_parameters(spec: ReportSpec, output_dir: Path, overrides: dict | None = None,
                      shared: dict | None = None) -> dict:
    """The parameters one run passes to papermill.

    The report's own parameters, then ``overrides``, then ``output_dir``; ``shared`` values
    (such as ``course_dir``) only where the notebook declares them.  Names the notebook does
    not declare are refused: papermill would inject them and the notebook would ignore them.
    An entry's parameters describe its own ``data``: overriding ``data`` with another table
    starts from the notebook's defaults instead (see :func:`replaces_data`).
    """
    import papermill as pm

    declared = list(pm.inspect_notebook(str(spec.notebook)))
    own = {} if replaces_data(spec, overrides) else spec.parameters
    parameters = {**{k: v for k, v in (shared or {}).items() if k in declared},
                  **own, **(overrides or {}), "output_dir": str(output_dir)}
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ReportConfigError(f"{spec.notebook.name} has no parameter(s) {', '.join(unknown)}; "
                                f"its parameters are: {', '.join(declared)}.")
    return parameters


def replaces_data(spec: ReportSpec, overrides: dict | None) -> bool:
    """Whether ``overrides`` point the report at other data than its entry's, whose columns
    (clusters, periods, funnel stages, ...) the entry's other parameters name."""
    return bool(overrides) and "data" in overrides and "data" in spec.parameters \
        and overrides["data"] != spec.parameters["data"]


def run_report(spec: ReportSpec, out_root: Path, overrides: dict | None = None,
               shared: dict | None = None) -> ReportRun:
    """Execute one report with papermill and export its HTML; never raises.

    See :func:`report_parameters` for how ``overrides`` and ``shared`` values are passed.
    """
    import papermill as pm

    out_dir = out_root / spec.name
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / f"{spec.notebook.stem}.ipynb"
    start = time.perf_counter()
    for stale in ("error.txt", "report.html", "summary.json"):
        (out_dir / stale).unlink(missing_ok=True)
    try:
        parameters = report_parameters(spec, out_dir, overrides, shared)
        pm.execute_notebook(str(spec.notebook), str(executed), parameters=parameters,
                            cwd=str(spec.notebook.parent), kernel_name="python3",
                            progress_bar=False, log_output=False,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
        import nbformat

        heading = page_title(nbformat.read(executed, as_version=4), spec.name)
        page = export_html(executed, out_dir / "report.html", title=f"{heading} ({spec.name})")
        return ReportRun(spec.name, True, time.perf_counter() - start, out_dir, page)
    except Exception as error:  # papermill wraps the notebook's own error
        message = _short_error(error)
        (out_dir / "error.txt").write_text(message + "\n", encoding="utf-8")
        return ReportRun(spec.name, False, time.perf_counter() - start, out_dir, error=message)


def export_html(notebook: Path, target: Path, title: str | None = None) -> Path:
    """HTML of an executed notebook with code cells hidden (outputs and text only).

    The page is titled ``title``, else by the notebook's first heading.
    """
    import nbformat

    from cbec.reporting.pages import report_exporter

    executed = nbformat.read(notebook, as_version=4)
    exporter = report_exporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(executed, resources={"metadata": {"name": title or page_title(executed)}})
    target.write_text(body, encoding="utf-8")
    return target


def run_reports(specs: list[ReportSpec], out_root: Path | None = None, overrides: dict | None = None,
                workers: int = 1, progress: bool = True, shared: dict | None = None) -> list[ReportRun]:
    """Run ``specs`` (in ``workers`` processes when more than one) and write the index page."""
    out_root = out_root or paths.reports_dir()
    out_root.mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=len(specs), desc="Rendering reports", unit="report", disable=not progress)
    runs = []
    if workers <= 1 or len(specs) <= 1:
        for spec in specs:
            runs.append(run_report(spec, out_root, overrides, shared))
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(run_report, spec, out_root, overrides, shared) for spec in specs]
            for future in as_completed(futures):
                runs.append(future.result())
                bar.update()
    bar.close()
    order = {spec.name: i for i, spec in enumerate(specs)}
    runs.sort(key=lambda run: order[run.name])
    write_index(out_root, runs, specs)
    return runs


def write_index(out_root: Path, runs: list[ReportRun], specs: list[ReportSpec]) -> Path:
    descriptions = {s.name: s.description for s in specs}
    rows = []
    for run in runs:
        link = (f'<a href="{run.html.relative_to(out_root)}">{html.escape(run.name)}</a>'
                if run.html else html.escape(run.name))
        status = "ok" if run.ok else f"failed: {html.escape(run.error)}"
        rows.append(f"<tr><td>{link}</td><td>{html.escape(descriptions.get(run.name, ''))}</td>"
                    f"<td>{status}</td><td>{run.seconds:.1f} s</td></tr>")
    page = ("<!doctype html><meta charset='utf-8'><title>CBEC Lab reports</title>"
            "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.3em .8em;text-align:left}</style>"
            "<h1>CBEC Lab reports</h1><table><tr><th>report</th><th>what</th><th>status</th><th>time</th></tr>"
            + "".join(rows) + "</table>")
    index = out_root / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def _short_error(error: Exception) -> str:
    ename, evalue = getattr(error, "ename", None), getattr(error, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    text = str(error).strip().splitlines()
    return text[-1] if text else type(error).__name__
