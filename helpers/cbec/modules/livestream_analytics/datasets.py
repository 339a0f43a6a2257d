"""The Live-Stream Commerce Analytics module's entry in the dataset catalogue."""

from __future__ import annotations

from cbec.data.catalogue import CatalogueEntry
from cbec.modules.livestream_analytics.schemas import SCHEMAS


def _season(**params):
    from cbec.modules.livestream_analytics.simulator import simulate_season

    return simulate_season(**params).tables()


DATASETS = [
    CatalogueEntry("livestream_season", "simulated",
                   "A season of live-selling streams: the event log (exposures, room entries and leaves, engagement, "
                   "product clicks, carts, orders, payments, refunds) with streams, hosts, products, line-ups and "
                   "flash deals. Parameters are SeasonConfig fields; scale=44 gives about 10 million events.",
                   "cbec.modules.livestream_analytics.simulator.simulate_season (seeded)", _season, schemas=SCHEMAS),
]
