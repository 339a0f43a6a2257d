"""Shared fixtures: a private copy of the nbgrader course for tests that write to it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cbec import paths


def copy_course(target: Path) -> Path:
    """Copy nbgrader_config.py and source/ (nothing generated) into ``target``."""
    origin = paths.course_dir()
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(origin / "nbgrader_config.py", target / "nbgrader_config.py")
    shutil.copytree(origin / "source", target / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return target


@pytest.fixture
def course_copy(tmp_path) -> Path:
    return copy_course(tmp_path / "course")
