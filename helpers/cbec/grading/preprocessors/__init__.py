"""nbgrader preprocessors of our own, one class per module.

``AUTOGRADE_PIPELINE`` is nbgrader's autograde pipeline with its ``Execute`` replaced by
:class:`SandboxedExecute`, and ``SANITIZE_PIPELINE`` nbgrader's sanitising steps with
:class:`UnmarkDuplicates` after ``DeduplicateIds``; the course's ``nbgrader_config.py`` and
``cbec autograde`` both use them, so plain ``nbgrader autograde`` and the formgrader grade
through the same engine.
"""

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds,
                                    IgnorePattern, LimitOutput, OverwriteCells, OverwriteKernelspec,
                                    SaveAutoGrades)

from cbec.grading.preprocessors.hide_hidden_tests import HideHiddenTests
from cbec.grading.preprocessors.sandboxed_execute import SandboxedExecute
from cbec.grading.preprocessors.unmark_duplicates import UnmarkDuplicates

SANITIZE_PIPELINE = [ClearOutput, DeduplicateIds, UnmarkDuplicates, OverwriteKernelspec, OverwriteCells,
                     CheckCellMetadata]
AUTOGRADE_PIPELINE = [SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                      SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]

__all__ = ["HideHiddenTests", "SandboxedExecute", "UnmarkDuplicates", "AUTOGRADE_PIPELINE", "SANITIZE_PIPELINE"]
