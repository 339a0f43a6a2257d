"""The events of one block of consecutive streams: arrivals, visits, orders, engagement and refunds,
vectorised over the block (:func:`event_block`)."""

from __future__ import annotations


import numpy as np
import pandas as pd

from cbec.modules.livestream_analytics.schemas import DEAL_FORMATS, EVENT_TYPES, SLOTS, TRAFFIC_SOURCES
from cbec.world.calendar import WEEKDAY_FACTOR
from cbec.modules.livestream_analytics.season_config import (ATTRIBUTION_DAYS, EVENT_TYPE_DTYPE, MS_PER_MINUTE, ORDER_ID_STRIDE, REFERENCE_AD_BUDGET, REFERENCE_FOLLOWERS, SLOT_ORDER_EFFECT, SLOT_TRAFFIC, SOURCE_ENTRY_RATE, SOURCE_ENTRY_SHARE, SOURCE_ORDER_EFFECT, SeasonConfig, TRAFFIC_SOURCE_DTYPE, WEEKDAY_ORDER_EFFECT)
from cbec.modules.livestream_analytics.season_plan import SeasonPlan

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


def event_block(plan: SeasonPlan, block: int) -> dict[str, np.ndarray]:
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


def events_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
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
