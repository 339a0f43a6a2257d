"""Build submission notebooks from the released notebook and chosen answers."""

from __future__ import annotations

import contextlib
import io
from datetime import datetime
from pathlib import Path

import nbformat

from cbec.grading.plan import load_plan, python_source
from cbec.identity import assigned_student

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"


def answer_cell_ids(notebook: nbformat.NotebookNode) -> dict[str, int]:
    """Map nbgrader ``grade_id`` of each code answer cell to its index."""
    return {
        cell.metadata["nbgrader"]["grade_id"]: i
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")
    }


def fill_answers(released: Path, answers: dict[str, str], memo: str | None = None) -> nbformat.NotebookNode:
    """The released notebook with answer cells replaced (keys: ``q1``.. or ``q1_answer``..)."""
    notebook = nbformat.read(released, as_version=4)
    cells = answer_cell_ids(notebook)
    for key, code in answers.items():
        grade_id = key if key in cells else f"{key}_answer"
        if grade_id not in cells:
            raise KeyError(f"{released.name} has no answer cell {key!r}; it has {sorted(cells)}")
        notebook.cells[cells[grade_id]].source = code
    if memo is not None:
        for cell in notebook.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "markdown" and meta.get("solution"):
                cell.source = memo
    return notebook


def write_submission(folder: Path, notebook_name: str, notebook: nbformat.NotebookNode | str,
                     submitted_at: datetime) -> Path:
    """Write one student's submission the way ``nbgrader collect`` lays it out."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / notebook_name
    if isinstance(notebook, str):  # raw text, e.g. a corrupt file
        path.write_text(notebook, encoding="utf-8")
    else:
        nbformat.write(notebook, path)
    (folder / "timestamp.txt").write_text(submitted_at.strftime(TIMESTAMP_FORMAT), encoding="utf-8")
    return path


def solution_values(source: Path, student_id: str) -> dict[str, object]:
    """Run the set-up and solution cells for ``student_id`` in-process; return answer values.

    Used to build "copied" submissions: the right numbers, but somebody else's.
    """
    plan = load_plan(source)
    namespace: dict[str, object] = {}
    # the notebook's greetings and check messages are for students, not for the instructor's terminal
    with assigned_student(student_id), contextlib.redirect_stdout(io.StringIO()):
        for grade_id, code in plan.setup.items():
            exec(compile(python_source(code), grade_id, "exec"), namespace)
        for grade_id, code in plan.solutions.items():
            exec(compile(python_source(code), grade_id, "exec"), namespace)
    return namespace


def copied_answers(source: Path, variables: dict[str, str], other_student: str) -> dict[str, str]:
    """Answer cells that hard-code ``other_student``'s correct results.

    ``variables`` maps an answer cell (or question id) to its variable (``{"q1": "gmv_usd", ...}``).
    """
    values = solution_values(source, other_student)
    return {qid: f"{var} = {values[var]!r}  # copied from a classmate"
            for qid, var in variables.items()}
