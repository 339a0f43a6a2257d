"""The season engine: many stores at once, one vectorised step per week.

State and decisions are numpy arrays over (store, product, market). Stores do not meet:
each plays its own copy of the market against simulated competitors, with its own play
seed, so ranking the stores compares strategies, not who was paired with whom.

One week, per store, product and market (money in USD, rounded to the cent per line):

1. **Arrivals.** Inbound shipped ``lead`` weeks ago is added to stock on hand.
2. **Price.** The shopper pays ``p = price``, or ``round(price x (1 - deal discount), 2)``
   in deal weeks. A deal costs ``deal_fee``; in an event week (Prime Day, Black Friday)
   its badge multiplies organic sessions by ``deal_lift``.
3. **Organic sessions** = base sessions x season index x visibility x deal lift, where
   visibility = clip(velocity^beta x (rating / 4.5)^k x stock-out penalty x health penalty):
   velocity is a moving average (memory ``rank_memory``) of units sold over base units,
   so recent sales -- including ad and deal sales -- lift the organic rank, and a stock-out
   last week (lost sales > 0) costs ``stockout_rank_penalty``. Rank = par rank / visibility.
4. **Conversion** = base CVR x (p / list price)^e x (1 + n) / (1 + n (p / p_comp)^g) x shock:
   constant elasticity ``e`` against the list price, times the share of ``n`` competitors'
   shoppers won (1 at par, up to 1 + n when far cheaper), times a lognormal demand shock
   with mean 1.
5. **Ads.** CPC = round(bid x cpc_share, 2) rises with the bid; a bid wins the share
   1 - exp(-bid / bid scale) of the week's available clicks; clicks = min(budget // CPC,
   clicks won); ad orders = clicks x conversion; spend = clicks x CPC.
6. **Sales** = min(organic + ad orders, stock on hand); the rest are lost sales.
   Returns are a share ``return_rate`` of sales: the price and the referral fee are
   refunded, the unit is written off. Defective orders occur at the product's true
   defect rate.
7. **Money** (per line): revenue = units x p; refunds = returns x p; referral fees =
   (units - returns) x referral_fee(p) from the market's fee schedule; fulfilment =
   units x fulfilment fee; cost of goods = units x unit cost; storage = units on hand at
   the end of the week x monthly storage fee x 7 / days in the month; deal fees; ad spend;
   and in the last week the write-down of stock left (on hand and in transit) at
   ``unit cost x (1 - salvage_share)``. Line profit = revenue - refunds - referral -
   fulfilment - cost of goods - ad spend - storage - deal fees - write-down.
8. **Account health.** The store's order defect rate over the target's window (60 days,
   as whole rounds) is compared with its limit (1%, ``account_health.HEALTH_TARGETS``):
   at or above it the store pays ``health_fine`` that week and loses
   ``health_rank_penalty`` of its visibility the next week. Store profit = the sum of
   line profits - fines.
9. **Competitors** match ``competitor_undercut`` of any gap below their price (never below
   their floor) and otherwise recover ``competitor_recovery`` of the way to their own price.

Every count is a whole number: an expected count ``x`` becomes ``floor(x + u)`` with a
uniform ``u`` drawn from the store's seed, whose mean is exactly ``x``.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from cbec.modules.competition.market import MarketFacts, SeasonConfig, World, build_world, health_window_weeks
from cbec.modules.platform_operation.economics import referral_fee
from cbec.modules.platform_operation.fees import load_schedule

#: Per line (week, store, product, market) arrays the engine records.
LINE_FIELDS = (
    "price", "deal", "price_paid", "bid", "cpc", "ad_budget", "inbound", "competitor_price", "visibility",
    "organic_rank", "organic_sessions", "clicks", "sessions", "units_demanded", "ad_units_demanded",
    "units", "ad_units", "lost_units", "returns", "defects", "on_hand_start", "arrivals", "on_hand_end",
    "in_transit", "referral_fee_per_unit", "revenue", "refunds", "referral_fees", "fulfilment_fees",
    "cost_of_goods", "ad_spend", "storage_fees", "deal_fees", "write_down", "profit")
#: Per store and week arrays: the account-health check and its fine.
STORE_FIELDS = ("orders", "defective_orders", "window_orders", "window_defects", "order_defect_rate",
                "health_failed", "fine", "store_profit")
MONEY_LINES = ("revenue", "refunds", "referral_fees", "fulfilment_fees", "cost_of_goods", "ad_spend",
               "storage_fees", "deal_fees", "write_down")
DECISION_FIELDS = ("price", "ad_budget", "bid", "inbound", "deal")


@dataclass(frozen=True)
class Decisions:
    """One week's decisions, each a scalar, one value per (product, market), or per (store, product, market).

    ``price`` is the list price set (USD, > 0, rounded to the cent); ``ad_budget`` the most
    to spend on ads this week; ``bid`` the maximum cost per click; ``inbound`` whole units
    shipped now, on hand after the lead time; ``deal`` whether to run the deal discount.
    """

    price: Any
    ad_budget: Any = 0.0
    bid: Any = 0.0
    inbound: Any = 0
    deal: Any = False


class StrategyError(RuntimeError):
    """A strategy raised or returned unusable decisions; ``.store``, ``.week`` and ``.error`` say where."""


@dataclass(frozen=True)
class Failure:
    """What went wrong with one store's strategy; the store plays :func:`idle` decisions after it."""

    store: int
    week: int
    error: BaseException
    traceback: str

    def __str__(self):
        return f"store {self.store}, week {self.week}: {type(self.error).__name__}: {self.error}"


def _where(world: MarketFacts, index: tuple, batch: int) -> str:
    *store, p, m = index
    place = f"product {world.products[p]!r} in market {world.markets[m]!r}"
    return place + (f" (store {store[0]})" if batch and store else "")


def check_decisions(decisions: Decisions, world: MarketFacts, n_stores: int | None = None) -> dict[str, np.ndarray]:
    """Validate ``decisions`` and return float/int/bool arrays of shape (stores, products, markets).

    ``n_stores=None`` means one store: the arrays are (products, markets). Errors name the
    decision, the product and market (and store), and say what a valid value is.
    """
    if not isinstance(decisions, Decisions):
        raise TypeError(f"a strategy must return Decisions(price=..., ad_budget=..., bid=..., inbound=..., "
                        f"deal=...), not {type(decisions).__name__}.")
    shape = (len(world.products), len(world.markets))
    full = shape if n_stores is None else (n_stores, *shape)
    out = {}
    for name in DECISION_FIELDS:
        raw = getattr(decisions, name)
        try:
            value = np.asarray(raw, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"Decisions.{name} is not numeric ({type(raw).__name__}); give numbers, one per "
                             f"product {list(world.products)} and market {list(world.markets)}.") from None
        if value.shape not in ((), shape, full):
            raise ValueError(
                f"Decisions.{name} has shape {value.shape}; give a scalar or an array of shape {shape} "
                f"(rows: products {list(world.products)}, columns: markets {list(world.markets)})"
                + (f" or {full} (one row block per store)" if n_stores is not None else "") + ".")
        value = np.broadcast_to(value, full)
        finite = np.isfinite(value)
        rules = {"price": (value > 0, "a price in USD > 0, e.g. the list price (facts.list_price)"),
                 "ad_budget": (value >= 0, "a budget >= 0 (0 for no ads)"),
                 "bid": (value >= 0, "a bid >= 0 USD per click (0 for no ads)"),
                 "inbound": ((value >= 0) & (value == np.round(value)), "a whole number of units >= 0"),
                 "deal": ((value == 0) | (value == 1), "True or False")}
        ok, what = rules[name]
        bad = ~(finite & ok)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"Decisions.{name} for {_where(world, index, n_stores is not None)} is "
                             f"{float(value[index])!r}; it must be {what}"
                             + (f" ({int(bad.sum())} values are invalid)." if bad.sum() > 1 else "."))
        out[name] = value
    out["price"] = np.round(out["price"], 2)
    if (out["price"] <= 0).any():
        index = tuple(int(i) for i in np.argwhere(out["price"] <= 0)[0])
        raise ValueError(f"Decisions.price for {_where(world, index, n_stores is not None)} rounds to 0.00; "
                         "give at least 0.01 USD.")
    out["inbound"] = out["inbound"].astype(np.int64)
    out["deal"] = out["deal"].astype(bool)
    return out


def idle(facts: MarketFacts, last_price=None) -> Decisions:
    """Keep the last price, no ads, no inbound, no deal: what a store whose strategy failed plays."""
    return Decisions(price=facts.list_price if last_price is None else last_price)


@dataclass
class StoreView:
    """What a strategy sees before deciding week ``week``.

    ``history`` maps each of :data:`LINE_FIELDS` to the weeks played so far, shape
    (week, *stores, products, markets) -- empty in week 0; ``store_history`` does the same
    for :data:`STORE_FIELDS`. ``on_hand`` is stock at the end of last week, ``in_transit``
    (..., lead) what arrives at the start of this week (index 0) and the following ones,
    ``competitor_price`` the competitors' prices now. ``facts`` is the public world.
    """

    week: int
    facts: MarketFacts
    history: Mapping[str, np.ndarray]
    store_history: Mapping[str, np.ndarray]
    on_hand: np.ndarray
    in_transit: np.ndarray
    competitor_price: np.ndarray
    seed: Any = None

    def reports(self) -> dict:
        """The seller reports of the weeks so far as DataFrames (one store only)."""
        from cbec.modules.competition.reports import store_reports

        if self.on_hand.ndim != 2:
            raise ValueError("reports() needs a one-store view; index the history arrays for many stores.")
        return store_reports(self.facts, self.history, self.store_history)


class SeasonEngine:
    """The state of ``len(seeds)`` stores in one season; :meth:`step` plays one week for all of them."""

    def __init__(self, config: SeasonConfig | None = None, seeds: Sequence[int] = (0,)):
        self.config = config or SeasonConfig()
        self.world: World = build_world(self.config)
        self.facts: MarketFacts = self.world.facts()
        seeds = [s for s in seeds]
        if not seeds or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0 for s in seeds):
            raise ValueError(f"seeds must be a non-empty list of whole numbers >= 0, got {seeds[:5]!r}.")
        self.seeds = tuple(int(s) for s in seeds)
        w, c = self.world, self.config
        S, (P, M), W, L = len(seeds), w.list_price.shape, c.weeks, c.lead_time_weeks
        self.shape = (S, P, M)
        # the store's luck, drawn up front from its own seed: the same seed plays the same weeks
        noise = [np.random.default_rng([c.seed, 2, s]) for s in self.seeds]
        self._uniform = np.stack([g.random((6, W, P, M)) for g in noise], axis=2)      # (6, W, S, P, M)
        shock = np.stack([g.standard_normal((W, P, M)) for g in noise], axis=1)        # (W, S, P, M)
        self._shock = np.exp(c.demand_noise * shock - c.demand_noise ** 2 / 2)
        self.week = 0
        self.on_hand = np.broadcast_to(w.initial_units, self.shape).astype(np.int64).copy()
        self.in_transit = np.zeros((*self.shape, L), dtype=np.int64)
        self.velocity = np.ones(self.shape)
        self.stocked_out = np.zeros(self.shape, dtype=bool)
        self.penalised = np.zeros(S, dtype=bool)
        self.competitor_price = np.broadcast_to(w.competitor_price, self.shape).copy()
        self.lines = {name: np.zeros((W, *self.shape)) for name in LINE_FIELDS}
        self.store = {name: np.zeros((W, S)) for name in STORE_FIELDS}
        self._window = health_window_weeks()

    def view(self, store: int | None = None) -> StoreView:
        """The strategy's view of every store (arrays with a store axis) or of one store."""
        k = self.week

        def pick(a):
            # a view of the engine's records, read-only so a strategy's stray write cannot rewrite the past
            past = a[:k] if store is None else a[:k, store]
            past.setflags(write=False)
            return past

        now = (lambda a: a) if store is None else (lambda a: a[store])
        return StoreView(
            week=k, facts=self.facts, history={n: pick(a) for n, a in self.lines.items()},
            store_history={n: pick(a) for n, a in self.store.items()}, on_hand=now(self.on_hand).copy(),
            in_transit=now(self.in_transit).copy(), competitor_price=now(self.competitor_price).copy(),
            seed=self.seeds if store is None else self.seeds[store])

    def step(self, decisions: Decisions | Mapping[str, np.ndarray]) -> None:
        """Play one week for every store: ``decisions`` as :class:`Decisions` or checked arrays."""
        if self.week >= self.config.weeks:
            raise ValueError(f"the season has {self.config.weeks} weeks and all are played; start a new engine.")
        d = check_decisions(decisions, self.world, len(self.seeds)) if isinstance(decisions, Decisions) \
            else decisions
        w, c, k = self.world, self.config, self.week
        u = self._uniform[:, k]
        rec = {}

        arrivals = self.in_transit[..., 0].copy()
        self.in_transit = np.concatenate([self.in_transit[..., 1:], np.zeros((*self.shape, 1), np.int64)], axis=-1)
        on_hand_start = self.on_hand + arrivals
        price = d["price"]
        paid = np.where(d["deal"], np.round(price * (1 - c.deal_discount), 2), price)
        paid = np.maximum(paid, 0.01)

        visibility = (self.velocity ** c.rank_velocity_exponent
                      * ((w.rating / 4.5) ** c.rating_exponent)[:, None]
                      * np.where(self.stocked_out, 1 - c.stockout_rank_penalty, 1.0)
                      * np.where(self.penalised, 1 - c.health_rank_penalty, 1.0)[:, None, None])
        visibility = np.clip(visibility, *c.rank_bounds)
        lift = np.where(d["deal"] & bool(w.events[k]), c.deal_lift, 1.0)
        season = w.season_index[k]
        organic_sessions = np.floor(w.base_sessions * season * visibility * lift + u[0])

        n = c.n_competitors
        share = (1 + n) / (1 + n * (paid / self.competitor_price) ** c.share_exponent)
        conversion = np.minimum(w.base_conversion[:, None] * (paid / w.list_price) ** w.elasticity * share
                                * self._shock[k], 1.0)
        organic_demand = np.floor(organic_sessions * conversion + u[1])

        cpc = np.round(d["bid"] * c.cpc_share, 2)
        won = w.click_capacity * season * (1 - np.exp(-d["bid"] / w.bid_scale))
        with np.errstate(divide="ignore", invalid="ignore"):
            affordable = np.where(cpc > 0, np.floor(d["ad_budget"] / np.where(cpc > 0, cpc, 1.0)), 0.0)
        clicks = np.where(cpc > 0, np.minimum(affordable, np.floor(won + u[2])), 0.0)
        ad_demand = np.floor(clicks * conversion + u[3])

        demanded = organic_demand + ad_demand
        units = np.minimum(demanded, on_hand_start)
        with np.errstate(divide="ignore", invalid="ignore"):
            ad_units = np.where(demanded > 0, np.floor(units * ad_demand / np.where(demanded > 0, demanded, 1)), 0)
        lost = demanded - units
        returns = np.minimum(units, np.floor(units * c.return_rate + u[4]))
        defects = np.minimum(units, np.floor(units * w.defect_rate[:, None] + u[5]))
        on_hand_end = (on_hand_start - units).astype(np.int64)
        self.in_transit[..., -1] += d["inbound"]

        fee = np.empty(self.shape)
        for j, market in enumerate(w.markets):
            schedule = load_schedule(c.schedule_name(market))
            for i, category in enumerate(w.categories):
                fee[:, i, j] = referral_fee(paid[:, i, j], category, schedule)
        last = k == c.weeks - 1
        left = on_hand_end + self.in_transit.sum(axis=-1)
        money = {
            "revenue": units * paid, "refunds": returns * paid, "referral_fees": (units - returns) * fee,
            "fulfilment_fees": units * w.fulfilment_fee, "cost_of_goods": units * w.unit_cost[:, None],
            "ad_spend": clicks * cpc, "storage_fees": on_hand_end * w.storage_per_unit_week[k],
            "deal_fees": d["deal"] * c.deal_fee,
            "write_down": (left * w.unit_cost[:, None] * (1 - c.salvage_share)) if last else np.zeros(self.shape)}
        money = {name: np.round(np.broadcast_to(v, self.shape), 2) for name, v in money.items()}
        profit = money["revenue"] - sum(money[name] for name in MONEY_LINES[1:])

        rec.update(price=price, deal=d["deal"], price_paid=paid, bid=d["bid"], cpc=cpc, ad_budget=d["ad_budget"],
                   inbound=d["inbound"], competitor_price=self.competitor_price, visibility=visibility,
                   organic_rank=np.ceil(c.par_rank / visibility), organic_sessions=organic_sessions,
                   clicks=clicks, sessions=organic_sessions + clicks, units_demanded=demanded,
                   ad_units_demanded=ad_demand, units=units, ad_units=ad_units, lost_units=lost,
                   returns=returns, defects=defects, on_hand_start=on_hand_start, arrivals=arrivals,
                   on_hand_end=on_hand_end, in_transit=self.in_transit.sum(axis=-1),
                   referral_fee_per_unit=fee, profit=np.round(profit, 2), **money)
        for name, value in rec.items():
            self.lines[name][k] = value

        orders, bad = units.sum(axis=(1, 2)), defects.sum(axis=(1, 2))
        self.store["orders"][k], self.store["defective_orders"][k] = orders, bad
        first = max(0, k - self._window + 1)
        window_orders = self.store["orders"][first:k + 1].sum(axis=0)
        window_defects = self.store["defective_orders"][first:k + 1].sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(window_orders > 0, window_defects / np.where(window_orders > 0, window_orders, 1), np.nan)
        failed = (window_orders > 0) & (rate >= w.defect_limit)
        fine = np.where(failed, c.health_fine, 0.0)
        self.store["window_orders"][k], self.store["window_defects"][k] = window_orders, window_defects
        self.store["order_defect_rate"][k], self.store["health_failed"][k] = rate, failed
        self.store["fine"][k] = fine
        self.store["store_profit"][k] = np.round(self.lines["profit"][k].sum(axis=(1, 2)) - fine, 2)

        base_units = w.base_sessions * season * w.base_conversion[:, None]
        self.velocity = c.rank_memory * self.velocity + (1 - c.rank_memory) * units / base_units
        self.stocked_out = lost > 0
        self.penalised = failed
        gap = paid - self.competitor_price
        moved = np.where(gap < 0, self.competitor_price + c.competitor_undercut * gap,
                         self.competitor_price + c.competitor_recovery * (w.competitor_price - self.competitor_price))
        self.competitor_price = np.maximum(np.round(moved, 2), w.competitor_floor)
        self.on_hand = on_hand_end
        self.week += 1

    def result(self, failures: Sequence[Failure] = (), labels: Sequence | None = None) -> "SeasonResult":
        return SeasonResult(self.config, self.world, self.seeds, self.lines, self.store,
                            tuple(failures), tuple(labels) if labels is not None else self.seeds)


@dataclass(frozen=True)
class SeasonResult:
    """A played season: per line and per store arrays (week first), and strategy failures."""

    config: SeasonConfig
    world: World
    seeds: tuple[int, ...]
    lines: Mapping[str, np.ndarray]
    store: Mapping[str, np.ndarray]
    failures: tuple[Failure, ...] = ()
    labels: tuple = field(default=())

    def profit(self) -> np.ndarray:
        """Season profit of each store: line profits less fines (USD, to the cent)."""
        return np.round(self.store["store_profit"].sum(axis=0), 2)

    def reports(self, store: int = 0) -> dict:
        """The seller reports of one store as DataFrames (see :mod:`~cbec.modules.competition.reports`)."""
        from cbec.modules.competition.reports import store_reports

        if not 0 <= store < len(self.seeds):
            raise IndexError(f"store {store} does not exist; this season has stores 0..{len(self.seeds) - 1}.")
        return store_reports(self.world.facts(), {n: a[:, store] for n, a in self.lines.items()},
                             {n: a[:, store] for n, a in self.store.items()})


Strategy = Callable[[StoreView], Decisions]


def run_season(strategy: Strategy, config: SeasonConfig | None = None, seeds: Sequence[int] = (0,)) -> SeasonResult:
    """The vectorised path: ``strategy(view)`` decides for every store at once.

    The view's arrays have a store axis (``view.on_hand`` is (stores, products, markets)),
    and the decisions may too; a scalar or (products, markets) value applies to all stores.
    A strategy that raises stops the season (it decides for all stores).
    """
    engine = SeasonEngine(config, seeds)
    for _ in range(engine.config.weeks):
        engine.step(strategy(engine.view()))
    return engine.result()


def play_league(strategies: Sequence[Strategy] | Mapping[str, Strategy], config: SeasonConfig | None = None,
                seeds: Sequence[int] = (0,), *, on_error: str = "record") -> SeasonResult:
    """Each one-store strategy on each seed, every week's market step vectorised over all stores.

    Store ``i x len(seeds) + j`` is strategy ``i`` on seed ``j`` (``result.labels`` holds
    (name, seed)). A strategy that raises, or returns decisions that fail
    :func:`check_decisions`, is recorded in ``result.failures`` (``on_error="record"``) and
    its store plays :func:`idle` for the rest of the season; the other stores go on.
    ``on_error="raise"`` raises :class:`StrategyError` instead.
    """
    if on_error not in ("record", "raise"):
        raise ValueError(f"on_error={on_error!r}: use 'record' or 'raise'.")
    named = dict(strategies) if isinstance(strategies, Mapping) else \
        {getattr(s, "__name__", f"strategy_{i}"): s for i, s in enumerate(strategies)}
    if not named:
        raise ValueError("strategies is empty; pass at least one strategy function.")
    seeds = list(seeds)
    players = [(name, fn, seed) for name, fn in named.items() for seed in seeds]
    engine = SeasonEngine(config, [seed for *_, seed in players])
    facts = engine.facts
    failed: dict[int, Failure] = {}
    for week in range(engine.config.weeks):
        arrays = {name: np.empty((len(players), *facts.list_price.shape),
                                 dtype={"inbound": np.int64, "deal": bool}.get(name, float))
                  for name in DECISION_FIELDS}
        for store, (_, fn, _) in enumerate(players):
            if store in failed:
                chosen = check_decisions(idle(facts, engine.lines["price"][week - 1, store]), facts)
            else:
                try:
                    chosen = check_decisions(fn(engine.view(store)), facts)
                except Exception as error:  # noqa: BLE001 -- a student's strategy may raise anything
                    if on_error == "raise":
                        raise StrategyError(f"store {store} ({players[store][0]}, seed {players[store][2]}), "
                                            f"week {week}: {type(error).__name__}: {error}") from error
                    failed[store] = Failure(store, week, error, traceback.format_exc())
                    last = engine.lines["price"][week - 1, store] if week else None
                    chosen = check_decisions(idle(facts, last), facts)
            for name in DECISION_FIELDS:
                arrays[name][store] = chosen[name]
        engine.step(arrays)
    return engine.result(tuple(failed[k] for k in sorted(failed)), [(name, seed) for name, _, seed in players])


def play_season(strategy: Strategy, config: SeasonConfig | None = None, seed: int = 0, *,
                on_error: str = "raise") -> SeasonResult:
    """One store, one strategy: ``strategy(view)`` sees one store's arrays (products, markets).

    ``view.reports()`` gives the reports so far as DataFrames; ``result.reports()`` the
    season's. With ``on_error="raise"`` a failing strategy raises :class:`StrategyError`
    naming the week; ``"record"`` keeps the failure in ``result.failures`` and plays on idle.
    """
    return play_league({getattr(strategy, "__name__", "strategy"): strategy}, config, [seed], on_error=on_error)
