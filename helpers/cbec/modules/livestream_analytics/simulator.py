"""A seeded season of live-selling streams, from one lecture's worth of events to a hundred million.

``simulate_season(seed=3)`` returns :class:`SeasonData`: the tables of
:mod:`~cbec.modules.livestream_analytics.schemas` (events, streams, hosts, products, lineup,
deals) and :class:`SeasonTruth`, the parameters that generated them, so an analysis can be
checked against the truth.

How the data arise:

- hosts differ in a latent quality. Better hosts get the prime slot, stream more at weekends,
  have more followers and bigger ad budgets, and also sell better: their true effects
  (``truth.hosts``) are confounded with slot, weekday, followers and paid traffic;
- each stream presents a line-up of products, one pinned on screen at a time, and runs a few
  flash deals, each on the product pinned at that moment;
- viewers are exposed to the stream from a traffic source (more exposures during deals) and a
  share of them enter the room; viewer ids come from each host's followers or a public pool,
  so the same viewers come back across streams;
- a viewer stays for a heavy-tailed (lognormal) time counted on a clock that runs slower
  while something engaging happens (a deal, a demo): watch time is longer during deals. A
  viewer still watching when the stream ends has no ``leave`` row (censored). Some leavers
  come back later in the same stream;
- while present, a viewer comments, likes, shares and clicks at rates that rise in engaging
  minutes, so engagement per minute rises with concurrency and deals and correlates with
  orders without causing them (``truth.comment_effect_on_orders`` is 0);
- orders arrive at a per-viewer-minute rate: a base rate times the host, slot, weekday,
  traffic-source and product effects, times the format's ``deal_uplift`` inside a deal
  window. Each order follows a click (and usually an add-to-cart) of the pinned product;
- some carts are ordered after the stream, mostly within the 14-day attribution window; most
  orders are paid, and some payments are refunded days later.

Events are generated in blocks of consecutive streams, each block from its own random stream
(derived from the seed and the block number), so a season can be written to Parquet block by
block (:mod:`~cbec.modules.livestream_analytics.storage`) and equals the one held in memory.
Everything inside a block is vectorised with numpy.

The parts: :mod:`.season_config` (the config and the world's fixed facts), :mod:`.season_plan`
(hosts, products, streams, line-ups, deals and the truth, before any viewer acts) and
:mod:`.season_events` (one block's events); this module puts them together.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from cbec.world.simulated import SimulatedTables, config_from
from cbec.modules.livestream_analytics.season_config import SeasonConfig
from cbec.modules.livestream_analytics.season_events import event_block, events_frame
from cbec.modules.livestream_analytics.season_plan import SeasonPlan, SeasonTruth, plan_season


@dataclass(frozen=True)
class SeasonData(SimulatedTables):
    """The tables of one simulated season, and the truth behind them."""

    config: SeasonConfig
    truth: SeasonTruth
    events: pd.DataFrame
    streams: pd.DataFrame
    hosts: pd.DataFrame
    products: pd.DataFrame
    lineup: pd.DataFrame
    deals: pd.DataFrame

    TABLES = ("events", "streams", "hosts", "products", "lineup", "deals")


def simulate_season(config: SeasonConfig | None = None, **overrides) -> SeasonData:
    """Simulate a season; ``simulate_season(seed=3, n_hosts=6)`` builds the config."""
    config = config_from(SeasonConfig, config, overrides)
    plan = plan_season(config)
    blocks = [event_block(plan, block) for block in range(plan.n_blocks)]
    columns = {name: np.concatenate([b[name] for b in blocks]) for name in blocks[0]}
    return SeasonData(config, plan.truth, events_frame(columns), plan.streams, plan.hosts, plan.products,
                      plan.lineup, plan.deals)


def iter_event_blocks(plan: SeasonPlan) -> Iterator[pd.DataFrame]:
    """The season's events one block of streams at a time (their concatenation is
    ``simulate_season(plan.config).events``): how a season too big for memory is written."""
    for block in range(plan.n_blocks):
        yield events_frame(event_block(plan, block))


def config_for_events(n_events: float, **fields) -> SeasonConfig:
    """A config (``fields`` as given) whose ``scale`` gives about ``n_events`` events.

    Simulates the unscaled config once to measure events per unit of scale.
    """
    base = SeasonConfig(**{**fields, "scale": 1.0})
    measured = len(simulate_season(base).events)
    return replace(base, scale=float(np.clip(n_events / measured, 0.01, 100_000)))


# --------------------------------------------------------------------------- the season plan


__all__ = ["SeasonConfig", "SeasonData", "SeasonPlan", "SeasonTruth", "config_for_events", "iter_event_blocks",
           "plan_season", "simulate_season"]
