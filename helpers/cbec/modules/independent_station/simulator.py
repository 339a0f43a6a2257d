"""A seeded brand store with known truth: who visited from which channel, who bought, and
how much of that each channel really caused.

``simulate_store(seed=7)`` returns :class:`StoreData`: the tables of
:mod:`~cbec.modules.independent_station.schemas` (sessions with messy landing URLs,
checkout events, orders, ad spend, email sends, a geo holdout test) and
:class:`StoreTruth`, the parameters that generated them.

How the data arise:

- **Prospects and touches.** Each prospect has a journey window (a start day and a
  length). Each channel touches a prospect a Poisson number of times, at times placed in
  the window by a channel-specific Beta profile: social and display ads early, search in
  the middle, email (to people who signed up on an earlier visit) and direct visits late.
  Every touch is a web session whose landing URL and referrer carry the channel the way
  real tagging does: mixed case, aliases (``fb``, ``facebook.com``), a missing medium on
  some social ads, auto-tagged ``gclid`` search clicks, no UTM at all for organic search
  (a search-engine referrer) and direct visits (no referrer).
- **First purchase.** A touch from channel ``c`` converts with probability ``q[c]``,
  independently. A success buys in the same visit with a channel-specific chance
  (``IMMEDIATE_PURCHASE``: high for search and affiliate clicks, low for social and display
  ads seen in passing); otherwise the purchase comes days later on a return visit, typed in
  or searched for by brand name (a direct or organic search session). Besides the touches,
  the prospect has a baseline intent ``b`` (drawn per prospect), a purchase that would
  happen anyway and arrives on such a return visit late in the window. The earliest
  purchase is the first order. So

      P(convert) = 1 - (1 - b) * prod over touches t of (1 - q[c_t]),

  and the **true incremental conversions** of channel ``c`` are the expected conversions
  lost if its touches are removed and nothing else changes, computed exactly per prospect
  (``truth.incremental``). The baseline belongs to no channel: attribution models hand it
  out to the channels that happen to carry it, which is why none of them measures
  incrementality.
- **Checkout.** A session that converts passes every checkout step; one that does not
  stops at a step drawn from per-step continuation rates (cart abandonment near the
  benchmark 70%).
- **Repeat purchases.** A buyer's later orders follow a BG/NBD process (purchase rate
  ``lambda ~ Gamma(r, alpha)`` per week, dropping out after each purchase with
  ``p ~ Beta(a, b)``); order values follow Gamma-Gamma spend (``truth.repeat``). Each
  repeat order arrives through a session of its own, mostly email and direct.
- **Money.** Merchandise revenue, discounts, product and fulfilment costs, and the payment
  provider's fee by method (``PAYMENT_FEES``); daily ad spend per paid channel and campaign
  from its cost per click; email sends at the email service's price per address.
- **Geo holdout.** ``geo_test`` switches ``geo_test_channel`` off in half of the regions for
  four weeks. Its true relative lift is the store's own: conversions with the channel over
  conversions without it, minus one (``truth.geo_lift``).

One visitor cookie per prospect (no cross-device journeys) keeps journeys whole.
Everything is vectorised with numpy; a default store takes well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from cbec.modules.independent_station.schemas import (CHANNELS, CHECKOUT_STEPS, DEVICES, PAID_CHANNELS,
                                                      PAYMENT_METHODS, TEST_GROUPS)
from cbec.world.simulated import SimulatedTables, config_from, frozen_mapping

STORE_DOMAIN = "shop.northwind-goods.com"
#: Published payment fees (percentage, fixed USD per order): card and foreign card as the
#: domain notes give them (about 2.9% + 0.30, foreign cards about 3.9% + 0.30); PayPal's US
#: standard checkout rate 3.49% + 0.49.
PAYMENT_FEES = MappingProxyType({"card": (0.029, 0.30), "foreign_card": (0.039, 0.30), "paypal": (0.0349, 0.49)})

#: Mean touches per prospect, the true conversion probability of one touch, and where in the
#: journey window a channel's touches fall (Beta shape parameters: early < 1 < late).
TOUCH_RATE = MappingProxyType({"paid_search": 0.55, "paid_social": 0.9, "email": 0.45, "affiliate": 0.15,
                               "display": 0.6, "referral": 0.12, "organic_search": 0.5, "direct": 0.45})
TOUCH_CONVERSION = MappingProxyType({"paid_search": 0.030, "paid_social": 0.016, "email": 0.004, "affiliate": 0.022,
                                     "display": 0.003, "referral": 0.010, "organic_search": 0.012, "direct": 0.005})
TOUCH_TIMING = MappingProxyType({"paid_search": (2.0, 2.0), "paid_social": (1.0, 3.0), "email": (3.0, 1.0),
                                 "affiliate": (2.5, 1.5), "display": (1.0, 2.5), "referral": (1.5, 2.0),
                                 "organic_search": (2.0, 1.8), "direct": (3.0, 1.2)})
#: Chance that a successful touch buys in the same visit; otherwise the purchase comes on a
#: return visit (direct or brand search) after an exponential wait of RETURN_DELAY_DAYS on average.
IMMEDIATE_PURCHASE = MappingProxyType({"paid_search": 0.75, "paid_social": 0.2, "email": 0.6, "affiliate": 0.8,
                                       "display": 0.1, "referral": 0.4, "organic_search": 0.7, "direct": 0.9})
RETURN_DELAY_DAYS = 2.5
#: Cost per platform-reported click (USD) and platform clicks per landed session.
COST_PER_CLICK = MappingProxyType({"paid_search": 1.10, "paid_social": 0.75, "affiliate": 0.0, "display": 0.40})
CLICKS_PER_SESSION = MappingProxyType({"paid_search": 1.08, "paid_social": 1.25, "affiliate": 1.05, "display": 1.4})
#: Affiliates are paid a commission on the orders they bring, not per click.
AFFILIATE_COMMISSION = 0.12
IMPRESSIONS_PER_CLICK = MappingProxyType({"paid_search": 22.0, "paid_social": 90.0, "affiliate": 40.0,
                                          "display": 400.0})
CAMPAIGNS = MappingProxyType({
    "paid_search": ("Brand_Search", "generic_search", "Shopping_Feed"),
    "paid_social": ("prospecting_video", "Retargeting_Carousel", "UGC_creators"),
    "affiliate": ("partner_program",),
    "display": ("gdn_prospecting", "Criteo_Retargeting"),
})
EMAIL_PRICE_PER_RECIPIENT = 0.0012
#: Channels of the sessions that bring a repeat order.
REPEAT_CHANNELS = MappingProxyType({"email": 0.4, "direct": 0.32, "organic_search": 0.14, "paid_search": 0.08,
                                    "paid_social": 0.06})
#: Where a session that does not convert stops: the chance of going on from each step to the next.
CONTINUE_RATES = MappingProxyType({"view_item": 0.06, "add_to_cart": 0.45, "begin_checkout": 0.6,
                                   "add_shipping_info": 0.6})
DEVICE_SHARE = MappingProxyType({"desktop": 0.34, "mobile": 0.60, "tablet": 0.06})
COUNTRY_SHARE = MappingProxyType({"US": 0.48, "GB": 0.14, "CA": 0.10, "AU": 0.09, "DE": 0.12, "FR": 0.07})
PRODUCT_HANDLES = ("linen-throw", "ceramic-mug-set", "oak-serving-board", "wool-blanket", "glass-carafe",
                   "cotton-apron", "brass-candle-holder", "stoneware-bowl")
SEARCH_REFERRERS = ("https://www.google.com/", "https://www.google.co.uk/", "https://www.bing.com/",
                    "https://duckduckgo.com/", "https://search.yahoo.com/")
REFERRAL_SITES = ("https://www.reddit.com/r/HomeDecorating/", "https://www.apartmenttherapy.com/gift-guide",
                  "https://blog.slowliving.co/best-throws", "https://www.facebook.com/", "https://www.pinterest.com/")

# How each channel's visits are tagged: (utm_source, utm_medium, weight); None leaves the field out.
# The spellings are the messy ones real stores see; utm.py must map every one to its channel.
TAGGING = MappingProxyType({
    "paid_search": (("google", "cpc", 5), ("Google", "CPC", 2), ("google", "ppc", 1), ("bing", "cpc", 1),
                    ("Bing", "paidsearch", 1), ("GOOGLE", "Paid Search", 1), ("gclid", None, 3)),
    "paid_social": (("facebook", "paid_social", 4), ("fb", "paid", 2), ("Facebook", "cpc", 2), ("FB", None, 2),
                    ("facebook.com", "paidsocial", 1), ("instagram", "Paid-Social", 2), ("ig", None, 1),
                    ("TikTok", "social_paid", 2), ("fbclid", None, 1)),
    "email": (("klaviyo", "email", 5), ("Klaviyo", "Email", 2), ("newsletter", "e-mail", 1),
              ("mailchimp", "EMAIL", 1), ("klaviyo", None, 1)),
    "affiliate": (("awin", "affiliate", 3), ("shareasale", "Affiliate", 2), ("impact", "aff", 1),
                  ("partnerize", "partner", 1)),
    "display": (("google", "display", 3), ("gdn", "cpm", 2), ("Criteo", "Display", 2), ("criteo", "banner", 1)),
})


@dataclass(frozen=True)
class StoreConfig:
    """What the simulated store looks like; every field has a sensible default."""

    seed: int = 7
    start: str = "2026-01-05"
    days: int = 182
    prospects: int = 30_000
    touch_rate: Mapping = field(default_factory=lambda: frozen_mapping(TOUCH_RATE))
    touch_conversion: Mapping = field(default_factory=lambda: frozen_mapping(TOUCH_CONVERSION))
    #: mean and concentration (a + b) of the per-prospect baseline intent, a Beta draw
    baseline_mean: float = 0.012
    baseline_concentration: float = 20.0
    journey_mean_days: float = 18.0
    #: BG/NBD (r, alpha per week, a, b) and Gamma-Gamma (p, q, v) of repeat buyers
    bgnbd: Mapping = field(default_factory=lambda: frozen_mapping({"r": 0.5, "alpha": 10.0, "a": 0.8, "b": 2.4}))
    gamma_gamma: Mapping = field(default_factory=lambda: frozen_mapping({"p": 6.0, "q": 4.0, "v": 40.0}))
    first_order_mean_usd: float = 68.0
    product_cost_share: float = 0.38
    fulfilment_cost_usd: float = 7.5
    shipping_charged_usd: float = 4.95
    free_shipping_over_usd: float = 75.0
    discount_rate: float = 0.25            # orders with a discount code
    refund_rate: float = 0.06
    payment_shares: Mapping = field(default_factory=lambda: frozen_mapping(
        {"card": 0.62, "foreign_card": 0.16, "paypal": 0.22}))
    regions_per_country: int = 6
    geo_test_channel: str = "paid_social"
    geo_test_weeks: int = 4
    #: the geo test covers each region's whole market: this many times the prospects simulated in detail
    geo_market_multiplier: float = 25.0

    def __post_init__(self):
        for name in ("touch_rate", "touch_conversion", "bgnbd", "gamma_gamma", "payment_shares"):
            object.__setattr__(self, name, frozen_mapping(getattr(self, name)))
        problems = []
        if self.days < 28:
            problems.append(f"days must be at least 28 (got {self.days})")
        if self.prospects < 100:
            problems.append(f"prospects must be at least 100 (got {self.prospects})")
        for name, mapping in (("touch_rate", self.touch_rate), ("touch_conversion", self.touch_conversion)):
            if set(mapping) != set(CHANNELS):
                problems.append(f"{name} needs one value per channel {CHANNELS}, got {sorted(mapping)}")
            elif any(not 0 <= v for v in mapping.values()):
                problems.append(f"{name} values must be 0 or more")
        if set(self.touch_conversion) == set(CHANNELS) and any(v >= 1 for v in self.touch_conversion.values()):
            problems.append("touch_conversion values are probabilities below 1")
        if not 0 < self.baseline_mean < 1:
            problems.append(f"baseline_mean is a probability in (0, 1), got {self.baseline_mean}")
        if self.geo_test_channel not in CHANNELS:
            problems.append(f"geo_test_channel is one of {CHANNELS}, got {self.geo_test_channel!r}")
        if set(self.payment_shares) != set(PAYMENT_METHODS) or abs(sum(self.payment_shares.values()) - 1) > 1e-9:
            problems.append(f"payment_shares needs shares of {PAYMENT_METHODS} adding up to 1")
        if self.regions_per_country < 2:
            problems.append("regions_per_country must be at least 2 (the geo test needs both arms)")
        if problems:
            raise ValueError("StoreConfig: " + "; ".join(problems) + ".")

    @property
    def end(self) -> pd.Timestamp:
        return pd.Timestamp(self.start) + pd.Timedelta(days=self.days)


@dataclass(frozen=True)
class StoreTruth:
    """The parameters behind a store, and the incremental conversions they imply."""

    touch_conversion: Mapping
    baseline_mean: float
    #: expected first purchases per channel lost without its touches (exact, over the store's prospects)
    incremental: pd.Series
    expected_conversions: float          # expected first purchases with every channel on
    bgnbd: Mapping
    gamma_gamma: Mapping
    geo_lift: float                      # true relative lift of geo_test_channel
    geo_test_channel: str
    payment_fees: Mapping

    @property
    def incremental_share(self) -> pd.Series:
        """Each channel's share of the incremental conversions (what attribution shares are compared with)."""
        return self.incremental / self.incremental.sum()


@dataclass(frozen=True)
class StoreData(SimulatedTables):
    config: StoreConfig
    truth: StoreTruth
    sessions: pd.DataFrame
    checkout_events: pd.DataFrame
    orders: pd.DataFrame
    ad_spend: pd.DataFrame
    email_campaigns: pd.DataFrame
    geo_test: pd.DataFrame
    #: the simulator's own channel of every session, for checking a channel grouping (not for students)
    true_channel: pd.Series = field(repr=False)

    TABLES = ("sessions", "checkout_events", "orders", "ad_spend", "email_campaigns", "geo_test")


def simulate_store(config: StoreConfig | None = None, **overrides) -> StoreData:
    """Simulate a store; ``simulate_store(seed=3, prospects=10_000)`` builds the config."""
    config = config_from(StoreConfig, config, overrides)
    rng = np.random.default_rng(config.seed)
    start = pd.Timestamp(config.start)
    n = config.prospects
    rate = np.array([config.touch_rate[c] for c in CHANNELS])
    q = np.array([config.touch_conversion[c] for c in CHANNELS])

    # prospects: a window inside the period, a region, a baseline intent
    window_days = np.minimum(rng.exponential(config.journey_mean_days, n) + 1, config.days * 0.6)
    window_start = rng.uniform(0, config.days - window_days)
    countries = np.array(list(COUNTRY_SHARE))
    country = rng.choice(len(countries), n, p=list(COUNTRY_SHARE.values()))
    region_number = rng.integers(1, config.regions_per_country + 1, n)
    a_base = config.baseline_mean * config.baseline_concentration
    baseline = rng.beta(a_base, config.baseline_concentration - a_base, n)
    # the email list: prospects who signed up on a visit; only they get email touches
    engagement = rng.gamma(2.0, 0.5, n)                 # some prospects are touched far more than others
    counts = rng.poisson(rate[None, :] * engagement[:, None])
    subscribed = rng.random(n) < 0.35
    counts[:, CHANNELS.index("email")] *= subscribed

    # exact truth: P(convert) and the same without each channel's touches
    survive = (1 - baseline) * np.prod((1 - q[None, :]) ** counts, axis=1)
    p_all = 1 - survive
    incremental = {}
    for k, channel in enumerate(CHANNELS):
        without = 1 - survive / (1 - q[k]) ** counts[:, k]
        incremental[channel] = float((p_all - without).sum())
    geo = CHANNELS.index(config.geo_test_channel)
    p_without_geo = 1 - survive / (1 - q[geo]) ** counts[:, geo]
    geo_lift = float(p_all.sum() / p_without_geo.sum() - 1)

    # touches: prospect, channel, time in days since start
    person = np.repeat(np.repeat(np.arange(n), len(CHANNELS)), counts.ravel())
    channel_code = np.tile(np.arange(len(CHANNELS)), n).repeat(counts.ravel())
    shape = np.array([TOUCH_TIMING[c] for c in CHANNELS])
    position = rng.beta(shape[channel_code, 0], shape[channel_code, 1])
    touch_day = window_start[person] + position * window_days[person]
    touch_success = rng.random(len(person)) < q[channel_code]
    # a successful touch makes the purchase: at once, or (more often after ads seen in passing)
    # days later on a return visit, typed in or searched for by brand name
    immediate = rng.random(len(person)) < np.array([IMMEDIATE_PURCHASE[c] for c in CHANNELS])[channel_code]
    purchase_day = np.where(immediate, touch_day, touch_day + rng.exponential(RETURN_DELAY_DAYS, len(person)))
    # the baseline purchase arrives late in the window, on a return visit of the same kind
    base_people = np.flatnonzero(rng.random(n) < baseline)
    base_day = window_start[base_people] + rng.beta(4.0, 1.2, len(base_people)) * window_days[base_people]
    candidates = np.concatenate([np.flatnonzero(touch_success), len(person) + np.arange(len(base_people))])
    candidate_person = np.concatenate([person[touch_success], base_people])
    candidate_day = np.concatenate([purchase_day[touch_success], base_day])
    candidate_on_touch = np.concatenate([immediate[touch_success], np.zeros(len(base_people), bool)])
    # the earliest purchase of each prospect wins; later successes change nothing
    first = np.lexsort((candidate_day, candidate_person))
    winner = first[np.r_[True, candidate_person[first][1:] != candidate_person[first][:-1]]]
    converts_on_touch = np.zeros(len(person), bool)
    converts_on_touch[candidates[winner][candidate_on_touch[winner]]] = True
    returning = winner[~candidate_on_touch[winner]]
    return_person = candidate_person[returning]
    return_channel = np.where(rng.random(len(returning)) < 0.6, CHANNELS.index("direct"),
                              CHANNELS.index("organic_search"))
    person = np.concatenate([person, return_person])
    channel_code = np.concatenate([channel_code, return_channel])
    touch_day = np.concatenate([touch_day, candidate_day[returning]])
    converts = np.concatenate([converts_on_touch, np.ones(len(returning), bool)])
    order = np.lexsort((touch_day, person))
    person, channel_code, touch_day, converts = person[order], channel_code[order], touch_day[order], converts[order]

    # repeat orders after the first purchase (BG/NBD), each through a session of its own
    buyer_session = np.flatnonzero(converts)
    buyers = person[buyer_session]
    first_day = touch_day[buyer_session]
    repeat_person, repeat_day = _repeat_purchases(config, buyers, first_day, rng)
    repeat_channels = np.array([CHANNELS.index(c) for c in REPEAT_CHANNELS])
    repeat_channel = rng.choice(repeat_channels, len(repeat_person), p=list(REPEAT_CHANNELS.values()))

    all_person = np.concatenate([person, repeat_person])
    all_channel = np.concatenate([channel_code, repeat_channel])
    all_day = np.concatenate([touch_day, repeat_day])
    is_order = np.concatenate([converts, np.ones(len(repeat_person), bool)])
    is_first = np.concatenate([converts, np.zeros(len(repeat_person), bool)])
    keep = all_day < config.days
    all_person, all_channel, all_day, is_order, is_first = (
        a[keep] for a in (all_person, all_channel, all_day, is_order, is_first))
    sequence = np.lexsort((all_person, all_day))
    all_person, all_channel, all_day, is_order, is_first = (
        a[sequence] for a in (all_person, all_channel, all_day, is_order, is_first))
    n_sessions = len(all_day)
    started_at = (start + pd.to_timedelta(np.round(all_day * 86_400), unit="s")).to_numpy()

    landing_url, referrer = _tagged_urls(all_channel, all_day, rng)
    device = rng.choice(len(DEVICES), n_sessions, p=list(DEVICE_SHARE.values()))
    region = np.char.add(np.char.add(countries[country[all_person]], "-"),
                         np.char.zfill(region_number[all_person].astype(str), 2))
    sessions = pd.DataFrame({
        "session_id": np.arange(1, n_sessions + 1, dtype="int64"),
        "visitor_id": (all_person + 100_001).astype("int64"),
        "started_at": started_at,
        "landing_url": pd.array(landing_url, dtype="string"),
        "referrer": pd.array(referrer, dtype="string"),
        "device": pd.Categorical.from_codes(device, categories=list(DEVICES)),
        "country": pd.Categorical.from_codes(country[all_person], categories=list(countries)),
        "region": pd.array(region, dtype="string"),
    })
    checkout_events = _checkout_events(sessions, is_order, device, rng)
    orders = _orders(config, sessions, is_order, is_first, all_person, rng)
    ad_spend = _ad_spend(config, all_channel, all_day, orders, rng)
    email_campaigns = _email_campaigns(config, sessions, all_channel, subscribed.sum(), rng)
    geo_test = _geo_test(config, countries, p_all, p_without_geo, country, region_number, ad_spend, rng)

    truth = StoreTruth(
        touch_conversion=frozen_mapping(config.touch_conversion), baseline_mean=config.baseline_mean,
        incremental=pd.Series(incremental, name="incremental_conversions").rename_axis("channel"),
        expected_conversions=float(p_all.sum()), bgnbd=config.bgnbd, gamma_gamma=config.gamma_gamma,
        geo_lift=geo_lift, geo_test_channel=config.geo_test_channel, payment_fees=PAYMENT_FEES)
    true_channel = pd.Series(pd.Categorical.from_codes(all_channel, categories=list(CHANNELS)),
                             index=sessions["session_id"], name="channel")
    return StoreData(config, truth, sessions, checkout_events, orders, ad_spend, email_campaigns, geo_test,
                     true_channel)


def _repeat_purchases(config: StoreConfig, buyers, first_day, rng):
    """Later purchases of each buyer: BG/NBD (weekly rate ~ Gamma(r, alpha), dropout ~ Beta(a, b))."""
    params = config.bgnbd
    rate_per_day = rng.gamma(params["r"], 1 / params["alpha"], len(buyers)) / 7
    dropout = rng.beta(params["a"], params["b"], len(buyers))
    alive = np.ones(len(buyers), bool)
    day = first_day.copy()
    people, days = [], []
    while alive.any():
        # an active buyer buys again after an exponential wait, and may drop out after each repeat
        # purchase (never after the first: the BG/NBD likelihood of Fader, Hardie & Lee)
        day = day + rng.exponential(1 / np.maximum(rate_per_day, 1e-9))
        alive &= day < config.days
        people.append(buyers[alive])
        days.append(day[alive])
        alive &= rng.random(len(buyers)) >= dropout
    return np.concatenate(people), np.concatenate(days)


def _tagged_urls(channel_code, day, rng):
    """Landing URLs and referrers, tagged the way each channel's visits really arrive."""
    n = len(channel_code)
    handle = np.array(PRODUCT_HANDLES)[rng.integers(0, len(PRODUCT_HANDLES), n)]
    base = np.char.add(f"https://{STORE_DOMAIN}/products/", handle)
    url = base.astype(object)
    referrer = np.full(n, "", dtype=object)
    for code, channel in enumerate(CHANNELS):
        chosen = np.flatnonzero(channel_code == code)
        if not len(chosen):
            continue
        if channel in TAGGING:
            variants = TAGGING[channel]
            weights = np.array([w for *_, w in variants], float)
            pick = rng.choice(len(variants), len(chosen), p=weights / weights.sum())
            campaigns = _campaign_names(channel, day[chosen], rng)
            for k, (source, medium, _) in enumerate(variants):
                rows = chosen[pick == k]
                if source == "gclid":
                    url[rows] = [f"{u}?gclid=Cj0K{i:08x}" for u, i in zip(base[rows], rng.integers(0, 2**31, len(rows)))]
                    continue
                if source == "fbclid":
                    url[rows] = [f"{u}?fbclid=IwAR{i:08x}" for u, i in zip(base[rows], rng.integers(0, 2**31, len(rows)))]
                    continue
                query = f"utm_source={source.replace(' ', '+')}"
                if medium is not None:
                    query += f"&utm_medium={medium.replace(' ', '%20')}"
                url[rows] = [f"{u}?{query}&utm_campaign={c}" for u, c in zip(base[rows], campaigns[pick == k])]
            if channel in ("paid_social", "display"):
                referrer[chosen] = np.where(rng.random(len(chosen)) < 0.5, "https://l.facebook.com/"
                                            if channel == "paid_social" else "https://googleads.g.doubleclick.net/",
                                            "")
        elif channel == "organic_search":
            referrer[chosen] = np.array(SEARCH_REFERRERS)[rng.integers(0, len(SEARCH_REFERRERS), len(chosen))]
        elif channel == "referral":
            referrer[chosen] = np.array(REFERRAL_SITES)[rng.integers(0, len(REFERRAL_SITES), len(chosen))]
        # direct: no UTM, no referrer (typed in, bookmarked, an app)
    return url.astype(str), referrer.astype(str)


def _campaign_names(channel: str, day, rng):
    if channel == "email":
        week = (day // 7).astype(int)
        names = np.char.add("weekly_newsletter_w", np.char.zfill(week.astype(str), 2))
        # some sends are tagged with the campaign in upper case, as a person typed it
        return np.where(rng.random(len(day)) < 0.15, np.char.upper(names), names)
    names = np.array(CAMPAIGNS[channel])
    picked = names[rng.integers(0, len(names), len(day))]
    # the same campaign arrives in several cases
    return np.where(rng.random(len(day)) < 0.2, np.char.lower(picked), picked)


def _checkout_events(sessions: pd.DataFrame, is_order, device, rng) -> pd.DataFrame:
    """Steps each session reached: all of them when it ordered, else up to a drawn stopping step."""
    n = len(sessions)
    steps = len(CHECKOUT_STEPS)
    # mobile shoppers leave the checkout more often
    mobile = device == DEVICES.index("mobile")
    reached = np.ones(n, dtype="int64")                      # everybody views an item
    going = np.ones(n, bool)
    for k, step in enumerate(CHECKOUT_STEPS[:-2]):
        rate = CONTINUE_RATES[step] * np.where(mobile & (k >= 2), 0.85, 1.0)
        going &= rng.random(n) < rate
        reached += going
    reached = np.where(is_order, steps, np.minimum(reached, steps - 1))
    session_row = np.repeat(np.arange(n), reached)
    step_code = np.arange(len(session_row)) - np.repeat(np.cumsum(reached) - reached, reached)
    started = sessions["started_at"].to_numpy()
    seconds = np.cumsum(rng.exponential(45, len(session_row)))
    offset = seconds - np.repeat(seconds[np.cumsum(reached) - reached] - 20, reached)
    return pd.DataFrame({
        "session_id": sessions["session_id"].to_numpy()[session_row],
        "step": pd.Categorical.from_codes(step_code, categories=list(CHECKOUT_STEPS)),
        "timestamp": started[session_row] + (offset * 1e3).astype("timedelta64[ms]"),
    })


def _orders(config: StoreConfig, sessions: pd.DataFrame, is_order, is_first, person, rng) -> pd.DataFrame:
    rows = np.flatnonzero(is_order)
    n = len(rows)
    gg = config.gamma_gamma
    # Gamma-Gamma: each customer's mean spend nu ~ Gamma(q, v); order values ~ Gamma(p, nu)
    customers, first_row = np.unique(person[rows], return_inverse=True)
    customer_scale = rng.gamma(gg["q"], 1 / gg["v"], len(customers))
    repeat_value = rng.gamma(gg["p"], 1 / customer_scale[first_row])
    first_value = rng.gamma(4.0, config.first_order_mean_usd / 4.0, n)
    gross = np.round(np.where(is_first[rows], first_value, repeat_value), 2)
    discounted = rng.random(n) < config.discount_rate
    discount = np.round(np.where(discounted, gross * rng.choice([0.1, 0.15, 0.2], n), 0.0), 2)
    revenue = np.round(gross - discount, 2)
    shipping = np.where(revenue >= config.free_shipping_over_usd, 0.0, config.shipping_charged_usd)
    methods = rng.choice(len(PAYMENT_METHODS), n, p=[config.payment_shares[m] for m in PAYMENT_METHODS])
    fee_rate = np.array([PAYMENT_FEES[m][0] for m in PAYMENT_METHODS])[methods]
    fee_fixed = np.array([PAYMENT_FEES[m][1] for m in PAYMENT_METHODS])[methods]
    return pd.DataFrame({
        "order_id": np.arange(1, n + 1, dtype="int64") + 500_000,
        "session_id": sessions["session_id"].to_numpy()[rows],
        "visitor_id": sessions["visitor_id"].to_numpy()[rows],
        "customer_id": (person[rows] + 9_000_001).astype("int64"),
        "ordered_at": sessions["started_at"].to_numpy()[rows] + (rng.uniform(3, 25, n) * 60e3).astype("timedelta64[ms]"),
        "revenue_usd": revenue,
        "shipping_charged_usd": shipping,
        "discount_usd": discount,
        "product_cost_usd": np.round(gross * config.product_cost_share * rng.uniform(0.9, 1.1, n), 2),
        "fulfilment_cost_usd": np.round(config.fulfilment_cost_usd * rng.uniform(0.85, 1.3, n), 2),
        "payment_method": pd.Categorical.from_codes(methods, categories=list(PAYMENT_METHODS)),
        "payment_fee_usd": np.round((revenue + shipping) * fee_rate + fee_fixed, 2),
        "refunded": rng.random(n) < config.refund_rate,
    })


def _ad_spend(config: StoreConfig, channel_code, day, orders, rng) -> pd.DataFrame:
    """Daily spend, impressions and clicks per paid channel and campaign, from the sessions they bought."""
    start = pd.Timestamp(config.start)
    frames = []
    for channel in PAID_CHANNELS:
        code = CHANNELS.index(channel)
        campaigns = CAMPAIGNS[channel]
        chosen = channel_code == code
        days = np.floor(day[chosen]).astype(int)
        campaign = rng.integers(0, len(campaigns), chosen.sum())
        landed = np.zeros((config.days, len(campaigns)))
        np.add.at(landed, (days, campaign), 1)
        clicks = rng.poisson(landed * CLICKS_PER_SESSION[channel] + 0.5)
        impressions = rng.poisson(clicks * IMPRESSIONS_PER_CLICK[channel] + 20)
        cpc = COST_PER_CLICK[channel] * rng.lognormal(0, 0.15, clicks.shape)
        spend = clicks * cpc
        if channel == "affiliate":
            # commission on the orders whose session came from an affiliate, on the order's day
            from_affiliate = channel_code[orders["session_id"].to_numpy() - 1] == code
            order_day = np.clip(((orders["ordered_at"] - start) / pd.Timedelta(days=1)).to_numpy().astype(int),
                                0, config.days - 1)[from_affiliate]
            commission = np.bincount(order_day, minlength=config.days,
                                     weights=orders["revenue_usd"].to_numpy()[from_affiliate] * AFFILIATE_COMMISSION)
            spend = np.repeat(commission[:, None], len(campaigns), axis=1) / len(campaigns)
        dates = start + pd.to_timedelta(np.arange(config.days), unit="D")
        frames.append(pd.DataFrame({
            "date": np.repeat(dates.to_numpy(), len(campaigns)),
            "channel": channel,
            "campaign": np.tile(np.array(campaigns, dtype=object), config.days),
            "spend_usd": np.round(spend.ravel(), 2),
            "impressions": impressions.ravel().astype("int64"),
            "clicks": clicks.ravel().astype("int64"),
        }))
    table = pd.concat(frames, ignore_index=True)
    table["channel"] = pd.Categorical(table["channel"], categories=list(PAID_CHANNELS))
    table["campaign"] = table["campaign"].astype("string")
    return table


def _email_campaigns(config: StoreConfig, sessions, channel_code, subscribers: int, rng) -> pd.DataFrame:
    weeks = config.days // 7
    start = pd.Timestamp(config.start)
    names = [f"weekly_newsletter_w{week:02d}" for week in range(weeks)]
    growth = np.linspace(0.4, 1.0, weeks)                # the list grows through the season
    recipients = np.round(subscribers * growth * rng.uniform(0.95, 1.05, weeks)).astype("int64")
    return pd.DataFrame({
        "campaign": pd.array(names, dtype="string"),
        "sent_at": (start + pd.to_timedelta(np.arange(weeks) * 7 + 2, unit="D") + pd.Timedelta(hours=9)).to_numpy(),
        "recipients": recipients,
        "cost_usd": np.round(recipients * EMAIL_PRICE_PER_RECIPIENT, 2),
    })


def _geo_test(config: StoreConfig, countries, p_all, p_without, country, region_number, ad_spend, rng) -> pd.DataFrame:
    """Half the regions lose the test channel for the test weeks; expected new customers follow the truth."""
    region_key = country * 100 + region_number
    keys, inverse = np.unique(region_key, return_inverse=True)
    expected_all = np.bincount(inverse, weights=p_all)
    expected_without = np.bincount(inverse, weights=p_without)
    population = np.round(np.bincount(inverse) * config.geo_market_multiplier)
    share_of_period = 7 * config.geo_test_weeks / config.days
    arm = rng.permutation(np.arange(len(keys)) % 2)           # 0 treatment, 1 holdout, balanced
    region_noise = rng.lognormal(0, 0.08, len(keys))
    scale = share_of_period * config.geo_market_multiplier * region_noise
    pre = rng.poisson(expected_all * scale)
    test_mean = np.where(arm == 0, expected_all, expected_without) * scale
    test = rng.poisson(test_mean)
    # the sum of `test` first orders, each Gamma(4, mean / 4) like the store's first orders
    revenue = np.round(np.where(test > 0, rng.gamma(np.maximum(4.0 * test, 1e-9), config.first_order_mean_usd / 4.0),
                                0.0), 2)
    names = [f"{countries[k // 100]}-{k % 100:02d}" for k in keys]
    # the channel's spend goes on in treatment regions, in proportion to their market
    daily = ad_spend.loc[ad_spend["channel"] == config.geo_test_channel, "spend_usd"].sum() / config.days
    spend = np.where(arm == 0, daily * 7 * config.geo_test_weeks * config.geo_market_multiplier
                     * np.bincount(inverse) / len(p_all), 0.0)
    return pd.DataFrame({
        "region": pd.array(names, dtype="string"),
        "group": pd.Categorical.from_codes(arm, categories=list(TEST_GROUPS)),
        "channel": pd.Categorical([config.geo_test_channel] * len(keys), categories=list(CHANNELS)),
        "population": population.astype("int64"),
        "pre_conversions": pre.astype("int64"),
        "test_conversions": test.astype("int64"),
        "test_revenue_usd": revenue,
        "test_spend_usd": np.round(spend, 2),
    })
