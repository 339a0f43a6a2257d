"""Project locations, resolved once so notebooks never hard-code relative paths.

The project root is found by walking up from this file (an editable install) or from the
working directory, looking for ``pyproject.toml`` next to ``helpers/cbec``.  Set
``CBEC_ROOT`` to point at another checkout.
"""

from __future__ import annotations

import os
from pathlib import Path


class ProjectRootNotFound(RuntimeError):
    """Raised when the CBEC Lab checkout cannot be located."""


def _looks_like_root(path: Path) -> bool:
    return (path / "pyproject.toml").is_file() and (path / "helpers" / "cbec").is_dir()


def project_root() -> Path:
    """Return the root folder of the CBEC Lab checkout."""
    override = os.environ.get("CBEC_ROOT")
    if override:
        root = Path(override).expanduser().resolve()
        if not _looks_like_root(root):
            raise ProjectRootNotFound(
                f"CBEC_ROOT={override!r} is not a CBEC Lab checkout "
                "(expected pyproject.toml and helpers/cbec/ inside it)."
            )
        return root
    for start in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        for candidate in (start, *start.parents):
            if _looks_like_root(candidate):
                return candidate
    raise ProjectRootNotFound(
        "Cannot find the CBEC Lab checkout. Run from inside it, install it with "
        "`pip install -e .`, or set CBEC_ROOT to its folder."
    )


def data_dir() -> Path:
    """Folder for data committed to the repository (small, documented files)."""
    return project_root() / "data"


def generated_data_dir() -> Path:
    """Folder for materialised datasets (git-ignored, rebuilt by ``cbec data``)."""
    return data_dir() / "generated"


def course_modules_dir() -> Path:
    return project_root() / "course_modules"


def analysis_dir() -> Path:
    return project_root() / "analysis"


def course_dir() -> Path:
    """The nbgrader course directory (holds ``nbgrader_config.py`` and ``source/``)."""
    return project_root() / "assignments"


def reports_dir() -> Path:
    """Where rendered reports are written (git-ignored)."""
    return project_root() / "reports"
