"""The markets a submitted strategy is scored on: public ones everyone can practise, hidden ones drawn from a secret.

Like a Kaggle competition's public and private split: the **public** scenarios are fixed
here, so students can play them as often as they like; the **hidden** ones take their kind
from :data:`HIDDEN_KINDS` (what can change in a real season: a longer lead time, a price
war, more price-sensitive shoppers, other markets, noisier demand) but their world and
play seeds from the course's grading secret, which only the grader holds.  The final rank
uses the hidden scenarios only.

Each scenario is scored against the reference strategies on the same stores: a strategy's
*normalised score* there is ``(profit - naive) / (baseline - naive)``, 0 for the naive
strategy and 1 for the course's baseline, so a large market does not outweigh a small one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from cbec.modules.competition.market import SeasonConfig
from cbec.modules.competition.season import run_season
from cbec.modules.competition.strategies import baseline, naive


@dataclass(frozen=True)
class Scenario:
    """One market a strategy is scored on: its config (world seed included) and the stores' play seeds."""

    name: str
    kind: str
    config: SeasonConfig
    play_seeds: tuple[int, ...]
    hidden: bool


#: What a hidden scenario changes from the standard season (the values are public, the worlds are not).
HIDDEN_KINDS = {
    "standard": {},
    "long_lead_time": {"lead_time_weeks": 4},
    "price_war": {"n_competitors": 3, "competitor_undercut": 0.8, "competitor_recovery": 0.1},
    "price_sensitive": {"elasticity_range": (-3.6, -2.4)},
    "far_markets": {"markets": ("JP", "AU", "CA")},
    "volatile_demand": {"demand_noise": 0.30, "return_rate": 0.10},
}
#: The public scenarios' world seeds (a standard season each), and their stores' play seeds.
PUBLIC_WORLD_SEEDS = (101, 202, 303)
PUBLIC_PLAY_SEEDS = (1, 2)
#: Stores per hidden scenario.
HIDDEN_PLAY_SEEDS = 2
#: Normalised scores are clipped to this range before averaging, so one wild market cannot dominate.
SCORE_BOUNDS = (-3.0, 3.0)


def public_scenarios() -> tuple[Scenario, ...]:
    """The public scenarios: standard seasons on fixed world seeds (practise on them freely)."""
    return tuple(Scenario(f"public_{k + 1}", "standard", SeasonConfig(seed=seed), PUBLIC_PLAY_SEEDS, False)
                 for k, seed in enumerate(PUBLIC_WORLD_SEEDS))


def _drawn(secret: str, label: str) -> int:
    digest = hashlib.sha256(f"cbec-competition/{secret}/{label}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # 63 bits: no world seed to guess from the facts


def hidden_scenarios(secret: str) -> tuple[Scenario, ...]:
    """One scenario of each hidden kind, its world and play seeds drawn from ``secret``."""
    if not secret:
        raise ValueError("hidden_scenarios needs the course's grading secret (cbec.grading.functions.course_secret).")
    found = []
    for kind, changes in HIDDEN_KINDS.items():
        config = replace(SeasonConfig(seed=_drawn(secret, f"{kind}/world")), **changes)
        seeds = tuple(_drawn(secret, f"{kind}/play/{k}") for k in range(HIDDEN_PLAY_SEEDS))
        found.append(Scenario(f"hidden_{kind}", kind, config, seeds, True))
    return tuple(found)


@lru_cache(maxsize=64)
def reference_profits(config: SeasonConfig, play_seeds: tuple[int, ...]) -> dict[str, np.ndarray]:
    """Season profit of the naive and baseline strategies on each store (cached: all students share them)."""
    return {name: run_season(strategy, config, play_seeds).profit()
            for name, strategy in (("naive", naive), ("baseline", baseline))}


def normalised_score(profit, naive_profit, baseline_profit) -> np.ndarray:
    """``(profit - naive) / (baseline - naive)``, clipped to :data:`SCORE_BOUNDS`.

    Where the baseline does not beat naive (a market where nothing pays), the gap is
    measured against the size of naive's profit instead, at least 1 USD.
    """
    profit, low, high = (np.asarray(x, dtype=float) for x in (profit, naive_profit, baseline_profit))
    gap = np.where(high - low > 1.0, high - low, np.maximum(np.abs(low), 1.0))
    return np.clip((profit - low) / gap, *SCORE_BOUNDS)
