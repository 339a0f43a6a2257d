"""How fast is the vectorised store simulator, next to the obvious row-by-row generator?

Run:  .venv/bin/python benchmarks/bench_simulator.py [--lines 1000000]

Both are measured in this run on this machine; compare the ratio, not the seconds.
The naive generator builds order lines one order at a time with `random` and dict appends
(what one writes first), on a slice, and is extrapolated per line.
"""

from __future__ import annotations

import argparse
import random
import time

import pandas as pd

from cbec.modules.data_operation.store import StoreConfig, simulate_store

LINES_PER_1000_SESSIONS = 1000 / 4000 * 84_000 / 730  # measured on the default store (~28.8 lines/day)


def vectorised(target_lines: int) -> tuple[int, float]:
    base = int(4000 * target_lines / (LINES_PER_1000_SESSIONS * 4 * 730))
    start = time.perf_counter()
    store = simulate_store(StoreConfig(seed=1, days=730, base_daily_sessions=base))
    return len(store.order_lines), time.perf_counter() - start


def vectorised_lines_only(target_lines: int) -> tuple[int, float]:
    """The same stage the naive loop does (order lines for given orders), vectorised."""
    import numpy as np

    from cbec.modules.data_operation.store import _order_lines

    store = simulate_store(StoreConfig(seed=2, days=365, base_daily_sessions=4000))
    reps = max(1, target_lines // max(len(store.order_lines), 1))
    orders = pd.concat([store.orders] * reps, ignore_index=True)
    orders["order_id"] = [f"O{i:08d}" for i in range(len(orders))]
    start = time.perf_counter()
    lines = _order_lines(store.config, orders, store.products, np.random.default_rng(0))
    return len(lines), time.perf_counter() - start


def naive(target_lines: int) -> tuple[int, float]:
    rng = random.Random(1)
    products = [f"P{i:04d}" for i in range(1, 121)]
    prices = {p: rng.uniform(5, 80) for p in products}
    start = time.perf_counter()
    rows, order = [], 0
    while len(rows) < target_lines:
        order += 1
        market = rng.choice(["US", "GB", "DE", "FR", "JP", "AU", "CA"])
        fx = 1.0 if market == "US" else rng.uniform(0.5, 1.3)
        for line in range(1, min(1 + int(rng.expovariate(3)), 5) + 1):
            product = rng.choice(products)
            quantity = 1 + int(rng.expovariate(4))
            price = round(prices[product] / fx, 2)
            rows.append({"order_id": f"O{order:07d}", "line_number": line, "product_id": product,
                         "quantity": quantity, "unit_price_local": price,
                         "line_total_local": round(price * quantity, 2),
                         "line_total_usd": round(price * quantity * fx, 2)})
    pd.DataFrame(rows)
    return len(rows), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="order lines for the simulator")
    parser.add_argument("--naive-lines", type=int, default=50_000, help="order lines for the naive loop")
    args = parser.parse_args()

    vec_lines, vec_s = vectorised(args.lines)
    stage_lines, stage_s = vectorised_lines_only(args.lines)
    naive_lines, naive_s = naive(args.naive_lines)
    rows = [("cbec.modules.data_operation.store.simulate_store, whole store", vec_lines, vec_s),
            ("cbec order-line stage alone", stage_lines, stage_s),
            ("naive per-order loop, order lines only", naive_lines, naive_s)]
    print(f"{'generator':<42}{'order lines':>12}{'seconds':>10}{'lines/s':>14}")
    for name, n, seconds in rows:
        print(f"{name:<42}{n:>12,}{seconds:>10.2f}{n / seconds:>14,.0f}")
    naive_rate = naive_lines / naive_s
    print(f"\nLike for like (order lines only): {stage_lines / stage_s / naive_rate:.1f}x faster than the loop.")
    print(f"Whole store (sessions, customers, orders, lines, returns, spend) vs the loop's lines alone: "
          f"{vec_lines / vec_s / naive_rate:.1f}x; the loop would need {vec_lines / naive_rate:.0f} s "
          f"just for {vec_lines:,} lines.")


if __name__ == "__main__":
    main()
