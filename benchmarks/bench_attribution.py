"""How fast are the attribution models on a million journeys, against the obvious code and DP6's mam?

Run:  .venv/bin/python benchmarks/bench_attribution.py [--journeys 1e6] [--channels 8] [--sample 2e4]
                                                       [--mam-journeys 1e6] [--seed 1]

In this run on this machine, on ``--journeys`` simulated journeys over ``--channels``
channels (a seeded Markov-ish generator: a start distribution, a random transition matrix,
a 35% chance to stop after each touch, conversion more likely the more channels a journey
saw, touch times hours apart):

- building :class:`Journeys` from the touch and outcome tables (``journeys_from_touches``);
- each model on all journeys: the heuristics, the exact first-order Markov removal effects,
  and Shapley by bit masks and a zeta transform (``subset``, and mam's ``exact_rate``);
- the straightforward implementations, run on the first ``--sample`` journeys and scaled
  to the full size (labelled "scaled"): a per-journey Python loop counting the Markov
  transitions (then the same exact solve), and Shapley with ``v(S)`` found by filtering
  the journeys' channel sets for each of the ``2^n`` coalitions in Python; their answers
  are checked against the fast ones on the same sample. Between the two, Shapley with one
  numpy pass over all journeys per coalition (``2^n`` passes), on the full size;
- DP6's ``marketing_attribution_models`` (Polars) on the first ``--mam-journeys``
  journeys (all of them by default; scaled when fewer), for Markov and Shapley (``max_size=None``, ``conv_rate``); its
  removal effects are checked against ours on that subset.

Ratios are scaled seconds over ours on the full size; compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd

T0 = np.datetime64("2026-03-01T00:00:00", "ns")
HOUR_NS = 3_600 * 10**9


def simulate(n_journeys: int, n_channels: int, seed: int):
    """Touch and outcome tables of ``n_journeys`` journeys, and the channel names."""
    from cbec.modules.independent_station.schemas import CHANNELS

    names = list(CHANNELS[:n_channels]) if n_channels <= len(CHANNELS) else [f"channel_{i}" for i in range(n_channels)]
    rng = np.random.default_rng(seed)
    start = rng.dirichlet(np.full(n_channels, 2.0))
    step = rng.dirichlet(np.full(n_channels, 0.7), size=n_channels).cumsum(axis=1)
    lift = rng.uniform(0.005, 0.06, n_channels)
    max_length, stop = 30, 0.35
    current = rng.choice(n_channels, size=n_journeys, p=start)
    alive = np.ones(n_journeys, dtype=bool)
    steps, masks = [current.astype(np.int8)], [alive]
    for _ in range(max_length - 1):
        alive = alive & (rng.random(n_journeys) > stop)
        if not alive.any():
            break
        current = np.minimum((rng.random(n_journeys)[:, None] > step[current]).sum(axis=1), n_channels - 1)
        steps.append(current.astype(np.int8))
        masks.append(alive)
    codes, present = np.stack(steps, axis=1), np.stack(masks, axis=1)
    journey = np.broadcast_to(np.arange(n_journeys)[:, None], codes.shape)[present]
    codes = codes[present]
    gaps = rng.exponential(30.0, len(codes)) * HOUR_NS
    first = np.r_[True, journey[1:] != journey[:-1]]
    clock = np.cumsum(gaps)
    since_start = clock - np.repeat(clock[first] - gaps[first], np.bincount(journey))
    begins = rng.uniform(0, 90 * 24, n_journeys) * HOUR_NS
    stamp = T0 + (begins[journey] + since_start).astype("timedelta64[ns]")
    seen = np.zeros((n_journeys, n_channels), dtype=bool)
    seen[journey, codes] = True
    p_convert = 1 - 0.99 * np.prod(np.where(seen, 1 - lift, 1.0), axis=1)
    converted = rng.random(n_journeys) < p_convert
    last = np.r_[first[1:], True]
    converted_at = np.where(converted, stamp[last] + (rng.uniform(0, 24, n_journeys) * HOUR_NS).astype(
        "timedelta64[ns]"), np.datetime64("NaT"))
    touches = pd.DataFrame({"journey_id": journey, "timestamp": stamp,
                            "channel": pd.Categorical.from_codes(codes, categories=names)})
    outcomes = pd.DataFrame({"journey_id": np.arange(n_journeys), "converted": converted,
                             "value": np.where(converted, rng.gamma(2.0, 40.0, n_journeys), 0.0),
                             "converted_at": converted_at})
    return touches, outcomes, names


def first_journeys(journeys, k: int):
    """The first ``k`` rows of ``journeys`` as a :class:`Journeys` of their own."""
    from cbec.modules.independent_station.attribution import Journeys

    k = min(k, journeys.n_journeys)
    end = journeys.offsets[k]
    hours = None if journeys.hours_before_conversion is None else journeys.hours_before_conversion[:end]
    return Journeys(channels=journeys.channels, offsets=journeys.offsets[:k + 1], codes=journeys.codes[:end],
                    converted=journeys.converted[:k], value=journeys.value[:k], weight=journeys.weight[:k],
                    hours_before_conversion=hours)


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


# -- the straightforward implementations ---------------------------------------------------------------

def naive_markov_removal(paths: list[list[int]], converted: list[bool], n: int) -> np.ndarray:
    """Transition counts by a Python loop over journeys and touches, then removal effects by n + 1 solves."""
    start, conversion, null = n, n + 1, n + 2
    counts = defaultdict(float)
    for path, did_convert in zip(paths, converted):
        previous = start
        for channel in path:
            if channel != previous:
                counts[previous, channel] += 1
            previous = channel
        counts[previous, conversion if did_convert else null] += 1
    matrix = np.zeros((n + 3, n + 3))
    for (a, b), count in counts.items():
        matrix[a, b] = count

    def p_conversion(m):
        out = m[: n + 1].sum(axis=1, keepdims=True)
        p = np.divide(m[: n + 1], out, out=np.zeros_like(m[: n + 1]), where=out > 0)
        return np.linalg.solve(np.eye(n + 1) - p[:, : n + 1], p[:, conversion])[start]

    base = p_conversion(matrix)
    removal = []
    for c in range(n):
        without = matrix.copy()
        without[:, null] += without[:, c]
        without[:, c] = 0
        removal.append(1 - p_conversion(without) / base)
    return np.array(removal)


def naive_shapley(sets: list[frozenset], conversions: list[float], n: int) -> np.ndarray:
    """Simplified Shapley: v(S) = conversions of the journeys whose channel set is inside S, by filtering."""
    players = range(n)
    v = {}
    for size in range(n + 1):
        for coalition in combinations(players, size):
            members = frozenset(coalition)
            v[members] = sum(c for s, c in zip(sets, conversions) if s <= members)
    phi = np.zeros(n)
    for i in players:
        others = [p for p in players if p != i]
        for size in range(n):
            weight = factorial(size) * factorial(n - size - 1) / factorial(n)
            for coalition in combinations(others, size):
                members = frozenset(coalition)
                phi[i] += weight * (v[members | {i}] - v[members])
    return phi


def numpy_filter_shapley(masks: np.ndarray, conversions: np.ndarray, n: int) -> np.ndarray:
    """v(S) by one vectorised pass over all journeys per coalition (2^n passes), then the same Shapley sum."""
    from cbec.modules.independent_station.shapley import shapley_values

    v = np.array([conversions[(masks & ~np.int64(s)) == 0].sum() for s in range(1 << n)])
    return shapley_values(v)


def mam_frame(journeys) -> pd.DataFrame:
    names = np.asarray(journeys.channels)[journeys.codes]
    frame = (pd.DataFrame({"journey_id": journeys.journey_of_touch, "channel": names})
             .groupby("journey_id")["channel"].agg(" > ".join).to_frame("path"))
    frame["hours"] = frame["path"].str.replace(r"[^ >]+", "0", regex=True)
    frame["has_conversion"] = journeys.converted
    return frame.reset_index()


def _line(name, seconds, note=""):
    print(f"  {name:<62}{seconds:>10}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=float, default=1e6, help="journeys to simulate")
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--sample", type=float, default=2e4, help="journeys for the Python loops (then scaled)")
    parser.add_argument("--mam-journeys", type=float, default=1e6,
                        help="journeys given to mam (then scaled if fewer than --journeys; 1e6 takes about 3 GB)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n_journeys, sample, mam_size = int(args.journeys), int(args.sample), int(args.mam_journeys)

    from cbec.modules.independent_station import attribution, markov, shapley

    (touches, outcomes, names), generate = timed(simulate, n_journeys, args.channels, args.seed)
    journeys, build = timed(attribution.journeys_from_touches, touches, outcomes, channels=names)
    n = len(names)
    print(f"\n== {n_journeys:,} journeys, {len(touches):,} touches, {n} channels, "
          f"{journeys.total_conversions:,.0f} conversions ==")
    _line("simulate the touch and outcome tables", f"{generate:.2f} s")
    _line("journeys_from_touches (sort, codes, hours before conversion)", f"{build:.2f} s",
          f"{len(touches) / build:,.0f} touches/s")
    ours = {}
    for label, model in [("last_click", attribution.last_click), ("linear", attribution.linear),
                         ("position_based", attribution.position_based), ("time_decay", attribution.time_decay),
                         ("markov", markov.markov), ("shapley", shapley.shapley),
                         ("shapley exact_rate (mam's definition)",
                          lambda j: shapley.shapley(j, coalition_value="exact_rate"))]:
        result, seconds = timed(model, journeys)
        ours[label] = (result, seconds)
        _line(f"ours: {label}", f"{seconds:.3f} s", f"{n_journeys / seconds:,.0f} journeys/s")

    # the straightforward code on a sample, scaled to the full size
    small = first_journeys(journeys, sample)
    scale = n_journeys / small.n_journeys
    paths = np.split(small.codes, small.offsets[1:-1])
    path_lists, converted = [p.tolist() for p in paths], small.converted.tolist()
    naive_effects, loop_seconds = timed(naive_markov_removal, path_lists, converted, n)
    fast_effects = markov.markov(small)["removal_effect"].to_numpy()
    assert np.allclose(naive_effects, fast_effects, rtol=1e-9, atol=1e-12), "the loop and the fast Markov differ"
    markov_seconds = ours["markov"][1]
    print(f"\n  -- straightforward implementations ({small.n_journeys:,}-journey sample, scaled x{scale:,.0f}) --")
    _line("Markov, Python loop over journeys counting transitions: scaled", f"{loop_seconds * scale:.1f} s",
          f"{loop_seconds * scale / markov_seconds:,.0f}x ours (same removal effects on the sample)")
    sets = [frozenset(p) for p in path_lists]
    conversions = small.conversions.tolist()
    naive_phi, filter_seconds = timed(naive_shapley, sets, conversions, n)
    assert np.allclose(naive_phi, shapley.shapley(small)["attributed_conversions"], rtol=1e-9)
    shapley_seconds = ours["shapley"][1]
    _line("Shapley, v(S) by filtering journey sets per coalition: scaled", f"{filter_seconds * scale:.1f} s",
          f"{filter_seconds * scale / shapley_seconds:,.0f}x ours (same values on the sample)")
    columns = np.arange(n, dtype=np.int64)
    masks = shapley.channel_set_masks(journeys, columns)
    phi, numpy_seconds = timed(numpy_filter_shapley, masks, journeys.conversions, n)
    assert np.allclose(phi, ours["shapley"][0]["attributed_conversions"], rtol=1e-9)
    _line(f"Shapley, one numpy pass per coalition (2^{n}), full size", f"{numpy_seconds:.2f} s",
          f"{numpy_seconds / shapley_seconds:,.0f}x ours")

    try:
        import mam
    except ImportError:
        print("\n  (mam not installed: pip install -e '.[test]' to compare with DP6's marketing_attribution_models)")
        return
    subset = first_journeys(journeys, mam_size)
    scale = n_journeys / subset.n_journeys
    model = mam.MAM(mam_frame(subset), "journey", "path", "has_conversion", user_id_colname="journey_id",
                    time_till_conv_colname="hours")
    size = "full size" if scale == 1 else f"{subset.n_journeys:,} journeys, scaled x{scale:,.0f}"
    suffix = "" if scale == 1 else ": scaled"
    print(f"\n  -- DP6's marketing_attribution_models ({size}) --")
    result, seconds = timed(model.run_markov)
    theirs = result.metadata["removal_effect"]["removal_effect"].reindex(names).fillna(0).to_numpy()
    assert np.allclose(theirs, markov.markov(subset)["removal_effect"], rtol=1e-9, atol=1e-12)
    _line(f"mam run_markov{suffix}", f"{seconds * scale:.2f} s",
          f"{seconds * scale / markov_seconds:,.1f}x ours (same removal effects)")
    result, seconds = timed(model.run_shapley, max_size=None, value_column="conv_rate")
    rate_seconds = ours["shapley exact_rate (mam's definition)"][1]
    theirs = result.to_pandas().set_index("channels")["attribution"].reindex(names).fillna(0).to_numpy()
    mine = shapley.shapley(subset, coalition_value="exact_rate")["attributed_conversions"].to_numpy()
    assert np.allclose(theirs, mine, rtol=1e-9)
    _line(f"mam run_shapley(max_size=None, conv_rate){suffix}", f"{seconds * scale:.2f} s",
          f"{seconds * scale / rate_seconds:,.1f}x ours exact_rate (same values)")
    result, seconds = timed(model.run_linear)
    _line(f"mam run_linear{suffix}", f"{seconds * scale:.2f} s",
          f"{seconds * scale / ours['linear'][1]:,.1f}x ours")


if __name__ == "__main__":
    main()
