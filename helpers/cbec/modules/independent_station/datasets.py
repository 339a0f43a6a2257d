"""The Independent Station module's entries in the dataset catalogue."""

from __future__ import annotations

from cbec.data.catalogue import CatalogueEntry
from cbec.modules.independent_station.schemas import SCHEMAS


def _store(**params):
    from cbec.modules.independent_station.simulator import simulate_store

    return simulate_store(**params).tables()


DATASETS = [
    CatalogueEntry("brand_store", "simulated",
                   "A brand's own online store over half a year: web sessions with landing URLs (messy UTM tags) and "
                   "referrers, checkout steps, orders with costs and payment fees, daily ad spend per channel and "
                   "campaign, email sends and a geo holdout test. Parameters are StoreConfig fields; the truth "
                   "(each channel's incremental conversions) comes with simulate_store().truth.",
                   "cbec.modules.independent_station.simulator.simulate_store (seeded)", _store, schemas=SCHEMAS),
]
