"""How the ``competition`` assignment plays a submitted strategy: on public and hidden markets.

A student submits ``policy(view) -> Decisions``.  The grader never runs it in its own
process: :mod:`cbec.grading.functions` calls it inside the sandbox, one round at a time,
with the round's view as plain data (:func:`call` rebuilds the :class:`StoreView` there).
:func:`drive`, in the grader, plays every scenario of :mod:`~cbec.modules.competition.scenarios`
with it -- the market itself, its hidden demand and the hidden seeds stay in the grader --
and scores each store against the reference strategies.

A round that raises, runs longer than the sandbox's ``call_timeout`` or returns unusable
decisions is recorded, and that store plays on idle (last price, no ads, no inbound) for
the rest of its season; the other stores go on.

In the student's own notebook, :func:`competition_check` plays the public scenarios
locally, so the visible test shows the same public table the grader will.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from cbec.modules.competition.market import MarketFacts
from cbec.modules.competition.scenarios import (Scenario, hidden_scenarios, normalised_score, public_scenarios,
                                                reference_profits)
from cbec.modules.competition.season import (DECISION_FIELDS, Decisions, StoreView, check_decisions, play_league)

#: The share of a scenario's points earned at the baseline's normalised score of 1; 1.25 earns them all.
FULL_MARKS_SCORE = 1.25
#: Rounds over the time limit after which a submitted strategy is no longer called.
MAX_TIMEOUTS = 2
_TEXT_TUPLES = ("products", "markets", "categories", "events")


# The view as plain data, and back ------------------------------------------------------------
def facts_data(facts: MarketFacts) -> dict:
    out = {}
    for item in fields(MarketFacts):
        value = getattr(facts, item.name)
        if item.name in _TEXT_TUPLES:
            out[item.name] = [str(v) for v in value]
        elif item.name == "round_starts":
            out[item.name] = [stamp.isoformat() for stamp in value]
        elif isinstance(value, np.ndarray):
            out[item.name] = np.asarray(value, dtype=float) if value.dtype.kind in "fiu" else value
        else:
            out[item.name] = value
    return out


def facts_from_data(data: dict) -> MarketFacts:
    values = {}
    for item in fields(MarketFacts):
        value = data[item.name]
        if item.name in _TEXT_TUPLES:
            values[item.name] = tuple(str(v) for v in value)
        elif item.name == "round_starts":
            values[item.name] = pd.DatetimeIndex([pd.Timestamp(v) for v in value])
        elif item.name in ("weeks", "lead_time_weeks"):
            values[item.name] = int(value)
        elif item.name == "initial_units":
            values[item.name] = np.asarray(value).astype(np.int64)
        elif isinstance(value, np.ndarray):
            values[item.name] = value
        else:
            values[item.name] = float(value)
    return MarketFacts(**values)


def view_data(view: StoreView, facts: dict) -> dict:
    """One store's view as plain data (no seed: a hidden store's seed stays in the grader)."""
    return {"week": int(view.week), "facts": facts, "history": dict(view.history),
            "store_history": dict(view.store_history), "on_hand": view.on_hand, "in_transit": view.in_transit,
            "competitor_price": view.competitor_price}


def view_from_data(data: dict) -> StoreView:
    return StoreView(week=int(data["week"]), facts=facts_from_data(data["facts"]), history=dict(data["history"]),
                     store_history=dict(data["store_history"]), on_hand=data["on_hand"],
                     in_transit=data["in_transit"], competitor_price=data["competitor_price"])


def call(policy, args: dict) -> dict:
    """In the student's process: the round's decisions of ``policy`` as arrays."""
    view = view_from_data(args)
    decisions = policy(view)
    if not isinstance(decisions, Decisions):
        raise TypeError(f"policy must return Decisions(price=..., ad_budget=..., bid=..., inbound=..., deal=...), "
                        f"not {type(decisions).__name__}")
    shape = view.on_hand.shape
    return {name: np.broadcast_to(np.asarray(getattr(decisions, name), dtype=bool if name == "deal" else float),
                                  shape).copy() for name in DECISION_FIELDS}


def decisions_from_data(value) -> Decisions:
    """In the grader: the decoded reply as :class:`Decisions` (checked later by ``check_decisions``)."""
    if not isinstance(value, dict) or set(value) != set(DECISION_FIELDS):
        raise TypeError(f"the policy's reply is not the five decisions {list(DECISION_FIELDS)}")
    return Decisions(**{name: value[name] for name in DECISION_FIELDS})


# Results ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CompetitionResult:
    """Every store a strategy played: scenario, profit, the references' profits, score and failures."""

    stores: pd.DataFrame
    failures: tuple[dict, ...] = ()
    slowest_round_seconds: float = 0.0
    #: a digest of every decision played: two students with the same digest played the same strategy
    fingerprint: str = ""

    def scenario_scores(self, hidden: bool | None = None) -> pd.DataFrame:
        """Per scenario: mean profit, the references' and the normalised score (hidden: None for all)."""
        stores = self.stores if hidden is None else self.stores[self.stores["hidden"] == hidden]
        return (stores.groupby(["scenario", "kind", "hidden"], sort=False)
                [["profit", "naive_profit", "baseline_profit", "score"]].mean().reset_index())

    def score(self, hidden: bool = True) -> float:
        """Mean normalised score over the hidden (final) or public scenarios; NaN if none was played."""
        table = self.scenario_scores(hidden)
        return float(table["score"].mean()) if len(table) else float("nan")

    def points(self, full: float) -> float:
        """Points for the final (hidden) score: ``full x score / 1.25``, between 0 and ``full``."""
        score = self.score(hidden=True)
        if not np.isfinite(score):
            return 0.0
        return round(float(full) * float(np.clip(score / FULL_MARKS_SCORE, 0.0, 1.0)), 2)

    def record(self) -> dict:
        """What the grading log and the leaderboard keep (plain data)."""
        return {"public_score": _plain(self.score(hidden=False)), "final_score": _plain(self.score(hidden=True)),
                "scenarios": self.scenario_scores().to_dict(orient="records"),
                "stores": self.stores.to_dict(orient="records"), "failures": list(self.failures),
                "slowest_round_seconds": self.slowest_round_seconds, "fingerprint": self.fingerprint,
                "same_as_baseline": self.same_as_baseline}

    @property
    def same_as_baseline(self) -> bool:
        """Whether every store made the baseline's profit to the cent: a copy of the baseline."""
        return bool(len(self.stores)) and bool(np.allclose(self.stores["profit"], self.stores["baseline_profit"],
                                                           rtol=0, atol=0.005))

    def show(self) -> pd.DataFrame:
        """The public table a student sees (hidden scenarios are summarised, never listed)."""
        table = self.scenario_scores(hidden=False)[["scenario", "profit", "naive_profit", "baseline_profit", "score"]]
        print(f"Public score: {self.score(hidden=False):.3f} (naive 0, baseline 1) on {len(table)} public markets.")
        if self.failures:
            first = self.failures[0]
            print(f"{len(self.failures)} store(s) stopped deciding; the first: {first['scenario']}, "
                  f"week {first['week']}: {first['message']}")
        return table.round(3)


def _plain(value: float):
    return None if not np.isfinite(value) else float(value)


# Playing ----------------------------------------------------------------------------------
def play_scenarios(policy, scenarios: tuple[Scenario, ...]) -> CompetitionResult:
    """Play ``policy`` (a local function, or a remote one in the grader) on every store of ``scenarios``."""
    rows, failures = [], []
    digest = hashlib.sha256()
    for scenario in scenarios:
        played = play_league({"policy": policy}, scenario.config, scenario.play_seeds)
        for name in DECISION_FIELDS:
            # rounded, and + 0.0 turns -0.0 into 0.0: the same decisions give the same bytes
            digest.update(np.ascontiguousarray(np.round(played.lines[name], 6) + 0.0, dtype=float).tobytes())
        profit = played.profit()
        references = reference_profits(scenario.config, scenario.play_seeds)
        scores = normalised_score(profit, references["naive"], references["baseline"])
        for k, seed in enumerate(scenario.play_seeds):
            rows.append({"scenario": scenario.name, "kind": scenario.kind, "hidden": scenario.hidden, "store": k,
                         "profit": float(profit[k]), "naive_profit": float(references["naive"][k]),
                         "baseline_profit": float(references["baseline"][k]), "score": float(scores[k])})
        for failure in played.failures:
            failures.append({"scenario": scenario.name, "store": int(failure.store), "week": int(failure.week),
                             "kind": getattr(failure.error, "kind", "invalid"),
                             "message": f"{type(failure.error).__name__}: {failure.error}"[:400]})
    return CompetitionResult(pd.DataFrame(rows), tuple(failures), fingerprint=digest.hexdigest()[:16])


class OutOfTime(RuntimeError):
    """The strategy ran over the round time limit too often: it is not called again."""

    kind = "timeout"


def _remote_strategy(function):
    """A one-store strategy that asks the student's function, in the sandbox, for each round.

    After :data:`MAX_TIMEOUTS` rounds over the time limit the function is not called again
    (every remaining store plays idle), so an endless strategy costs seconds, not hours.
    """
    facts_cache: dict[int, tuple[MarketFacts, dict]] = {}  # holding the facts keeps their id unique
    timeouts = []

    def strategy(view: StoreView) -> Decisions:
        if len(timeouts) >= MAX_TIMEOUTS:
            raise OutOfTime(f"not played: {MAX_TIMEOUTS} earlier rounds ran over the time limit")
        if id(view.facts) not in facts_cache:
            facts_cache[id(view.facts)] = (view.facts, facts_data(view.facts))
        try:
            return decisions_from_data(function(view_data(view, facts_cache[id(view.facts)][1])))
        except Exception as error:
            if getattr(error, "kind", "") == "timeout":
                timeouts.append(view.week)
            raise

    return strategy


def drive(function, context) -> CompetitionResult:
    """In the grader: play the submitted policy on the public and the hidden scenarios."""
    result = play_scenarios(_remote_strategy(function), public_scenarios() + hidden_scenarios(context.secret))
    slowest = max(getattr(function, "seconds", None) or [0.0])
    return CompetitionResult(result.stores, result.failures, round(float(slowest), 4), result.fingerprint)


def competition_check(policy) -> CompetitionResult:
    """The visible test: in your notebook, plays ``policy`` on the public markets and shows the table.

    At grading time ``policy`` arrives already played (on the public and the hidden markets)
    and this shows the same public table.
    """
    if isinstance(policy, CompetitionResult):
        result = policy
    elif callable(policy):
        result = play_scenarios(policy, public_scenarios())
    else:
        raise TypeError(f"policy must be a function policy(view) -> Decisions, not {type(policy).__name__}.")
    from IPython.display import display

    display(result.show())
    return result


__all__ = ["CompetitionResult", "FULL_MARKS_SCORE", "call", "check_decisions", "competition_check", "drive",
           "play_scenarios"]
