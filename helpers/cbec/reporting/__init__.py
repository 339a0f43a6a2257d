"""Reports: gradebook statistics and papermill report runs."""

from cbec.reporting.gradebook import AssignmentGrades, GradebookError, load_assignment_grades
from cbec.reporting.outcomes import item_statistics, question_matrix, score_summary, students_behind

__all__ = ["AssignmentGrades", "GradebookError", "load_assignment_grades", "item_statistics",
           "question_matrix", "score_summary", "students_behind"]
