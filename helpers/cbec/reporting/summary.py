"""Machine-readable outputs of a report run: ``summary.json`` and CSV tables.

Every summary carries a ``provenance`` block (:mod:`cbec.reporting.provenance`): the run's
parameters, a hash and row count of each input, the seed, package versions and git commit.
"""

from __future__ import annotations

import datetime
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from cbec.reporting.provenance import Provenance


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


def write_summary(output_dir: str | Path, headline: dict, tables: dict[str, pd.DataFrame] | None = None, *,
                  provenance: Provenance) -> Path:
    """Write ``summary.json`` (strict JSON, NaN as null) and one CSV per table into ``output_dir``.

    ``provenance`` (required) is written under the key ``provenance``; build it with
    :meth:`cbec.reporting.provenance.Provenance.collect`.
    """
    if not isinstance(provenance, Provenance):
        raise TypeError("provenance must be a cbec.reporting.provenance.Provenance, built with "
                        f"Provenance.collect(parameters=..., data=..., seed=...); got {type(provenance).__name__}")
    if "provenance" in headline:
        raise ValueError("the headline has a key 'provenance', which is where the run's provenance goes; rename it")
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    tables = tables or {}
    for name, table in tables.items():
        table.to_csv(folder / f"{name}.csv", index=not isinstance(table.index, pd.RangeIndex))
    payload = plain(dict(headline))
    if tables:
        payload["tables"] = {name: f"{name}.csv" for name in tables}
    payload["provenance"] = plain(provenance.as_dict(folder))
    path = folder / "summary.json"
    path.write_text(json.dumps(payload, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return path
