"""Machine-readable outputs of a report run."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    return value


def write_summary(output_dir: str | Path, headline: dict, tables: dict[str, pd.DataFrame]) -> Path:
    """Write ``summary.json`` (headline numbers) and one CSV per table into ``output_dir``."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.to_csv(folder / f"{name}.csv", index=not isinstance(table.index, pd.RangeIndex))
    payload = {key: _clean(value) for key, value in headline.items()}
    payload["tables"] = {name: f"{name}.csv" for name in tables}
    path = folder / "summary.json"
    path.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    return path
