"""Submissions as nbgrader recorded them: the folders of the exchange's ``inbound``.

``nbgrader submit`` copies a submission to ``<exchange>/<course>/inbound/`` as
``<student>+<assignment>+<timestamp>+<random>`` (the timestamp in UTC), so the folder names
are the real record of who handed in what and when, whatever the student's own log says.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cbec.activity.events import ActivityError
from cbec.activity.timestamps import parse_time

COLUMNS = ("student", "assignment", "time", "source")


def inbound_submissions(inbound: str | Path) -> pd.DataFrame:
    """One row per submission folder in ``inbound``: student, assignment, time (UTC).

    Folders whose names nbgrader would not have written are left out; a missing folder has
    no submissions.
    """
    rows = []
    folder = Path(inbound)
    for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
        parts = entry.name.rsplit("+", 3)  # student ids may contain '+': split from the right, as nbgrader does
        if not entry.is_dir() or len(parts) < 3:
            continue
        student, assignment, stamp = parts[0], parts[1], parts[2]
        try:
            time = parse_time(stamp)
        except ActivityError:
            continue
        rows.append({"student": student, "assignment": assignment, "time": time, "source": "exchange"})
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table["time"] = pd.to_datetime(table["time"], utc=True)
    return table
