"""Analyses repeated over several seeded stores and checked against the simulator's truth: is a
lecture's finding a property of the method, or the luck of one draw?

- :func:`store_journeys`: a store's journeys the way an analyst builds them (channels from
  the landing URLs and referrers by :func:`.utm.channel_of`, cut at the first order by
  :func:`.journeys.journey_touches`).
- :func:`attribution_scores_over_seeds`: every attribution model scored against the true
  incremental shares (:func:`.attribution.score_against_truth`) in one store per seed.
- :func:`lift_coverage`: the geo holdout test of each store read by :func:`.lift.geo_lift`,
  and whether its interval for the relative lift holds the true lift (``truth.geo_lift``).

Each store is simulated afresh (``simulate_store(seed=s, **store_params)``); a store of
30,000 prospects takes well under a second, so a handful of seeds stays quick.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from cbec.modules.independent_station import attribution, lift, utm
from cbec.modules.independent_station.journeys import journey_touches
from cbec.modules.independent_station.simulator import StoreData, simulate_store


def _seeds(seeds: Iterable[int]) -> list[int]:
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("name at least one seed, e.g. seeds=range(1, 7).")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"the seeds must be distinct (each gives one store), got {seeds}.")
    return seeds


def store_journeys(store: StoreData) -> attribution.Journeys:
    """The store's journeys to the first order, with channels read from the sessions' URLs and referrers."""
    sessions = store.sessions.assign(channel=utm.channel_of(store.sessions))
    return attribution.journeys_from_touches(*journey_touches(sessions, store.orders))


def attribution_scores_over_seeds(seeds: Iterable[int], *, models: Sequence[str] | None = None,
                                  **store_params) -> pd.DataFrame:
    """Each model's score against the true incremental shares, in one simulated store per seed.

    ``store_params`` go to ``simulate_store`` (e.g. ``prospects=30_000``); ``models`` to
    :func:`.attribution.compare_models` (default: every model). One row per seed and model:
    ``seed``, ``rank`` (1 = closest to the truth in that store), ``model``, ``distance``,
    ``rank_correlation`` and ``max_abs_error`` (see :func:`.attribution.score_against_truth`).
    """
    frames = []
    for seed in _seeds(seeds):
        store = simulate_store(seed=seed, **store_params)
        comparison = attribution.compare_models(store_journeys(store), models)
        frames.append(attribution.score_against_truth(comparison, store.truth.incremental_share)
                      .assign(seed=seed))
    table = pd.concat(frames, ignore_index=True)
    return table[["seed", "rank", "model", "distance", "rank_correlation", "max_abs_error"]]


def lift_coverage(seeds: Iterable[int], *, alpha: float = 0.05, permutations: int = 500,
                  **store_params) -> pd.DataFrame:
    """The geo holdout test of one simulated store per seed, against its true lift.

    One row per seed: ``seed``, ``channel``, ``true_lift`` (``truth.geo_lift``),
    ``relative_lift`` with its 1 - ``alpha`` interval (``low``, ``high``), ``covered``
    (the interval holds the truth), ``p_value`` and ``permutation_p_value`` (from
    ``permutations`` reassignments; fewer than :func:`.lift.geo_lift`'s default, to stay
    quick). ``attrs["coverage"]`` is the share of intervals that hold the truth.
    """
    rows = []
    for seed in _seeds(seeds):
        store = simulate_store(seed=seed, **store_params)
        result = lift.geo_lift(store.geo_test, alpha=alpha, permutations=permutations, seed=seed)
        truth = store.truth.geo_lift
        rows.append({"seed": seed, "channel": result.channel, "true_lift": truth,
                     "relative_lift": result.relative_lift, "low": result.relative_lift_low,
                     "high": result.relative_lift_high,
                     "covered": bool(result.relative_lift_low <= truth <= result.relative_lift_high),
                     "p_value": result.p_value, "permutation_p_value": result.permutation_p_value})
    table = pd.DataFrame(rows)
    table.attrs.update(coverage=float(np.mean(table["covered"])), alpha=alpha)
    return table
