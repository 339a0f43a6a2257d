"""Competition: a store-season capstone -- students run a cross-border marketplace store
through a season of weekly rounds against simulated competitors.

Submodules, one job each:

- :mod:`~cbec.modules.competition.market` -- the seeded :class:`SeasonConfig`, the world it
  builds (products, markets, fees from the Platform Operation schedules, the retail
  calendar, the hidden demand parameters) and the analytic optimal price.
- :mod:`~cbec.modules.competition.season` -- the engine: many stores at once, one
  vectorised step per week; ``run_season`` (vectorised strategies), ``play_league``
  (one-store strategies, failures recorded per store) and ``play_season`` (one store).
- :mod:`~cbec.modules.competition.reports` -- a store's business, advertising, inventory,
  account-health and profit-and-loss reports as DataFrames.
- :mod:`~cbec.modules.competition.strategies` -- the reference strategies ``naive``,
  ``greedy`` and ``baseline``.
- :mod:`~cbec.modules.competition.economics` -- the economics of one listing: unit
  economics from the fee schedule, the demand curve, the analytic and the competitive
  optimum against a simulated price scan, break-even ads, the cost of a stock-out.
- :mod:`~cbec.modules.competition.practice` -- ``PracticeSeason``: a season on a public seed
  (``PUBLIC_SEEDS``) played a week at a time, with JSON log events, a scorecard against the
  reference strategies, and league tables over many public seeds.
- :mod:`~cbec.modules.competition.plots` -- the store dashboard, season and league
  comparisons, and the charts of lecture 1.
- :mod:`~cbec.modules.competition.exercises` -- the lectures' exercises.
"""

from cbec.modules.competition.market import SeasonConfig, World, build_world, optimal_price
from cbec.modules.competition.season import (Decisions, Failure, SeasonEngine, SeasonResult, StoreView,
                                             StrategyError, check_decisions, play_league, play_season,
                                             run_season)
from cbec.modules.competition.strategies import baseline, greedy, naive
from cbec.modules.competition.practice import PUBLIC_SEEDS, PracticeSeason, SeasonOver

__all__ = ["PUBLIC_SEEDS", "Decisions", "Failure", "PracticeSeason", "SeasonConfig", "SeasonEngine", "SeasonOver",
           "SeasonResult", "StoreView", "StrategyError", "World", "baseline", "build_world", "check_decisions", "greedy",
           "naive", "optimal_price", "play_league", "play_season", "run_season"]
