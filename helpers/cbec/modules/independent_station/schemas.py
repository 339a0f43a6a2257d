"""The tables of a brand's own online store (an "independent station"): web sessions, the
checkout funnel, orders, ad spend, email sends and a geo holdout test.

``sessions`` is what a web analytics export holds: one row per visit, with the landing
URL as the browser sent it (UTM parameters in any case, misspelt or missing) and the
referrer. The channel of a visit is not a column: it is derived from the URL and the
referrer by :mod:`.utm`, as an analyst must. Every analysis, the simulator and the
assignment use these names, types and vocabularies.
"""

from __future__ import annotations

from cbec.data.schemas import TableSchema, table_schema

#: The channel grouping: where a visit came from, once its UTM parameters are cleaned.
CHANNELS = ("paid_search", "paid_social", "email", "affiliate", "display", "referral", "organic_search", "direct")
#: Channels bought per click or impression (their spend is in ``ad_spend``).
PAID_CHANNELS = ("paid_search", "paid_social", "affiliate", "display")
#: Checkout steps in order, as the store's analytics tag them (GA4 event names).
CHECKOUT_STEPS = ("view_item", "add_to_cart", "begin_checkout", "add_shipping_info", "add_payment_info", "purchase")
#: How an order was paid; fees differ (see ``PAYMENT_FEES`` in the simulator).
PAYMENT_METHODS = ("card", "foreign_card", "paypal")
DEVICES = ("desktop", "mobile", "tablet")
#: Arms of the geo holdout test.
TEST_GROUPS = ("treatment", "holdout")

SCHEMAS: dict[str, TableSchema] = {s.name: s for s in [
    table_schema("sessions", "One row per visit to the store.",
                 session_id=("integer", "visit key"),
                 visitor_id=("integer", "browser cookie: the same person across visits on one device"),
                 started_at=("datetime", "when the visit began"),
                 landing_url=("string", "first page's URL as sent, with any utm_* query parameters"),
                 referrer=("string", "the referring page's URL; empty for typed-in or bookmarked visits"),
                 device=("category", f"one of {', '.join(DEVICES)}"),
                 country=("category", "visitor's country code (ISO 3166-1 alpha-2)"),
                 region=("string", "visitor's region (the unit of the geo holdout test)")),
    table_schema("checkout_events", "The checkout steps a visit reached, one row per step.",
                 session_id=("integer", "visit key"),
                 step=("category", f"one of {', '.join(CHECKOUT_STEPS)}"),
                 timestamp=("datetime", "when the step happened")),
    table_schema("orders", "One row per order.",
                 order_id=("integer", "order key"), session_id=("integer", "the visit that placed it"),
                 visitor_id=("integer", "browser cookie of that visit"),
                 customer_id=("integer", "the buyer: the same across devices and orders"),
                 ordered_at=("datetime", "when it was placed"),
                 revenue_usd=("float", "merchandise revenue after discounts, USD"),
                 shipping_charged_usd=("float", "shipping the buyer paid, USD"),
                 discount_usd=("float", "discount given, USD"),
                 product_cost_usd=("float", "landed cost of the goods, USD"),
                 fulfilment_cost_usd=("float", "pick, pack and postage paid by the store, USD"),
                 payment_method=("category", f"one of {', '.join(PAYMENT_METHODS)}"),
                 payment_fee_usd=("float", "the payment provider's fee, USD"),
                 refunded=("boolean", "the order was refunded in full")),
    table_schema("ad_spend", "Daily spend per paid channel and campaign.",
                 date=("datetime", "day"), channel=("category", f"one of {', '.join(PAID_CHANNELS)}"),
                 campaign=("string", "campaign name, as in utm_campaign"),
                 spend_usd=("float", "cost that day, USD"), impressions=("integer", "ads shown"),
                 clicks=("integer", "ad clicks reported by the platform")),
    table_schema("email_campaigns", "One row per email send.",
                 campaign=("string", "campaign name, as in utm_campaign"), sent_at=("datetime", "send time"),
                 recipients=("integer", "addresses sent to"), cost_usd=("float", "the email service's charge, USD")),
    table_schema("geo_test", "A geo holdout test of one channel: per region, the arm and its results.",
                 region=("string", "region"), group=("category", f"one of {', '.join(TEST_GROUPS)}"),
                 channel=("category", "the channel switched off in the holdout regions"),
                 population=("integer", "reachable people in the region"),
                 pre_conversions=("integer", "new customers in the weeks before the test"),
                 test_conversions=("integer", "new customers during the test"),
                 test_revenue_usd=("float", "first-order revenue during the test, USD"),
                 test_spend_usd=("float", "the channel's spend in the region during the test, USD (0 in holdout)")),
]}
