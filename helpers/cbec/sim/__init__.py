"""Seeded simulators for data that has no real public source."""

from cbec.sim.store import FUNNEL_STAGES, StoreConfig, StoreData, simulate_store

__all__ = ["FUNNEL_STAGES", "StoreConfig", "StoreData", "simulate_store"]
