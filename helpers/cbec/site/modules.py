"""The course modules, read from the folders under ``course_modules/``.

A module is a folder ``NN_<name>/`` with a ``README.md`` (its page: the first heading is its
title) and lecture notebooks; its graded assignment is the nbgrader assignment called
``<name>``, if ``assignments/source/<name>/`` exists.  Adding a module adds a folder;
nothing else lists them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cbec import paths

_FOLDER = re.compile(r"^(\d+)_([a-z][a-z0-9_]*)$")


@dataclass(frozen=True)
class CourseModule:
    folder: Path
    number: int
    name: str
    title: str
    lectures: tuple[Path, ...]
    assignment: str | None

    @property
    def slug(self) -> str:
        return self.folder.name


def course_modules(root: Path | None = None, course_source: Path | None = None) -> list[CourseModule]:
    """The modules under ``root`` (``course_modules/``), in their numbered order."""
    root = root or paths.course_modules_dir()
    course_source = course_source or paths.course_dir() / "source"
    modules = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        match = _FOLDER.match(folder.name)
        if not match:
            continue
        readme = folder / "README.md"
        if not readme.is_file():
            raise FileNotFoundError(f"{readme} is missing: every course module needs a README.md "
                                    "whose first heading names the module.")
        number, name = int(match.group(1)), match.group(2)
        assignment = name if (course_source / name).is_dir() else None
        modules.append(CourseModule(folder, number, name, _first_heading(readme),
                                    tuple(sorted(folder.glob("*.ipynb"))), assignment))
    return modules


def _first_heading(markdown: Path) -> str:
    for line in markdown.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise ValueError(f"{markdown} has no '# ' heading: its first heading is the module's title.")
