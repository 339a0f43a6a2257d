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
"""

from cbec.modules.competition.market import SeasonConfig, World, build_world, optimal_price
from cbec.modules.competition.season import (Decisions, Failure, SeasonEngine, SeasonResult, StoreView,
                                             StrategyError, check_decisions, play_league, play_season,
                                             run_season)
from cbec.modules.competition.strategies import baseline, greedy, naive

__all__ = ["Decisions", "Failure", "SeasonConfig", "SeasonEngine", "SeasonResult", "StoreView", "StrategyError",
           "World", "baseline", "build_world", "check_decisions", "greedy", "naive", "optimal_price",
           "play_league", "play_season", "run_season"]
