"""nbgrader preprocessors of our own, one class per module.

``AUTOGRADE_PIPELINE`` is nbgrader's autograde pipeline with its ``Execute`` replaced by
:class:`SandboxedExecute`, and ``SANITIZE_PIPELINE`` nbgrader's sanitising steps with
:class:`UnmarkDuplicates` after ``DeduplicateIds``; the course's ``nbgrader_config.py`` and
``cbec autograde`` both use them, so plain ``nbgrader autograde`` and the formgrader grade
through the same engine.  ``FEEDBACK_PIPELINE`` renders feedback without hidden tests
(nbgrader issue 1363), titled for its student.
"""

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds, GetGrades,
                                    IgnorePattern, LimitOutput, OverwriteCells, OverwriteKernelspec,
                                    SaveAutoGrades)

from cbec.grading.preprocessors.hide_hidden_tests import HideHiddenTests
from cbec.grading.preprocessors.sandboxed_execute import SandboxedExecute
from cbec.grading.preprocessors.title_feedback import TitleFeedback
from cbec.grading.preprocessors.unmark_duplicates import UnmarkDuplicates

SANITIZE_PIPELINE = [ClearOutput, DeduplicateIds, UnmarkDuplicates, OverwriteKernelspec, OverwriteCells,
                     CheckCellMetadata]
AUTOGRADE_PIPELINE = [SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                      SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
FEEDBACK_PIPELINE = [GetGrades, TitleFeedback, HideHiddenTests, CSSHTMLHeaderPreprocessor]

__all__ = ["HideHiddenTests", "SandboxedExecute", "TitleFeedback", "UnmarkDuplicates", "AUTOGRADE_PIPELINE",
           "FEEDBACK_PIPELINE", "SANITIZE_PIPELINE"]
