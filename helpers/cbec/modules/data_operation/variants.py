"""Each student's own store: its seed and parameters come from the student's id.

Two ids give different answers because both the random seed and the store's parameters
(market mix, conversion, returns, repeat buying, prices, where the funnel leaks) differ.
"""

from __future__ import annotations

import numpy as np

from cbec.assignments.variants import variant_seed
from cbec.modules.data_operation.store import LEAK_PROFILES, StoreConfig
from cbec.world.markets import MARKETS

_LEAKS = tuple(LEAK_PROFILES)


def variant_config(student_id: str, assignment: str, *, start: str = "2024-01-01",
                   days: int = 366, base_daily_sessions: int = 600) -> StoreConfig:
    """The store this student analyses: a one-year store with personal parameters."""
    seed = variant_seed(student_id, assignment)
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.full(len(MARKETS), 2.0))
    return StoreConfig(
        seed=seed % (2**32),
        start=start,
        days=days,
        base_daily_sessions=base_daily_sessions,
        n_products=60,
        market_weights={m: round(float(w), 4) + 0.01 for m, w in zip(tuple(MARKETS), weights)},
        conversion_multiplier=round(float(rng.uniform(0.8, 1.25)), 3),
        return_rate_multiplier=round(float(rng.uniform(0.8, 1.2)), 3),
        repeat_propensity=round(float(rng.uniform(0.22, 0.36)), 3),
        price_multiplier=round(float(rng.uniform(0.9, 1.15)), 3),
        funnel_leak=str(rng.choice(_LEAKS)),
    )
