"""Seeded simulators for data that has no real public source."""

from cbec.sim.programme import (PLATINUM_CUP_2020, FunnelAnchor, ProgrammeConfig, TrueEffects,
                                programme_truth, simulate_programme)
from cbec.sim.store import FUNNEL_STAGES, StoreConfig, StoreData, simulate_store

__all__ = ["FUNNEL_STAGES", "PLATINUM_CUP_2020", "FunnelAnchor", "ProgrammeConfig", "StoreConfig", "StoreData",
           "TrueEffects", "programme_truth", "simulate_programme", "simulate_store"]
