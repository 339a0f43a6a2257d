"""The live-stream season's configuration and the fixed facts of its world (slots, traffic sources,
product categories, host names): what :mod:`.simulator` and its parts share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from cbec.modules.livestream_analytics.schemas import DEAL_FORMATS, EVENT_TYPES, SLOTS, TRAFFIC_SOURCES
from cbec.world.simulated import frozen_mapping

EVENT_TYPE_DTYPE = pd.CategoricalDtype(EVENT_TYPES)
TRAFFIC_SOURCE_DTYPE = pd.CategoricalDtype(TRAFFIC_SOURCES)
SLOT_DTYPE = pd.CategoricalDtype(SLOTS)
DEAL_FORMAT_DTYPE = pd.CategoricalDtype(DEAL_FORMATS)
ATTRIBUTION_DAYS = 14
MS_PER_MINUTE = 60_000
#: order ids are ``stream_id * ORDER_ID_STRIDE + n``: unique without a season-wide counter
ORDER_ID_STRIDE = 10_000_000

SLOT_START_HOUR = MappingProxyType({"morning": 9, "afternoon": 14, "prime": 20, "late": 23})
SLOT_TRAFFIC = MappingProxyType({"morning": 0.55, "afternoon": 0.8, "prime": 1.5, "late": 1.05})
SLOT_ORDER_EFFECT = MappingProxyType({"morning": 0.8, "afternoon": 0.95, "prime": 1.25, "late": 1.05})
#: Monday..Sunday; weekend audiences have time to buy
WEEKDAY_ORDER_EFFECT = np.array([0.92, 0.92, 0.95, 1.0, 1.05, 1.2, 1.15])
#: share of a typical stream's room entries from each source, and the entry rate of an exposure
SOURCE_ENTRY_SHARE = MappingProxyType({"recommendation_feed": 0.40, "follow_feed": 0.25, "short_video": 0.15,
                                       "search": 0.08, "paid_ads": 0.12})
SOURCE_ENTRY_RATE = MappingProxyType({"recommendation_feed": 0.22, "follow_feed": 0.45, "short_video": 0.30,
                                      "search": 0.40, "paid_ads": 0.12})
#: followers and searchers came for the host or the product; paid traffic buys least
SOURCE_ORDER_EFFECT = MappingProxyType({"recommendation_feed": 1.0, "follow_feed": 1.8, "short_video": 1.1,
                                        "search": 1.6, "paid_ads": 0.55})
REFERENCE_FOLLOWERS = 20_000
REFERENCE_AD_BUDGET = 150.0

PRODUCT_CATEGORIES = MappingProxyType({
    "beauty": (("Serum", "Lip Tint", "Sunscreen", "Sheet Masks", "Eyeliner", "Cushion Foundation"), (8, 35)),
    "fashion": (("Silk Scarf", "Tote Bag", "Sneakers", "Hoodie", "Sunglasses", "Linen Shirt"), (12, 60)),
    "home": (("Storage Boxes", "Throw Blanket", "Aroma Diffuser", "Knife Set", "Bath Towels", "Desk Organiser"),
             (10, 55)),
    "snacks": (("Dried Mango", "Matcha Cookies", "Spicy Noodles", "Nut Mix", "Milk Tea Kit", "Seaweed Chips"),
               (4, 18)),
    "electronics": (("Phone Case", "Wireless Earbuds", "Power Bank", "Charging Cable", "Ring Light",
                     "Smart Watch Band"), (6, 45)),
    "toys": (("Building Bricks", "Plush Toy", "Puzzle Set", "Water Colours", "Card Game", "Blind Box"), (5, 30)),
})
PRODUCT_ADJECTIVES = ("Classic", "Mini", "Deluxe", "Travel", "Everyday", "Limited", "Soft", "Pro")
HOST_FIRST_NAMES = ("Mia", "Leo", "Ava", "Kai", "Zoe", "Max", "Ivy", "Sam", "Lily", "Noah", "Ruby", "Finn",
                    "Luna", "Omar", "Nina", "Theo", "Jade", "Alex", "Yara", "Ben")
HOST_SUFFIXES = ("Live", "Picks", "Deals", "Studio", "Closet", "Corner", "Finds", "Daily")



@dataclass(frozen=True)
class SeasonConfig:
    """Parameters of a simulated season; ``dataclasses.replace`` makes variants.

    ``scale`` grows the season: hosts and room entries per stream each by about
    ``sqrt(scale)``, so the number of events grows about in proportion to ``scale`` (the
    default, about a quarter of a million events, times 44 gives about 10 million). Rates are per
    viewer-minute present in the room unless named otherwise.
    """

    seed: int = 0
    start: str = "2024-09-02"
    season_days: int = 28
    n_hosts: int = 8
    streams_per_host: int = 6
    stream_minutes: int = 90
    viewers_per_stream: float = 500.0
    n_products: int = 60
    products_per_stream: tuple[int, int] = (6, 12)
    deals_per_stream: int = 3
    deal_minutes: tuple[int, int] = (3, 8)
    scale: float = 1.0
    deal_uplift: Mapping = field(default_factory=lambda: frozen_mapping(
        {"flash_price": 2.6, "coupon": 1.7, "bundle": 1.35}))
    deal_format_shares: Mapping = field(default_factory=lambda: frozen_mapping(
        {"flash_price": 0.4, "coupon": 0.35, "bundle": 0.25}))
    deal_attention: float = 0.8
    deal_traffic_lift: float = 1.5
    base_order_rate: float = 0.001
    host_effect_sigma: float = 0.35
    watch_median_minutes: float = 1.6
    watch_sigma: float = 1.25
    click_rate: float = 0.06
    comment_rate: float = 0.08
    like_rate: float = 0.35
    share_rate: float = 0.01
    follow_rate: float = 0.05
    reentry_rate: float = 0.06
    payment_rate: float = 0.93
    refund_rate: float = 0.08
    post_stream_order_share: float = 0.2
    beyond_window_share: float = 0.05

    def __post_init__(self):
        def bad(name, why):
            raise ValueError(f"SeasonConfig.{name}={getattr(self, name)!r}: {why}")

        def whole(name, low, high=None):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low or \
                    (high is not None and value > high):
                bad(name, f"must be a whole number >= {low}" + (f" and <= {high}" if high is not None else ""))

        if not isinstance(self.seed, (int, np.integer)) or isinstance(self.seed, bool) or self.seed < 0:
            bad("seed", "must be a non-negative integer (turn a student id into one first)")
        try:
            pd.Timestamp(self.start)
        except (ValueError, TypeError):
            bad("start", "must be a date such as '2024-09-02'")
        whole("season_days", 1, 366)
        whole("n_hosts", 1)
        whole("streams_per_host", 1)
        if self.streams_per_host > self.season_days:
            bad("streams_per_host", f"must be <= season_days = {self.season_days} (a host streams at most once a day)")
        whole("stream_minutes", 20, 24 * 60)
        whole("n_products", 1)
        low, high = self.products_per_stream
        if not (isinstance(low, (int, np.integer)) and isinstance(high, (int, np.integer)) and 1 <= low <= high):
            bad("products_per_stream", "must be (fewest, most) whole numbers with 1 <= fewest <= most")
        if high > self.n_products:
            bad("products_per_stream", f"asks for up to {high} products but n_products = {self.n_products}")
        if high * 4 > self.stream_minutes * 0.8:
            bad("products_per_stream", "leaves under 4 minutes per product: fewer products or longer streams")
        whole("deals_per_stream", 0)
        if self.deals_per_stream > low:
            bad("deals_per_stream", f"must be <= the fewest products per stream ({low}): one deal per product")
        shortest, longest = self.deal_minutes
        if not (isinstance(shortest, (int, np.integer)) and isinstance(longest, (int, np.integer))
                and 1 <= shortest <= longest):
            bad("deal_minutes", "must be (shortest, longest) whole minutes with 1 <= shortest <= longest")
        if not (isinstance(self.scale, (int, float, np.number)) and 0.01 <= self.scale <= 100_000):
            bad("scale", "must be a number in [0.01, 100000]; 44 gives about 10 million events")
        if not self.viewers_per_stream > 0:
            bad("viewers_per_stream", "must be > 0 (expected room entries of a typical stream)")
        for name in ("deal_uplift", "deal_format_shares"):
            values = getattr(self, name)
            if set(values) != set(DEAL_FORMATS) or not all(v >= 0 for v in values.values()):
                bad(name, f"needs a non-negative number for each of {list(DEAL_FORMATS)}")
            object.__setattr__(self, name, frozen_mapping({f: float(values[f]) for f in DEAL_FORMATS}))
        if not all(v > 0 for v in self.deal_uplift.values()):
            bad("deal_uplift", "every factor must be > 0 (1 = no effect)")
        if abs(sum(self.deal_format_shares.values()) - 1) > 1e-9:
            bad("deal_format_shares", "shares must sum to 1")
        for name in ("deal_attention", "host_effect_sigma", "click_rate", "comment_rate", "like_rate",
                     "share_rate"):
            if not getattr(self, name) >= 0:
                bad(name, "must be >= 0")
        for name in ("deal_traffic_lift", "watch_median_minutes", "watch_sigma", "base_order_rate"):
            if not getattr(self, name) > 0:
                bad(name, "must be > 0")
        if self.base_order_rate > 0.05:
            bad("base_order_rate", "is per viewer-minute: keep it <= 0.05 (0.001 gives about 1% of viewers ordering)")
        for name in ("follow_rate", "reentry_rate", "payment_rate", "refund_rate", "beyond_window_share"):
            if not 0 <= getattr(self, name) <= 1:
                bad(name, "must be a share in [0, 1]")
        if not 0 <= self.post_stream_order_share < 0.9:
            bad("post_stream_order_share", "must be a share in [0, 0.9)")

    def __hash__(self):
        return hash(tuple(tuple(sorted(v.items())) if isinstance(v, Mapping) else v
                          for v in (getattr(self, f) for f in self.__dataclass_fields__)))

    def __reduce__(self):
        # mapping proxies do not pickle: rebuild from plain dicts (for worker processes)
        return (_config_from_fields, ({f: dict(v) if isinstance(v, Mapping) else v
                                       for f, v in ((f, getattr(self, f)) for f in self.__dataclass_fields__)},))

    @property
    def total_hosts(self) -> int:
        """Hosts in the season after ``scale``."""
        return max(1, int(round(self.n_hosts * np.sqrt(self.scale))))

    @property
    def entries_per_stream(self) -> float:
        """Expected room entries of a typical stream after ``scale``."""
        return self.viewers_per_stream * float(np.sqrt(self.scale))


def _config_from_fields(fields: dict) -> SeasonConfig:
    return SeasonConfig(**fields)
