"""nbgrader preprocessors of our own, one class per module.

``AUTOGRADE_PIPELINE`` is nbgrader's autograde pipeline with its ``Execute`` replaced by
:class:`SandboxedExecute`; the course's ``nbgrader_config.py`` and ``cbec autograde`` both
use it, so plain ``nbgrader autograde`` and the formgrader grade through the same engine.
"""

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput,
                                    SaveAutoGrades)

from cbec.grading.preprocessors.hide_hidden_tests import HideHiddenTests
from cbec.grading.preprocessors.sandboxed_execute import SandboxedExecute

AUTOGRADE_PIPELINE = [SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                      SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]

__all__ = ["HideHiddenTests", "SandboxedExecute", "AUTOGRADE_PIPELINE"]
