"""A seeded season of live-selling streams, from one lecture's worth of events to a hundred million.

``simulate_season(seed=3)`` returns :class:`SeasonData`: the tables of
:mod:`~cbec.modules.livestream_analytics.schemas` (events, streams, hosts, products, lineup,
deals) and :class:`SeasonTruth`, the parameters that generated them, so an analysis can be
checked against the truth.

How the data arise:

- hosts differ in a latent quality. Better hosts get the prime slot, stream more at weekends,
  have more followers and bigger ad budgets, and also sell better: their true effects
  (``truth.hosts``) are confounded with slot, weekday, followers and paid traffic;
- each stream presents a line-up of products, one pinned on screen at a time, and runs a few
  flash deals, each on the product pinned at that moment;
- viewers are exposed to the stream from a traffic source (more exposures during deals) and a
  share of them enter the room; viewer ids come from each host's followers or a public pool,
  so the same viewers come back across streams;
- a viewer stays for a heavy-tailed (lognormal) time counted on a clock that runs slower
  while something engaging happens (a deal, a demo): watch time is longer during deals. A
  viewer still watching when the stream ends has no ``leave`` row (censored). Some leavers
  come back later in the same stream;
- while present, a viewer comments, likes, shares and clicks at rates that rise in engaging
  minutes, so engagement per minute rises with concurrency and deals and correlates with
  orders without causing them (``truth.comment_effect_on_orders`` is 0);
- orders arrive at a per-viewer-minute rate: a base rate times the host, slot, weekday,
  traffic-source and product effects, times the format's ``deal_uplift`` inside a deal
  window. Each order follows a click (and usually an add-to-cart) of the pinned product;
- some carts are ordered after the stream, mostly within the 14-day attribution window; most
  orders are paid, and some payments are refunded days later.

Events are generated in blocks of consecutive streams, each block from its own random stream
(derived from the seed and the block number), so a season can be written to Parquet block by
block (:mod:`~cbec.modules.livestream_analytics.storage`) and equals the one held in memory.
Everything inside a block is vectorised with numpy.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np
import pandas as pd

from cbec.modules.livestream_analytics.schemas import DEAL_FORMATS, EVENT_TYPES, SLOTS, TRAFFIC_SOURCES
from cbec.world.calendar import WEEKDAY_FACTOR
from cbec.world.simulated import SimulatedTables, config_from, frozen_mapping

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


@dataclass(frozen=True)
class SeasonTruth:
    """What generated the data (the answers an analysis should recover).

    Order rates are per viewer-minute in the room: ``base_order_rate`` times the host's
    ``order_effect`` (``hosts``), ``slot_order_effect``, ``weekday_order_effect``, the viewer's
    ``source_order_effect``, the pinned product's ``appeal`` (``products``) and, inside a deal
    window, ``deal_uplift[format]``. Watch time is lognormal (``watch_median_minutes``,
    ``watch_sigma``, times the host's ``retention_effect``) on a clock that runs
    ``1 + deal_attention`` times slower in deal windows (and ``1 + boost`` in
    ``engaging_moments``); engagement rates are multiplied by the same attention.
    """

    deal_uplift: Mapping
    deal_attention: float
    deal_traffic_lift: float
    base_order_rate: float
    hosts: pd.DataFrame              # host_id, quality, order_effect, entry_effect, retention_effect, preferred_slot
    products: pd.DataFrame           # product_id, appeal
    engaging_moments: pd.DataFrame   # stream_id, start, end, boost
    slot_traffic: Mapping
    slot_order_effect: Mapping
    weekday_traffic: tuple[float, ...]
    weekday_order_effect: tuple[float, ...]
    source_entry_rate: Mapping
    source_order_effect: Mapping
    watch_median_minutes: float
    watch_sigma: float
    click_rate: float
    comment_rate: float
    like_rate: float
    share_rate: float
    comment_effect_on_orders: float
    follow_rate: float
    reentry_rate: float
    payment_rate: float
    refund_rate: float
    post_stream_order_share: float
    beyond_window_share: float
    attribution_days: int

    def host_order_effect(self) -> pd.Series:
        """The true multiplicative effect of each host on the order rate, by host_id."""
        return self.hosts.set_index("host_id")["order_effect"]


@dataclass(frozen=True)
class SeasonData(SimulatedTables):
    """The tables of one simulated season, and the truth behind them."""

    config: SeasonConfig
    truth: SeasonTruth
    events: pd.DataFrame
    streams: pd.DataFrame
    hosts: pd.DataFrame
    products: pd.DataFrame
    lineup: pd.DataFrame
    deals: pd.DataFrame

    TABLES = ("events", "streams", "hosts", "products", "lineup", "deals")


@dataclass(frozen=True)
class SeasonPlan:
    """Everything of a season except its events: the dimension tables, the truth and, per
    stream, what the event generator needs (minutes, effects, grids' ingredients)."""

    config: SeasonConfig
    truth: SeasonTruth
    streams: pd.DataFrame
    hosts: pd.DataFrame
    products: pd.DataFrame
    lineup: pd.DataFrame
    deals: pd.DataFrame
    block_streams: int                 # consecutive streams generated together
    viewer_pool: Mapping               # follower id ranges per host and the public pool

    @property
    def n_blocks(self) -> int:
        return -(-len(self.streams) // self.block_streams)

    def block_stream_ids(self, block: int) -> np.ndarray:
        ids = self.streams["stream_id"].to_numpy()
        return ids[block * self.block_streams:(block + 1) * self.block_streams]


# --------------------------------------------------------------------------- public entry points

def simulate_season(config: SeasonConfig | None = None, **overrides) -> SeasonData:
    """Simulate a season; ``simulate_season(seed=3, n_hosts=6)`` builds the config."""
    config = config_from(SeasonConfig, config, overrides)
    plan = plan_season(config)
    blocks = [_event_block(plan, block) for block in range(plan.n_blocks)]
    columns = {name: np.concatenate([b[name] for b in blocks]) for name in blocks[0]}
    return SeasonData(config, plan.truth, _events_frame(columns), plan.streams, plan.hosts, plan.products,
                      plan.lineup, plan.deals)


def iter_event_blocks(plan: SeasonPlan) -> Iterator[pd.DataFrame]:
    """The season's events one block of streams at a time (their concatenation is
    ``simulate_season(plan.config).events``): how a season too big for memory is written."""
    for block in range(plan.n_blocks):
        yield _events_frame(_event_block(plan, block))


def config_for_events(n_events: float, **fields) -> SeasonConfig:
    """A config (``fields`` as given) whose ``scale`` gives about ``n_events`` events.

    Simulates the unscaled config once to measure events per unit of scale.
    """
    base = SeasonConfig(**{**fields, "scale": 1.0})
    measured = len(simulate_season(base).events)
    return replace(base, scale=float(np.clip(n_events / measured, 0.01, 100_000)))


# --------------------------------------------------------------------------- the season plan

def plan_season(config: SeasonConfig) -> SeasonPlan:
    """Hosts, products, the stream schedule, line-ups, deals and the truth (no events yet)."""
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(config.seed).spawn(4)]
    host_rng, product_rng, schedule_rng, lineup_rng = rngs
    hosts, host_truth = _hosts(config, host_rng)
    products, product_truth = _products(config, product_rng)
    streams = _streams(config, host_truth, schedule_rng)
    lineup, deals, moments = _lineups_and_deals(config, streams, products, lineup_rng)
    streams["n_products"] = np.bincount(lineup["stream_id"].to_numpy() - 1,
                                        minlength=len(streams)).astype("int32")

    followers_end = host_truth["followers_end"].to_numpy()
    follower_offset = np.concatenate([[1], 1 + np.cumsum(followers_end)[:-1]]).astype("int64")
    public_offset = int(1 + followers_end.sum())
    # twice the season's entries: regulars come back, most public viewers are seen once
    public_size = int(max(1000, 2 * len(streams) * config.entries_per_stream))
    pool = frozen_mapping({"follower_offset": follower_offset, "public_offset": public_offset, "public_size": public_size})
    # blocks of about 300 thousand events: big enough for numpy, small enough to stay in cache
    expected_events_per_stream = 8.5 * config.entries_per_stream
    block_streams = int(np.clip(round(300_000 / expected_events_per_stream), 1, 256))

    truth = SeasonTruth(
        deal_uplift=config.deal_uplift, deal_attention=config.deal_attention,
        deal_traffic_lift=config.deal_traffic_lift, base_order_rate=config.base_order_rate,
        hosts=host_truth.drop(columns=["followers_start", "followers_end", "weekly_growth", "ad_scale"]),
        products=product_truth, engaging_moments=moments,
        slot_traffic=SLOT_TRAFFIC, slot_order_effect=SLOT_ORDER_EFFECT,
        weekday_traffic=tuple(float(x) for x in WEEKDAY_FACTOR),
        weekday_order_effect=tuple(float(x) for x in WEEKDAY_ORDER_EFFECT),
        source_entry_rate=SOURCE_ENTRY_RATE, source_order_effect=SOURCE_ORDER_EFFECT,
        watch_median_minutes=config.watch_median_minutes, watch_sigma=config.watch_sigma,
        click_rate=config.click_rate, comment_rate=config.comment_rate, like_rate=config.like_rate,
        share_rate=config.share_rate, comment_effect_on_orders=0.0, follow_rate=config.follow_rate,
        reentry_rate=config.reentry_rate, payment_rate=config.payment_rate, refund_rate=config.refund_rate,
        post_stream_order_share=config.post_stream_order_share, beyond_window_share=config.beyond_window_share,
        attribution_days=ATTRIBUTION_DAYS)
    return SeasonPlan(config, truth, streams, hosts, products, lineup, deals, block_streams, pool)


def _hosts(config: SeasonConfig, rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = config.total_hosts
    quality = rng.normal(0, 1, n)
    noise = rng.normal(0, 1, (n, 3))
    sigma = config.host_effect_sigma
    order_effect = np.exp(sigma * (0.7 * quality + 0.71 * noise[:, 0]))
    entry_effect = np.exp(0.6 * sigma * (0.6 * quality + 0.8 * noise[:, 1]))
    retention_effect = np.exp(0.5 * sigma * (0.5 * quality + 0.87 * noise[:, 2]))
    # the best hosts get prime time, the weakest the mornings
    rank = np.argsort(np.argsort(-quality)) / max(n - 1, 1)
    preferred = np.select([rank < 0.35, rank < 0.6, rank < 0.8], [2, 3, 1], 0)
    followers = np.round(REFERENCE_FOLLOWERS * np.exp(0.8 * quality + 0.5 * rng.normal(0, 1, n))).astype("int64")
    growth = np.clip(rng.normal(0.02, 0.01, n), 0, None)
    weeks = config.season_days / 7
    followers_end = np.ceil(followers * (1 + growth) ** weeks * 1.01).astype("int64") + 1
    names = [f"{HOST_FIRST_NAMES[i % len(HOST_FIRST_NAMES)]} "
             f"{HOST_SUFFIXES[(i // len(HOST_FIRST_NAMES)) % len(HOST_SUFFIXES)]}"
             + (f" {i // (len(HOST_FIRST_NAMES) * len(HOST_SUFFIXES)) + 1}"
                if i >= len(HOST_FIRST_NAMES) * len(HOST_SUFFIXES) else "")
             for i in rng.permutation(n)]
    host_ids = np.arange(1, n + 1, dtype="int32")
    hosts = pd.DataFrame({
        "host_id": host_ids,
        "host_name": pd.array(names, dtype="string"),
        "experience_months": np.clip(np.round(18 * np.exp(0.5 * quality + 0.6 * rng.normal(0, 1, n))),
                                     1, 120).astype("int32"),
    })
    truth = pd.DataFrame({"host_id": host_ids, "quality": quality, "order_effect": order_effect,
                          "entry_effect": entry_effect, "retention_effect": retention_effect,
                          "preferred_slot": pd.Categorical.from_codes(preferred, dtype=SLOT_DTYPE),
                          "followers_start": followers, "followers_end": followers_end, "weekly_growth": growth,
                          "ad_scale": np.exp(0.5 * quality)})
    return hosts, truth


def _products(config: SeasonConfig, rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = config.n_products
    categories = list(PRODUCT_CATEGORIES)
    category = rng.integers(0, len(categories), n)
    noun = rng.integers(0, 6, n)
    adjective = rng.integers(0, len(PRODUCT_ADJECTIVES), n)
    low = np.array([PRODUCT_CATEGORIES[c][1][0] for c in categories])[category]
    high = np.array([PRODUCT_CATEGORIES[c][1][1] for c in categories])[category]
    price = np.floor(rng.uniform(low, high)) + 0.99
    titles = [f"{PRODUCT_ADJECTIVES[a]} {PRODUCT_CATEGORIES[categories[c]][0][k]}"
              for a, c, k in zip(adjective, category, noun)]
    ids = np.arange(1, n + 1, dtype="int32")
    products = pd.DataFrame({
        "product_id": ids,
        "title": pd.array(titles, dtype="string"),
        "category": pd.array(np.asarray(categories, dtype=object)[category], dtype="string"),
        "list_price_usd": price,
        "unit_cost_usd": np.round(price * rng.uniform(0.25, 0.5, n), 2),
    })
    # cheaper products are bought on impulse more often
    appeal = rng.lognormal(-0.045, 0.3, n) * (price / np.median(price)) ** -0.3
    return products, pd.DataFrame({"product_id": ids, "appeal": appeal})


def _streams(config: SeasonConfig, host_truth: pd.DataFrame, rng) -> pd.DataFrame:
    n_hosts, k, days = len(host_truth), config.streams_per_host, config.season_days
    start = pd.Timestamp(config.start).normalize()
    quality = host_truth["quality"].to_numpy()
    weekend = ((start.day_of_week + np.arange(days)) % 7 >= 5).astype(float)
    # better hosts favour weekends: weighted sampling of days without replacement (exponential keys)
    weights = 1 + 1.5 / (1 + np.exp(-quality))[:, None] * weekend[None, :]
    keys = rng.exponential(1, (n_hosts, days)) / weights
    chosen = np.sort(np.argsort(keys, axis=1)[:, :k], axis=1)
    host_index = np.repeat(np.arange(n_hosts), k)
    day = chosen.reshape(-1)
    n = len(day)
    preferred = host_truth["preferred_slot"].cat.codes.to_numpy()[host_index]
    slot = np.where(rng.random(n) < 0.75, preferred, rng.integers(0, len(SLOTS), n))
    hour = np.array([SLOT_START_HOUR[s] for s in SLOTS])[slot]
    begin = (start + pd.to_timedelta(day, unit="D") + pd.to_timedelta(hour, unit="h")
             + pd.to_timedelta(rng.integers(0, 31, n), unit="min"))
    minutes = np.round(config.stream_minutes * rng.uniform(0.8, 1.25, n)).astype("int64")
    followers = host_truth["followers_start"].to_numpy()[host_index] * \
        (1 + host_truth["weekly_growth"].to_numpy()[host_index]) ** (day / 7)
    ad_budget = np.where(rng.random(n) < 0.2, 0.0, np.round(
        REFERENCE_AD_BUDGET * host_truth["ad_scale"].to_numpy()[host_index] * rng.lognormal(-0.125, 0.5, n), 2))
    order = np.lexsort((host_index, begin.to_numpy()))
    begin = begin.to_numpy()[order].astype("datetime64[ms]")
    minutes = minutes[order]
    return pd.DataFrame({
        "stream_id": np.arange(1, n + 1, dtype="int32"),
        "host_id": (host_index[order] + 1).astype("int32"),
        "start": begin,
        "end": begin + (minutes * MS_PER_MINUTE).astype("timedelta64[ms]"),
        "slot": pd.Categorical.from_codes(slot[order], dtype=SLOT_DTYPE),
        "weekday": pd.DatetimeIndex(begin).day_of_week.to_numpy().astype("int32"),
        "n_products": np.zeros(n, dtype="int32"),
        "ad_budget_usd": ad_budget[order],
        "followers_at_start": np.round(followers[order]).astype("int64"),
    })


def _lineups_and_deals(config: SeasonConfig, streams: pd.DataFrame, products: pd.DataFrame, rng):
    """Each stream's products pinned one after another on whole minutes; deals inside pinned slots."""
    n_streams = len(streams)
    minutes = ((streams["end"] - streams["start"]).to_numpy() // np.timedelta64(1, "m")).astype("int64")
    low, high = config.products_per_stream
    count = rng.integers(low, high + 1, n_streams)
    # products of each stream: the first `count` of a random permutation of the catalogue
    picks = np.argsort(rng.random((n_streams, config.n_products)), axis=1)[:, :high]
    keep = np.arange(high)[None, :] < count[:, None]
    stream_index = np.repeat(np.arange(n_streams), count)
    product_index = picks[keep]
    position = (np.arange(high)[None, :].repeat(n_streams, 0)[keep] + 1).astype("int32")
    # slot lengths: at least 4 minutes each, the rest shared out at random
    share = rng.gamma(2.0, 1.0, len(stream_index))
    share_sum = np.bincount(stream_index, weights=share)
    spare = minutes - 4 * count
    length = 4 + np.floor(share / share_sum[stream_index] * spare[stream_index]).astype("int64")
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    leftover = minutes - np.bincount(stream_index, weights=length, minlength=n_streams).astype("int64")
    length[first + count - 1] += leftover       # the last product keeps the stream to its end
    ends = np.cumsum(length)
    stream_base = np.concatenate([[0], ends[first + count - 1][:-1]])
    until = ends - stream_base[stream_index]
    since = until - length
    start = streams["start"].to_numpy()[stream_index]
    lineup = pd.DataFrame({
        "stream_id": streams["stream_id"].to_numpy()[stream_index],
        "product_id": products["product_id"].to_numpy()[product_index],
        "position": position,
        "pinned_from": start + (since * MS_PER_MINUTE).astype("timedelta64[ms]"),
        "pinned_until": start + (until * MS_PER_MINUTE).astype("timedelta64[ms]"),
    })

    # deals: distinct line-up positions per stream, a window inside the product's pinned slot
    k = config.deals_per_stream
    if k:
        order_keys = rng.random(len(stream_index)) + stream_index  # shuffle within each stream
        shuffled = np.argsort(order_keys)
        rank = np.arange(len(stream_index)) - first[stream_index[shuffled]]
        chosen = np.sort(shuffled[rank < k])
    else:
        chosen = np.array([], dtype="int64")
    n_deals = len(chosen)
    formats = rng.choice(len(DEAL_FORMATS), size=n_deals, p=[config.deal_format_shares[f] for f in DEAL_FORMATS])
    shortest, longest = config.deal_minutes
    duration = np.minimum(rng.integers(shortest, longest + 1, n_deals), length[chosen])
    offset = since[chosen] + np.floor(rng.random(n_deals) * (length[chosen] - duration + 1)).astype("int64")
    discount_range = np.array([(0.2, 0.4), (0.1, 0.2), (0.15, 0.25)])[formats]
    deal_start = start[chosen] + (offset * MS_PER_MINUTE).astype("timedelta64[ms]")
    deals = pd.DataFrame({
        "deal_id": np.arange(1, n_deals + 1, dtype="int32"),
        "stream_id": lineup["stream_id"].to_numpy()[chosen],
        "product_id": lineup["product_id"].to_numpy()[chosen],
        "format": pd.Categorical.from_codes(formats, dtype=DEAL_FORMAT_DTYPE),
        "start": deal_start,
        "end": deal_start + (duration * MS_PER_MINUTE).astype("timedelta64[ms]"),
        "discount": np.round(rng.uniform(discount_range[:, 0], discount_range[:, 1]), 2),
    })

    # engaging moments (a demo, a giveaway): a few per stream, whole minutes
    n_moments = rng.poisson(3, n_streams)
    moment_stream = np.repeat(np.arange(n_streams), n_moments)
    moment_length = np.minimum(rng.integers(2, 6, len(moment_stream)), minutes[moment_stream])
    moment_start = np.floor(rng.random(len(moment_stream))
                            * (minutes[moment_stream] - moment_length + 1)).astype("int64")
    moment_begin = streams["start"].to_numpy()[moment_stream] + (moment_start * MS_PER_MINUTE).astype("timedelta64[ms]")
    moments = pd.DataFrame({
        "stream_id": streams["stream_id"].to_numpy()[moment_stream],
        "start": moment_begin,
        "end": moment_begin + (moment_length * MS_PER_MINUTE).astype("timedelta64[ms]"),
        "boost": np.round(rng.uniform(0.3, 0.8, len(moment_stream)), 2),
    })
    return lineup, deals, moments


# --------------------------------------------------------------------------- the events of a block

def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])`` without the loop."""
    lengths = np.asarray(lengths, dtype="int64")
    total = int(lengths.sum())
    shift = np.repeat(np.asarray(starts, dtype="int64") - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(total, dtype="int64") + shift


class _Grid:
    """A per-minute rate over the block's streams laid end to end, with its integral and inverse.

    Positions are minutes on the concatenated timeline (stream ``s`` covers
    ``[offset[s], offset[s] + minutes[s])``); the rate is constant within each minute.
    """

    def __init__(self, rate: np.ndarray):
        self.rate = rate
        self.cum = np.concatenate([[0.0], np.cumsum(rate)])

    def integral(self, x: np.ndarray) -> np.ndarray:
        i = np.clip(np.floor(x).astype("int64"), 0, len(self.rate) - 1)
        return self.cum[i] + self.rate[i] * (x - i)

    def inverse(self, y: np.ndarray) -> np.ndarray:
        i = np.clip(np.searchsorted(self.cum, y, side="right") - 1, 0, len(self.rate) - 1)
        return i + (y - self.cum[i]) / self.rate[i]

    def sample_between(self, lo: np.ndarray, hi: np.ndarray, rng) -> np.ndarray:
        """A time in ``[lo, hi)`` with density proportional to the rate."""
        a, b = self.integral(lo), self.integral(hi)
        return np.minimum(self.inverse(a + rng.random(len(lo)) * (b - a)), hi)


def _event_block(plan: SeasonPlan, block: int) -> dict[str, np.ndarray]:
    """The events of one block of consecutive streams, as column arrays sorted by stream and time."""
    config, truth = plan.config, plan.truth
    rng = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(4, block)))
    first = block * plan.block_streams
    streams = plan.streams.iloc[first:first + plan.block_streams]
    n = len(streams)
    stream_ids = streams["stream_id"].to_numpy()
    start_ms = streams["start"].to_numpy().astype("datetime64[ms]").astype("int64")
    minutes = ((streams["end"] - streams["start"]).to_numpy() // np.timedelta64(1, "m")).astype("int64")
    offset = np.concatenate([[0], np.cumsum(minutes)[:-1]])
    stream_end = offset + minutes                  # positions on the block's timeline
    grid_stream = np.repeat(np.arange(n), minutes)
    minute_of_stream = np.arange(len(grid_stream)) - offset[grid_stream]
    host = streams["host_id"].to_numpy() - 1
    hosts = truth.hosts

    def minute_positions(table: pd.DataFrame, begin: str, end: str):
        """Grid positions covered by each row's [begin, end) of the block's streams."""
        local = np.searchsorted(stream_ids, table["stream_id"].to_numpy())
        inside = (local < n) & (stream_ids[np.minimum(local, n - 1)] == table["stream_id"].to_numpy())
        local, rows = local[inside], table[inside]
        since = (rows[begin].to_numpy() - streams["start"].to_numpy()[local]) // np.timedelta64(1, "m")
        length = (rows[end] - rows[begin]).to_numpy() // np.timedelta64(1, "m")
        return rows, _ranges(offset[local] + since, length), np.repeat(np.arange(len(rows)), length)

    # per-minute grids: pinned product, deal uplift, discount, attention, arrivals
    lineup, cells, row = minute_positions(plan.lineup, "pinned_from", "pinned_until")
    pinned = np.zeros(len(grid_stream), dtype="int64")
    pinned[cells] = lineup["product_id"].to_numpy()[row]
    deals, deal_cells, deal_row = minute_positions(plan.deals, "start", "end")
    uplift = np.ones(len(grid_stream))
    discount = np.zeros(len(grid_stream))
    in_deal = np.zeros(len(grid_stream), dtype=bool)
    uplift[deal_cells] = np.array([config.deal_uplift[f] for f in DEAL_FORMATS])[
        deals["format"].cat.codes.to_numpy()[deal_row]]
    discount[deal_cells] = deals["discount"].to_numpy()[deal_row]
    in_deal[deal_cells] = True
    attention = 1 + config.deal_attention * in_deal
    moments, moment_cells, moment_row = minute_positions(truth.engaging_moments, "start", "end")
    np.add.at(attention, moment_cells, moments["boost"].to_numpy()[moment_row])
    ramp = 0.25 + 0.75 * (1 - np.exp(-minute_of_stream / 6.0))
    arrivals = _Grid(ramp * np.where(in_deal, config.deal_traffic_lift, 1.0))
    attention_grid = _Grid(attention)
    calm_clock = _Grid(1 / attention)
    appeal = np.concatenate([[1.0], truth.products["appeal"].to_numpy()])  # product_id 0 = none pinned
    order_grid = _Grid(appeal[pinned] * uplift)

    # exposures per stream and source; entries are the exposures that convert
    slot = streams["slot"].cat.codes.to_numpy()
    weekday = streams["weekday"].to_numpy()
    traffic = np.array([SLOT_TRAFFIC[s] for s in SLOTS])[slot] * WEEKDAY_FACTOR[weekday]
    source_multiplier = {
        "recommendation_feed": traffic, "short_video": traffic, "search": traffic,
        "follow_feed": streams["followers_at_start"].to_numpy() / REFERENCE_FOLLOWERS,
        "paid_ads": streams["ad_budget_usd"].to_numpy() / REFERENCE_AD_BUDGET,
    }
    entry_effect = hosts["entry_effect"].to_numpy()[host]
    expected = np.stack([config.entries_per_stream * SOURCE_ENTRY_SHARE[s] / SOURCE_ENTRY_RATE[s]
                         * source_multiplier[s] for s in TRAFFIC_SOURCES], axis=1)
    counts = rng.poisson(expected)                                  # (stream, source)
    exp_stream = np.repeat(np.repeat(np.arange(n), len(TRAFFIC_SOURCES)), counts.reshape(-1))
    exp_source = np.repeat(np.tile(np.arange(len(TRAFFIC_SOURCES)), n), counts.reshape(-1))
    exp_time = arrivals.sample_between(offset[exp_stream].astype(float), stream_end[exp_stream].astype(float), rng)
    exp_viewer = _viewer_ids(plan, host[exp_stream], exp_source, rng)
    entry_rate = np.array([SOURCE_ENTRY_RATE[s] for s in TRAFFIC_SOURCES])[exp_source]
    enter_time = exp_time + (0.2 + rng.exponential(3.0, len(exp_time))) / 60
    enters = (rng.random(len(exp_time)) < np.minimum(0.95, entry_rate * entry_effect[exp_stream])) & \
        (enter_time < stream_end[exp_stream])
    # a viewer enters a stream once from the feeds; later visits are the re-entries below
    candidates = np.flatnonzero(enters)
    candidates = candidates[np.argsort(enter_time[candidates], kind="stable")]
    _, first_visit = np.unique(exp_stream[candidates] * (1 << 40) + exp_viewer[candidates], return_index=True)
    visit_exposure = np.sort(candidates[first_visit])
    v_stream = exp_stream[visit_exposure]
    v_viewer = exp_viewer[visit_exposure]
    v_source = exp_source[visit_exposure]
    v_enter = enter_time[visit_exposure]

    # watch time on the calm clock; re-entries start after a pause
    retention = hosts["retention_effect"].to_numpy()[host]
    v_leave, v_censored = _leave_times(v_enter, v_stream, retention, stream_end, calm_clock, config, rng)
    back = np.flatnonzero(~v_censored & (rng.random(len(v_enter)) < config.reentry_rate))
    back_enter = v_leave[back] + 0.2 + rng.exponential(4.0, len(back))
    before_end = back_enter < stream_end[v_stream[back]]
    back, back_enter = back[before_end], back_enter[before_end]
    b_leave, b_censored = _leave_times(back_enter, v_stream[back], retention, stream_end, calm_clock, config, rng)
    visit_stream = np.concatenate([v_stream, v_stream[back]])
    visit_viewer = np.concatenate([v_viewer, v_viewer[back]])
    visit_source = np.concatenate([v_source, v_source[back]])
    visit_enter = np.concatenate([v_enter, back_enter])
    visit_leave = np.concatenate([v_leave, b_leave])
    censored = np.concatenate([v_censored, b_censored])
    n_visits = len(visit_enter)

    events = _Events()
    events.add("exposure", exp_stream, exp_viewer, exp_time, source=exp_source)
    events.add("enter", visit_stream, visit_viewer, visit_enter, source=visit_source)

    # in-stream orders: a Poisson process at the visit's rate times the order grid
    order_rate = config.base_order_rate * hosts["order_effect"].to_numpy()[host][visit_stream] \
        * np.array([SLOT_ORDER_EFFECT[s] for s in SLOTS])[slot][visit_stream] \
        * WEEKDAY_ORDER_EFFECT[weekday][visit_stream] \
        * np.array([SOURCE_ORDER_EFFECT[s] for s in TRAFFIC_SOURCES])[visit_source]
    n_orders = rng.poisson(order_rate * (order_grid.integral(visit_leave) - order_grid.integral(visit_enter)))
    o_visit = np.repeat(np.arange(n_visits), n_orders)
    o_time = order_grid.sample_between(visit_enter[o_visit], visit_leave[o_visit], rng)
    o_cell = np.minimum(np.floor(o_time).astype("int64"), stream_end[visit_stream[o_visit]] - 1)
    o_product = pinned[o_cell]
    # the click that led to it, on the same pinned product, after the viewer came in
    pinned_since = _pinned_since(pinned, grid_stream)[o_cell]
    earliest = np.maximum(visit_enter[o_visit], pinned_since)
    o_click = np.maximum(o_time - rng.uniform(5, 90, len(o_time)) / 60, earliest)
    carted = rng.random(len(o_time)) < 0.6
    o_cart = o_click + (o_time - o_click) * rng.uniform(0.2, 0.9, len(o_time))
    list_price = np.concatenate([[0.0], plan.products["list_price_usd"].to_numpy()])
    quantity = rng.choice([1, 2, 3], size=len(o_time), p=[0.85, 0.12, 0.03])
    o_amount = np.round(list_price[o_product] * (1 - discount[o_cell]) * quantity, 2)

    # browsing clicks (most lead nowhere; some carts are ordered after the stream)
    n_clicks = rng.poisson(config.click_rate * (attention_grid.integral(visit_leave)
                                                - attention_grid.integral(visit_enter)))
    c_visit = np.repeat(np.arange(n_visits), n_clicks)
    c_time = attention_grid.sample_between(visit_enter[c_visit], visit_leave[c_visit], rng)
    c_product = pinned[np.minimum(np.floor(c_time).astype("int64"), stream_end[visit_stream[c_visit]] - 1)]
    c_carted = rng.random(len(c_time)) < 0.25
    c_cart = np.minimum(c_time + rng.uniform(2, 60, len(c_time)) / 60, visit_leave[c_visit])

    events.add("product_click", visit_stream[o_visit], visit_viewer[o_visit], o_click, product=o_product)
    events.add("product_click", visit_stream[c_visit], visit_viewer[c_visit], c_time, product=c_product)
    events.add("add_to_cart", visit_stream[o_visit[carted]], visit_viewer[o_visit[carted]], o_cart[carted],
               product=o_product[carted])
    events.add("add_to_cart", visit_stream[c_visit[c_carted]], visit_viewer[c_visit[c_carted]],
               c_cart[c_carted], product=c_product[c_carted])

    # orders after the stream, from abandoned carts, in proportion to the stream's in-stream orders
    cart_index = np.flatnonzero(c_carted)
    cart_stream = visit_stream[c_visit[cart_index]]
    in_stream_orders = np.bincount(visit_stream[o_visit], minlength=n)
    carts = np.bincount(cart_stream, minlength=n)
    share = config.post_stream_order_share
    with np.errstate(divide="ignore", invalid="ignore"):
        chance = np.where(carts > 0, np.minimum(1, share / (1 - share) * in_stream_orders / carts), 0)
    later = cart_index[rng.random(len(cart_index)) < chance[cart_stream]]
    l_visit = c_visit[later]
    l_stream = visit_stream[l_visit]
    l_click = c_time[later]
    day_minutes = 24 * 60
    window_left = ATTRIBUTION_DAYS * day_minutes - (stream_end[l_stream] - l_click)
    within = np.minimum(rng.lognormal(np.log(18 * 60), 1.0, len(later)), window_left - 1)
    beyond = (ATTRIBUTION_DAYS * day_minutes + rng.uniform(60, 16 * day_minutes, len(later))
              - (stream_end[l_stream] - l_click))
    l_time = stream_end[l_stream] + np.where(rng.random(len(later)) < config.beyond_window_share, beyond, within)
    l_product = c_product[later]
    l_quantity = rng.choice([1, 2, 3], size=len(later), p=[0.85, 0.12, 0.03])
    l_amount = np.round(list_price[l_product] * l_quantity, 2)

    # every order: id, payment, refund
    all_stream = np.concatenate([visit_stream[o_visit], l_stream])
    all_viewer = np.concatenate([visit_viewer[o_visit], visit_viewer[l_visit]])
    all_time = np.concatenate([o_time, l_time])
    all_product = np.concatenate([o_product, l_product])
    all_amount = np.concatenate([o_amount, l_amount])
    sequence = np.lexsort((all_time, all_stream))
    rank = np.empty(len(all_time), dtype="int64")
    rank[sequence] = np.arange(len(all_time)) - np.searchsorted(all_stream[sequence], all_stream[sequence])
    order_id = stream_ids[all_stream].astype("int64") * ORDER_ID_STRIDE + rank + 1
    paid = rng.random(len(all_time)) < config.payment_rate
    pay_time = all_time + (1 + rng.exponential(45, len(all_time))) / 60
    refunded = paid & (rng.random(len(all_time)) < config.refund_rate)
    refund_time = pay_time + rng.uniform(2, 25, len(all_time)) * day_minutes
    events.add("order", all_stream, all_viewer, all_time, product=all_product, order=order_id, amount=all_amount)
    events.add("payment", all_stream[paid], all_viewer[paid], pay_time[paid], product=all_product[paid],
               order=order_id[paid], amount=all_amount[paid])

    # engagement: rates per viewer-minute times attention, chattier viewers comment more
    chat = rng.gamma(0.5, 2.0, n_visits)
    attention_minutes = attention_grid.integral(visit_leave) - attention_grid.integral(visit_enter)
    for kind, rate, personal in (("comment", config.comment_rate, chat), ("like", config.like_rate,
                                                                         rng.gamma(0.7, 1 / 0.7, n_visits)),
                                 ("share", config.share_rate, 1.0)):
        count = rng.poisson(rate * personal * attention_minutes)
        visit = np.repeat(np.arange(n_visits), count)
        events.add(kind, visit_stream[visit], visit_viewer[visit],
                   attention_grid.sample_between(visit_enter[visit], visit_leave[visit], rng))
    # viewers from outside the follow feed may follow; longer stays follow more
    stayed = visit_leave - visit_enter
    follows = (visit_source != TRAFFIC_SOURCES.index("follow_feed")) & (
        rng.random(n_visits) < config.follow_rate * np.minimum(1, stayed / 10) * entry_effect[visit_stream])
    events.add("follow", visit_stream[follows], visit_viewer[follows],
               visit_enter[follows] + rng.random(follows.sum()) * stayed[follows])
    left = ~censored
    events.add("leave", visit_stream[left], visit_viewer[left], visit_leave[left])
    events.add("refund", all_stream[refunded], all_viewer[refunded], refund_time[refunded],
               product=all_product[refunded], order=order_id[refunded], amount=all_amount[refunded])
    return events.columns(stream_ids, start_ms, offset)


def _leave_times(enter, stream, retention, stream_end, calm_clock: _Grid, config: SeasonConfig, rng):
    """Leave positions of visits, and whether each is censored by the end of its stream."""
    watch = rng.lognormal(np.log(config.watch_median_minutes * retention[stream]), config.watch_sigma)
    target = calm_clock.integral(enter) + watch
    censored = target >= calm_clock.cum[stream_end[stream]]
    leave = np.where(censored, stream_end[stream].astype(float),
                     np.minimum(calm_clock.inverse(np.where(censored, 0.0, target)), stream_end[stream]))
    return leave, censored


def _pinned_since(pinned: np.ndarray, grid_stream: np.ndarray) -> np.ndarray:
    """For each minute, the position where the product pinned then was pinned (its slot's start)."""
    change = np.ones(len(pinned), dtype=bool)
    change[1:] = (pinned[1:] != pinned[:-1]) | (grid_stream[1:] != grid_stream[:-1])
    starts = np.flatnonzero(change)
    return starts[np.cumsum(change) - 1].astype(float)


def _viewer_ids(plan: SeasonPlan, host: np.ndarray, source: np.ndarray, rng) -> np.ndarray:
    """Viewer ids: followers of the stream's host from the follow feed, the public pool otherwise.

    Squared uniforms favour low ids: a core of regulars comes back stream after stream.
    """
    pool = plan.viewer_pool
    u = rng.random(len(host)) ** 2
    follower_count = _follower_counts(plan)[host]
    from_followers = pool["follower_offset"][host] + np.floor(u * follower_count).astype("int64")
    from_public = pool["public_offset"] + np.floor(u * pool["public_size"]).astype("int64")
    return np.where(source == TRAFFIC_SOURCES.index("follow_feed"), from_followers, from_public)


def _follower_counts(plan: SeasonPlan) -> np.ndarray:
    offsets = plan.viewer_pool["follower_offset"]
    return np.diff(np.concatenate([offsets, [plan.viewer_pool["public_offset"]]]))


class _Events:
    """Event columns collected kind by kind; the order of ``add`` calls breaks timestamp ties."""

    def __init__(self):
        self.parts: list[tuple] = []

    def add(self, kind, stream, viewer, time, product=None, order=None, amount=None, source=None):
        self.parts.append((EVENT_TYPES.index(kind), stream, viewer, time, product, order, amount, source))

    def columns(self, stream_ids, start_ms, offset) -> dict[str, np.ndarray]:
        def pick(index, fill, dtype):
            return np.concatenate([np.full(len(p[1]), fill, dtype) if p[index] is None else
                                   np.asarray(p[index]).astype(dtype, copy=False) for p in self.parts])

        stream = pick(1, 0, "int64")
        position = pick(3, 0.0, "float64")
        timestamp = start_ms[stream] + np.round((position - offset[stream]) * MS_PER_MINUTE).astype("int64")
        kind = np.concatenate([np.full(len(p[1]), p[0], "int8") for p in self.parts])
        # sort by stream then time; a stable sort keeps the add order for equal timestamps
        key = stream * (1 << 40) + (timestamp - start_ms.min())
        order = np.argsort(key, kind="stable")
        return {"stream_id": stream_ids[stream][order].astype("int32"),
                "viewer_id": pick(2, 0, "int64")[order],
                "timestamp": timestamp[order],
                "event_type": kind[order],
                "product_id": pick(4, 0, "int32")[order],
                "order_id": pick(5, 0, "int64")[order],
                "amount": pick(6, np.nan, "float64")[order],
                "traffic_source": pick(7, -1, "int8")[order]}


def _events_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """The events table, with the schema's dtypes, from the generator's column arrays."""
    product, order = columns["product_id"], columns["order_id"]
    return pd.DataFrame(copy=False, data={
        "stream_id": columns["stream_id"],
        "viewer_id": columns["viewer_id"],
        "timestamp": columns["timestamp"].astype("datetime64[ms]"),
        "event_type": pd.Categorical.from_codes(columns["event_type"], dtype=EVENT_TYPE_DTYPE),
        "product_id": pd.arrays.IntegerArray(product, product == 0),
        "order_id": pd.arrays.IntegerArray(order, order == 0),
        "amount": columns["amount"],
        "traffic_source": pd.Categorical.from_codes(columns["traffic_source"], dtype=TRAFFIC_SOURCE_DTYPE),
    })
