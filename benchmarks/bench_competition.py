"""How fast is a whole competition season: 200 stores x 20 seeds, vectorised, next to a per-store loop?

Run:  PYTHONPATH=helpers .venv/bin/python benchmarks/bench_competition.py [--students 200 --seeds 20 --sample 40]

Three ways to play the same 4000-store season of the baseline strategy (12 weekly rounds):

- vectorised: ``run_season`` -- one call of the strategy and one market step per week for
  all stores (arrays over store x product x market);
- league: ``play_league`` -- the strategy called once per store per week (as students'
  own strategies are), the market step still vectorised over all stores;
- per-store loop: the straightforward loop, for each store, for each round, one engine
  step of that store alone. It runs on ``--sample`` stores and is scaled to all of them
  (labelled "extrapolated"); it also checks that a store plays the same alone as in the batch.

All are measured in this run on this machine; compare the ratio, not the seconds.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from cbec.modules.competition import SeasonConfig, SeasonEngine, baseline, play_league, run_season


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def per_store_loop(config: SeasonConfig, seeds) -> np.ndarray:
    profits = []
    for seed in seeds:
        engine = SeasonEngine(config, [seed])
        for _ in range(config.weeks):
            engine.step(baseline(engine.view()))
        profits.append(engine.result().profit()[0])
    return np.array(profits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--sample", type=int, default=40, help="stores played by the per-store loop")
    args = parser.parse_args()
    config = SeasonConfig()
    stores = args.students * args.seeds
    seeds = list(range(stores))
    lines = stores * config.n_products * len(config.markets)
    print(f"season: {config.weeks} rounds, {config.n_products} products x {len(config.markets)} markets, "
          f"{args.students} students x {args.seeds} seeds = {stores} stores ({lines} lines a week)")

    result, vectorised = timed(lambda: run_season(baseline, config, seeds))
    print(f"vectorised run_season:            {vectorised:8.2f} s")
    league, league_time = timed(lambda: play_league({f"student_{i}": baseline for i in range(args.students)},
                                                    config, range(args.seeds)))
    print(f"league (strategy per store):      {league_time:8.2f} s")
    sample = seeds[:: max(1, stores // args.sample)][: args.sample]
    looped, loop_time = timed(lambda: per_store_loop(config, sample))
    scaled = loop_time * stores / len(sample)
    print(f"per-store loop on {len(sample)} stores:      {loop_time:8.2f} s")
    print(f"per-store loop, extrapolated to {stores}: {scaled:8.2f} s")
    print(f"ratio loop / vectorised:           {scaled / vectorised:8.1f} x")
    same = np.allclose(looped, result.profit()[sample], atol=0.005)
    print(f"per-store loop profits equal the vectorised run's: {same}")
    league_profit = league.profit().reshape(args.students, args.seeds)
    print(f"league profits equal the vectorised run's: "
          f"{np.allclose(league_profit, result.profit()[: args.seeds][None, :], atol=0.005)}")
    print(f"mean season profit of the baseline: {result.profit().mean():,.0f} USD")


if __name__ == "__main__":
    main()
