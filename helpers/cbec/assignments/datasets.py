"""Personal datasets: every student analyses a store of their own."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from cbec.identity import resolve_student_id
from cbec.assignments.variants import variant_config
from cbec.data.catalogue import Dataset
from cbec.sim import StoreConfig, StoreData, simulate_store


class StudentDataset(Dataset):
    """One student's store: validated tables with attribute access (``ds.orders``), plus
    whose data it is and the store parameters it was simulated from."""

    def __init__(self, student_id: str, assignment: str, config: StoreConfig, tables: dict[str, pd.DataFrame]):
        super().__init__(f"{assignment}:{student_id}", tables)
        self.student_id = student_id
        self.assignment = assignment
        self.config = config

    def __repr__(self):
        return f"StudentDataset(student_id={self.student_id!r}, assignment={self.assignment!r}, tables={list(self)})"

    def __dir__(self):
        return [*super().__dir__(), *self]


@lru_cache(maxsize=64)
def _simulate(student_id: str, assignment: str) -> StoreData:
    return simulate_store(variant_config(student_id, assignment))


def student_dataset(student_id: str | None = None, assignment: str = "data_operation",
                    *, cwd: Path | None = None) -> StudentDataset:
    """Load the personal dataset of ``student_id`` for ``assignment``.

    When the notebook is being graded by nbgrader the student is taken from the grading
    folder, whatever is passed in; otherwise from the argument, ``CBEC_STUDENT_ID`` or
    ``JUPYTERHUB_USER`` (see :mod:`cbec.identity`).  Each call returns fresh
    copies, so changing a table never changes what the graders see.
    """
    sid = resolve_student_id(student_id, cwd=cwd)
    store = _simulate(sid, assignment)
    tables = {name: df.copy() for name, df in store.tables().items()}
    return StudentDataset(student_id=sid, assignment=assignment, config=store.config, tables=tables)
