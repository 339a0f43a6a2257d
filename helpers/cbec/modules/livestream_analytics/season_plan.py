"""The plan of a season before any viewer acts: hosts and their true effects, products, streams,
line-ups, deals and engaging moments (:func:`plan_season`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cbec.modules.livestream_analytics.schemas import DEAL_FORMATS, SLOTS
from cbec.world.calendar import WEEKDAY_FACTOR
from cbec.world.simulated import frozen_mapping
from cbec.modules.livestream_analytics.season_config import (ATTRIBUTION_DAYS, DEAL_FORMAT_DTYPE, HOST_FIRST_NAMES, HOST_SUFFIXES, MS_PER_MINUTE, PRODUCT_ADJECTIVES, PRODUCT_CATEGORIES, REFERENCE_AD_BUDGET, REFERENCE_FOLLOWERS, SLOT_DTYPE, SLOT_ORDER_EFFECT, SLOT_START_HOUR, SLOT_TRAFFIC, SOURCE_ENTRY_RATE, SOURCE_ORDER_EFFECT, SeasonConfig, WEEKDAY_ORDER_EFFECT)

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
