"""Personal datasets: every student analyses a store of their own."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from cbec.assignments.identity import resolve_student_id
from cbec.assignments.variants import variant_config
from cbec.sim import StoreConfig, StoreData, simulate_store


@dataclass(frozen=True)
class StudentDataset:
    """The tables of one student's store, with attribute access (``ds.orders``)."""

    student_id: str
    assignment: str
    config: StoreConfig
    tables: dict[str, pd.DataFrame] = field(repr=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = object.__getattribute__(self, "tables")
        if name in tables:
            return tables[name]
        raise AttributeError(f"No table {name!r}; this dataset has {', '.join(tables)}.")

    def __dir__(self):
        return [*super().__dir__(), *self.tables]

    def describe(self) -> pd.DataFrame:
        """Rows and columns of every table, for a first look."""
        return pd.DataFrame(
            [(name, len(df), ", ".join(df.columns)) for name, df in self.tables.items()],
            columns=["table", "rows", "columns"],
        ).set_index("table")


@lru_cache(maxsize=64)
def _simulate(student_id: str, assignment: str) -> StoreData:
    return simulate_store(variant_config(student_id, assignment))


def student_dataset(student_id: str | None = None, assignment: str = "data_operation",
                    *, cwd: Path | None = None) -> StudentDataset:
    """Load the personal dataset of ``student_id`` for ``assignment``.

    When the notebook is being graded by nbgrader the student is taken from the grading
    folder, whatever is passed in; otherwise from the argument, ``CBEC_STUDENT_ID`` or
    ``JUPYTERHUB_USER`` (see :mod:`cbec.assignments.identity`).  Each call returns fresh
    copies, so changing a table never changes what the graders see.
    """
    sid = resolve_student_id(student_id, cwd=cwd)
    store = _simulate(sid, assignment)
    tables = {name: df.copy() for name, df in store.tables().items()}
    return StudentDataset(student_id=sid, assignment=assignment, config=store.config, tables=tables)
