"""Who is the student? Resolve the identity a personal dataset is derived from.

Shared by the assignments (whose data it is), the grader (whose work it is grading) and the
exchange (who hands in).

Order of precedence, chosen so that grading can never be fooled by a student's settings:

0. The student the trusted grader is checking (:func:`assigned_student`), in the grading
   process where hidden tests run; student code never runs in that process.
1. The nbgrader folder the notebook runs in: ``.../submitted/<student>/<assignment>/`` or
   ``.../autograded/<student>/<assignment>/`` (nbgrader executes submissions there).
2. An explicit ``student_id`` argument.
3. The ``CBEC_STUDENT_ID`` environment variable (local work: ``%env CBEC_STUDENT_ID=...``).
4. ``JUPYTERHUB_USER`` (set by JupyterHub for every user server).
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

STUDENT_ID_ENV = "CBEC_STUDENT_ID"
_GRADING_FOLDERS = ("submitted", "autograded")
_VALID_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class StudentIdError(RuntimeError):
    """Raised when no usable student identity is available.

    In a notebook it shows as its message alone (IPython asks ``_render_traceback_``): the
    student needs the instructions, not a traceback into this package.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


_assigned: list[str] = []


@contextlib.contextmanager
def assigned_student(student_id: str):
    """Within this block every personal dataset is ``student_id``'s, whatever is asked for.

    The grader uses it to recompute the truth for the submission it is grading, from the
    submission folder's name and nothing the student's code controls.
    """
    _assigned.append(validate_student_id(student_id))
    try:
        yield _assigned[-1]
    finally:
        _assigned.pop()


def grading_student_id(cwd: Path | None = None) -> str | None:
    """Return the student id if ``cwd`` is an nbgrader submission folder, else ``None``."""
    folder = (cwd or Path.cwd()).resolve()
    if folder.parent.parent.name in _GRADING_FOLDERS:
        return folder.parent.name
    return None


def validate_student_id(student_id: object) -> str:
    """Return ``student_id`` as a clean string or raise :class:`StudentIdError`."""
    if not isinstance(student_id, str):
        raise StudentIdError(
            f"A student id must be a string, got {type(student_id).__name__} {student_id!r}."
        )
    cleaned = student_id.strip()
    if not _VALID_ID.match(cleaned):
        raise StudentIdError(
            f"{student_id!r} is not a valid student id: use 1-64 letters, digits, '.', '_', '-' "
            "or '@', starting with a letter or digit (your university login works)."
        )
    return cleaned


def resolve_student_id(student_id: str | None = None, cwd: Path | None = None) -> str:
    """Return the identity a personal dataset is derived from (see module docstring)."""
    if _assigned:
        return _assigned[-1]
    graded = grading_student_id(cwd)
    if graded is not None:
        return validate_student_id(graded)
    for candidate in (student_id, os.environ.get(STUDENT_ID_ENV), os.environ.get("JUPYTERHUB_USER")):
        if candidate:
            return validate_student_id(candidate)
    raise StudentIdError(
        "I don't know whose dataset to load. Tell me your student id in one of these ways:\n"
        f"  * run `%env {STUDENT_ID_ENV}=your-id` in a cell above this one, or\n"
        f"  * export {STUDENT_ID_ENV}=your-id before starting Jupyter, or\n"
        "  * call student_dataset('your-id').\n"
        "On JupyterHub your login is used automatically."
    )
