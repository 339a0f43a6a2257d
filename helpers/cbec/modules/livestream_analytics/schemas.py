"""The tables of a season of live streams: one event log and its dimensions.

``events`` is the log a live-selling platform exports, one row per viewer action; the
other tables describe the streams, hosts, products and scheduled flash deals. Every
analysis, the simulator and the Parquet store (partitioned by ``stream_id``) use these
names, types and vocabularies.
"""

from __future__ import annotations

from cbec.data.schemas import TableSchema, table_schema

#: Event types in funnel order first (exposure -> room entry -> product click -> add to cart ->
#: order -> payment), then what happens besides (leaving, engagement, refunds).
FUNNEL_EVENTS = ("exposure", "enter", "product_click", "add_to_cart", "order", "payment")
EVENT_TYPES = (*FUNNEL_EVENTS, "leave", "comment", "like", "share", "follow", "refund")
#: Where a viewer's exposure (and the room entry after it) came from.
TRAFFIC_SOURCES = ("recommendation_feed", "follow_feed", "short_video", "search", "paid_ads")
#: How a scheduled deal is run.
DEAL_FORMATS = ("flash_price", "coupon", "bundle")
#: Time slots a stream can be scheduled in (local time of the audience).
SLOTS = ("morning", "afternoon", "prime", "late")

SCHEMAS: dict[str, TableSchema] = {s.name: s for s in [
    table_schema("events", "One row per viewer action in a stream (or after it, for orders, payments and refunds).",
                 stream_id=("integer", "stream key"), viewer_id=("integer", "viewer key, the same across streams"),
                 timestamp=("datetime", "when it happened"),
                 event_type=("category", f"one of {', '.join(EVENT_TYPES)} (a categorical)"),
                 product_id=("integer", "product clicked, carted, ordered or refunded; empty otherwise (nullable Int32)"),
                 order_id=("integer", "order key of order, payment and refund rows; empty otherwise (nullable Int64)"),
                 amount=("float", "USD: order value (order, payment), money returned (refund); empty otherwise"),
                 traffic_source=("category", "where the viewer came from, on exposure and enter rows (a categorical)")),
    table_schema("streams", "One row per live stream.",
                 stream_id=("integer", "stream key"), host_id=("integer", "who hosted it"),
                 start=("datetime", "when the stream went live"), end=("datetime", "when it ended"),
                 slot=("category", f"time slot: {', '.join(SLOTS)}"), weekday=("integer", "0 = Monday"),
                 n_products=("integer", "products in the line-up"),
                 ad_budget_usd=("float", "paid traffic bought for the stream"),
                 followers_at_start=("integer", "the host's followers when the stream began")),
    table_schema("hosts", "One row per host.",
                 host_id=("integer", "host key"), host_name=("string", "display name"),
                 experience_months=("integer", "months of live selling before the season")),
    table_schema("products", "One row per product sold in the season.",
                 product_id=("integer", "product key"), title=("string", "listing title"),
                 category=("string", "product category"), list_price_usd=("float", "price outside deals, USD"),
                 unit_cost_usd=("float", "landed cost per unit, USD")),
    table_schema("lineup", "Which products each stream presents, and when each is pinned on screen.",
                 stream_id=("integer", "stream key"), product_id=("integer", "product key"),
                 position=("integer", "1 = presented first"), pinned_from=("datetime", "start of its slot"),
                 pinned_until=("datetime", "end of its slot")),
    table_schema("deals", "One row per scheduled flash deal.",
                 deal_id=("integer", "deal key"), stream_id=("integer", "stream key"),
                 product_id=("integer", "the product on deal"),
                 format=("category", f"{', '.join(DEAL_FORMATS)}"), start=("datetime", "deal window opens"),
                 end=("datetime", "deal window closes (exclusive)"), discount=("float", "share off the list price")),
]}

#: Nullable-integer columns of ``events`` (pandas ``Int32``/``Int64``; Parquet nulls).
NULLABLE_EVENT_COLUMNS = ("product_id", "order_id")
