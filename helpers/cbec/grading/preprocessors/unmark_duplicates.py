"""Turn cells that nbgrader un-marked as duplicates into ordinary cells."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor


class UnmarkDuplicates(NbGraderPreprocessor):
    """Runs after nbgrader's ``DeduplicateIds``, which keeps the last cell of each grade id
    and leaves ``"nbgrader": {}`` on the earlier copies; ``CheckCellMetadata`` would then
    reject the whole submission as "an old metadata format".  Dropping the empty entry
    makes such a copy a plain student cell: it runs, but it is never graded.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.metadata.get("nbgrader", None) == {}:
            del cell.metadata["nbgrader"]
        return cell, resources
