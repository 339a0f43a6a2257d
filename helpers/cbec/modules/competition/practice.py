"""Interactive practice: one store's season on a public seed, played a week at a time.

:class:`PracticeSeason` wraps a one-store :class:`~cbec.modules.competition.season.SeasonEngine`.
A student looks at ``practice.view`` (what a strategy sees) and ``practice.reports()`` (the
seller reports so far), decides, and calls ``practice.play(decisions)`` for one week, or
``practice.play_rest(strategy)`` to finish the season with a strategy function. The same
decisions give exactly the store of :func:`~cbec.modules.competition.season.play_season` on
the same seed: practice is the graded game, slowed down.

Seeds: practice runs only on :data:`PUBLIC_SEEDS`. The seeds a submission is graded on are
drawn elsewhere, from a secret, and must lie outside this range; practising on every public
seed tells a student nothing about them except how well a strategy generalises.

``log``: an optional callable ``log(event: dict)``, called with plain JSON-able data after
each played week (``kind="practice_round"``) and once when the season ends
(``kind="practice_season"``). The fields are chosen so that a supervisor reading the log can
see the decisions that lost money without the reports: stock-outs (lost units, the sales and
the margin they would have brought, the lines that ran out) and ads that cost more than the
margin their orders brought (``ad_gross_margin`` against ``ad_spend``, and the lines where
spend exceeded it). See :func:`week_metrics` for each field.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np
import pandas as pd

from cbec.modules.competition.economics import ad_gross_margin, lost_margin
from cbec.modules.competition.market import MarketFacts, SeasonConfig
from cbec.modules.competition.reports import store_reports
from cbec.modules.competition.season import (DECISION_FIELDS, Decisions, SeasonEngine, SeasonResult, StoreView,
                                             StrategyError, check_decisions, play_league)
from cbec.modules.competition.strategies import baseline, greedy, margin_before_ads, naive

#: The seeds anyone may practise on. Grading seeds are drawn from a secret and must lie outside.
PUBLIC_SEEDS = range(1, 1001)
#: The reference strategies a practice season is scored against, on the same seed.
REFERENCES = {"naive": naive, "greedy": greedy, "baseline": baseline}
#: Who decided a week: ``play`` records this, ``play_rest`` the strategy's name.
BY_HAND = "you"

#: The keys of a ``practice_round`` event (``stockouts`` and ``losing_ads`` list the lines, with
#: product, market and their figures).
ROUND_EVENT_FIELDS = ("kind", "seed", "world_seed", "week", "weeks", "decided_by", "event", "profit",
                      "cumulative_profit", "revenue", "units", "lost_units", "lost_sales", "lost_margin",
                      "stockout_lines", "ad_spend", "ad_sales", "ad_gross_margin", "ad_profit", "losing_ad_lines",
                      "below_cost_lines", "storage_fees", "fine", "health", "stockouts", "losing_ads")
#: The keys of a ``practice_season`` event (``reference_profit`` maps each reference strategy to its
#: profit on the same seed).
SEASON_EVENT_FIELDS = ("kind", "seed", "world_seed", "weeks", "profit", "revenue", "lost_units", "lost_sales",
                       "lost_margin", "stockout_lines", "ad_spend", "ad_gross_margin", "ad_profit", "losing_ad_lines",
                       "below_cost_lines", "fine", "reference_profit", "decided_by")

Log = Callable[[dict], None]


class SeasonOver(RuntimeError):
    """Every week of the practice season is played; start another :class:`PracticeSeason`."""


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or int(seed) not in PUBLIC_SEEDS:
        raise ValueError(f"seed={seed!r} is not a public practice seed: choose a whole number from "
                         f"{PUBLIC_SEEDS.start} to {PUBLIC_SEEDS.stop - 1} (PUBLIC_SEEDS). Grading uses "
                         "other, hidden seeds.")
    return int(seed)


def week_metrics(facts: MarketFacts, lines: Mapping[str, np.ndarray],
                 store: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """One row per week of one store's arrays (week, product, market) and (week,): the figures
    a practice round logs.

    ``profit`` is the store's profit of the week after fines; ``lost_units`` demand not served,
    ``lost_sales`` its value at the price paid and ``lost_margin`` its margin before ads;
    ``stockout_lines`` how many (product, market) lines had lost sales; ``ad_spend``,
    ``ad_sales``, ``ad_gross_margin`` (see :func:`ad_gross_margin`), ``ad_profit`` (margin
    less spend) and ``losing_ad_lines`` (lines whose ad spend exceeded the margin their ad
    orders brought); ``below_cost_lines`` lines sold at a price paid that leaves no margin
    before ads; ``fine`` the account-health fine.
    """
    weeks = np.asarray(lines["units"]).shape[0]
    axes = (1, 2)
    margin = ad_gross_margin(lines)
    selling = lines["units"] > 0
    table = pd.DataFrame({
        "week": np.arange(weeks),
        "event": list(facts.events[:weeks]),
        "profit": store["store_profit"],
        "revenue": lines["revenue"].sum(axis=axes),
        "units": lines["units"].sum(axis=axes),
        "lost_units": lines["lost_units"].sum(axis=axes),
        "lost_sales": (lines["lost_units"] * lines["price_paid"]).sum(axis=axes),
        "lost_margin": lost_margin(facts, lines).sum(axis=axes),
        "stockout_lines": (lines["lost_units"] > 0).sum(axis=axes),
        "ad_spend": lines["ad_spend"].sum(axis=axes),
        "ad_sales": (lines["ad_units"] * lines["price_paid"]).sum(axis=axes),
        "ad_gross_margin": margin.sum(axis=axes),
        "losing_ad_lines": (lines["ad_spend"] > margin + 0.005).sum(axis=axes),
        "below_cost_lines": (selling & (margin_before_ads(facts, lines["price_paid"]) < 0)).sum(axis=axes),
        "storage_fees": lines["storage_fees"].sum(axis=axes),
        "fine": store["fine"],
    })
    table.insert(table.columns.get_loc("ad_gross_margin") + 1, "ad_profit",
                 table["ad_gross_margin"] - table["ad_spend"])
    money = ["profit", "revenue", "lost_sales", "lost_margin", "ad_spend", "ad_sales", "ad_gross_margin",
             "ad_profit", "storage_fees", "fine"]
    table[money] = table[money].round(2)
    counts = ["units", "lost_units", "stockout_lines", "losing_ad_lines", "below_cost_lines"]
    table[counts] = table[counts].astype(np.int64)
    return table


def _plain(value):
    """A JSON-able Python scalar from a numpy or pandas one."""
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return round(float(value), 2)
    return value


def _lines_where(facts: MarketFacts, mask: np.ndarray, **columns) -> list[dict]:
    """The (product, market) lines where ``mask`` holds, with the named per-line values."""
    return [{"product": facts.products[p], "market": facts.markets[m],
             **{name: _plain(values[p, m]) for name, values in columns.items()}}
            for p, m in np.argwhere(mask)]


def decisions_from_table(table: pd.DataFrame, facts: MarketFacts) -> Decisions:
    """:class:`Decisions` from a table with one row per (product, market) -- the shape of
    :meth:`PracticeSeason.decisions_table` -- and the columns ``price, ad_budget, bid, inbound, deal``."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"expected a DataFrame like practice.decisions_table(), got {type(table).__name__}.")
    missing = [c for c in DECISION_FIELDS if c not in table.columns]
    if missing:
        raise ValueError(f"the decisions table has no column(s) {missing}; start from practice.decisions_table(), "
                         f"which has {list(DECISION_FIELDS)}.")
    frame = table.reset_index() if "product" not in table.columns else table
    if not {"product", "market"} <= set(frame.columns):
        raise ValueError("the decisions table needs product and market (as columns or as its index), as in "
                         "practice.decisions_table().")
    keys = pd.MultiIndex.from_product([facts.products, facts.markets], names=["product", "market"])
    indexed = frame.set_index(["product", "market"])
    if indexed.index.duplicated().any():
        twice = indexed.index[indexed.index.duplicated()][0]
        raise ValueError(f"the decisions table has product {twice[0]!r} in market {twice[1]!r} more than once.")
    absent = [k for k in keys if k not in indexed.index]
    if absent:
        raise ValueError(f"the decisions table has no row for product {absent[0][0]!r} in market {absent[0][1]!r}"
                         f" ({len(absent)} missing); give one row per product and market.")
    shape = (len(facts.products), len(facts.markets))
    arrays = {name: indexed.loc[keys, name].to_numpy().reshape(shape) for name in DECISION_FIELDS}
    return Decisions(**arrays)


class PracticeSeason:
    """One store's season on a public seed, played a week at a time.

    ``PracticeSeason(seed=7)`` opens week 0 of the default :class:`SeasonConfig` world;
    ``config`` picks another world. ``log(event)`` (optional) receives a plain dict after
    each week and at the season's end (see the module docstring).
    """

    def __init__(self, seed: int = 1, config: SeasonConfig | None = None, *, log: Log | None = None):
        if log is not None and not callable(log):
            raise TypeError(f"log must be a function log(event: dict) or None, got {type(log).__name__}.")
        if config is not None and not isinstance(config, SeasonConfig):
            raise TypeError(f"config must be a SeasonConfig (or None for the default), got {type(config).__name__}.")
        self.seed = _check_seed(seed)
        self.config = config or SeasonConfig()
        self.log = log
        self._engine = SeasonEngine(self.config, [self.seed])
        self.facts: MarketFacts = self._engine.facts
        self.decided_by: list[str] = []
        self._references: SeasonResult | None = None

    def __repr__(self):
        state = "over" if self.over else f"week {self.week} of {self.weeks} next"
        return f"PracticeSeason(seed={self.seed}, {state}, profit so far {self.profit:,.2f} USD)"

    # -- where the season stands ---------------------------------------------------------
    @property
    def week(self) -> int:
        """The next week to play (0-based, as the reports' ``week``); equals ``weeks`` when over."""
        return self._engine.week

    @property
    def weeks(self) -> int:
        return self.config.weeks

    @property
    def over(self) -> bool:
        return self.week >= self.weeks

    @property
    def view(self) -> StoreView:
        """What a strategy would see now: history so far, stock, inbound, competitors' prices.

        The history arrays are read-only copies: the engine's own records are views, and a
        strategy writing into them would rewrite the season's past."""
        view = self._engine.view(0)
        for table in (view.history, view.store_history):
            for name, array in table.items():
                table[name] = array.copy()
                table[name].setflags(write=False)
        return view

    @property
    def profit(self) -> float:
        """The store's profit over the weeks played (USD, after fines)."""
        return round(float(self._engine.store["store_profit"][:self.week, 0].sum()), 2)

    def reports(self) -> dict[str, pd.DataFrame]:
        """The seller reports of the weeks played, as DataFrames (empty before week 0 is played)."""
        return self.view.reports()

    def decisions_table(self) -> pd.DataFrame:
        """This week's decisions to edit: one row per product and market, filled with last
        week's (list price, no ads, no inbound, no deal before the first); ``play`` accepts it."""
        P, M = len(self.facts.products), len(self.facts.markets)
        k = self.week
        lines = self._engine.lines
        last = {name: lines[name][k - 1, 0] for name in DECISION_FIELDS} if k else \
            {"price": self.facts.list_price, "ad_budget": np.zeros((P, M)), "bid": np.zeros((P, M)),
             "inbound": np.zeros((P, M)), "deal": np.zeros((P, M))}
        table = pd.DataFrame({
            "product": np.repeat(self.facts.products, M), "market": np.tile(self.facts.markets, P),
            "price": np.asarray(last["price"], float).ravel(), "ad_budget": np.asarray(last["ad_budget"], float).ravel(),
            "bid": np.asarray(last["bid"], float).ravel(), "inbound": np.asarray(last["inbound"]).ravel().astype(np.int64),
            "deal": np.asarray(last["deal"]).ravel().astype(bool)})
        return table.set_index(["product", "market"])

    # -- playing ------------------------------------------------------------------------
    def _refuse_when_over(self):
        if self.over:
            raise SeasonOver(
                f"The practice season on seed {self.seed} is over: all {self.weeks} weeks are played "
                f"(profit {self.profit:,.2f} USD). Look at .summary() and .scorecard(), or start another "
                f"season with PracticeSeason(seed={self.seed % (PUBLIC_SEEDS.stop - 1) + 1}).")

    def play(self, decisions: Decisions | pd.DataFrame) -> dict:
        """Play one week with ``decisions`` (:class:`Decisions`, or an edited :meth:`decisions_table`);
        return the week's figures (the ``practice_round`` event)."""
        self._refuse_when_over()
        try:
            if isinstance(decisions, pd.DataFrame):
                decisions = decisions_from_table(decisions, self.facts)
            checked = check_decisions(decisions, self.facts)
        except (TypeError, ValueError) as error:
            raise type(error)(f"week {self.week}: {error}") from None
        return self._step(checked, BY_HAND)

    def play_rest(self, strategy: Callable[[StoreView], Decisions]) -> dict:
        """Play every week left with ``strategy(view)``; return the ``practice_season`` event.

        A strategy that raises or returns bad decisions stops here with a
        :class:`~cbec.modules.competition.season.StrategyError` naming the week; the weeks
        before it stay played.
        """
        if not callable(strategy):
            raise TypeError(f"play_rest needs a strategy function strategy(view) -> Decisions, "
                            f"got {type(strategy).__name__}.")
        self._refuse_when_over()
        name = getattr(strategy, "__name__", "strategy")
        while not self.over:
            try:
                checked = check_decisions(strategy(self.view), self.facts)
            except Exception as error:  # noqa: BLE001 -- a student's strategy may raise anything
                raise StrategyError(f"week {self.week} ({name}): {type(error).__name__}: {error}") from error
            self._step(checked, name)
        return self.season_event()

    def _step(self, checked: dict, decided_by: str) -> dict:
        self._engine.step({name: value[None] for name, value in checked.items()})
        self.decided_by.append(decided_by)
        event = self.round_event(self.week - 1)
        if self.log is not None:
            self.log(event)
        if self.over and self.log is not None:
            self.log(self.season_event())
        return event

    # -- results ------------------------------------------------------------------------
    def _lines(self) -> tuple[dict, dict]:
        k = self.week
        return ({n: a[:k, 0] for n, a in self._engine.lines.items()},
                {n: a[:k, 0] for n, a in self._engine.store.items()})

    def summary(self) -> pd.DataFrame:
        """One row per week played: :func:`week_metrics`, who decided it, and the cumulative profit."""
        table = week_metrics(self.facts, *self._lines())
        table.insert(1, "decided_by", self.decided_by)
        table.insert(table.columns.get_loc("profit") + 1, "cumulative_profit", table["profit"].cumsum().round(2))
        return table

    def round_event(self, week: int) -> dict:
        """The ``practice_round`` event of a played ``week``: plain JSON-able data."""
        if not 0 <= week < self.week:
            raise ValueError(f"week {week} is not played yet; weeks 0..{self.week - 1} are.")
        lines, store = self._lines()
        row = self.summary().iloc[week]
        one = {n: a[week] for n, a in lines.items()}
        margin = ad_gross_margin(one)
        event = {"kind": "practice_round", "seed": self.seed, "world_seed": self.config.seed, "week": week,
                 "weeks": self.weeks, "decided_by": row["decided_by"]}
        event.update({name: _plain(row[name]) for name in row.index if name not in ("week", "decided_by")})
        event["health"] = "fail" if store["health_failed"][week] else "pass"
        event["stockouts"] = _lines_where(self.facts, one["lost_units"] > 0, lost_units=one["lost_units"].astype(int),
                                          lost_margin=lost_margin(self.facts, one))
        event["losing_ads"] = _lines_where(self.facts, one["ad_spend"] > margin + 0.005, ad_spend=one["ad_spend"],
                                           ad_gross_margin=margin)
        return event

    def season_event(self) -> dict:
        """The ``practice_season`` event: the season's totals and the references' profit on this seed."""
        if not self.over:
            raise ValueError(f"the season is not over: week {self.week} of {self.weeks} is next.")
        table = self.summary()
        totals = {name: _plain(table[name].sum()) for name in
                  ("revenue", "lost_units", "lost_sales", "lost_margin", "stockout_lines", "ad_spend",
                   "ad_gross_margin", "ad_profit", "losing_ad_lines", "below_cost_lines", "fine")}
        return {"kind": "practice_season", "seed": self.seed, "world_seed": self.config.seed, "weeks": self.weeks,
                "profit": self.profit, **totals,
                "reference_profit": {name: _plain(v) for name, v in self.scorecard()["profit"].items()
                                     if name in REFERENCES},
                "decided_by": sorted(set(self.decided_by))}

    def result(self) -> SeasonResult:
        """The played weeks as a :class:`SeasonResult` (the whole season once it is over)."""
        lines, store = self._lines()
        return SeasonResult(self.config, self._engine.world, (self.seed,), {n: a[:, None] for n, a in lines.items()},
                            {n: a[:, None] for n, a in store.items()}, labels=(("practice", self.seed),))

    def references(self) -> SeasonResult:
        """The reference strategies' whole seasons on this seed and world (played once, kept)."""
        if self._references is None:
            self._references = play_league(REFERENCES, self.config, [self.seed], on_error="raise")
        return self._references

    def reference_reports(self, name: str) -> dict[str, pd.DataFrame]:
        """The reports of reference strategy ``name`` over the weeks played so far, on this seed."""
        names = [label for label, _ in self.references().labels]
        if name not in names:
            raise ValueError(f"no reference strategy {name!r}; the references are {names}.")
        references, k = self.references(), self.week
        store = names.index(name)
        return store_reports(self.facts, {n: a[:k, store] for n, a in references.lines.items()},
                             {n: a[:k, store] for n, a in references.store.items()})

    def scorecard(self) -> pd.DataFrame:
        """You against the reference strategies over the same weeks of the same seed: profit and
        the money-losing signs (lost sales, ad margin against spend), one row each."""
        k = self.week
        rows = {BY_HAND: week_metrics(self.facts, *self._lines())}
        references = self.references()
        for store, (name, _) in enumerate(references.labels):
            rows[name] = week_metrics(self.facts, {n: a[:k, store] for n, a in references.lines.items()},
                                      {n: a[:k, store] for n, a in references.store.items()})
        columns = ["profit", "revenue", "lost_units", "lost_margin", "stockout_lines", "ad_spend",
                   "ad_gross_margin", "ad_profit", "fine"]
        card = pd.DataFrame({name: table[columns].sum() for name, table in rows.items()}).T
        card.index.name = "store"
        card.insert(0, "weeks", k)
        card["profit_vs_you"] = (card["profit"] - card.loc[BY_HAND, "profit"]).round(2)
        counts = ["weeks", "lost_units", "stockout_lines"]
        card[counts] = card[counts].astype(np.int64)
        return card.round(2)


# -- many public seeds at once ----------------------------------------------------------------------
def league_table(result: SeasonResult) -> pd.DataFrame:
    """One row per store of a :func:`~cbec.modules.competition.season.play_league` result:
    strategy, seed, season profit, lost units, ad spend and whether (and when) the strategy failed."""
    if not result.labels or not all(isinstance(label, tuple) and len(label) == 2 for label in result.labels):
        raise ValueError("league_table needs a play_league result (labels are (strategy, seed) pairs).")
    failed = {f.store: f for f in result.failures}
    return pd.DataFrame({
        "strategy": [name for name, _ in result.labels], "seed": [seed for _, seed in result.labels],
        "profit": result.profit(), "lost_units": result.lines["lost_units"].sum(axis=(0, 2, 3)).astype(np.int64),
        "ad_spend": np.round(result.lines["ad_spend"].sum(axis=(0, 2, 3)), 2),
        "failed_week": pd.array([failed[k].week if k in failed else None for k in range(len(result.labels))],
                                dtype="Int64"),
        "error": [f"{type(failed[k].error).__name__}: {failed[k].error}" if k in failed else ""
                  for k in range(len(result.labels))]})


def paired_wins(table: pd.DataFrame, strategy: str, against: str) -> float:
    """Share of seeds on which ``strategy`` made more profit than ``against`` (same seeds, same luck)."""
    wide = table.pivot(index="seed", columns="strategy", values="profit")
    for name in (strategy, against):
        if name not in wide.columns:
            raise ValueError(f"no strategy {name!r} in the league table; it has {list(wide.columns)}.")
    return float((wide[strategy] > wide[against]).mean())


def course_log(student_id: str | None = None, folder=None) -> Log:
    """A ``log`` for :class:`PracticeSeason` that records to the course's activity log.

    Your instructor's training dashboard reads it (who practises, who is idle, which
    decisions lose money).  ``folder`` defaults to the course's activity folder beside
    nbgrader's exchange; the student id is yours (as in the assignments).
    """
    from cbec.activity import ActivityLog, activity_folder
    from cbec.activity.events import EVENT_KINDS
    from cbec.identity import resolve_student_id

    log = ActivityLog(folder if folder is not None else activity_folder(), resolve_student_id(student_id))
    kept = {kind: {f.name for f in EVENT_KINDS[kind]} for kind in ("practice_round", "practice_season")}

    def record(event: dict) -> None:
        kind = event["kind"]
        fields = {name: value for name, value in event.items() if name in kept[kind]}
        if "week" in fields:
            fields["week"] = int(fields["week"]) + 1  # the log counts rounds from 1
        log.record({"kind": kind, **fields})

    return record
