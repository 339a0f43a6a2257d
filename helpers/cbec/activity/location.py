"""Where a course's activity log lives: ``<exchange root>/<course id>/activity/``.

Beside nbgrader's ``inbound`` and ``outbound`` folders, so a shared server that gives every
student write access to the exchange (``CBEC_EXCHANGE``) needs no other shared folder.
``CBEC_ACTIVITY`` names another folder outright.
"""

from __future__ import annotations

import os
from pathlib import Path

ACTIVITY_ENV = "CBEC_ACTIVITY"
FOLDER_NAME = "activity"


def course_exchange(course_dir: str | Path | None = None) -> tuple[Path, str]:
    """The exchange root and course id configured in the course's ``nbgrader_config.py``."""
    from cbec.grading.course import Course

    config = Course.open(course_dir).config()
    return Path(config.Exchange.root), str(config.CourseDirectory.course_id)


def activity_folder(course_dir: str | Path | None = None) -> Path:
    """``CBEC_ACTIVITY`` if set, else ``<exchange>/<course_id>/activity`` of the course."""
    override = os.environ.get(ACTIVITY_ENV)
    if override:
        return Path(override).expanduser()
    root, course_id = course_exchange(course_dir)
    return root / course_id / FOLDER_NAME
