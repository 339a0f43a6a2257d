"""Markets, currencies, traffic sources and product categories of the simulated store."""

from __future__ import annotations

# market -> (currency, USD per unit of currency, local price level vs US)
MARKETS = {
    "US": ("USD", 1.0, 1.00),
    "GB": ("GBP", 1.27, 1.05),
    "DE": ("EUR", 1.08, 1.08),
    "FR": ("EUR", 1.08, 1.08),
    "JP": ("JPY", 0.0067, 1.02),
    "AU": ("AUD", 0.66, 1.10),
    "CA": ("CAD", 0.74, 1.04),
}
DEFAULT_MARKET_WEIGHTS = {"US": 0.34, "GB": 0.14, "DE": 0.15, "FR": 0.09, "JP": 0.10, "AU": 0.08, "CA": 0.10}

# traffic source -> (share of sessions, session conversion rate)
TRAFFIC_SOURCES = {
    "organic_search": (0.30, 0.018),
    "paid_search": (0.20, 0.021),
    "social": (0.20, 0.008),
    "email": (0.08, 0.042),
    "direct": (0.15, 0.030),
    "affiliate": (0.07, 0.015),
}

# paid channel -> (cost per click in USD, click-through rate)
PAID_CHANNELS = {"paid_search": (0.90, 0.020), "social": (0.60, 0.008), "affiliate": (0.40, 0.005)}

# category -> (share of catalogue, median unit cost USD, item return probability)
CATEGORIES = {
    "apparel": (0.30, 9.0, 0.42),
    "electronics": (0.15, 22.0, 0.15),
    "home": (0.18, 12.0, 0.20),
    "beauty": (0.12, 6.0, 0.12),
    "toys": (0.12, 8.0, 0.16),
    "sports": (0.13, 14.0, 0.22),
}

RETURN_REASONS = {
    "apparel": {"wrong_size": 0.55, "not_as_described": 0.2, "changed_mind": 0.15, "damaged": 0.05, "late_delivery": 0.05},
    "default": {"damaged": 0.3, "not_as_described": 0.3, "changed_mind": 0.25, "late_delivery": 0.15},
}
