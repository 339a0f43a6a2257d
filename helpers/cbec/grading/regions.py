"""Read the marked regions of an nbgrader source notebook."""

from __future__ import annotations

from pathlib import Path

import nbformat

SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"

# Lines too generic to count as leaks when they appear in a released notebook.
_TRIVIAL = {"", "else:", "try:", "pass", ")", "]", "}"}


def _region_lines(notebook: Path, begin: str, end: str) -> set[str]:
    lines: set[str] = set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        inside = False
        for line in cell.source.splitlines():
            if begin in line:
                inside = True
            elif end in line:
                inside = False
            elif inside and line.strip() not in _TRIVIAL:
                lines.add(line.strip())
    return lines


def solution_lines(notebook: Path) -> set[str]:
    """Lines of code solutions, plus every line of written (markdown) model answers."""
    lines = _region_lines(notebook, SOLUTION_BEGIN, SOLUTION_END)
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
            lines |= {line.strip() for line in cell.source.splitlines() if len(line.strip()) > 20}
    return lines


def hidden_test_lines(notebook: Path) -> set[str]:
    return _region_lines(notebook, HIDDEN_BEGIN, HIDDEN_END)


def solution_code(notebook: Path | nbformat.NotebookNode) -> dict[str, str]:
    """The solution of every answer cell, keyed by nbgrader ``grade_id``."""
    answers = {}
    cells = notebook.cells if isinstance(notebook, nbformat.NotebookNode) else nbformat.read(notebook, as_version=4).cells
    for cell in cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            kept = [line for line in cell.source.splitlines() if SOLUTION_BEGIN not in line and SOLUTION_END not in line]
            answers[meta["grade_id"]] = "\n".join(kept)
    return answers
