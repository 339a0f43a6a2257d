"""Event logs for the live-stream analytics tests: hand-made rows and a seeded season with known truth.

``events_frame`` turns rows into a frame with exactly the dtypes of the ``events`` schema.
``synthetic_season`` draws a season whose data-generating process is written here, so
the estimators can be checked against it:

- viewers arrive per minute as Poisson(base x warm-up(minute)); the base grows with the
  slot, ad budget, followers and line-up size (log-linearly); each watches an exponential
  time whose mean depends on the traffic source, censored at the stream's end;
- orders per stream-minute are Poisson(concurrent viewers x order rate x host effect x
  deal uplift while a deal runs); hosts with larger effects get more prime slots and
  bigger ad budgets, so raw host averages are confounded;
- comments and likes per minute scale with concurrency and jump during deals, but have
  no effect on orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cbec.modules.livestream_analytics.schemas import DEAL_FORMATS, EVENT_TYPES, SLOTS, TRAFFIC_SOURCES

T0 = pd.Timestamp("2025-03-03 20:00")  # a Monday


def events_frame(rows) -> pd.DataFrame:
    """Rows ``(stream_id, viewer_id, minutes after T0 or Timestamp, event_type[, product_id, order_id, amount,
    traffic_source])`` as an events table with the schema's dtypes."""
    full = [tuple(row) + (None,) * (8 - len(row)) for row in rows]
    frame = pd.DataFrame(full, columns=["stream_id", "viewer_id", "timestamp", "event_type", "product_id",
                                        "order_id", "amount", "traffic_source"])
    return typed_events(frame)


def typed_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Cast columns of an events frame to the schema's dtypes (times given in minutes after T0 allowed)."""
    out = pd.DataFrame({"stream_id": frame["stream_id"].astype("int64"),
                        "viewer_id": frame["viewer_id"].astype("int64")})
    times = frame["timestamp"]
    if not pd.api.types.is_datetime64_any_dtype(times):
        times = pd.Series([T0 + pd.Timedelta(minutes=float(t)) if not isinstance(t, pd.Timestamp) else t
                           for t in times], index=frame.index)
    out["timestamp"] = times.astype("datetime64[ns]")
    out["event_type"] = pd.Categorical(frame["event_type"], categories=EVENT_TYPES)
    out["product_id"] = pd.array(frame["product_id"].astype("Float64"), dtype="Int32")
    out["order_id"] = pd.array(frame["order_id"].astype("Float64"), dtype="Int64")
    out["amount"] = frame["amount"].astype(float)
    out["traffic_source"] = pd.Categorical(frame["traffic_source"], categories=TRAFFIC_SOURCES)
    return out


def streams_frame(rows) -> pd.DataFrame:
    """Rows ``(stream_id, host_id, start minute, end minute[, slot])`` as a streams table."""
    frame = pd.DataFrame([(*row[:4], row[4] if len(row) > 4 else "prime") for row in rows],
                         columns=["stream_id", "host_id", "start", "end", "slot"])
    frame["start"] = T0 + pd.to_timedelta(frame["start"], unit="min")
    frame["end"] = T0 + pd.to_timedelta(frame["end"], unit="min")
    frame["slot"] = pd.Categorical(frame["slot"], categories=SLOTS)
    frame["weekday"] = frame["start"].dt.day_of_week.astype("int64")
    frame["n_products"], frame["ad_budget_usd"], frame["followers_at_start"] = 10, 100.0, 10_000
    return frame


def deals_frame(rows) -> pd.DataFrame:
    """Rows ``(deal_id, stream_id, start minute, end minute[, format])`` as a deals table."""
    frame = pd.DataFrame([(*row[:4], row[4] if len(row) > 4 else "flash_price") for row in rows],
                         columns=["deal_id", "stream_id", "start", "end", "format"])
    frame["start"] = T0 + pd.to_timedelta(frame["start"], unit="min")
    frame["end"] = T0 + pd.to_timedelta(frame["end"], unit="min")
    frame["format"] = pd.Categorical(frame["format"], categories=DEAL_FORMATS)
    frame["product_id"], frame["discount"] = 1, 0.2
    return frame[["deal_id", "stream_id", "product_id", "format", "start", "end", "discount"]]


SLOT_TRAFFIC = {"morning": 0.6, "afternoon": 0.8, "prime": 1.6, "late": 1.0}
SLOT_HOURS = {"morning": 9, "afternoon": 14, "prime": 20, "late": 23}
SOURCE_SHARES = {"recommendation_feed": 0.45, "follow_feed": 0.2, "short_video": 0.15, "search": 0.1,
                 "paid_ads": 0.1}
SOURCE_MEAN_WATCH = {"recommendation_feed": 6.0, "follow_feed": 20.0, "short_video": 9.0, "search": 12.0,
                     "paid_ads": 4.0}


@dataclass
class Truth:
    host_effects: dict          # multiplicative order-rate effect per host
    deal_uplift: dict           # multiplicative order-rate uplift per deal format
    control_coefficients: dict  # log-linear effects of the stream controls on traffic
    source_shares: dict
    source_mean_watch: dict

    def survival(self, minutes):
        """Share of visits still watching ``minutes`` after entering (a mixture of exponentials)."""
        minutes = np.asarray(minutes, dtype=float)
        return sum(share * np.exp(-minutes / self.source_mean_watch[source])
                   for source, share in self.source_shares.items())


@dataclass
class Season:
    events: pd.DataFrame
    streams: pd.DataFrame
    deals: pd.DataFrame
    truth: Truth
    minutes: pd.DataFrame = field(repr=False)  # the generator's own per-minute table (concurrency, orders)


def synthetic_season(seed: int, *, n_streams: int = 60, duration: int = 120, base_arrivals: float = 25.0,
                     order_rate: float = 0.004, host_effects=None, deal_uplift=1.6,
                     confounded_hosts: bool = True) -> Season:
    """A season of ``n_streams`` streams of ``duration`` minutes drawn with known effects (see module doc)."""
    rng = np.random.default_rng(seed)
    host_effects = host_effects or {1: 1.0, 2: 1.5, 3: 0.7, 4: 2.0}
    uplift = deal_uplift if isinstance(deal_uplift, dict) else {f: float(deal_uplift) for f in DEAL_FORMATS}
    hosts = np.array(list(host_effects))
    strength = np.log(np.array([host_effects[h] for h in hosts]))

    # streams: better hosts are booked into prime time and given more ad money
    host = rng.choice(hosts, size=n_streams)
    host_strength = strength[np.searchsorted(hosts, host)]
    prime_chance = 1 / (1 + np.exp(-(3 * host_strength if confounded_hosts else 0)))
    slot = np.where(rng.random(n_streams) < prime_chance, "prime",
                    rng.choice(["morning", "afternoon", "late"], size=n_streams))
    day = np.arange(n_streams) // 2 + rng.integers(0, 2, n_streams)
    start = (T0.normalize() + pd.to_timedelta(day, unit="D")
             + pd.to_timedelta([SLOT_HOURS[s] for s in slot], unit="h"))
    ad_budget = np.round(rng.lognormal(np.log(80) + (1.0 * host_strength if confounded_hosts else 0), 0.5,
                                        n_streams), 2)
    followers = np.round(rng.lognormal(np.log(20_000), 0.4, n_streams)).astype("int64")
    n_products = rng.integers(5, 21, n_streams)
    coefficients = {"log1p_ad_budget": 0.3, "log_followers": 0.4, "n_products": 0.02}
    traffic = (base_arrivals * np.array([SLOT_TRAFFIC[s] for s in slot])
               * np.exp(coefficients["log1p_ad_budget"] * (np.log1p(ad_budget) - np.log1p(80))
                        + coefficients["log_followers"] * (np.log(followers) - np.log(20_000))
                        + coefficients["n_products"] * (n_products - 12)))
    streams = pd.DataFrame({"stream_id": np.arange(1, n_streams + 1, dtype="int64"), "host_id": host.astype("int64"),
                            "start": start, "end": start + pd.Timedelta(minutes=duration),
                            "slot": pd.Categorical(slot, categories=SLOTS)})
    streams["weekday"] = streams["start"].dt.day_of_week.astype("int64")
    streams["n_products"], streams["ad_budget_usd"] = n_products.astype("int64"), ad_budget
    streams["followers_at_start"] = followers

    # deals: two or three per stream, after the warm-up, never overlapping
    deal_rows = []
    for index in range(n_streams):
        count = rng.integers(2, 4)
        slots = np.sort(rng.choice(np.arange(20, duration - 20, 15), size=count, replace=False))
        for offset in slots:
            length = int(rng.choice([5, 10]))
            deal_rows.append((index + 1, int(offset + rng.integers(0, 4)), length, rng.choice(DEAL_FORMATS)))
    deals = pd.DataFrame(deal_rows, columns=["stream_id", "offset", "length", "format"])
    deals.insert(0, "deal_id", np.arange(1, len(deals) + 1, dtype="int64"))
    deal_start = streams.set_index("stream_id").loc[deals["stream_id"], "start"].to_numpy()
    deals["start"] = deal_start + pd.to_timedelta(deals["offset"], unit="min").to_numpy()
    deals["end"] = deals["start"] + pd.to_timedelta(deals["length"], unit="min")
    deals["product_id"] = rng.integers(1, 41, len(deals)).astype("int64")
    deals["discount"] = 0.2
    deals["format"] = pd.Categorical(deals["format"], categories=DEAL_FORMATS)

    # visits: arrivals per minute, exponential watch times by source, censored at the end
    minute = np.arange(duration)
    warm_up = 1 - 0.6 * np.exp(-minute / 20)
    arrivals = rng.poisson(np.outer(traffic, warm_up))
    stream_of_visit = np.repeat(np.repeat(np.arange(n_streams), duration), arrivals.ravel())
    enter_offset = np.repeat(np.tile(minute, n_streams), arrivals.ravel()) + rng.random(stream_of_visit.size)
    sources = np.array(list(SOURCE_SHARES))
    source = rng.choice(sources, size=stream_of_visit.size, p=list(SOURCE_SHARES.values()))
    mean_watch = np.array([SOURCE_MEAN_WATCH[s] for s in source])
    leave_offset = enter_offset + rng.exponential(mean_watch)
    viewer = np.empty(stream_of_visit.size, dtype="int64")
    for index in range(n_streams):  # distinct viewers within a stream, shared across streams
        chosen = stream_of_visit == index
        viewer[chosen] = rng.choice(200_000, size=chosen.sum(), replace=False) + 1

    # concurrency at each minute's start: entered at or before it, not yet left
    first = np.ceil(enter_offset).astype(int)
    last = np.minimum(np.ceil(leave_offset), duration).astype(int)
    change = np.zeros((n_streams, duration + 1))
    np.add.at(change, (stream_of_visit, np.minimum(first, duration)), 1)
    np.add.at(change, (stream_of_visit, last), -1)
    concurrency = np.cumsum(change, axis=1)[:, :duration]
    concurrency = np.maximum(concurrency, 0)

    in_deal = np.zeros((n_streams, duration), dtype=bool)
    deal_effect = np.ones((n_streams, duration))
    for row in deals.itertuples():
        in_deal[row.stream_id - 1, row.offset:row.offset + row.length] = True
        deal_effect[row.stream_id - 1, row.offset:row.offset + row.length] = uplift[row.format]
    host_multiplier = np.array([host_effects[h] for h in host])[:, None]
    orders = rng.poisson(concurrency * order_rate * host_multiplier * deal_effect)
    comments = rng.poisson(concurrency * 0.04 * np.where(in_deal, 2.5, 1.0))
    likes = rng.poisson(concurrency * 0.15 * np.where(in_deal, 2.0, 1.0))

    stream_ids = streams["stream_id"].to_numpy()
    starts = streams["start"].to_numpy()
    pieces = []

    def rows(stream_index, offsets, viewers, event_type, product=None, order=None, amount=None, traffic=None):
        size = len(offsets)
        pieces.append(pd.DataFrame({
            "stream_id": stream_ids[stream_index], "viewer_id": viewers,
            "timestamp": starts[stream_index] + (np.asarray(offsets) * 60e9).astype("timedelta64[ns]"),
            "event_type": event_type,
            "product_id": product if product is not None else np.full(size, np.nan),
            "order_id": order if order is not None else np.full(size, np.nan),
            "amount": amount if amount is not None else np.full(size, np.nan),
            "traffic_source": traffic if traffic is not None else np.full(size, None)}))

    rows(stream_of_visit, enter_offset - 0.05, viewer, "exposure", traffic=source)
    extra = rng.poisson(3, stream_of_visit.size)  # exposures that did not lead to a room entry
    rows(np.repeat(stream_of_visit, extra), np.repeat(enter_offset, extra) - 0.1 - rng.random(extra.sum()),
         rng.integers(200_001, 400_000, extra.sum()), "exposure", traffic=np.repeat(source, extra))
    rows(stream_of_visit, enter_offset, viewer, "enter", traffic=source)
    left = leave_offset < duration
    rows(stream_of_visit[left], leave_offset[left], viewer[left], "leave")
    browsing = rng.random(stream_of_visit.size) < 0.12  # clicks that lead to no order
    watched = np.minimum(leave_offset, duration) - enter_offset
    rows(stream_of_visit[browsing], (enter_offset + rng.random(stream_of_visit.size) * watched)[browsing],
         viewer[browsing], "product_click", product=rng.integers(1, 41, browsing.sum()))

    stream_of_order = np.repeat(np.repeat(np.arange(n_streams), duration), orders.ravel())
    order_offset = np.repeat(np.tile(minute, n_streams), orders.ravel()) + rng.random(stream_of_order.size)
    pick = rng.integers(0, 1 << 30, stream_of_order.size)
    visits_per_stream = np.bincount(stream_of_visit, minlength=n_streams)
    visit_start = np.r_[0, np.cumsum(visits_per_stream)[:-1]]
    order_viewer = viewer[np.argsort(stream_of_visit, kind="stable")][
        visit_start[stream_of_order] + pick % np.maximum(visits_per_stream[stream_of_order], 1)]
    product = rng.integers(1, 41, stream_of_order.size)
    value = np.round(rng.gamma(4, 6, stream_of_order.size), 2)
    order_id = np.arange(1, stream_of_order.size + 1) + seed * 10_000_000
    click_offset = np.maximum(order_offset - rng.random(stream_of_order.size) * 2, 0)
    rows(stream_of_order, click_offset, order_viewer, "product_click", product=product)
    rows(stream_of_order, (click_offset + order_offset) / 2, order_viewer, "add_to_cart", product=product)
    rows(stream_of_order, order_offset, order_viewer, "order", product=product, order=order_id, amount=value)
    paid = rng.random(stream_of_order.size) < 0.9
    rows(stream_of_order[paid], order_offset[paid] + 0.5, order_viewer[paid], "payment", product=product[paid],
         order=order_id[paid], amount=value[paid])
    refunded = paid & (rng.random(stream_of_order.size) < 0.05)
    rows(stream_of_order[refunded], order_offset[refunded] + 60 * 24 * 3, order_viewer[refunded], "refund",
         product=product[refunded], order=order_id[refunded], amount=value[refunded])

    for event_type, counts in (("comment", comments), ("like", likes)):
        stream_of_event = np.repeat(np.repeat(np.arange(n_streams), duration), counts.ravel())
        offsets = np.repeat(np.tile(minute, n_streams), counts.ravel()) + rng.random(stream_of_event.size)
        rows(stream_of_event, offsets, rng.integers(1, 200_001, stream_of_event.size), event_type)

    events = typed_events(pd.concat(pieces, ignore_index=True))
    events = events.sort_values(["stream_id", "timestamp"], kind="stable").reset_index(drop=True)
    minutes = pd.DataFrame({"stream_id": np.repeat(stream_ids, duration), "minute_of_stream": np.tile(minute, n_streams),
                            "concurrency": concurrency.ravel(), "orders": orders.ravel(),
                            "comments": comments.ravel(), "likes": likes.ravel(), "in_deal": in_deal.ravel()})
    truth = Truth(host_effects=dict(host_effects), deal_uplift=uplift, control_coefficients=coefficients,
                  source_shares=dict(SOURCE_SHARES), source_mean_watch=dict(SOURCE_MEAN_WATCH))
    return Season(events=events, streams=streams, deals=deals.drop(columns=["offset", "length"]), truth=truth,
                  minutes=minutes)
