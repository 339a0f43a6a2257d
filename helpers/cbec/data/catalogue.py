"""One catalogue of every dataset a notebook uses, real or simulated.

Entries are contributed, not listed here: each course module's ``datasets`` module and the
programme evaluation's (:mod:`cbec.evaluation.datasets`) expose ``DATASETS``, a list of
:class:`CatalogueEntry`.  Every table is checked against its schema when it is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from cbec.data.schemas import TableSchema


class UnknownDatasetError(KeyError):
    """No catalogue entry has this name."""

    def __str__(self) -> str:  # KeyError would print the message quoted
        return str(self.args[0])


class Dataset(Mapping):
    """Validated tables by name, with attribute access (``ds.orders``)."""

    def __init__(self, name: str, tables: dict[str, pd.DataFrame], schemas: Mapping[str, TableSchema] | None = None):
        self.name = name
        schemas = schemas or {}
        self._tables = {table: schemas[table].validate(frame) if table in schemas else frame
                        for table, frame in tables.items()}

    def __getitem__(self, table: str) -> pd.DataFrame:
        try:
            return self._tables[table]
        except KeyError:
            raise KeyError(f"Dataset {self.name!r} has no table {table!r}; it has {', '.join(self._tables)}.") from None

    def __getattr__(self, table: str) -> pd.DataFrame:
        if table.startswith("_"):
            raise AttributeError(table)
        try:
            return self[table]
        except KeyError as error:
            raise AttributeError(str(error)) from None

    def __iter__(self):
        return iter(self._tables)

    def __len__(self):
        return len(self._tables)

    def __repr__(self):
        return f"Dataset({self.name!r}, tables={list(self._tables)})"

    def describe(self) -> pd.DataFrame:
        """Rows and columns of every table."""
        return pd.DataFrame([(t, len(f), ", ".join(f.columns)) for t, f in self._tables.items()],
                            columns=["table", "rows", "columns"]).set_index("table")


@dataclass(frozen=True)
class CatalogueEntry:
    name: str
    kind: str  # "simulated" or "real"
    description: str
    source: str
    loader: Callable[..., dict[str, pd.DataFrame]]
    schemas: Mapping[str, TableSchema] = field(default_factory=dict)  # the tables it yields
    licence: str = ""


def single_table(table: str, load: Callable[[], pd.DataFrame]) -> Callable[..., dict[str, pd.DataFrame]]:
    """A catalogue loader for a dataset of one table that takes no parameters."""
    def loader(**params):
        if params:
            raise TypeError(f"This dataset takes no parameters, got {sorted(params)}.")
        return {table: load()}
    return loader


#: where entries come from besides the course modules (which are found, see cbec.modules.registry)
_OTHER_CONTRIBUTORS = ("cbec.evaluation.datasets",)


@lru_cache(maxsize=1)
def entries() -> dict[str, CatalogueEntry]:
    """Every catalogue entry by name (collected once from the modules that contribute them)."""
    import importlib

    from cbec.modules.registry import contributed

    found = list(contributed("DATASETS", "datasets"))
    for name in _OTHER_CONTRIBUTORS:
        found.extend(importlib.import_module(name).DATASETS)
    by_name: dict[str, CatalogueEntry] = {}
    for entry in found:
        if entry.name in by_name:
            raise ValueError(f"Two catalogue entries are called {entry.name!r}: rename one of them.")
        by_name[entry.name] = entry
    return by_name


def entry(name: str) -> CatalogueEntry:
    known = entries()
    if name not in known:
        raise UnknownDatasetError(f"No dataset {name!r}. Available: {', '.join(known)} (see cbec.data.catalogue()).")
    return known[name]


def catalogue() -> pd.DataFrame:
    """Every dataset with its kind, tables, description and source."""
    rows = [(e.name, e.kind, ", ".join(e.schemas), e.description, e.source) for e in entries().values()]
    return pd.DataFrame(rows, columns=["name", "kind", "tables", "description", "source"]).set_index("name")


def load(name: str, **params) -> Dataset:
    """Load dataset ``name`` (see :func:`catalogue`), validating every table against its schema."""
    found = entry(name)
    return Dataset(name, found.loader(**params), found.schemas)
