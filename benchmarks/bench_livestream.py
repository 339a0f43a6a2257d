"""How fast and how lean is the live-stream season at 1, 10 and 100 million events?

Run:  .venv/bin/python benchmarks/bench_livestream.py [--sizes 1e6,1e7,1e8] [--folder DIR]

For each size, in this run on this machine:

- event generation in memory (events/s) and written to Parquet block by block;
- concurrency: the enter/leave sweep against the obvious per-second loop on one stream
  (where the loop is feasible), and the sweep alone over every stream of the season;
- per-stream aggregates (events, unique viewers, GMV, peak concurrency): DuckDB over the
  Parquet files against pandas on the table in memory;
- peak memory of each step: resident set (each step runs in its own process) and the peak
  of Python allocations (tracemalloc, which sees numpy but not DuckDB).

Sizes above ``--in-memory-limit`` (default 2e7) skip the in-memory steps: they are generated in
chunks straight to Parquet and only read back in part (the enter and leave rows). Compare
ratios, not seconds; machines are noisy. The Parquet folder is a temporary one, removed at
the end, unless ``--folder`` is given.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path


def _measured(step, *args) -> dict:
    """Run ``step(*args)`` with tracemalloc on; add its peak Python allocations and resident set."""
    tracemalloc.start()
    figures = step(*args)
    figures["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    figures["rss_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def _in_process(step, *args) -> dict:
    """Each step in a fresh process, so its resident-set peak is its own."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_measured, (step, *args))


def step_in_memory(config) -> dict:
    from cbec.modules.livestream_analytics import concurrency, storage
    from cbec.modules.livestream_analytics.simulator import simulate_season

    started = time.perf_counter()
    season = simulate_season(config)
    generate = time.perf_counter() - started
    started = time.perf_counter()
    concurrency.peak_concurrency(season.events, season.streams)
    sweep = time.perf_counter() - started
    started = time.perf_counter()
    storage.stream_metrics_frame(season.events, season.streams)
    pandas_seconds = time.perf_counter() - started

    # the per-second loop on the season's busiest stream, and the sweep on the same stream
    busiest = season.events["stream_id"].value_counts().idxmax()
    first = season.streams[season.streams["stream_id"] == busiest]
    one = season.events[season.events["stream_id"] == busiest]
    started = time.perf_counter()
    concurrency.naive_concurrency_per_second(one, first, int(first["stream_id"].item()))
    naive_one = time.perf_counter() - started
    started = time.perf_counter()
    concurrency.peak_concurrency(one, first)
    sweep_one = time.perf_counter() - started
    return {"events": len(season.events), "streams": len(season.streams), "generate_s": generate,
            "sweep_s": sweep, "pandas_s": pandas_seconds, "naive_one_s": naive_one, "sweep_one_s": sweep_one,
            "one_stream_events": len(one)}


def step_write(config, folder: str) -> dict:
    from cbec.modules.livestream_analytics import storage

    started = time.perf_counter()
    counted = []
    storage.write_season(folder, config, progress=lambda done, total, events: counted.append(events))
    size = sum(p.stat().st_size for p in Path(folder).rglob("*.parquet"))
    return {"write_s": time.perf_counter() - started, "written_events": counted[-1], "parquet_mb": size / 2**20}


def step_duckdb(folder: str) -> dict:
    from cbec.modules.livestream_analytics import storage

    started = time.perf_counter()
    storage.stream_metrics(folder, threads=2)
    return {"duckdb_s": time.perf_counter() - started}


def step_sweep_from_files(folder: str) -> dict:
    from cbec.modules.livestream_analytics import concurrency, storage

    started = time.perf_counter()
    presence = storage.read_events(folder, columns=["stream_id", "viewer_id", "timestamp", "event_type"],
                                   event_types=["enter", "leave"])
    read = time.perf_counter() - started
    streams = storage.read_table(folder, "streams")
    started = time.perf_counter()
    concurrency.peak_concurrency(presence, streams)
    return {"read_presence_s": read, "sweep_files_s": time.perf_counter() - started, "presence_rows": len(presence)}


def _line(name, value, note=""):
    print(f"  {name:<52}{value:>16}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e6,1e7,1e8", help="comma-separated event counts, e.g. 1e6,1e7")
    parser.add_argument("--folder", help="where to write the Parquet seasons (default: a temporary folder)")
    parser.add_argument("--in-memory-limit", type=float, default=2e7,
                        help="largest size also simulated and aggregated in memory")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",") if s.strip()]

    from cbec.modules.livestream_analytics.simulator import config_for_events

    root = Path(args.folder) if args.folder else Path(tempfile.mkdtemp(prefix="bench_livestream_"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        for size in sizes:
            config = config_for_events(size, seed=args.seed)
            folder = root / f"season_{size:.0e}".replace("+", "")
            if folder.exists():
                shutil.rmtree(folder)
            print(f"\n== about {size:,.0f} events (scale {config.scale:.1f}) ==", flush=True)
            memory = _in_process(step_in_memory, config) if size <= args.in_memory_limit else None
            written = _in_process(step_write, config, str(folder))
            duck = _in_process(step_duckdb, str(folder))
            swept = _in_process(step_sweep_from_files, str(folder))
            n = written["written_events"]
            _line("events / streams", f"{n:,}", f"{memory['streams'] if memory else '':}")
            if memory:
                _line("generate in memory: events/s", f"{memory['events'] / memory['generate_s']:,.0f}",
                      f"{memory['generate_s']:.1f} s, RSS peak {memory['rss_peak_mb']:,.0f} MB, "
                      f"traced {memory['traced_peak_mb']:,.0f} MB")
            _line("generate + write Parquet by blocks: events/s", f"{n / written['write_s']:,.0f}",
                  f"{written['write_s']:.1f} s, {written['parquet_mb']:,.0f} MB on disk, "
                  f"RSS peak {written['rss_peak_mb']:,.0f} MB, traced {written['traced_peak_mb']:,.0f} MB")
            if memory:
                _line("per-second loop vs sweep, busiest stream", f"{memory['naive_one_s'] / memory['sweep_one_s']:,.0f}x",
                      f"loop {memory['naive_one_s']:.2f} s, sweep {memory['sweep_one_s'] * 1000:.1f} ms "
                      f"({memory['one_stream_events']:,} events)")
                _line("sweep, every stream, in memory", f"{memory['sweep_s']:.2f} s")
            _line("sweep, every stream, enter/leave read from Parquet", f"{swept['sweep_files_s']:.2f} s",
                  f"+ {swept['read_presence_s']:.1f} s reading {swept['presence_rows']:,} rows, "
                  f"RSS peak {swept['rss_peak_mb']:,.0f} MB")
            _line("aggregates: DuckDB over Parquet", f"{duck['duckdb_s']:.2f} s",
                  f"RSS peak {duck['rss_peak_mb']:,.0f} MB")
            if memory:
                _line("aggregates: pandas in memory", f"{memory['pandas_s']:.2f} s",
                      f"DuckDB / pandas = {duck['duckdb_s'] / memory['pandas_s']:.2f}")
            if not args.folder:
                shutil.rmtree(folder)
    finally:
        if not args.folder:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
