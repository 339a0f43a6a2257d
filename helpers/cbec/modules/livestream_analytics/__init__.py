"""Live-Stream Commerce Analytics: event logs of live selling (TikTok Shop, Taobao Live,
Douyin style), from ten thousand to a hundred million events.

The tables and their columns are written once, in :mod:`.schemas`; the simulator, the
analytics, the Parquet store and the assignment all follow them. Submodules, one job each:

- :mod:`.simulator` -- a seeded season of streams with known truth (``simulate_season``),
  generated block by block so any size fits in memory; its parts are :mod:`.season_config`,
  :mod:`.season_plan` and :mod:`.season_events`.
- :mod:`.storage` -- seasons on disk as Parquet partitioned by stream; DuckDB queries over
  the files without loading them.
- :mod:`.concurrency` -- concurrent viewers by the enter/leave sweep, watch time.
- :mod:`.funnel` -- the live funnel, GMV, GPM, UV value, attribution windows.
- :mod:`.retention` -- watch time per visit, censored at the stream's end; Kaplan-Meier.
- :mod:`.deals` -- minutes before, in and after deals; the deal uplift with its interval.
- :mod:`.hosts` -- hosts compared with stream-level controls, next to raw averages.
- :mod:`.engagement` -- comments and likes against orders, naive and controlled.
- :mod:`.plots` and :mod:`.datasets` -- the charts and the catalogue entry.
"""
