"""The instructor cycle around nbgrader: release, simulated class, autograde, feedback."""

from cbec.grading.autograde import GradingOutcome, autograde_class, check_submission
from cbec.grading.classroom import simulate_class
from cbec.grading.course import Course, CourseError, copy_course
from cbec.grading.feedback import generate_feedback
from cbec.grading.release import LeakError, find_leaks, release_assignment

__all__ = [
    "Course", "CourseError", "copy_course", "LeakError", "GradingOutcome", "release_assignment", "find_leaks",
    "simulate_class", "autograde_class", "check_submission", "generate_feedback",
]
