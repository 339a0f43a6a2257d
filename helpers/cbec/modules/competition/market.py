"""The world of a store-season competition: its config, its products and markets, and its truth.

:class:`SeasonConfig` is seeded and frozen; :func:`build_world` turns it into a
:class:`World` -- everything the market needs to answer a store's decisions, as numpy
arrays over (product, market) -- with the hidden parameters (elasticities, conversion
rates, defect rates) next to the public facts a seller knows (list prices, unit costs,
fees, the calendar). :meth:`World.facts` is the public part a strategy receives.

Where the numbers come from (each written once, elsewhere):

- products: the seller-account simulator's :data:`~cbec.modules.platform_operation.simulator.CATALOGUE`
  (category, box, weight, landed unit cost);
- fees: the Platform Operation fee schedules (referral rate, size tier, fulfilment fee,
  monthly storage fee), one schedule per market (``amazon_us`` unless told otherwise --
  it is the shipped schedule with a fulfilment programme). Money is in USD everywhere;
- markets: :data:`cbec.world.markets.MARKETS` (the price level scales each market's list price);
- calendar: :mod:`cbec.world.calendar` (Prime Day and Black Friday, the daily traffic index);
- the account-health limit and window: ``account_health.HEALTH_TARGETS``; the range of true
  order-defect rates: the seller-account simulator's ``DRAWN_RATE_RANGES``.

The season is a compressed retail year: ``weeks`` rounds spread evenly over ``year``, each
round one week of trading; the rounds nearest Prime Day and Black Friday are moved onto
those events' weeks, so a 12-round season holds one Prime-Day week and one Black-Friday week.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Mapping

import numpy as np
import pandas as pd

from cbec.modules.platform_operation.account_health import HEALTH_TARGETS
from cbec.modules.platform_operation.economics import fulfilment_fee, shipping_weight, size_tier, storage_fee
from cbec.modules.platform_operation.fees import load_schedule
from cbec.modules.platform_operation.simulator import CATALOGUE, DRAWN_RATE_RANGES
from cbec.world.calendar import black_friday, daily_index, prime_day
from cbec.world.markets import MARKETS
from cbec.world.simulated import frozen_mapping

#: The account-health target the season enforces (its limit and rolling window).
DEFECT_TARGET = next(t for t in HEALTH_TARGETS if t.metric == "order_defect_rate")
#: Relative size of each market's demand (sessions and ad clicks) against the US.
MARKET_SIZE = frozen_mapping({"US": 1.0, "GB": 0.4, "DE": 0.5, "FR": 0.3, "JP": 0.35, "AU": 0.2, "CA": 0.25})
EVENTS = ("prime_day", "black_friday")


@dataclass(frozen=True)
class SeasonConfig:
    """The rules and world of one competition season; ``dataclasses.replace`` makes variants.

    ``seed`` draws the world (the same for every store: a fair competition); each store's
    luck -- demand shocks, rounding of counts -- comes from its own play seed.
    """

    seed: int = 0
    year: int = 2024
    weeks: int = 12
    n_products: int = 4
    markets: tuple[str, ...] = ("US", "GB", "DE")
    market_size: Mapping = field(default_factory=lambda: MARKET_SIZE)
    schedules: Mapping | None = None          # market -> fee schedule name; None: amazon_us everywhere
    lead_time_weeks: int = 3                  # inbound shipped in week w is on hand at the start of w + lead
    initial_weeks_of_cover: float = 4.0       # opening stock, in weeks of base demand at list price
    initial_units: int | None = None          # or the same opening stock for every product and market
    markup_range: tuple[float, float] = (2.2, 3.0)     # list price / (unit cost + fulfilment fee)
    base_sessions: float = 600.0              # organic sessions a week of a product in the US, at par
    conversion_range: tuple[float, float] = (0.08, 0.14)
    elasticity_range: tuple[float, float] = (-3.0, -1.6)
    rating_range: tuple[float, float] = (3.9, 4.8)
    rating_exponent: float = 2.0
    demand_noise: float = 0.15                # sd of the log demand shock of a product, market and week
    n_competitors: int = 2
    share_exponent: float = 4.0               # how sharply shoppers move to the cheaper offer
    competitor_undercut: float = 0.5          # share of a price gap below them that competitors match
    competitor_recovery: float = 0.25         # share of the way back to their own price, when not undercut
    competitor_floor: float = 0.75            # competitors never go below this share of the list price
    ad_clicks: float = 300.0                  # ad clicks a week available to a US product at a very high bid
    bid_scale_share: float = 0.04             # bid at which 63% of the clicks are won, as a share of list price
    cpc_share: float = 0.85                   # cost per click paid / bid (second-price auction)
    return_rate: float = 0.06
    deal_discount: float = 0.20
    deal_lift: float = 1.8                    # sessions multiplier of a deal badge in an event week
    deal_fee: float = 25.0                    # per product, market and week of deal participation
    rank_memory: float = 0.6                  # weight of last week's sales velocity in this week's
    rank_velocity_exponent: float = 0.35
    rank_bounds: tuple[float, float] = (0.3, 2.5)
    stockout_rank_penalty: float = 0.25
    par_rank: int = 40                        # organic rank of a listing at visibility 1
    health_fine: float = 150.0
    health_rank_penalty: float = 0.30
    salvage_share: float = 0.5                # value recovered per unit of cost on stock left at the end

    def __post_init__(self):
        def bad(name, why):
            raise ValueError(f"SeasonConfig.{name}={getattr(self, name)!r}: {why}.")

        def whole(name, low):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                bad(name, f"must be a whole number >= {low}")

        whole("seed", 0)
        whole("weeks", 1)
        whole("lead_time_weeks", 1)
        whole("n_competitors", 0)
        whole("par_rank", 1)
        if not 1 <= self.n_products <= len(CATALOGUE):
            bad("n_products", f"must be between 1 and {len(CATALOGUE)} (the size of CATALOGUE)")
        markets = tuple(self.markets)
        unknown = [m for m in markets if m not in MARKETS]
        if not markets or unknown or len(set(markets)) != len(markets):
            bad("markets", f"must be distinct codes from {sorted(MARKETS)}")
        object.__setattr__(self, "markets", markets)
        missing = [m for m in markets if not self.market_size.get(m, 0) > 0]
        if missing:
            bad("market_size", f"needs a size > 0 for market(s) {missing}")
        object.__setattr__(self, "market_size", frozen_mapping(self.market_size))
        if self.schedules is not None:
            missing = [m for m in markets if m not in self.schedules]
            if missing:
                bad("schedules", f"names no fee schedule for market(s) {missing}; give one per market "
                                 "or None for amazon_us everywhere")
            object.__setattr__(self, "schedules", frozen_mapping(self.schedules))
        if self.initial_units is not None:
            whole("initial_units", 0)
        for name, low, high in (("markup_range", 1.0, 20.0), ("conversion_range", 1e-9, 1.0),
                                ("rating_range", 1.0, 5.0), ("rank_bounds", 1e-9, 100.0)):
            a, b = getattr(self, name)
            if not low <= a <= b <= high:
                bad(name, f"must be (low, high) with {low} <= low <= high <= {high}")
        a, b = self.elasticity_range
        if not a <= b < -1:
            bad("elasticity_range", "must be (low, high) with low <= high < -1 (below -1 a price optimum exists)")
        for name in ("return_rate", "deal_discount", "competitor_undercut", "competitor_recovery",
                     "competitor_floor", "cpc_share", "rank_memory", "stockout_rank_penalty",
                     "health_rank_penalty", "salvage_share"):
            if not 0 <= getattr(self, name) <= 1:
                bad(name, "must be a share in [0, 1]")
        if self.cpc_share == 0:
            bad("cpc_share", "must be > 0 (a click costs something)")
        for name in ("initial_weeks_of_cover", "demand_noise", "rating_exponent", "share_exponent",
                     "rank_velocity_exponent", "deal_fee", "health_fine"):
            if not getattr(self, name) >= 0:
                bad(name, "must be >= 0")
        for name in ("base_sessions", "ad_clicks", "bid_scale_share", "deal_lift"):
            if not getattr(self, name) > 0:
                bad(name, "must be > 0")

    def __hash__(self):
        return hash(tuple(tuple(sorted(v.items())) if isinstance(v, Mapping) else v
                          for v in (getattr(self, f.name) for f in fields(self))))

    def schedule_name(self, market: str) -> str:
        return "amazon_us" if self.schedules is None else self.schedules[market]


@dataclass(frozen=True)
class MarketFacts:
    """What a seller knows about the season: the public part of :class:`World`.

    Arrays are over (product, market) unless marked; money in USD.
    """

    products: tuple[str, ...]
    markets: tuple[str, ...]
    categories: tuple[str, ...]
    weeks: int
    round_starts: pd.DatetimeIndex
    events: tuple[str, ...]                # per round: "prime_day", "black_friday" or ""
    season_index: np.ndarray               # (weeks,) expected traffic of each round against an average week
    list_price: np.ndarray
    unit_cost: np.ndarray                  # (product,) landed cost of a unit
    referral_rate: np.ndarray
    referral_fixed_fee: np.ndarray
    fulfilment_fee: np.ndarray
    lead_time_weeks: int
    return_rate: float
    deal_discount: float
    deal_lift: float
    deal_fee: float
    cpc_share: float
    defect_limit: float
    initial_units: np.ndarray


@dataclass(frozen=True)
class World(MarketFacts):
    """The whole world of a season: the public facts and the truth that drives demand."""

    config: SeasonConfig = None
    size_tier: np.ndarray = None            # (product, market) size tier under each market's schedule
    elasticity: np.ndarray = None
    base_sessions: np.ndarray = None
    base_conversion: np.ndarray = None      # (product,)
    rating: np.ndarray = None               # (product,)
    defect_rate: np.ndarray = None          # (product,)
    competitor_price: np.ndarray = None     # competitors' own price, where they start and return to
    competitor_floor: np.ndarray = None
    click_capacity: np.ndarray = None
    bid_scale: np.ndarray = None
    storage_per_unit_week: np.ndarray = None   # (weeks, product, market): monthly fee x 7 / days in month
    days_in_month: np.ndarray = None        # (weeks,)

    def facts(self) -> MarketFacts:
        return MarketFacts(**{f.name: getattr(self, f.name) for f in fields(MarketFacts)})

    def products_table(self) -> pd.DataFrame:
        """One row per product and market: category, size tier, cost, fees and list price."""
        P, M = self.list_price.shape
        return pd.DataFrame({
            "product": np.repeat(self.products, M), "market": np.tile(self.markets, P),
            "category": np.repeat(self.categories, M), "size_tier": self.size_tier.ravel(),
            "unit_cost": np.repeat(self.unit_cost, M), "referral_rate": self.referral_rate.ravel(),
            "fulfilment_fee": self.fulfilment_fee.ravel(), "list_price": self.list_price.ravel()})


def round_starts(year: int, weeks: int) -> tuple[pd.DatetimeIndex, tuple[str, ...]]:
    """First day of each round and its event: rounds evenly over the year, two snapped onto events.

    The Prime Day round starts the day before Prime Day (so it holds both days); the Black
    Friday round starts three days before it (Tuesday) and so ends on Cyber Monday.
    """
    first = pd.Timestamp(year=year, month=1, day=1)
    starts = [first + pd.Timedelta(days=int(round(k * 357 / max(weeks, 1)))) for k in range(weeks)]
    labels = [""] * weeks
    for event, start in (("prime_day", prime_day(year) - pd.Timedelta(days=1)),
                         ("black_friday", black_friday(year) - pd.Timedelta(days=3))):
        free = [k for k in range(weeks) if not labels[k]]
        if not free:
            break
        nearest = min(free, key=lambda k: abs((starts[k] - start).days))
        starts[nearest], labels[nearest] = start, event
    order = sorted(range(weeks), key=lambda k: starts[k])
    starts = pd.DatetimeIndex([starts[i] for i in order])
    labels = tuple(labels[i] for i in order)
    if ((starts[1:] - starts[:-1]) < pd.Timedelta(days=7)).any():
        raise ValueError(f"weeks={weeks} puts two rounds of {year} into the same week; use at most 50 rounds.")
    return starts, labels


def optimal_price(elasticity, unit_cost, fulfilment_fee, referral_rate, return_rate, fixed_fee=0.0):
    """The price that maximises expected profit of constant-elasticity demand ``D = K p^e``.

    Per unit sold the seller keeps ``(1 - r)((1 - a) p - phi) - c - f``: the price and the
    referral fee ``a p + phi`` are refunded on the share ``r`` returned, the landed cost
    ``c`` and fulfilment fee ``f`` are not. Setting d/dp [margin(p) K p^e] = 0 gives

        p* = e (c + f + (1 - r) phi) / ((1 + e)(1 - r)(1 - a)),   for e < -1

    (the referral minimum is assumed not to bind, true for prices above minimum / rate).
    """
    e = np.asarray(elasticity, dtype=float)
    if np.any(~(e < -1)):
        raise ValueError("elasticity must be < -1 everywhere: with |e| <= 1 raising the price always pays "
                         "and there is no finite optimum.")
    keep = (1 - np.asarray(return_rate, float)) * (1 - np.asarray(referral_rate, float))
    costs = np.asarray(unit_cost, float) + np.asarray(fulfilment_fee, float) + \
        (1 - np.asarray(return_rate, float)) * np.asarray(fixed_fee, float)
    return e * costs / ((1 + e) * keep)


@lru_cache(maxsize=32)
def build_world(config: SeasonConfig) -> World:
    """The world of ``config`` (cached: the same config always gives the same world)."""
    rng = np.random.default_rng([config.seed, 1, 0])
    P, M = config.n_products, len(config.markets)
    chosen = [CATALOGUE[i] for i in np.sort(rng.choice(len(CATALOGUE), size=P, replace=False))]
    dims = {k: np.array([getattr(p, k) for p in chosen], dtype=float)
            for k in ("length_in", "width_in", "height_in", "unit_weight_lb")}
    sides = (dims["length_in"], dims["width_in"], dims["height_in"])
    unit_cost = np.array([p.unit_cost for p in chosen], dtype=float)
    categories = tuple(p.category for p in chosen)
    starts, labels = round_starts(config.year, config.weeks)
    days = np.array([s.days_in_month for s in starts], dtype=float)
    year_index = daily_index(pd.date_range(f"{config.year}-01-01", f"{config.year}-12-31")).mean()
    season = np.array([daily_index(pd.date_range(s, periods=7)).mean() for s in starts]) / year_index

    tiers = np.empty((P, M), dtype=object)
    fulfil, rate, fixed = np.zeros((P, M)), np.zeros((P, M)), np.zeros((P, M))
    storage = np.zeros((config.weeks, P, M))
    for j, market in enumerate(config.markets):
        schedule = load_schedule(config.schedule_name(market))
        schedule.require_fulfilment()
        weight = shipping_weight(dims["unit_weight_lb"], *sides, schedule.dimensional_weight_divisor)
        tiers[:, j] = size_tier(*sides, dims["unit_weight_lb"], schedule)
        fulfil[:, j] = fulfilment_fee(tiers[:, j], weight, schedule)
        rate[:, j] = [schedule.referral_rate(c).rate for c in categories]
        fixed[:, j] = [schedule.referral_rate(c).fixed_fee for c in categories]
        for w, start in enumerate(starts):
            monthly = storage_fee(*sides, tiers[:, j], np.full(P, start.month), schedule)
            storage[w, :, j] = np.asarray(monthly, dtype=float) * 7 / days[w]

    level = np.array([MARKETS[m].price_level for m in config.markets])
    size = np.array([config.market_size[m] for m in config.markets])
    markup = rng.uniform(*config.markup_range, size=P)
    list_price = np.floor((unit_cost + fulfil[:, :1].ravel())[:, None] * markup[:, None] * level[None, :]) + 0.99
    base_sessions = config.base_sessions * size[None, :] * rng.uniform(0.7, 1.3, size=(P, M))
    conversion = rng.uniform(*config.conversion_range, size=P)
    initial = (np.full((P, M), config.initial_units, dtype=np.int64) if config.initial_units is not None
               else np.round(config.initial_weeks_of_cover * base_sessions * conversion[:, None]).astype(np.int64))
    world = World(
        products=tuple(p.title for p in chosen), markets=config.markets, categories=categories,
        weeks=config.weeks, round_starts=starts, events=labels, season_index=season,
        list_price=list_price, unit_cost=unit_cost, referral_rate=rate, referral_fixed_fee=fixed,
        fulfilment_fee=fulfil,
        lead_time_weeks=config.lead_time_weeks, return_rate=config.return_rate,
        deal_discount=config.deal_discount, deal_lift=config.deal_lift, deal_fee=config.deal_fee,
        cpc_share=config.cpc_share, defect_limit=DEFECT_TARGET.limit, initial_units=initial,
        config=config, size_tier=tiers,
        elasticity=rng.uniform(*config.elasticity_range, size=(P, M)),
        base_sessions=base_sessions, base_conversion=conversion,
        rating=rng.uniform(*config.rating_range, size=P),
        defect_rate=rng.uniform(*DRAWN_RATE_RANGES["order_defect_rate"], size=P),
        competitor_price=np.round(list_price * rng.uniform(0.93, 1.07, size=(P, M)), 2),
        competitor_floor=np.round(list_price * config.competitor_floor, 2),
        click_capacity=config.ad_clicks * size[None, :] * rng.uniform(0.7, 1.3, size=(P, M)),
        bid_scale=list_price * config.bid_scale_share,
        storage_per_unit_week=storage, days_in_month=days)
    for array in (world.list_price, world.elasticity, world.storage_per_unit_week):
        array.setflags(write=False)
    return world


def health_window_weeks() -> int:
    """Rounds in the order-defect window: the target's days, in whole weeks."""
    return math.ceil(DEFECT_TARGET.window_days / 7)
