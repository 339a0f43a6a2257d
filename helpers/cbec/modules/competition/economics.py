"""The economics of one listing (a product in a market) in the store-season world.

Lecture 1 of the capstone reads one listing end to end, every number from the engine:

- :func:`unit_economics` -- what a unit sold at a price leaves after returns, the referral
  fee of the market's fee schedule, the fulfilment fee and the landed cost, and the weekly
  storage fee of a unit left on the shelf;
- :func:`demand_curve` -- the expected weekly demand of an average week at par rank, from
  the world's (normally hidden) elasticity and the competitors' share, with the profit it brings;
- :func:`price_scan` -- the simulated optimum: one week of the engine at many prices, averaged
  over public seeds of luck, next to the analytic ``market.optimal_price``;
- :func:`stockout_experiment` and :func:`stockout_cost` -- the same store twice on one seed,
  once restocking one listing late: the sales lost while out of stock and the sales lost
  afterwards because a stock-out costs organic rank;
- :func:`ad_break_even` and :func:`bid_scan` -- the cost per click and ACoS at which ads only
  pay for themselves, against a scan of bids in the engine.

:func:`line_contribution`, :func:`ad_gross_margin` and :func:`lost_margin` measure the money
a played line made or missed; the practice log (:mod:`.practice`) reports them per week.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from cbec.modules.competition.market import MarketFacts, SeasonConfig, World, build_world, optimal_price
from cbec.modules.competition.season import Decisions, SeasonEngine, play_league
from cbec.modules.competition.strategies import NAIVE_RESTOCK_SHARE, margin_before_ads
from cbec.modules.platform_operation.economics import break_even_acos, referral_fee
from cbec.modules.platform_operation.fees import load_schedule

#: Opening stock of the one-week scans: so much that no price sells out (its storage is left out).
AMPLE_STOCK = 10**6


def listing_index(facts: MarketFacts, product: str, market: str) -> tuple[int, int]:
    """Row and column of ``product`` in ``market`` in the (product, market) arrays."""
    if product not in facts.products:
        raise ValueError(f"product {product!r} is not in this season; its products are {list(facts.products)}.")
    if market not in facts.markets:
        raise ValueError(f"market {market!r} is not in this season; its markets are {list(facts.markets)}.")
    return facts.products.index(product), facts.markets.index(market)


# -- money of played lines (arrays (..., product, market)) ---------------------------------------
def line_contribution(lines: Mapping[str, np.ndarray]) -> np.ndarray:
    """Money a line kept from its sales before ads, storage, deal fees and write-down (USD):
    revenue - refunds - referral fees - fulfilment fees - cost of goods."""
    return (lines["revenue"] - lines["refunds"] - lines["referral_fees"] - lines["fulfilment_fees"]
            - lines["cost_of_goods"])


def ad_gross_margin(lines: Mapping[str, np.ndarray]) -> np.ndarray:
    """The contribution the ad orders brought, per line (USD): the line's contribution before
    ads per unit sold, times the units sold through ads. Ads lose money where it is below the spend."""
    units = np.asarray(lines["units"], dtype=float)
    per_unit = np.divide(line_contribution(lines), units, out=np.zeros_like(units), where=units > 0)
    return per_unit * lines["ad_units"]


def lost_margin(facts: MarketFacts, lines: Mapping[str, np.ndarray]) -> np.ndarray:
    """Margin before ads forgone on the units shoppers wanted but the store did not have (USD, >= 0)."""
    return lines["lost_units"] * np.maximum(margin_before_ads(facts, lines["price_paid"]), 0.0)


# -- one listing, on paper ------------------------------------------------------------------------
def unit_economics(world: World, product: str, market: str, price: float | None = None) -> pd.Series:
    """Per unit sold at ``price`` (default the list price), in USD: the fee schedule's referral
    fee, fulfilment fee, landed cost, the share returned, and the margin before ads
    ``(1 - r)(p - referral fee) - c - f``; with the weekly storage fee of a unit kept."""
    i, j = listing_index(world, product, market)
    p = float(world.list_price[i, j] if price is None else price)
    if not p > 0:
        raise ValueError(f"price={price!r}: give a price in USD > 0.")
    schedule_name = world.config.schedule_name(market)
    fee = float(referral_fee(p, world.categories[i], load_schedule(schedule_name)))
    r = world.return_rate
    margin = (1 - r) * (p - fee) - world.unit_cost[i] - world.fulfilment_fee[i, j]
    storage = world.storage_per_unit_week[:, i, j]
    return pd.Series({
        "price": p, "referral_fee": fee, "referral_rate": float(world.referral_rate[i, j]),
        "fulfilment_fee": float(world.fulfilment_fee[i, j]), "unit_cost": float(world.unit_cost[i]),
        "return_rate": r, "refunded_per_unit": r * (p - fee), "margin_before_ads": margin,
        "margin_share": margin / p, "storage_per_week_low": float(storage.min()),
        "storage_per_week_peak": float(storage.max())}, name=f"{product} in {market} ({schedule_name} fees)")


def _par_sessions(world: World, i: int, j: int) -> float:
    """Organic sessions of an average week (season index 1) at par: sales velocity 1, no penalty."""
    c = world.config
    visibility = np.clip((world.rating[i] / 4.5) ** c.rating_exponent, *c.rank_bounds)
    return float(world.base_sessions[i, j] * visibility)


def demand_curve(world: World, product: str, market: str, prices: Sequence[float], *,
                 competitor_price: float | None = None, week: int | None = None) -> pd.DataFrame:
    """Expected weekly demand and profit at par rank, per price (the world's truth).

    conversion = base CVR x (p / list price)^e x (1 + n) / (1 + n (p / p_comp)^g); units =
    sessions x conversion; profit = units x margin before ads. ``competitor_price`` defaults
    to the competitors' own price; with no competitors the share term is 1. ``week`` scales
    the sessions by that round's season index (default: an average week, index 1).
    """
    i, j = listing_index(world, product, market)
    if week is not None and not 0 <= week < world.weeks:
        raise ValueError(f"week={week!r}: the season has weeks 0..{world.weeks - 1}.")
    season = 1.0 if week is None else float(world.season_index[week])
    c = world.config
    p = np.asarray(prices, dtype=float)
    if p.ndim != 1 or not (p > 0).all():
        raise ValueError("prices must be a list of prices in USD > 0.")
    rival = float(world.competitor_price[i, j] if competitor_price is None else competitor_price)
    n = c.n_competitors
    share = (1 + n) / (1 + n * (p / rival) ** c.share_exponent)
    conversion = world.base_conversion[i] * (p / world.list_price[i, j]) ** world.elasticity[i, j] * share
    units = _par_sessions(world, i, j) * season * conversion
    margin = margin_before_ads(world, np.zeros(world.list_price.shape) + p[:, None, None])[:, i, j]
    return pd.DataFrame({"price": p, "conversion": conversion, "competitor_share": share, "units": units,
                         "margin_per_unit": margin, "profit": units * margin})


def analytic_optimum(world: World, product: str, market: str) -> float:
    """``market.optimal_price`` of the listing at its true elasticity (no competitors in the formula)."""
    i, j = listing_index(world, product, market)
    return float(optimal_price(world.elasticity[i, j], world.unit_cost[i], world.fulfilment_fee[i, j],
                               world.referral_rate[i, j], world.return_rate, world.referral_fixed_fee[i, j]))


def effective_elasticity(world: World, product: str, market: str, price, *,
                         competitor_price: float | None = None):
    """d log demand / d log price at ``price``: the listing's own elasticity plus the
    competitors' share term, e - n g x / (1 + n x) with x = (p / p_comp)^g."""
    i, j = listing_index(world, product, market)
    c = world.config
    rival = float(world.competitor_price[i, j] if competitor_price is None else competitor_price)
    x = (np.asarray(price, dtype=float) / rival) ** c.share_exponent
    n = c.n_competitors
    return world.elasticity[i, j] - n * c.share_exponent * x / (1 + n * x)


def competitive_optimum(world: World, product: str, market: str, *, competitor_price: float | None = None) -> float:
    """The price where ``optimal_price`` at the :func:`effective_elasticity` of that price gives
    the price back: the optimum of one week against competitors who hold their price."""
    from scipy.optimize import brentq

    i, j = listing_index(world, product, market)

    def gap(p):
        e = effective_elasticity(world, product, market, p, competitor_price=competitor_price)
        return p - float(optimal_price(e, world.unit_cost[i], world.fulfilment_fee[i, j], world.referral_rate[i, j],
                                       world.return_rate, world.referral_fixed_fee[i, j]))

    # the optimum lies between the unit costs (below: every sale loses) and the no-competitor optimum
    costs = world.unit_cost[i] + world.fulfilment_fee[i, j]
    return float(brentq(gap, costs, max(analytic_optimum(world, product, market), costs) * 1.01 + 0.01))


# -- one listing, in the engine -------------------------------------------------------------------
def _one_week(config: SeasonConfig, product: str, market: str, seeds: Sequence[int], grid: np.ndarray,
              decide) -> tuple[World, dict, int, int]:
    """Week 0 for every (grid value, seed) store, with ample stock; ``decide(grid)`` gives the
    listing's decisions per store, every other listing at its list price without ads."""
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds is empty; give public seeds to average over, e.g. range(1, 101).")
    ample = replace(config, initial_units=AMPLE_STOCK)
    engine = SeasonEngine(ample, [s for _ in grid for s in seeds])
    world = engine.world
    i, j = listing_index(world, product, market)
    S, shape = len(engine.seeds), world.list_price.shape
    store_grid = np.repeat(grid, len(seeds))
    arrays = {"price": np.broadcast_to(world.list_price, (S, *shape)).copy(), "ad_budget": np.zeros((S, *shape)),
              "bid": np.zeros((S, *shape)), "inbound": np.zeros((S, *shape), np.int64),
              "deal": np.zeros((S, *shape), bool)}
    for name, values in decide(store_grid).items():
        arrays[name][:, i, j] = values
    engine.step(arrays)
    return world, {name: a[0, :, i, j] for name, a in engine.lines.items()}, len(grid), len(seeds)


def price_scan(config: SeasonConfig, product: str, market: str, prices: Sequence[float],
               seeds: Sequence[int] = range(1, 101)) -> pd.DataFrame:
    """The listing's week-0 units and profit at each price, averaged over ``seeds`` (the same
    luck at every price), with ample stock; storage of the untouched stock is left out.

    ``profit`` is the line's profit before storage (there are no ads); ``profit_se`` the
    standard error of its mean over the seeds.
    """
    grid = np.round(np.asarray(prices, dtype=float), 2)
    if grid.ndim != 1 or not (grid > 0).all():
        raise ValueError("prices must be a list of prices in USD > 0.")
    _, line, G, n = _one_week(config, product, market, seeds, grid, lambda g: {"price": g})
    profit = (line["profit"] + line["storage_fees"]).reshape(G, n)
    return pd.DataFrame({"price": grid, "units": line["units"].reshape(G, n).mean(axis=1),
                         "profit": profit.mean(axis=1), "profit_se": profit.std(axis=1, ddof=1) / np.sqrt(n)
                         if n > 1 else np.nan})


def best_price(scan: pd.DataFrame) -> float:
    """The price of the highest mean profit in a :func:`price_scan` (or :func:`demand_curve`)."""
    return float(scan.loc[scan["profit"].idxmax(), "price"])


def ad_break_even(facts: MarketFacts, product: str, market: str, price: float, conversion: float) -> pd.Series:
    """When ads only pay for themselves: break-even CPC = conversion x margin before ads,
    break-even ACoS = margin / price (``platform_operation.economics.break_even_acos``), and
    the bid whose cost per click is the break-even CPC (CPC = bid x cpc_share)."""
    i, j = listing_index(facts, product, market)
    if not 0 < conversion <= 1:
        raise ValueError(f"conversion={conversion!r}: give the share of ad clicks that buy, in (0, 1].")
    margin = float(margin_before_ads(facts, np.full(facts.list_price.shape, float(price)))[i, j])
    cpc = max(conversion * margin, 0.0)
    return pd.Series({"price": float(price), "conversion": conversion, "margin_before_ads": margin,
                      "break_even_cpc": cpc, "break_even_acos": float(break_even_acos(margin, price)),
                      "break_even_bid": cpc / facts.cpc_share})


def bid_scan(config: SeasonConfig, product: str, market: str, bids: Sequence[float], *, budget: float = 1e6,
             seeds: Sequence[int] = range(1, 101)) -> pd.DataFrame:
    """Week-0 ads of the listing at its list price for each bid (a budget that does not bind):
    mean clicks, CPC, spend, ad units, ad sales, the margin the ad orders brought and ad profit."""
    grid = np.round(np.asarray(bids, dtype=float), 2)
    if grid.ndim != 1 or not (grid > 0).all():
        raise ValueError("bids must be a list of bids in USD > 0.")
    _, line, G, n = _one_week(config, product, market, seeds, grid,
                              lambda g: {"bid": g, "ad_budget": np.full(len(g), float(budget))})
    margin = ad_gross_margin(line)
    mean = {name: values.reshape(G, n).mean(axis=1) for name, values in
            {"clicks": line["clicks"], "ad_spend": line["ad_spend"], "ad_units": line["ad_units"],
             "ad_sales": line["ad_units"] * line["price_paid"], "ad_gross_margin": margin}.items()}
    table = pd.DataFrame({"bid": grid, "cpc": np.round(grid * config.cpc_share, 2), **mean})
    table["ad_profit"] = table["ad_gross_margin"] - table["ad_spend"]
    table["acos"] = table["ad_spend"] / table["ad_sales"].where(table["ad_sales"] > 0)
    return table


def stockout_experiment(config: SeasonConfig, product: str, market: str, seed: int = 1, *,
                        pause_weeks: int = 3) -> pd.DataFrame:
    """The same store twice on one seed, both at list price without ads and both restocking
    every listing with a week of base demand -- except that ``late`` ships nothing of the
    chosen listing for its first ``pause_weeks`` weeks (then the skipped units at once).

    One row per store and week of the chosen listing: stock, demand, sales, lost sales,
    visibility (organic rank = par rank / visibility) and line profit.
    """
    if not isinstance(pause_weeks, (int, np.integer)) or not 1 <= pause_weeks < config.weeks - config.lead_time_weeks:
        raise ValueError(f"pause_weeks={pause_weeks!r}: give a whole number of weeks from 1 to "
                         f"{config.weeks - config.lead_time_weeks - 1}, so the late stock still arrives.")
    world = build_world(config)
    i, j = listing_index(world, product, market)
    weekly = np.round(world.initial_units * NAIVE_RESTOCK_SHARE)   # a week of base demand at list price

    def steady(view):
        return Decisions(price=view.facts.list_price, inbound=weekly)

    def late(view):
        inbound = weekly.copy()
        inbound[i, j] = 0 if view.week < pause_weeks else weekly[i, j] * (1 + (view.week == pause_weeks) * pause_weeks)
        return Decisions(price=view.facts.list_price, inbound=inbound)

    league = play_league({"steady": steady, "late": late}, config, [seed], on_error="raise")
    columns = ("on_hand_start", "arrivals", "units_demanded", "units", "lost_units", "visibility", "organic_rank",
               "organic_sessions", "price_paid", "profit")
    frames = [pd.DataFrame({"store": name, "week": np.arange(config.weeks), "event": list(world.events),
                            **{c: league.lines[c][:, k, i, j] for c in columns}})
              for k, (name, _) in enumerate(league.labels)]
    table = pd.concat(frames, ignore_index=True)
    table["margin_per_unit"] = margin_before_ads(world, np.broadcast_to(world.list_price, world.list_price.shape))[i, j]
    return table


def stockout_cost(experiment: pd.DataFrame) -> pd.Series:
    """What the late restock of :func:`stockout_experiment` cost, in units and USD of margin:
    sales lost while out of stock, and sales lost afterwards (weeks when the late store had
    stock again but a worse rank sold fewer units than the steady store)."""
    wide = experiment.pivot(index="week", columns="store")
    late_out = wide[("lost_units", "late")] > 0
    if not late_out.any():
        raise ValueError("the late store never ran out of stock; give a longer pause_weeks or a smaller opening "
                         "stock (SeasonConfig.initial_weeks_of_cover).")
    after = wide.index > late_out[late_out].index.max()
    margin = float(experiment["margin_per_unit"].iloc[0])
    lost_out = float(wide.loc[late_out, ("lost_units", "late")].sum() - wide.loc[late_out, ("lost_units", "steady")].sum())
    lost_after = float((wide.loc[after, ("units", "steady")] - wide.loc[after, ("units", "late")]).sum())
    return pd.Series({"stockout_weeks": int(late_out.sum()), "units_lost_out_of_stock": lost_out,
                      "units_lost_after": lost_after, "margin_per_unit": margin,
                      "margin_lost_out_of_stock": lost_out * margin, "margin_lost_after": lost_after * margin,
                      "margin_lost": (lost_out + lost_after) * margin})
