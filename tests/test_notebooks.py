"""Every guide notebook runs top to bottom on a fresh kernel; all notebooks are committed clean.

The lectures under ``course_modules/`` run top to bottom on fresh kernels when the course
website is built (MyST-NB, raising on the first failing cell): tests/test_site.py checks
their executed copies, so the suite does not run each lecture twice.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from cbec import paths

ROOT = paths.project_root()
RUNNABLE = sorted(ROOT.glob("notebooks/*.ipynb"))


def _tracked_notebooks() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True)
    tracked = [ROOT / line for line in out.stdout.splitlines()]
    return tracked or sorted(ROOT.glob("**/*.ipynb"))


@pytest.mark.notebook
@pytest.mark.parametrize("path", RUNNABLE, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_runs_on_a_fresh_kernel(path, monkeypatch, tmp_path):
    monkeypatch.setenv("CBEC_STUDENT_ID", "notebook-test")
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"{path.relative_to(ROOT)} failed:\n{str(error)[-3000:]}")
    assert_solutions_pass(notebook, path.name)


def assert_solutions_pass(notebook, name: str) -> int:
    """Each model solution of an executed notebook must pass its own exercise check; returns how many."""
    checked = 0
    for cell in notebook.cells:
        if "solution" in cell.metadata.get("tags", []) and "exercise.check(" in cell.source:
            printed = "".join(out.get("text", "") for out in cell.get("outputs", []))
            assert "Correct:" in printed, f"{name}: the solution does not pass exercise.check: {printed}"
            checked += 1
    return checked


def test_every_lecture_module_has_exercises_with_collapsed_solutions():
    for path in ROOT.glob("course_modules/**/*.ipynb"):
        cells = nbformat.read(path, as_version=4).cells
        solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
        assert solutions, f"{path.name} has no exercise solution"
        assert all(c.metadata.get("jupyter", {}).get("source_hidden") for c in solutions), path.name


@pytest.mark.parametrize("path", _tracked_notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_without_outputs(path):
    for cell in nbformat.read(path, as_version=4).cells:
        assert not cell.get("outputs") and cell.get("execution_count") is None, f"{path.name} has outputs"


def test_report_notebooks_have_one_parameters_cell():
    for path in ROOT.glob("analysis/*.ipynb"):
        tagged = [c for c in nbformat.read(path, as_version=4).cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, path.name
