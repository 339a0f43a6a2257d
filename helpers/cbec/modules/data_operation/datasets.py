"""The Data Operation module's entries in the dataset catalogue: the store and CDNOW."""

from __future__ import annotations

import importlib.resources
from functools import lru_cache

import pandas as pd

from cbec.data.catalogue import CatalogueEntry, single_table
from cbec.modules.data_operation.schemas import SCHEMAS
from cbec.modules.data_operation.store import StoreConfig, StoreData, simulate_store



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


_CDNOW_LICENCE = ("Distributed with the `lifetimes` package for research and teaching; cite Fader, Hardie & "
                  "Lee (2005), Marketing Science 24(2):275-284.")
_CDNOW_SOURCE = ("CDNOW transaction log (Fader, Hardie & Lee 2005), as shipped in the `lifetimes` "
                 "package: lifetimes/datasets/")

DATASETS = [
    CatalogueEntry("store", "simulated",
                   "A cross-border store selling in 7 markets: products, customers, daily sessions and funnel, "
                   "orders, order lines, returns, marketing spend. Parameters are StoreConfig fields.",
                   "cbec.modules.data_operation.store.simulate_store (seeded)", _load_store,
                   {t: SCHEMAS[t] for t in StoreData.TABLES}),
    CatalogueEntry("cdnow_sample", "real",
                   "CDNOW music store: 6,919 purchases by a 1/10 sample of 2,357 customers, 1997-01..1998-06.",
                   _CDNOW_SOURCE + "CDNOW_sample.txt",
                   single_table("transactions", lambda: _read_cdnow("CDNOW_sample.txt").copy()),
                   {"transactions": SCHEMAS["transactions"]}, _CDNOW_LICENCE),
    CatalogueEntry("cdnow_master", "real",
                   "CDNOW music store: 69,659 purchases by the 23,570 customers of the Q1 1997 cohort.",
                   _CDNOW_SOURCE + "CDNOW_master.txt",
                   single_table("transactions", lambda: _read_cdnow("CDNOW_master.txt").copy()),
                   {"transactions": SCHEMAS["transactions"]}, _CDNOW_LICENCE),
]
