"""A seeded seller account on an Amazon-style marketplace, with a B2B storefront alongside.

``simulate_account(seed=7)`` returns :class:`AccountData`: the tables a seller downloads
(products, business report, sponsored-products search-term report, orders, B2B inquiries
and B2B traffic) and :class:`AccountTruth`, the parameters that generated them, so an
analysis can be checked against the truth.

How the data arise, per day:

- each product's organic sessions follow the retail calendar (``cbec.world.calendar``);
  a session buys with the product's unit session percentage when the product holds the
  featured offer, which depends on its average rating (best between 4.0 and 4.7);
- each sponsored-products search term gets impressions, clicks (its true CTR), orders
  (its true CVR) and spend (its CPC); some phrase/broad terms are irrelevant searches
  that almost never convert. On ``bid_change_day`` every bid is multiplied by
  ``bid_multiplier``: CPC and impressions rise by that factor, CTR and CVR do not, so
  the true ACoS rises by the same factor;
- ad clicks are sessions too, and ad orders are orders: the business report and the
  orders table include them;
- orders are cancelled, shipped late, lack tracking or turn defective at the account's
  true rates, drawn per seed around the marketplace's limits (so some accounts pass
  and some fail);
- B2B buyers see the listing, click, write inquiries; the seller quotes, and a quoted
  buyer orders with ``logit P = intercept + slope x ln(1 + response hours)``.

Everything is vectorised with numpy; a year takes a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from cbec.modules.platform_operation.economics import fee_table
from cbec.modules.platform_operation.fees import load_schedule
from cbec.world.calendar import daily_index
from cbec.world.simulated import SimulatedTables, config_from, frozen_mapping

MATCH_TYPES = ("exact", "phrase", "broad")
#: Seed-drawn ranges of the account's true rates: each straddles its limit (1%, 2.5%, 4%, 95%).
DRAWN_RATE_RANGES = MappingProxyType({
    "order_defect_rate": (0.004, 0.016),
    "cancellation_rate": (0.010, 0.040),
    "late_shipment_rate": (0.015, 0.065),
    "valid_tracking_rate": (0.925, 0.990),
})
BUYER_COUNTRIES = MappingProxyType({"US": 0.24, "DE": 0.10, "GB": 0.09, "FR": 0.06, "AU": 0.06, "CA": 0.06,
                                    "BR": 0.07, "IN": 0.08, "SA": 0.05, "AE": 0.05, "MX": 0.05, "PL": 0.04,
                                    "ZA": 0.05})
RELEVANT_MODIFIERS = ("set", "large", "for women", "for men", "premium", "2 pack", "best", "for kids",
                      "gift", "heavy duty")
IRRELEVANT_MODIFIERS = ("free", "diy", "repair", "used", "replacement part", "how to clean", "wholesale",
                        "pattern", "drawing", "meaning")
HANDLING_DAYS = 2


@dataclass(frozen=True)
class ProductTemplate:
    """A product the simulator can list: its box (inches, pounds), cost and ad keywords."""

    title: str
    category: str
    length_in: float
    width_in: float
    height_in: float
    unit_weight_lb: float
    unit_cost: float
    keywords: tuple[str, str, str]


CATALOGUE = (
    ProductTemplate("Silicone Baking Mat Set", "kitchen_tools", 12, 9, 0.6, 0.45, 3.20,
                    ("silicone baking mat", "baking sheet liner", "non stick baking mat")),
    ProductTemplate("Yoga Resistance Bands", "sports_and_outdoors", 8, 6, 0.7, 0.40, 2.50,
                    ("resistance bands", "yoga bands", "workout bands")),
    ProductTemplate("Stainless Steel Water Bottle", "sports_and_outdoors", 11, 4, 4, 0.90, 4.50,
                    ("steel water bottle", "insulated bottle", "sports water bottle")),
    ProductTemplate("LED Desk Lamp", "home_and_kitchen", 17, 7, 5, 2.60, 9.00,
                    ("led desk lamp", "reading lamp", "office lamp")),
    ProductTemplate("Bluetooth Earbuds", "consumer_electronics", 4, 3, 1.5, 0.30, 8.00,
                    ("bluetooth earbuds", "wireless earphones", "earbuds with mic")),
    ProductTemplate("Dog Chew Toy Pack", "pet_supplies", 10, 7, 3, 1.10, 3.00,
                    ("dog chew toys", "puppy toys", "tough dog toy")),
    ProductTemplate("Wooden Building Blocks", "toys_and_games", 14, 10, 6, 4.20, 7.00,
                    ("wooden blocks", "building blocks", "toddler blocks")),
    ProductTemplate("Foldable Storage Ottoman", "furniture", 24, 16, 15, 6.00, 14.00,
                    ("storage ottoman", "folding ottoman", "footstool storage")),
    ProductTemplate("Sterling Silver Stud Earrings", "jewelry", 4, 3, 0.5, 0.10, 4.00,
                    ("silver stud earrings", "sterling earrings", "small earrings")),
    ProductTemplate("Cotton Tote Bag", "clothing_and_accessories", 14, 11.5, 0.7, 0.50, 2.00,
                    ("cotton tote bag", "canvas tote", "shopping bag")),
    ProductTemplate("Camping Hammock", "sports_and_outdoors", 10, 6, 5, 1.80, 7.00,
                    ("camping hammock", "portable hammock", "travel hammock")),
    ProductTemplate("Office Chair Cushion", "office_products", 18, 16, 4, 1.50, 8.00,
                    ("seat cushion", "chair cushion", "memory foam cushion")),
)



@dataclass(frozen=True)
class AccountConfig:
    """Parameters of a simulated seller account; ``dataclasses.replace`` makes variants.

    Rates left as ``None`` are drawn from the seed within :data:`DRAWN_RATE_RANGES`.
    """

    seed: int = 0
    start: str = "2024-01-01"
    days: int = 365
    n_products: int = 8
    schedule: str = "amazon_us"
    organic_sessions_per_product: float = 120.0
    impressions_per_term: float = 450.0
    ctr_by_match_type: Mapping = field(default_factory=lambda: frozen_mapping(
        {"exact": 0.0065, "phrase": 0.0048, "broad": 0.0032}))
    cvr_by_match_type: Mapping = field(default_factory=lambda: frozen_mapping(
        {"exact": 0.14, "phrase": 0.11, "broad": 0.09}))
    irrelevant_term_share: float = 0.15
    irrelevant_cvr: float = 0.004
    keyword_acos_range: tuple[float, float] = (0.10, 0.28)
    bid_change_day: int | None = None
    bid_multiplier: float = 1.25
    order_defect_rate: float | None = None
    cancellation_rate: float | None = None
    late_shipment_rate: float | None = None
    valid_tracking_rate: float | None = None
    defect_shares: Mapping = field(default_factory=lambda: frozen_mapping(
        {"negative_feedback": 0.55, "a_to_z_claim": 0.30, "chargeback": 0.15}))
    b2b_daily_exposure: float = 2500.0
    b2b_click_rate: float = 0.03
    b2b_inquiry_rate: float = 0.06
    quotation_rate: float = 0.85
    response_hours_median: float = 5.0
    response_logit_intercept: float = -0.9
    response_logit_slope: float = -0.45

    def __post_init__(self):
        def bad(name, why):
            raise ValueError(f"AccountConfig.{name}={getattr(self, name)!r}: {why}")

        if not isinstance(self.seed, (int, np.integer)) or isinstance(self.seed, bool) or self.seed < 0:
            bad("seed", "must be a non-negative integer (turn a student id into one first)")
        try:
            pd.Timestamp(self.start)
        except (ValueError, TypeError):
            bad("start", "must be a date such as '2024-01-01'")
        if not isinstance(self.days, (int, np.integer)) or self.days < 14:
            bad("days", "must be a whole number >= 14 (the account-health windows need two weeks)")
        if not 1 <= self.n_products <= len(CATALOGUE):
            bad("n_products", f"must be between 1 and {len(CATALOGUE)} (the size of CATALOGUE)")
        for name in ("ctr_by_match_type", "cvr_by_match_type"):
            rates = getattr(self, name)
            if set(rates) != set(MATCH_TYPES) or not all(0 < v < 1 for v in rates.values()):
                bad(name, f"needs a rate in (0, 1) for each of {list(MATCH_TYPES)}")
            object.__setattr__(self, name, frozen_mapping(rates))
        if set(self.defect_shares) != {"negative_feedback", "a_to_z_claim", "chargeback"} or \
                abs(sum(self.defect_shares.values()) - 1) > 1e-9:
            bad("defect_shares", "needs shares for negative_feedback, a_to_z_claim and chargeback summing to 1")
        object.__setattr__(self, "defect_shares", frozen_mapping(self.defect_shares))
        for name in ("order_defect_rate", "cancellation_rate", "late_shipment_rate", "valid_tracking_rate"):
            value = getattr(self, name)
            if value is not None and not 0 <= value < 1:
                bad(name, "must be a share in [0, 1), or None to draw it from the seed")
        if self.bid_change_day is not None and not 1 <= self.bid_change_day < self.days:
            bad("bid_change_day", f"must be between 1 and days - 1 = {self.days - 1}, or None for the middle")
        if not 0.2 <= self.bid_multiplier <= 5:
            bad("bid_multiplier", "must be in [0.2, 5], e.g. 1.25 for a 25% bid increase")
        low, high = self.keyword_acos_range
        if not 0 < low <= high < 2:
            bad("keyword_acos_range", "must be (low, high) with 0 < low <= high < 2")
        for name in ("irrelevant_term_share", "quotation_rate", "b2b_click_rate", "b2b_inquiry_rate",
                     "irrelevant_cvr"):
            if not 0 <= getattr(self, name) <= 1:
                bad(name, "must be a share in [0, 1]")
        for name in ("organic_sessions_per_product", "impressions_per_term", "b2b_daily_exposure",
                     "response_hours_median"):
            if not getattr(self, name) > 0:
                bad(name, "must be > 0")

    def __hash__(self):
        return hash(tuple(tuple(sorted(v.items())) if isinstance(v, Mapping) else v
                          for v in (getattr(self, f) for f in self.__dataclass_fields__)))


@dataclass(frozen=True)
class AccountTruth:
    """What generated the data (the answers an analysis should recover)."""

    ctr_by_match_type: Mapping
    cvr_by_match_type: Mapping
    irrelevant_cvr: float
    bid_change_date: pd.Timestamp
    bid_multiplier: float
    expected_acos_before: float
    expected_acos_after: float
    order_defect_rate: float
    cancellation_rate: float
    late_shipment_rate: float
    valid_tracking_rate: float
    defect_shares: Mapping
    quotation_rate: float
    response_logit_intercept: float
    response_logit_slope: float
    rating_sweet_spot: tuple[float, float]
    products: pd.DataFrame       # product_id, usp_when_featured, featured_offer_share, rating_multiplier
    search_terms: pd.DataFrame   # one row per term: relevant, ctr, cvr, cpc, impressions_per_day

    def health_rates(self) -> dict[str, float]:
        """The true rates under the metric names of ``account_health.HEALTH_TARGETS``."""
        return {"order_defect_rate": self.order_defect_rate, "cancellation_rate": self.cancellation_rate,
                "late_shipment_rate_10d": self.late_shipment_rate, "late_shipment_rate_30d": self.late_shipment_rate,
                "valid_tracking_rate": self.valid_tracking_rate}


@dataclass(frozen=True)
class AccountData(SimulatedTables):
    """The tables of one simulated seller account, and the truth behind them."""

    config: AccountConfig
    truth: AccountTruth
    products: pd.DataFrame
    business_report: pd.DataFrame
    search_terms: pd.DataFrame
    orders: pd.DataFrame
    inquiries: pd.DataFrame
    b2b_traffic: pd.DataFrame

    TABLES = ("products", "business_report", "search_terms", "orders", "inquiries", "b2b_traffic")


def simulate_account(config: AccountConfig | None = None, **overrides) -> AccountData:
    """Simulate a seller account; ``simulate_account(seed=3, days=90)`` builds the config."""
    config = config_from(AccountConfig, config, overrides)
    # one independent stream per part, so changing e.g. the B2B settings leaves the orders alone
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(config.seed).spawn(6)]
    rates_rng, product_rng, ads_rng, traffic_rng, orders_rng, b2b_rng = streams
    rates = {name: getattr(config, name) if getattr(config, name) is not None else float(rates_rng.uniform(*span))
             for name, span in DRAWN_RATE_RANGES.items()}
    dates = pd.date_range(config.start, periods=config.days, freq="D")
    season = daily_index(dates)
    bid_day = config.bid_change_day if config.bid_change_day is not None else config.days // 2
    bid_factor = np.where(np.arange(config.days) >= bid_day, config.bid_multiplier, 1.0)

    schedule = load_schedule(config.schedule)
    products, product_truth = _products(config, schedule, product_rng)
    term_truth = _term_catalogue(config, products, ads_rng)
    search_terms, ad_clicks, ad_orders = _search_terms(config, dates, season, bid_factor, products,
                                                       term_truth, ads_rng)
    report, organic_orders = _business_traffic(config, dates, season, products, product_truth, ad_clicks,
                                               ad_orders, traffic_rng)
    orders = _orders(dates, products, organic_orders, ad_orders, rates, config, orders_rng)
    units = np.bincount(orders["cell"].to_numpy(), weights=orders["quantity"].to_numpy(),
                        minlength=len(report)).astype("int64")
    orders = orders.drop(columns="cell")
    report["units_ordered"] = units
    report["ordered_product_sales"] = np.round(units * report["price"].to_numpy(), 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        report["unit_session_percentage"] = units / report["sessions"].to_numpy()
    report = report.drop(columns="price")
    traffic, inquiries = _b2b(config, dates, season, b2b_rng)

    weights = term_truth["impressions_per_day"] * term_truth["ctr"]
    acos_before = float((weights * term_truth["cpc"]).sum() / (weights * term_truth["cvr"] * term_truth["price"]).sum())
    truth = AccountTruth(
        ctr_by_match_type=config.ctr_by_match_type, cvr_by_match_type=config.cvr_by_match_type,
        irrelevant_cvr=config.irrelevant_cvr, bid_change_date=dates[bid_day], bid_multiplier=config.bid_multiplier,
        expected_acos_before=acos_before, expected_acos_after=acos_before * config.bid_multiplier,
        order_defect_rate=rates["order_defect_rate"], cancellation_rate=rates["cancellation_rate"],
        late_shipment_rate=rates["late_shipment_rate"], valid_tracking_rate=rates["valid_tracking_rate"],
        defect_shares=config.defect_shares, quotation_rate=config.quotation_rate,
        response_logit_intercept=config.response_logit_intercept,
        response_logit_slope=config.response_logit_slope, rating_sweet_spot=(4.0, 4.7),
        products=product_truth, search_terms=term_truth.drop(columns=["price", "product_index"]))
    return AccountData(config, truth, products, report, search_terms, orders, inquiries, traffic)


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix`` + zero-padded 1..n, without a Python loop."""
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype("U"), width)).astype(object)


def _rating_multiplier(rating: np.ndarray) -> np.ndarray:
    """Purchase likelihood by average rating: flat at the top between 4.0 and 4.7, lower either side
    (too perfect a score looks bought)."""
    return 1 - 0.35 * np.clip(4.0 - rating, 0, None) - 0.4 * np.clip(rating - 4.7, 0, None)


def _products(config: AccountConfig, schedule, rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = config.n_products
    picks = np.sort(rng.choice(len(CATALOGUE), size=n, replace=False))
    chosen = [CATALOGUE[i] for i in picks]
    jitter = rng.uniform(0.95, 1.05, size=(n, 4))
    frame = pd.DataFrame({
        "product_id": _ids("B0PLAT", n, 4),
        "title": [p.title for p in chosen],
        "category": [p.category for p in chosen],
        "length_in": np.round([p.length_in for p in chosen] * jitter[:, 0], 2),
        "width_in": np.round([p.width_in for p in chosen] * jitter[:, 1], 2),
        "height_in": np.round([p.height_in for p in chosen] * jitter[:, 2], 2),
        "unit_weight_lb": np.round([p.unit_weight_lb for p in chosen] * jitter[:, 3], 2),
        "unit_cost": np.round([p.unit_cost for p in chosen] * rng.uniform(0.9, 1.1, n), 2),
        "price": np.zeros(n),
    })
    with_fees = fee_table(frame, schedule)
    # price covers cost and fulfilment with a markup; ends in .99 like real listings
    frame["price"] = np.floor((frame["unit_cost"] + with_fees["fulfilment_fee"]) * rng.uniform(1.8, 2.6, n)) + 0.99
    frame["size_tier"] = with_fees["size_tier"].astype(object)
    frame["average_rating"] = np.round(rng.uniform(3.6, 4.95, n), 1)
    frame["review_count"] = rng.negative_binomial(1.2, 0.004, n)
    truth = pd.DataFrame({
        "product_id": frame["product_id"],
        "usp_when_featured": rng.uniform(0.11, 0.16, n) * _rating_multiplier(frame["average_rating"].to_numpy()),
        "featured_offer_share": rng.uniform(0.78, 0.99, n),
        "rating_multiplier": _rating_multiplier(frame["average_rating"].to_numpy()),
    })
    return frame, truth


def _term_catalogue(config: AccountConfig, products: pd.DataFrame, rng) -> pd.DataFrame:
    """One row per (product, keyword, match type, customer search term) with its true rates.

    A loop over the small catalogue (a few hundred terms), not over data rows.
    """
    rows = []
    low, high = config.keyword_acos_range
    templates = {p.title: p for p in CATALOGUE}
    for index, product in products.iterrows():
        for keyword in templates[product["title"]].keywords:
            keyword_acos = rng.uniform(low, high)
            # the exact-match CPC that gives this keyword its true ACoS
            cpc = keyword_acos * config.cvr_by_match_type["exact"] * product["price"]
            relevant = rng.choice(RELEVANT_MODIFIERS, size=5, replace=False)
            irrelevant = rng.choice(IRRELEVANT_MODIFIERS, size=5, replace=False)
            is_relevant = rng.random(5) >= config.irrelevant_term_share
            modifiers = np.where(is_relevant, relevant, irrelevant)
            terms = [("exact", keyword, True),
                     ("phrase", f"{keyword} {modifiers[0]}", is_relevant[0]),
                     ("phrase", f"{modifiers[1]} {keyword}", is_relevant[1]),
                     ("broad", f"{modifiers[2]} {keyword}", is_relevant[2]),
                     ("broad", f"{keyword} {modifiers[3]}", is_relevant[3]),
                     ("broad", f"{modifiers[4]} {keyword.split()[-1]}", is_relevant[4])]
            for match_type, term, term_relevant in terms:
                rows.append({"product_index": index, "product_id": product["product_id"], "price": product["price"],
                             "campaign": f"SP | {product['title']}", "ad_group": match_type.capitalize(),
                             "keyword": keyword, "match_type": match_type, "customer_search_term": term,
                             "relevant": bool(term_relevant), "cpc_factor": {"exact": 1.0, "phrase": 0.9,
                                                                             "broad": 0.8}[match_type],
                             "keyword_cpc": cpc})
    terms = pd.DataFrame(rows)
    n = len(terms)
    match = terms["match_type"].to_numpy()
    base_ctr = terms["match_type"].map(config.ctr_by_match_type).to_numpy(float)
    base_cvr = terms["match_type"].map(config.cvr_by_match_type).to_numpy(float)
    terms["ctr"] = np.clip(base_ctr * rng.lognormal(-0.03, 0.25, n), 0.0005, 0.05)
    terms["cvr"] = np.where(terms["relevant"], np.clip(base_cvr * rng.lognormal(-0.02, 0.2, n), 0.01, 0.5),
                            config.irrelevant_cvr)
    terms["cpc"] = np.round(terms["keyword_cpc"] * terms["cpc_factor"], 4)
    terms["impressions_per_day"] = config.impressions_per_term * rng.lognormal(-0.18, 0.6, n) * \
        np.where(match == "exact", 1.3, 1.0)
    return terms.drop(columns=["cpc_factor", "keyword_cpc"])


def _search_terms(config, dates, season, bid_factor, products, terms, rng):
    """Daily sponsored-products rows; also ad clicks and ad orders per (day, product)."""
    n_days, n_terms = len(dates), len(terms)
    expected = (season * bid_factor)[:, None] * terms["impressions_per_day"].to_numpy()[None, :]
    impressions = rng.poisson(expected)
    clicks = rng.binomial(impressions, terms["ctr"].to_numpy()[None, :])
    orders = rng.binomial(clicks, terms["cvr"].to_numpy()[None, :])
    # each click's price varies with the auction; mean-one noise keeps the true CPC the mean
    cpc = terms["cpc"].to_numpy()[None, :] * bid_factor[:, None] * rng.lognormal(-0.005, 0.1, (n_days, n_terms))
    spend = np.round(clicks * cpc, 2)
    sales = np.round(orders * terms["price"].to_numpy()[None, :], 2)
    onehot = np.zeros((n_terms, len(products)), dtype=np.int64)
    onehot[np.arange(n_terms), terms["product_index"].to_numpy()] = 1
    ad_clicks, ad_orders = clicks @ onehot, orders @ onehot

    day = np.repeat(np.arange(n_days), n_terms)
    term = np.tile(np.arange(n_terms), n_days)
    shown = impressions.reshape(-1) > 0  # a real report leaves out terms that were not shown
    day, term = day[shown], term[shown]
    report = pd.DataFrame({"date": dates[day]})
    for column in ("campaign", "ad_group", "keyword", "match_type", "customer_search_term"):
        report[column] = terms[column].to_numpy()[term]
    report["product_id"] = terms["product_id"].to_numpy()[term]
    for name, values in (("impressions", impressions), ("clicks", clicks), ("spend", spend),
                         ("orders", orders), ("sales", sales)):
        report[name] = values.reshape(-1)[shown]
    return report, ad_clicks, ad_orders


def _business_traffic(config, dates, season, products, truth, ad_clicks, ad_orders, rng):
    """Business report rows by (day, product) and the organic orders of each row."""
    n_days, n_products = len(dates), len(products)
    popularity = rng.lognormal(-0.08, 0.4, n_products)
    organic = rng.poisson(config.organic_sessions_per_product * season[:, None] * popularity[None, :])
    featured_share = np.clip(truth["featured_offer_share"].to_numpy()[None, :]
                             + rng.normal(0, 0.04, (n_days, n_products)), 0, 1)
    organic_orders = rng.binomial(organic, truth["usp_when_featured"].to_numpy()[None, :] * featured_share)
    sessions = organic + ad_clicks
    page_views = sessions + rng.binomial(sessions, 0.35)
    featured_views = rng.binomial(page_views, featured_share)
    report = pd.DataFrame({
        "date": np.repeat(dates, n_products),
        "product_id": np.tile(products["product_id"].to_numpy(), n_days),
        "sessions": sessions.reshape(-1),
        "page_views": page_views.reshape(-1),
        "price": np.tile(products["price"].to_numpy(), n_days),
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        report["featured_offer_percentage"] = featured_views.reshape(-1) / page_views.reshape(-1)
    return report, organic_orders


def _orders(dates, products, organic_orders, ad_orders, rates, config, rng) -> pd.DataFrame:
    """One row per order; ``cell`` is its (day, product) row in the business report."""
    n_products = len(products)
    organic, ad = organic_orders.reshape(-1), ad_orders.reshape(-1)
    cells = np.arange(len(organic))
    cell = np.concatenate([np.repeat(cells, organic), np.repeat(cells, ad)])
    # ad orders are single units so the search-term report's sales (orders x price) match
    quantity = np.concatenate([rng.choice([1, 2, 3], size=organic.sum(), p=[0.9, 0.08, 0.02]),
                               np.ones(ad.sum(), dtype=np.int64)])
    order = np.argsort(cell, kind="stable")
    cell, quantity = cell[order], quantity[order]
    n = len(cell)
    day, product = cell // n_products, cell % n_products
    order_date = dates[day]
    ship_by = order_date + pd.Timedelta(days=HANDLING_DAYS)

    cancelled = rng.random(n) < rates["cancellation_rate"]
    late = ~cancelled & (rng.random(n) < rates["late_shipment_rate"])
    shipped = np.where(late, ship_by.to_numpy() + pd.to_timedelta(rng.integers(1, 5, n), unit="D").to_numpy(),
                       order_date.to_numpy() + pd.to_timedelta(rng.integers(0, HANDLING_DAYS + 1, n),
                                                               unit="D").to_numpy())
    shipped = pd.DatetimeIndex(shipped).where(~cancelled & (shipped <= dates[-1].to_datetime64()))
    tracking = pd.array(rng.random(n) < rates["valid_tracking_rate"], dtype="boolean")
    tracking[np.asarray(pd.isna(shipped))] = pd.NA
    # defects fall on fulfilled orders at a rate that makes the share of *all* orders the target
    defective = ~cancelled & (rng.random(n) < rates["order_defect_rate"] / (1 - rates["cancellation_rate"]))
    kinds = list(config.defect_shares)
    kind = rng.choice(len(kinds), size=n, p=[config.defect_shares[k] for k in kinds])
    price = products["price"].to_numpy()[product]
    frame = pd.DataFrame({
        "order_id": _ids("112-", n, 7),
        "order_date": order_date,
        "product_id": products["product_id"].to_numpy()[product],
        "quantity": quantity.astype("int64"),
        "price": price,
        "order_total": np.round(price * quantity, 2),
        "ship_by_date": ship_by,
        "shipped_date": shipped,
        "cancelled": cancelled,
    })
    for position, name in enumerate(kinds):
        frame[name] = defective & (kind == position)
    frame["valid_tracking"] = tracking
    frame["cell"] = cell
    return frame


def _b2b(config, dates, season, rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    """B2B daily traffic and the inquiry log."""
    exposure = rng.poisson(config.b2b_daily_exposure * season)
    clicks = rng.binomial(exposure, config.b2b_click_rate)
    inquiries = rng.binomial(clicks, config.b2b_inquiry_rate)
    traffic = pd.DataFrame({"date": dates, "exposure": exposure, "clicks": clicks, "inquiries": inquiries})
    n = int(inquiries.sum())
    day = np.repeat(np.arange(len(dates)), inquiries)
    countries = list(BUYER_COUNTRIES)
    weights = np.array([BUYER_COUNTRIES[c] for c in countries])
    hours = np.round(np.maximum(rng.lognormal(np.log(config.response_hours_median), 1.1, n), 0.1), 1)
    quoted = rng.random(n) < config.quotation_rate
    chance = 1 / (1 + np.exp(-(config.response_logit_intercept + config.response_logit_slope * np.log1p(hours))))
    ordered = quoted & (rng.random(n) < chance)
    value = np.where(ordered, np.round(rng.lognormal(np.log(1800), 0.8, n), -1), np.nan)
    log = pd.DataFrame({
        "inquiry_id": _ids("INQ-", n, 6),
        "date": dates[day],
        "buyer_country": np.asarray(countries, dtype=object)[rng.choice(len(countries), size=n, p=weights / weights.sum())],
        "response_hours": hours,
        "quotation_sent": quoted,
        "order_placed": ordered,
        "order_value_usd": value,
    })
    return traffic, log
