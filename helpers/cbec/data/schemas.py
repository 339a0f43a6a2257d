"""Documented table schemas, checked when a dataset is loaded (each module declares its own)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from pandas.api import types as ptypes


class SchemaError(ValueError):
    """A table does not have the columns or types its schema promises."""


@dataclass(frozen=True)
class Column:
    kind: str  # "string", "category", "integer", "float", "boolean" or "datetime"
    description: str


_KIND_CHECKS = {
    "string": lambda s: ptypes.is_string_dtype(s) or ptypes.is_object_dtype(s),
    "integer": ptypes.is_integer_dtype,
    "float": lambda s: ptypes.is_float_dtype(s) or ptypes.is_integer_dtype(s),
    "datetime": ptypes.is_datetime64_any_dtype,
    "boolean": ptypes.is_bool_dtype,
    # a fixed vocabulary: a pandas Categorical, or plain text
    "category": lambda s: isinstance(s.dtype, pd.CategoricalDtype) or ptypes.is_string_dtype(s)
    or ptypes.is_object_dtype(s),
}


@dataclass(frozen=True)
class TableSchema:
    name: str
    description: str
    columns: dict[str, Column]

    def validate(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return ``frame`` if it fits the schema, else raise :class:`SchemaError` naming every problem."""
        if not isinstance(frame, pd.DataFrame):
            raise SchemaError(f"Table {self.name!r} must be a pandas DataFrame, got {type(frame).__name__}.")
        missing = [c for c in self.columns if c not in frame.columns]
        wrong = [f"{c} (expected {col.kind}, found {frame[c].dtype})"
                 for c, col in self.columns.items() if c in frame.columns and not _KIND_CHECKS[col.kind](frame[c])]
        if missing or wrong:
            parts = []
            if missing:
                parts.append(f"missing column(s): {', '.join(missing)}")
            if wrong:
                parts.append(f"wrong type: {'; '.join(wrong)}")
            raise SchemaError(
                f"Table {self.name!r} does not match its schema: {' | '.join(parts)}. "
                f"Columns found: {', '.join(map(str, frame.columns))}. "
                "Rename or convert the columns (see cbec.data.catalogue() and its schemas) and load again.")
        return frame

    def describe(self) -> pd.DataFrame:
        return pd.DataFrame([(c, col.kind, col.description) for c, col in self.columns.items()],
                            columns=["column", "kind", "description"])


def table_schema(name: str, description: str, **columns: tuple[str, str]) -> TableSchema:
    """A schema from ``column=(kind, description)`` keywords."""
    return TableSchema(name, description, {c: Column(*spec) for c, spec in columns.items()})

