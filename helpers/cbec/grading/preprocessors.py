"""nbgrader preprocessors of our own, each doing one thing."""

from __future__ import annotations

import re

import nbformat
from traitlets import Unicode

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor  # enabled by default, unlike nbconvert's

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden test code, and what its failures print, from feedback notebooks.

    nbgrader renders feedback from the autograded notebook, which still holds the hidden
    tests and their tracebacks (nbgrader issue 1363).  A failing hidden assertion can print
    the expected value, so the whole output of such a cell is replaced by a short verdict.
    """

    begin = Unicode("### BEGIN HIDDEN TESTS").tag(config=True)
    end = Unicode("### END HIDDEN TESTS").tag(config=True)
    failed_message = Unicode(
        "Hidden tests did not pass: this answer is not right for your dataset. "
        "Re-read the question, check units and types, and compare with the lecture notebook."
    ).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or self.begin not in cell.source:
            return cell, resources
        kept, hidden, hiding = [], [], False
        for line in cell.source.splitlines():
            if self.begin in line:
                hiding = True
            elif self.end in line:
                hiding = False
            else:
                (hidden if hiding else kept).append(line)
        kept.append("# (hidden tests were run here)")
        cell.source = "\n".join(kept)
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
        if not quoted:
            return output
        return nbformat.NotebookNode(output_type="stream", name="stderr", text=self.failed_message)
