"""Feedback without hidden tests."""

from __future__ import annotations

import re

import nbformat
from traitlets import Unicode

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor  # enabled by default, unlike nbconvert's

from cbec.grading.plan import split_hidden
from cbec.grading.regions import HIDDEN_BEGIN, HIDDEN_END

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden test code, and what its failures print, from feedback notebooks.

    nbgrader renders feedback from the autograded notebook, which still holds the hidden
    tests and their tracebacks (nbgrader issue 1363).  An error in such a cell becomes a
    short verdict plus the test's own message, unless that message quotes hidden test code
    (a traceback would), in which case only the verdict is kept.  A cell whose markers do
    not pair up is refused: guessing where hidden code ends could show it.
    """

    failed_message = Unicode(
        "Hidden tests did not pass: this answer is not right for your dataset. "
        "Re-read the question, check units and types, and compare with the lecture notebook."
    ).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or (HIDDEN_BEGIN not in cell.source and HIDDEN_END not in cell.source):
            return cell, resources
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {index}")
        try:
            visible, hidden_code = split_hidden(cell.source)
        except ValueError as error:
            raise ValueError(f"{grade_id}: {error}; fix the hidden-test markers in the source notebook") from None
        hidden = hidden_code.splitlines()
        cell.source = visible + "\n# (hidden tests were run here)"
        cell.outputs = [self._redact(out, hidden) for out in cell.get("outputs", [])]
        if utils.is_grade(cell):
            cell.metadata.setdefault("nbgrader", {})["hidden_tests_removed"] = True
        return cell, resources

    def _redact(self, output, hidden_lines):
        """Keep an output unless it quotes hidden test code (tracebacks do)."""
        if output.get("output_type") != "error":
            return output
        text = _ANSI.sub("", "\n".join(output.get("traceback", [])) + str(output.get("evalue", "")))
        quoted = any(line.strip() and line.strip() in text for line in hidden_lines)
        verdict = self.failed_message
        if not quoted and output.get("evalue"):
            verdict += f"\n{output.get('ename', 'Error')}: {output['evalue']}"
        return nbformat.NotebookNode(output_type="stream", name="stderr", text=verdict)
