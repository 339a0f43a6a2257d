"""Shared fixtures: private copies of the nbgrader course for tests that write to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.graded_class import copy_course

# the session-scoped `graded` class, shared by grading and report tests
pytest_plugins = ["tests.graded_class"]


@pytest.fixture
def course_copy(tmp_path) -> Path:
    return copy_course(tmp_path / "course")
