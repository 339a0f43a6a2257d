"""The instructor cycle around nbgrader: release, simulated class, autograde, feedback.

Names are imported on first use, so that the grading sandbox can load its few modules
(``zygote``, ``runner``, ``answers``, ``channel``) without nbgrader and its dependencies.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Course": "course", "CourseError": "course", "copy_course": "course",
    "LeakError": "release", "release_assignment": "release", "find_leaks": "release",
    "GradingOutcome": "autograde", "autograde_class": "autograde", "check_submission": "autograde",
    "simulate_class": "classroom", "generate_feedback": "feedback",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'cbec.grading' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cbec.grading.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
