"""Input checks shared by the analytics functions.

Every check raises an error that names the problem and says what to do, so a student who
passes the wrong table learns which column is missing and which columns were found.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Real

import pandas as pd


def require_columns(df: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    """Check that ``df`` is a DataFrame holding every column in ``columns``.

    Parameters
    ----------
    df : pandas.DataFrame
        The table to check.
    columns : iterable of str
        Columns the caller needs.
    name : str
        How the caller calls the table (``"orders"``), used in the message.

    Raises
    ------
    TypeError
        If ``df`` is not a DataFrame.
    ValueError
        If columns are missing; the message lists the missing and the found columns.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(df).__name__}.")
    missing = [str(c) for c in columns if c not in df.columns]
    if missing:
        found = ", ".join(map(str, df.columns)) or "no columns"
        raise ValueError(f"{name} is missing column(s) {', '.join(missing)}; found: {found}. "
                         f"Pass the {name} table (or rename its columns).")


def require_datetime(df: pd.DataFrame, column: str, name: str) -> None:
    """Check that ``df[column]`` holds datetimes (not strings), saying how to convert it."""
    require_columns(df, [column], name)
    if not pd.api.types.is_datetime64_any_dtype(df[column]):
        raise ValueError(f"{name}.{column} must hold datetimes, got dtype {df[column].dtype}; "
                         f"convert it with pd.to_datetime({name}[{column!r}]).")


def require_fraction(value: float, name: str) -> None:
    """Check ``0 < value < 1`` (rates, significance levels, power, service levels)."""
    if not isinstance(value, Real) or not 0 < value < 1:
        raise ValueError(f"{name} must be a fraction strictly between 0 and 1, got {value!r} "
                         "(write 5% as 0.05).")


def require_positive(value: float, name: str, *, allow_zero: bool = False) -> None:
    """Check ``value > 0`` (or ``>= 0`` with ``allow_zero``)."""
    ok = isinstance(value, Real) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a number {bound}, got {value!r}.")
