"""Input checks shared by every module's analytics: required columns, fractions."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def require_columns(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    """Raise ValueError naming every missing column of ``name`` and the columns it has."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {', '.join(missing)}; "
                         f"it has: {', '.join(map(str, frame.columns))}.")


def require_fraction(value: float, name: str, *, open_interval: bool = True) -> None:
    low_ok = value > 0 if open_interval else value >= 0
    high_ok = value < 1 if open_interval else value <= 1
    if not (low_ok and high_ok):
        raise ValueError(f"{name} must be a fraction strictly between 0 and 1, got {value!r}.")
