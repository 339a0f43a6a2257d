"""Student-level tables the evaluation report can run on: built-in names or a file.

The built-in ones are entries of the dataset catalogue (``DATASETS``), each a single table
``students``; a file is read as it is.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from cbec.data.catalogue import CatalogueEntry, single_table
from cbec.evaluation.simulation import ProgrammeConfig, simulate_programme


def _spector() -> pd.DataFrame:
    # Loaded through statsmodels rather than copied: its note says the author keeps the rights.
    from statsmodels.datasets import spector

    frame = spector.load_pandas().data.astype({"PSI": "int64", "GRADE": "int64", "TUCE": "int64"})
    return frame


#: the table of one row per student that every built-in evaluation dataset yields
STUDENTS = "students"


DATASETS = [
    CatalogueEntry("programme", "simulated",
                   "Simulated programme, cohorts 2019-2024, 6 classes each (3 pilot); pilot classes switch to the "
                   "course-competition model in 2021. True effects: see cbec.evaluation.simulation.TrueEffects.",
                   "cbec.evaluation.simulation.simulate_programme(ProgrammeConfig()) (seeded)",
                   single_table(STUDENTS, lambda: simulate_programme(ProgrammeConfig()))),
    CatalogueEntry("spector", "real",
                   "Spector & Mazzeo (1980): 32 students, whether the PSI teaching method improved grades "
                   "(GRADE), with GPA and the TUCE pre-test.",
                   "statsmodels.datasets.spector (Greene, Econometric Analysis, Table 21.1)",
                   single_table(STUDENTS, _spector), licence="Loaded from statsmodels; the author keeps the rights."),
]
BUILTIN = {entry.name: entry for entry in DATASETS}

READERS = {".csv": pd.read_csv, ".parquet": pd.read_parquet, ".pq": pd.read_parquet}


class DataSourceError(ValueError):
    """The ``data`` parameter names nothing that can be read."""


def describe_source(data: str | Path) -> str:
    text = str(data)
    if text in BUILTIN:
        entry = BUILTIN[text]
        return f"{entry.name}: {entry.description} Source: {entry.source}."
    return f"file {Path(text).resolve()}"


@functools.lru_cache(maxsize=None)
def _builtin_table(name: str) -> pd.DataFrame:
    # kept: the report hashes the table it analysed for its provenance, and must not build it twice
    return BUILTIN[name].loader()[STUDENTS]


def load_table(data: str | Path) -> pd.DataFrame:
    """A built-in table by name, or a CSV / Parquet file of one row per student."""
    text = str(data)
    if text in BUILTIN:
        return _builtin_table(text).copy()
    path = Path(text).expanduser()
    if path.suffix.lower() not in READERS:
        if not path.suffix:
            raise DataSourceError(f"{text!r} is neither a built-in dataset ({', '.join(BUILTIN)}) "
                                  "nor a .csv or .parquet file.")
        raise DataSourceError(f"{text!r}: cannot read {path.suffix!r} files; use .csv or .parquet.")
    if not path.is_file():
        raise DataSourceError(f"file {path.resolve()} does not exist.")
    try:
        return READERS[path.suffix.lower()](path)
    except Exception as error:  # the readers raise many types for damaged files
        raise DataSourceError(f"cannot read {path.resolve()}: {type(error).__name__}: {error}") from None
