"""One catalogue of every dataset a notebook uses, real or simulated."""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from cbec.data.schemas import SCHEMAS
from cbec.sim import StoreConfig, simulate_store


class Dataset(Mapping):
    """Validated tables by name, with attribute access (``ds.orders``)."""

    def __init__(self, name: str, tables: dict[str, pd.DataFrame]):
        self.name = name
        self._tables = {table: SCHEMAS[table].validate(frame) for table, frame in tables.items()}

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


def _load_store(**params) -> dict[str, pd.DataFrame]:
    return simulate_store(StoreConfig(**params)).tables()


# The two files differ: the sample has no header and an extra id column; the master has a header.
_CDNOW_LAYOUT = {
    "CDNOW_sample.txt": dict(header=None, names=["customer_id", "id2", "date", "quantity", "amount"]),
    "CDNOW_master.txt": dict(header=0, names=["customer_id", "date", "quantity", "amount"]),
}


@lru_cache(maxsize=4)
def _read_cdnow(filename: str) -> pd.DataFrame:
    path = importlib.resources.files("lifetimes") / "datasets" / filename
    with importlib.resources.as_file(path) as file:
        raw = pd.read_csv(file, sep=r"\s+", dtype={"customer_id": str, "date": str}, **_CDNOW_LAYOUT[filename])
    return pd.DataFrame({
        "customer_id": raw["customer_id"].str.lstrip("0"),
        "date": pd.to_datetime(raw["date"], format="%Y%m%d"),
        "quantity": raw["quantity"].astype("int64"),
        "amount": raw["amount"].astype("float64"),
    })


def _cdnow(filename: str) -> Callable[..., dict[str, pd.DataFrame]]:
    def load(**params):
        if params:
            raise TypeError(f"The CDNOW datasets take no parameters, got {sorted(params)}.")
        return {"transactions": _read_cdnow(filename).copy()}
    return load


_CDNOW_SOURCE = ("CDNOW transaction log (Fader, Hardie & Lee 2005), as shipped in the `lifetimes` "
                 "package: lifetimes/datasets/")

CATALOGUE: dict[str, CatalogueEntry] = {e.name: e for e in [
    CatalogueEntry("store", "simulated",
                   "A cross-border store selling in 7 markets: products, customers, daily sessions and funnel, "
                   "orders, order lines, returns, marketing spend. Parameters are StoreConfig fields.",
                   "cbec.sim.simulate_store (seeded)", _load_store),
    CatalogueEntry("cdnow_sample", "real",
                   "CDNOW music store: 6,919 purchases by a 1/10 sample of 2,357 customers, 1997-01..1998-06.",
                   _CDNOW_SOURCE + "CDNOW_sample.txt", _cdnow("CDNOW_sample.txt")),
    CatalogueEntry("cdnow_master", "real",
                   "CDNOW music store: 69,659 purchases by the 23,570 customers of the Q1 1997 cohort.",
                   _CDNOW_SOURCE + "CDNOW_master.txt", _cdnow("CDNOW_master.txt")),
]}


def catalogue() -> pd.DataFrame:
    """Every dataset with its kind, tables, description and source."""
    rows = []
    for e in CATALOGUE.values():
        tables = "transactions" if e.kind == "real" else ", ".join(
            ("products", "customers", "sessions", "orders", "order_lines", "returns", "marketing_spend"))
        rows.append((e.name, e.kind, tables, e.description, e.source))
    return pd.DataFrame(rows, columns=["name", "kind", "tables", "description", "source"]).set_index("name")


def load(name: str, **params) -> Dataset:
    """Load dataset ``name`` (see :func:`catalogue`), validating every table against its schema."""
    if name not in CATALOGUE:
        raise KeyError(f"No dataset {name!r}. Available: {', '.join(CATALOGUE)}.")
    return Dataset(name, CATALOGUE[name].loader(**params))
