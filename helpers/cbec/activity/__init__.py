"""The activity log: every practice round, season, quiz, training and submission, with time and student.

- :mod:`~cbec.activity.events` -- the event kinds and their fields.
- :mod:`~cbec.activity.log` -- :class:`ActivityLog` (append one event) and
  :func:`read_activity` / :func:`scan_activity` (read them all, skipping bad lines).
- :mod:`~cbec.activity.location` -- the course's log folder beside nbgrader's exchange.
- :mod:`~cbec.activity.exchange` -- submissions as nbgrader's exchange recorded them.
"""

from cbec.activity.events import EVENT_KINDS, ActivityError, validate_fields
from cbec.activity.exchange import inbound_submissions
from cbec.activity.location import activity_folder
from cbec.activity.log import ActivityLog, ActivityScan, read_activity, scan_activity
from cbec.activity.timestamps import parse_time

__all__ = ["EVENT_KINDS", "ActivityError", "ActivityLog", "ActivityScan", "activity_folder", "inbound_submissions",
           "parse_time", "read_activity", "scan_activity", "validate_fields"]
