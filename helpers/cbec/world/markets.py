"""The markets of the simulated world: each market's currency, exchange rate and price level.

Shared by every module's simulator; the list of markets is written here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Market:
    code: str
    currency: str
    usd_per_unit: float  # USD for one unit of the currency (the simulation's base rate)
    price_level: float  # local price level against the US (1.0)


MARKETS: dict[str, Market] = {m.code: m for m in [
    Market("US", "USD", 1.0, 1.00),
    Market("GB", "GBP", 1.27, 1.05),
    Market("DE", "EUR", 1.08, 1.08),
    Market("FR", "EUR", 1.08, 1.08),
    Market("JP", "JPY", 0.0067, 1.02),
    Market("AU", "AUD", 0.66, 1.10),
    Market("CA", "CAD", 0.74, 1.04),
]}
