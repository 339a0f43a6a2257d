"""Personal datasets: every student analyses data of their own, for every assignment.

An assignment's declaration says how to make one student's data
(:attr:`~cbec.assignments.declaration.AssignmentDeclaration.personal_data`); this module
resolves whose it is, caches it and hands out fresh copies.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import pandas as pd

from cbec.assignments.declaration import PersonalData, declaration
from cbec.data.catalogue import Dataset
from cbec.identity import resolve_student_id


class StudentDataset(Dataset):
    """One student's data: validated tables with attribute access (``ds.orders``), plus
    whose data it is and the parameters it was simulated from."""

    def __init__(self, student_id: str, assignment: str, config: object, tables: dict[str, pd.DataFrame],
                 schemas: Mapping | None = None):
        super().__init__(f"{assignment}:{student_id}", tables, schemas)
        self.student_id = student_id
        self.assignment = assignment
        self.config = config

    def __repr__(self):
        return f"StudentDataset(student_id={self.student_id!r}, assignment={self.assignment!r}, tables={list(self)})"

    def __dir__(self):
        return [*super().__dir__(), *self]


@lru_cache(maxsize=64)
def _personal(student_id: str, assignment: str) -> PersonalData:
    found = declaration(assignment)
    if found.personal_data is None:
        raise LookupError(f"Assignment {assignment!r} declares no personal dataset (personal_data is not set).")
    return found.personal_data(student_id)


def personal_dataset(assignment: str, student_id: str | None = None, *, cwd: Path | None = None) -> StudentDataset:
    """The personal dataset of ``student_id`` for ``assignment``.

    When the notebook is being graded by nbgrader the student is taken from the grading
    folder, whatever is passed in; otherwise from the argument, ``CBEC_STUDENT_ID`` or
    ``JUPYTERHUB_USER`` (see :mod:`cbec.identity`).  Each call returns fresh copies, so
    changing a table never changes what the graders see.
    """
    sid = resolve_student_id(student_id, cwd=cwd)
    data = _personal(sid, assignment)
    tables = {name: frame.copy() for name, frame in data.tables.items()}
    return StudentDataset(student_id=sid, assignment=assignment, config=data.config, tables=tables,
                          schemas=data.schemas)
