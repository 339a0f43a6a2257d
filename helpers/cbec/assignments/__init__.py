"""What every assignment shares: personal datasets, student identity, learner-facing checks
and the declaration the grading machinery reads.  Each assignment lives in its course module."""

from cbec.assignments.datasets import StudentDataset, personal_dataset
from cbec.identity import STUDENT_ID_ENV, StudentIdError, resolve_student_id

__all__ = ["StudentDataset", "personal_dataset", "resolve_student_id", "StudentIdError", "STUDENT_ID_ENV"]
