"""Shared fixtures live in tests/graded_class.py: private copies of the nbgrader course
(`course_copy`) and the session-scoped graded class (`graded`)."""

pytest_plugins = ["tests.graded_class"]
