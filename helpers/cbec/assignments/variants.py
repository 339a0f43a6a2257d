"""Derive a personal, reproducible store configuration from a student's identity.

The same id always gives the same data; two ids give different answers because both the
random seed and the store's parameters (market mix, conversion, returns, repeat buying,
prices) depend on a hash of ``assignment:student_id``.
"""

from __future__ import annotations

import hashlib

import numpy as np

from cbec.sim import StoreConfig
from cbec.sim.store import LEAK_PROFILES

_MARKETS = ("US", "GB", "DE", "FR", "JP", "AU", "CA")
_LEAKS = tuple(LEAK_PROFILES)


def variant_seed(student_id: str, assignment: str) -> int:
    """A stable 63-bit seed from the student id and assignment name (not Python's salted hash)."""
    digest = hashlib.sha256(f"{assignment}:{student_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def variant_config(student_id: str, assignment: str, *, start: str = "2024-01-01",
                   days: int = 366, base_daily_sessions: int = 600) -> StoreConfig:
    """The store this student analyses: a one-year store with personal parameters."""
    seed = variant_seed(student_id, assignment)
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.full(len(_MARKETS), 2.0))
    return StoreConfig(
        seed=seed % (2**32),
        start=start,
        days=days,
        base_daily_sessions=base_daily_sessions,
        n_products=60,
        market_weights={m: round(float(w), 4) + 0.01 for m, w in zip(_MARKETS, weights)},
        conversion_multiplier=round(float(rng.uniform(0.8, 1.25)), 3),
        return_rate_multiplier=round(float(rng.uniform(0.8, 1.2)), 3),
        repeat_propensity=round(float(rng.uniform(0.22, 0.36)), 3),
        price_multiplier=round(float(rng.uniform(0.9, 1.15)), 3),
        funnel_leak=str(rng.choice(_LEAKS)),
    )
