"""The nbgrader course directory and an nbgrader API bound to it."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from cbec import paths

CONFIG_FILE = "nbgrader_config.py"


def _put_interpreter_tools_on_path() -> None:
    """nbgrader shells out to tools of its own environment (``alembic``); make them findable
    even when the virtual environment was not activated (``.venv/bin/cbec ...``)."""
    bin_dir = os.path.dirname(sys.executable)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


class CourseError(RuntimeError):
    """The course directory or one of its assignments is not usable."""


def copy_course(target: Path, origin: Path | None = None) -> Path:
    """Copy a course's ``nbgrader_config.py`` and ``source/`` (nothing generated) into ``target``.

    A scratch course to grade in without touching the project's gradebook.
    """
    origin = origin or paths.course_dir()
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(origin / CONFIG_FILE, target / CONFIG_FILE)
    shutil.copytree(origin / "source", target / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return target


@dataclass(frozen=True)
class Course:
    """An nbgrader course directory such as ``assignments/``.

    Folder names follow nbgrader: ``source/``, ``release/``, ``submitted/``,
    ``autograded/``, ``feedback/`` and the ``gradebook.db`` next to them.
    """

    root: Path

    @classmethod
    def open(cls, root: Path | str | None = None) -> "Course":
        folder = Path(root).expanduser().resolve() if root else paths.course_dir()
        if not (folder / CONFIG_FILE).is_file():
            raise CourseError(
                f"{folder} is not an nbgrader course directory: {CONFIG_FILE} is missing. "
                "Point --course-dir at the folder holding nbgrader_config.py and source/."
            )
        return cls(folder)

    # Folders -----------------------------------------------------------------------
    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def release(self) -> Path:
        return self.root / "release"

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    @property
    def autograded(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    @property
    def gradebook_path(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook_path}"

    def assignments(self) -> list[str]:
        """The assignments of the course: the folders of ``source/``, by name."""
        return sorted(p.name for p in self.source.iterdir() if p.is_dir()) if self.source.is_dir() else []

    def require_assignment(self, assignment: str) -> Path:
        folder = self.source / assignment
        if not folder.is_dir():
            raise CourseError(
                f"No assignment {assignment!r} in {self.source}. Known assignments: "
                f"{', '.join(self.assignments()) or 'none'}."
            )
        return folder

    def source_notebooks(self, assignment: str) -> list[Path]:
        return sorted(self.require_assignment(assignment).glob("*.ipynb"))

    # nbgrader ----------------------------------------------------------------------
    def config(self, **overrides) -> Config:
        """The course's nbgrader config, with ``Class__trait=value`` style overrides."""
        loader = PyFileConfigLoader(CONFIG_FILE, path=str(self.root))
        config = loader.load_config()
        config.CourseDirectory.root = str(self.root)
        config.CourseDirectory.db_url = self.db_url
        from cbec.grading.preprocessors import AUTOGRADE_PIPELINE, FEEDBACK_PIPELINE, SANITIZE_PIPELINE
        from cbec.reporting.pages import offline_html_config

        config.Autograde.sanitize_preprocessors = SANITIZE_PIPELINE
        config.Autograde.autograde_preprocessors = AUTOGRADE_PIPELINE  # the sandboxed engine, always
        config.GenerateFeedback.preprocessors = FEEDBACK_PIPELINE  # never shows hidden tests
        config.merge(offline_html_config())
        for key, value in overrides.items():
            section, trait = key.split("__")
            config[section][trait] = value
        return config

    @cached_property
    def api(self):
        return self.make_api()

    def make_api(self, **overrides):
        """An ``NbGraderAPI`` for this course; nbgrader's own logging is kept quiet."""
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        _put_interpreter_tools_on_path()
        config = self.config(**overrides)
        coursedir = CourseDirectory(config=config)
        with contextlib.redirect_stderr(io.StringIO()):
            api = NbGraderAPI(coursedir=coursedir, config=config)
        api.log.setLevel(logging.ERROR)
        return api

    def grading_limits(self, **overrides):
        """The sandbox limits: defaults, then ``c.GradingLimits`` in ``nbgrader_config.py``."""
        from cbec.grading.sandbox import GradingLimits

        limits = GradingLimits(config=self.config())
        for name, value in overrides.items():
            if value is not None:
                setattr(limits, name, value)
        limits.for_job()  # refuses non-positive limits with a message naming them
        return limits

    def gradebook(self):
        """Open nbgrader's gradebook (use as a context manager)."""
        from nbgrader.api import Gradebook

        _put_interpreter_tools_on_path()
        config = self.config()
        return Gradebook(self.db_url, course_id=config.CourseDirectory.course_id)
