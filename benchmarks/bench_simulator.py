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

from cbec.sim import StoreConfig, simulate_store

LINES_PER_1000_SESSIONS = 1000 / 4000 * 84_000 / 730  # measured on the default store (~28.8 lines/day)


def vectorised(target_lines: int) -> tuple[int, float]:
    base = int(4000 * target_lines / (LINES_PER_1000_SESSIONS * 4 * 730))
    start = time.perf_counter()
    store = simulate_store(StoreConfig(seed=1, days=730, base_daily_sessions=base))
    return len(store.order_lines), time.perf_counter() - start


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
    naive_lines, naive_s = naive(args.naive_lines)
    vec_rate, naive_rate = vec_lines / vec_s, naive_lines / naive_s
    print(f"{'generator':<42}{'order lines':>12}{'seconds':>10}{'lines/s':>14}")
    print(f"{'cbec.sim.simulate_store (whole store)':<42}{vec_lines:>12,}{vec_s:>10.2f}{vec_rate:>14,.0f}")
    print(f"{'naive per-order loop (order lines only)':<42}{naive_lines:>12,}{naive_s:>10.2f}{naive_rate:>14,.0f}")
    print(f"\nspeed-up: {vec_rate / naive_rate:.1f}x per order line; the naive loop would need "
          f"{vec_lines / naive_rate:.0f} s for {vec_lines:,} lines (the simulator also builds "
          "sessions, customers, returns and spend in its time).")


if __name__ == "__main__":
    main()
