"""The store simulator's parameters: traffic sources, paid channels, product categories.

Ranges follow published benchmarks: own-store conversion 1-3%, apparel returns 30-40%
(see the module README and ``data/README.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MARKET_WEIGHTS = {"US": 0.34, "GB": 0.14, "DE": 0.15, "FR": 0.09, "JP": 0.10, "AU": 0.08, "CA": 0.10}


@dataclass(frozen=True)
class TrafficSource:
    share_of_sessions: float
    conversion_rate: float  # orders per session


@dataclass(frozen=True)
class PaidChannel:
    cost_per_click_usd: float
    click_through_rate: float


@dataclass(frozen=True)
class Category:
    catalogue_share: float
    median_unit_cost_usd: float
    item_return_probability: float


TRAFFIC_SOURCES = {
    "organic_search": TrafficSource(0.30, 0.018),
    "paid_search": TrafficSource(0.20, 0.021),
    "social": TrafficSource(0.20, 0.008),
    "email": TrafficSource(0.08, 0.042),
    "direct": TrafficSource(0.15, 0.030),
    "affiliate": TrafficSource(0.07, 0.015),
}

PAID_CHANNELS = {
    "paid_search": PaidChannel(0.90, 0.020),
    "social": PaidChannel(0.60, 0.008),
    "affiliate": PaidChannel(0.40, 0.005),
}

CATEGORIES = {
    "apparel": Category(0.30, 9.0, 0.42),
    "electronics": Category(0.15, 22.0, 0.15),
    "home": Category(0.18, 12.0, 0.20),
    "beauty": Category(0.12, 6.0, 0.12),
    "toys": Category(0.12, 8.0, 0.16),
    "sports": Category(0.13, 14.0, 0.22),
}

#: return reason -> probability, by category ("default" for the others)
RETURN_REASONS = {
    "apparel": {"wrong_size": 0.55, "not_as_described": 0.2, "changed_mind": 0.15, "damaged": 0.05, "late_delivery": 0.05},
    "default": {"damaged": 0.3, "not_as_described": 0.3, "changed_mind": 0.25, "late_delivery": 0.15},
}
