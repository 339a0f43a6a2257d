"""Machine-readable outputs of a report run: ``summary.json`` and CSV tables."""

from __future__ import annotations

import datetime
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd


def plain(value):
    """JSON-safe Python values: numpy scalars unwrapped, NaN and infinities as null."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def write_summary(output_dir: str | Path, headline: dict, tables: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write ``summary.json`` (strict JSON, NaN as null) and one CSV per table into ``output_dir``."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    tables = tables or {}
    for name, table in tables.items():
        table.to_csv(folder / f"{name}.csv", index=not isinstance(table.index, pd.RangeIndex))
    payload = plain(dict(headline))
    if tables:
        payload["tables"] = {name: f"{name}.csv" for name in tables}
    path = folder / "summary.json"
    path.write_text(json.dumps(payload, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return path
