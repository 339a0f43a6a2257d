"""A seeded, vectorised simulator of one cross-border store.

Traffic comes first (sessions by day, market and source, with a purchase funnel), orders
are exactly the funnel's orders, customers are new or returning (returning ones buy again
in the market of their first order), order lines draw products by popularity, prices are
set in local currency at the day's FX rate, and returns follow category return rates.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from cbec.world.calendar import daily_index
from cbec.modules.data_operation.store_parameters import (CATEGORIES, DEFAULT_MARKET_WEIGHTS, PAID_CHANNELS,
                                                          RETURN_REASONS, TRAFFIC_SOURCES)
from cbec.world.markets import MARKETS
from cbec.world.simulated import SimulatedTables, config_from, frozen_mapping

FUNNEL_STAGES = ("sessions", "product_views", "add_to_cart", "checkouts", "orders")

#: Where the funnel leaks most -> (view rate, checkout rate, order rate); the add-to-cart rate
#: is derived so that the source's session conversion is met.
LEAK_PROFILES = {
    "add_to_cart": (0.62, 0.55, 0.45),    # weak product pages
    "product_views": (0.12, 0.60, 0.60),  # landing pages that bounce
    "checkouts": (0.60, 0.15, 0.70),      # shipping costs revealed in the cart
    "orders": (0.60, 0.70, 0.15),         # payment failures for foreign cards
}


@dataclass(frozen=True)
class StoreConfig:
    """Parameters of a simulated store; ``dataclasses.replace`` makes variants."""

    seed: int = 0
    start: str = "2023-01-01"
    days: int = 730
    base_daily_sessions: int = 4000
    n_products: int = 120
    market_weights: dict = field(default_factory=lambda: dict(DEFAULT_MARKET_WEIGHTS))
    conversion_multiplier: float = 1.0
    return_rate_multiplier: float = 1.0
    repeat_propensity: float = 0.3
    price_multiplier: float = 1.0
    funnel_leak: str = "add_to_cart"

    def __post_init__(self):
        def bad(name, why):
            raise ValueError(f"StoreConfig.{name}={getattr(self, name)!r}: {why}")

        if not isinstance(self.seed, (int, np.integer)) or self.seed < 0:
            bad("seed", "must be a non-negative integer")
        try:
            pd.Timestamp(self.start)
        except (ValueError, TypeError):
            bad("start", "must be a date such as '2024-01-01'")
        if not isinstance(self.days, (int, np.integer)) or self.days < 1:
            bad("days", "must be a whole number >= 1")
        if self.base_daily_sessions < 1:
            bad("base_daily_sessions", "must be >= 1")
        if self.n_products < 1:
            bad("n_products", "must be >= 1")
        unknown = set(self.market_weights) - set(MARKETS)
        if unknown:
            bad("market_weights", f"unknown market(s) {sorted(unknown)}; known markets are {list(MARKETS)}")
        if not self.market_weights or min(self.market_weights.values()) < 0 or sum(self.market_weights.values()) <= 0:
            bad("market_weights", "needs at least one market with a positive weight")
        for name in ("conversion_multiplier", "return_rate_multiplier", "price_multiplier"):
            if not 0 < getattr(self, name) <= 5:
                bad(name, "must be in (0, 5]")
        if self.funnel_leak not in LEAK_PROFILES:
            bad("funnel_leak", f"must be one of {list(LEAK_PROFILES)}")
        if not 0 <= self.repeat_propensity < 1:
            bad("repeat_propensity", "must be in [0, 1)")
        # freeze the mapping so the config stays hashable in spirit and safe to share
        object.__setattr__(self, "market_weights", frozen_mapping(self.market_weights))

    def __hash__(self):
        # the weights mapping is not hashable itself; hash its sorted items instead
        return hash(tuple(tuple(sorted(self.market_weights.items())) if f.name == "market_weights"
                          else getattr(self, f.name) for f in fields(self)))


@dataclass(frozen=True)
class StoreData(SimulatedTables):
    """The tables of one simulated store."""

    config: StoreConfig
    products: pd.DataFrame
    customers: pd.DataFrame
    sessions: pd.DataFrame
    orders: pd.DataFrame
    order_lines: pd.DataFrame
    returns: pd.DataFrame
    marketing_spend: pd.DataFrame

    TABLES = ("products", "customers", "sessions", "orders", "order_lines", "returns", "marketing_spend")


def simulate_store(config: StoreConfig | None = None, **overrides) -> StoreData:
    """Simulate a store; ``simulate_store(seed=3, days=90)`` builds the config from keywords."""
    config = config_from(StoreConfig, config, overrides)
    rng = np.random.default_rng(config.seed)
    dates = pd.date_range(config.start, periods=config.days, freq="D")
    products = _products(config, rng)
    exchange_rates = _exchange_rates(dates, rng)
    sessions = _sessions(config, dates, rng)
    orders, customers = _orders(config, sessions, exchange_rates, rng)
    order_lines = _order_lines(config, orders, products, rng)
    totals = order_lines.groupby("order_id", sort=False)[["quantity", "line_total_local"]].sum()
    orders["units"] = totals["quantity"].reindex(orders["order_id"]).to_numpy().astype("int64")
    orders["gmv_local"] = totals["line_total_local"].reindex(orders["order_id"]).to_numpy().round(2)
    orders["gmv_usd"] = (orders["gmv_local"] * orders["fx_rate_to_usd"]).round(2)
    returns = _returns(config, orders, order_lines, products, rng)
    spend = _marketing_spend(sessions, rng)
    return StoreData(config, products, customers, sessions, orders, order_lines, returns, spend)


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix`` + zero-padded 1..n, built without a Python loop (millions of rows)."""
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype("U"), width)).astype(object)


def _lookup(keys: np.ndarray, table: dict) -> np.ndarray:
    """Map an array of keys through a small dict, vectorised."""
    names = np.array(list(table), dtype=object)
    values = np.array(list(table.values()))
    return values[pd.Index(names).get_indexer(keys)]


def _products(config: StoreConfig, rng) -> pd.DataFrame:
    n = config.n_products
    names = list(CATEGORIES)
    shares = np.array([CATEGORIES[c].catalogue_share for c in names])
    category = rng.choice(names, size=n, p=shares / shares.sum())
    median_cost = _lookup(category, {c: spec.median_unit_cost_usd for c, spec in CATEGORIES.items()})
    cost = np.round(median_cost * rng.lognormal(0, 0.45, n), 2)
    price = np.floor(cost * rng.uniform(1.8, 3.5, n)) + 0.99
    return pd.DataFrame({
        "product_id": _ids("P", n, 4),
        "category": category.astype(object),
        "unit_cost_usd": cost,
        "list_price_usd": price,
        "weight_kg": np.round(rng.gamma(2.0, 0.35, n) + 0.05, 2),
    })


def _exchange_rates(dates: pd.DatetimeIndex, rng) -> pd.DataFrame:
    """USD per unit of each currency per day: a seeded random walk around today's level."""
    currencies = {m.currency: m.usd_per_unit for m in MARKETS.values()}
    walk = {cur: usd * np.exp(np.cumsum(rng.normal(0, 0.004, len(dates)))) if cur != "USD" else np.ones(len(dates))
            for cur, usd in currencies.items()}
    return pd.DataFrame(walk, index=dates)


def _sessions(config: StoreConfig, dates, rng) -> pd.DataFrame:
    weights = dict(config.market_weights)
    markets = [m for m in MARKETS if weights.get(m, 0) > 0]
    market_share = np.array([weights[m] for m in markets]) / sum(weights[m] for m in markets)
    sources = list(TRAFFIC_SOURCES)
    source_share = np.array([TRAFFIC_SOURCES[s].share_of_sessions for s in sources])
    conversion = np.array([TRAFFIC_SOURCES[s].conversion_rate for s in sources])

    index = daily_index(dates)
    n_d, n_m, n_s = len(dates), len(markets), len(sources)
    expected = (config.base_daily_sessions * index[:, None, None] * market_share[None, :, None]
                * source_share[None, None, :] * rng.lognormal(0, 0.08, (n_d, n_m, n_s)))
    sessions = rng.poisson(expected)
    # peak days convert a little better: deals, not just browsing
    conv = conversion[None, None, :] * config.conversion_multiplier * np.clip(index, 0.9, 1.25)[:, None, None]
    view_rate, checkout_rate, order_rate = LEAK_PROFILES[config.funnel_leak]
    cart_rate = np.clip(conv / (view_rate * checkout_rate * order_rate), 0.01, 0.95)
    views = rng.binomial(sessions, view_rate)
    carts = rng.binomial(views, np.broadcast_to(cart_rate, views.shape))
    checkouts = rng.binomial(carts, checkout_rate)
    orders = rng.binomial(checkouts, order_rate)
    grid = pd.MultiIndex.from_product([dates, markets, sources], names=["date", "market", "traffic_source"])
    frame = grid.to_frame(index=False)
    for column in ("market", "traffic_source"):
        frame[column] = frame[column].astype(str)
    for name, values in zip(FUNNEL_STAGES, (sessions, views, carts, checkouts, orders)):
        frame[name] = values.reshape(-1).astype("int64")
    return frame


def _orders(config: StoreConfig, sessions: pd.DataFrame, exchange_rates: pd.DataFrame, rng):
    counts = sessions["orders"].to_numpy()
    n = int(counts.sum())
    rows = np.repeat(np.arange(len(sessions)), counts)
    date = sessions["date"].to_numpy()[rows]
    market = sessions["market"].to_numpy()[rows]
    source = sessions["traffic_source"].to_numpy()[rows]

    # New or returning customer; a returning order picks one of the market's earlier customers.
    is_new = rng.random(n) >= config.repeat_propensity
    owner = np.empty(n, dtype=np.int64)  # index of the order that created the customer
    for m in pd.unique(market):
        pos = np.flatnonzero(market == m)
        new = is_new[pos]
        new[0] = True
        before = np.cumsum(new) - new  # customers of this market created before each order
        new |= before == 0
        before = np.cumsum(new) - new
        is_new[pos] = new
        creators = pos[new]
        pick = np.floor(rng.random(len(pos)) * np.maximum(before, 1)).astype(np.int64)
        owner[pos] = np.where(new, pos, creators[np.minimum(pick, len(creators) - 1)])
    customer_number = np.cumsum(is_new)  # 1-based id in order of first purchase
    customer_ids = _ids("C", int(customer_number[-1]) if n else 0, 6)
    customer = customer_ids[customer_number[owner] - 1] if n else np.array([], dtype=object)

    currency = _lookup(market, {m: spec.currency for m, spec in MARKETS.items()}).astype(object)
    day = (pd.DatetimeIndex(date) - exchange_rates.index[0]).days.to_numpy()
    rate_values = exchange_rates.to_numpy()
    col = {c: i for i, c in enumerate(exchange_rates.columns)}
    fx_rate = rate_values[day, _lookup(currency, col)] if n else np.array([])

    orders = pd.DataFrame({
        "order_id": _ids("O", n, 7),
        "customer_id": customer,
        "order_date": pd.DatetimeIndex(date),
        "market": market.astype(object),
        "traffic_source": source.astype(object),
        "currency": currency,
        "fx_rate_to_usd": np.round(fx_rate, 6),
    })
    first = is_new
    customers = pd.DataFrame({
        "customer_id": customer[first],
        "market": market[first].astype(object),
        "first_order_date": pd.DatetimeIndex(date[first]),
        "acquisition_source": source[first].astype(object),
    })
    return orders, customers


def _order_lines(config: StoreConfig, orders: pd.DataFrame, products: pd.DataFrame, rng) -> pd.DataFrame:
    n_orders = len(orders)
    n_lines = np.minimum(1 + rng.poisson(0.35, n_orders), 5)
    order_pos = np.repeat(np.arange(n_orders), n_lines)
    line_number = np.arange(len(order_pos)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines) + 1
    popularity = 1.0 / np.arange(1, len(products) + 1) ** 0.9  # a few best sellers, a long tail
    popularity = rng.permutation(popularity)
    product_pos = rng.choice(len(products), size=len(order_pos), p=popularity / popularity.sum())
    quantity = 1 + rng.poisson(0.25, len(order_pos))

    market = orders["market"].to_numpy()[order_pos]
    level = _lookup(market, {m: spec.price_level for m, spec in MARKETS.items()})
    fx_rate = orders["fx_rate_to_usd"].to_numpy()[order_pos]
    usd_price = products["list_price_usd"].to_numpy()[product_pos] * config.price_multiplier * level
    local = usd_price / fx_rate
    decimals_zero = orders["currency"].to_numpy()[order_pos] == "JPY"
    unit_price = np.where(decimals_zero, np.round(local, 0), np.round(local, 2))
    line_total = np.round(quantity * unit_price, 2)
    return pd.DataFrame({
        "order_id": orders["order_id"].to_numpy()[order_pos],
        "line_number": line_number.astype("int64"),
        "product_id": products["product_id"].to_numpy()[product_pos],
        "quantity": quantity.astype("int64"),
        "unit_price_local": unit_price,
        "line_total_local": line_total,
        "line_total_usd": np.round(line_total * fx_rate, 2),
    })


def _returns(config: StoreConfig, orders, order_lines, products, rng) -> pd.DataFrame:
    category = products.set_index("product_id")["category"].reindex(order_lines["product_id"]).to_numpy()
    rate = _lookup(category, {c: spec.item_return_probability for c, spec in CATEGORIES.items()}) * config.return_rate_multiplier
    returned = rng.random(len(order_lines)) < np.clip(rate, 0, 0.9)
    lines = order_lines.loc[returned]
    qty = lines["quantity"].to_numpy()
    ret_qty = 1 + rng.binomial(qty - 1, 0.5)
    order_idx = pd.Index(orders["order_id"]).get_indexer(lines["order_id"])
    order_date = orders["order_date"].to_numpy()[order_idx]
    delay = np.minimum(3 + rng.poisson(8, len(lines)), 30)
    fx_rate = orders["fx_rate_to_usd"].to_numpy()[order_idx]
    refund_local = np.round(ret_qty * lines["unit_price_local"].to_numpy(), 2)
    cats = category[returned]
    reasons = np.empty(len(lines), dtype=object)
    for kind, table in RETURN_REASONS.items():
        mask = (cats == "apparel") if kind == "apparel" else (cats != "apparel")
        labels, probs = list(table), np.array(list(table.values()))
        reasons[mask] = rng.choice(labels, size=int(mask.sum()), p=probs / probs.sum())
    return pd.DataFrame({
        "return_id": _ids("R", len(lines), 7),
        "order_id": lines["order_id"].to_numpy(),
        "line_number": lines["line_number"].to_numpy(),
        "product_id": lines["product_id"].to_numpy(),
        "return_date": pd.DatetimeIndex(order_date) + pd.to_timedelta(delay, unit="D"),
        "quantity": ret_qty.astype("int64"),
        "refund_local": refund_local,
        "refund_usd": np.round(refund_local * fx_rate, 2),
        "reason": reasons,
    })


def _marketing_spend(sessions: pd.DataFrame, rng) -> pd.DataFrame:
    paid = sessions[sessions["traffic_source"].isin(list(PAID_CHANNELS))]
    channel = paid["traffic_source"].to_numpy()
    cpc = _lookup(channel, {c: spec.cost_per_click_usd for c, spec in PAID_CHANNELS.items()}) * rng.lognormal(0, 0.15, len(paid))
    ctr = _lookup(channel, {c: spec.click_through_rate for c, spec in PAID_CHANNELS.items()}) * rng.lognormal(0, 0.2, len(paid))
    clicks = paid["sessions"].to_numpy()
    return pd.DataFrame({
        "date": paid["date"].to_numpy(),
        "market": paid["market"].to_numpy(),
        "channel": channel,
        "spend_usd": np.round(clicks * cpc, 2),
        "impressions": np.round(clicks / np.clip(ctr, 1e-4, 0.5)).astype("int64"),
        "clicks": clicks.astype("int64"),
    }).reset_index(drop=True)
