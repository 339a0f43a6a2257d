"""Read the marked regions of an nbgrader source notebook."""

from __future__ import annotations

from pathlib import Path

import nbformat

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
    lines = _region_lines(notebook, "### BEGIN SOLUTION", "### END SOLUTION")
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
            lines |= {line.strip() for line in cell.source.splitlines() if len(line.strip()) > 20}
    return lines


def hidden_test_lines(notebook: Path) -> set[str]:
    return _region_lines(notebook, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def solution_code(notebook: Path) -> dict[str, str]:
    """The solution of every answer cell, keyed by nbgrader ``grade_id``."""
    answers = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            kept = [line for line in cell.source.splitlines()
                    if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line]
            answers[meta["grade_id"]] = "\n".join(kept)
    return answers
