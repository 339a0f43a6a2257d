"""UTC times: every time in the activity log is stored and compared in UTC."""

from __future__ import annotations

import datetime as dt

import pandas as pd


def utc_now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC")


def parse_time(value) -> pd.Timestamp:
    """``value`` (ISO text, datetime, Timestamp) as a UTC Timestamp; naive times are read as UTC.

    Raises :class:`~cbec.activity.events.ActivityError` when it is not a time.
    """
    from cbec.activity.events import ActivityError

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ActivityError(f"{value!r} is a number, not a time; give an ISO 8601 time such as 2026-03-01T09:30Z.")
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ActivityError(f"{value!r} is not a time; give an ISO 8601 time such as 2026-03-01T09:30Z.") from None
    if stamp is pd.NaT or pd.isna(stamp):
        raise ActivityError(f"{value!r} is not a time; give an ISO 8601 time such as 2026-03-01T09:30Z.")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def iso(stamp: pd.Timestamp | dt.datetime) -> str:
    """The stored form: ``2026-03-01T09:30:00.123456+00:00``."""
    return parse_time(stamp).isoformat()
