"""Assignments: personal datasets, student identity and learner-facing checks."""

from cbec.assignments.datasets import StudentDataset, student_dataset
from cbec.identity import STUDENT_ID_ENV, StudentIdError, resolve_student_id

__all__ = ["StudentDataset", "student_dataset", "resolve_student_id", "StudentIdError", "STUDENT_ID_ENV"]
