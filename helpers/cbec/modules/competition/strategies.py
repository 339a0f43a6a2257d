"""Reference strategies: ``naive``, ``greedy`` and ``baseline``.

A strategy is a function ``strategy(view) -> Decisions``. These three work on a one-store
view (arrays (products, markets)) and on the many-store view of
:func:`~cbec.modules.competition.season.run_season` (a store axis in front) alike: they
only use elementwise operations and reductions over the week axis of ``view.history``.

- :func:`naive` -- list price, a fixed small ad budget and bid, a fixed weekly restock
  (a quarter of the opening stock), no deals.
- :func:`greedy` -- undercut the competitors by 15%, big ad budget and bid, restock twice
  the naive amount, every deal.
- :func:`baseline` -- what the course teaches:

  * **price**: three weeks of price tests (list, +10%, -8%), then the analytic optimum
    ``p* = e (c + f) / ((1 + e)(1 - r)(1 - a))`` (:func:`~cbec.modules.competition.market.optimal_price`)
    with the elasticity ``e`` estimated from its own weeks: the slope of log conversion
    (orders incl. lost sales / sessions) on log price paid, shrunk towards -2;
  * **deals** in event weeks, when the deal price still leaves a margin;
  * **ads**: a bid whose cost per click is 60% of the break-even CPC
    (conversion x margin before ads, i.e. an ACoS of 60% of the break-even ACoS), with a
    budget for twice last week's clicks;
  * **restock** up to the forecast demand over the lead time and the review week
    (level = demand per unit of season index over the last three weeks, times the coming
    weeks' index and the deal lift in event weeks) plus a safety stock of 1.3 sd, nothing
    that would arrive after the season.
"""

from __future__ import annotations

import numpy as np

from cbec.modules.competition.market import optimal_price
from cbec.modules.competition.season import Decisions, StoreView

NAIVE_AD_BUDGET, NAIVE_BID, NAIVE_RESTOCK_SHARE = 20.0, 0.50, 0.25
GREEDY_UNDERCUT, GREEDY_AD_BUDGET, GREEDY_BID_SHARE = 0.15, 150.0, 0.15
PRICE_TESTS = (1.00, 1.10, 0.92)
PRIOR_ELASTICITY, PRIOR_WEIGHT, ELASTICITY_BOUNDS = -2.0, 0.01, (-5.0, -1.3)
BID_SHARE_OF_BREAK_EVEN, SAFETY_Z, DEMAND_CV = 0.6, 1.3, 0.3


def _restock(view: StoreView, share: float) -> np.ndarray:
    return np.broadcast_to(np.round(view.facts.initial_units * share), view.on_hand.shape)


def naive(view: StoreView) -> Decisions:
    """List price, 20 USD of ads at a 0.50 bid, a quarter of the opening stock restocked weekly."""
    return Decisions(price=view.facts.list_price, ad_budget=NAIVE_AD_BUDGET, bid=NAIVE_BID,
                     inbound=_restock(view, NAIVE_RESTOCK_SHARE), deal=False)


def greedy(view: StoreView) -> Decisions:
    """Undercut the competitors by 15%, spend big on ads, restock a lot, join every deal."""
    f = view.facts
    return Decisions(price=np.maximum(np.round(view.competitor_price * (1 - GREEDY_UNDERCUT), 2), 0.01),
                     ad_budget=GREEDY_AD_BUDGET, bid=GREEDY_BID_SHARE * f.list_price,
                     inbound=_restock(view, 2 * NAIVE_RESTOCK_SHARE), deal=True)


def margin_before_ads(facts, price):
    """Expected money kept per unit sold at ``price`` before ads: (1 - r)((1 - a) p - phi) - c - f."""
    r = facts.return_rate
    return (1 - r) * ((1 - facts.referral_rate) * price - facts.referral_fixed_fee) \
        - facts.unit_cost[:, None] - facts.fulfilment_fee


def estimated_elasticity(view: StoreView) -> np.ndarray:
    """Slope of log conversion on log price paid over the weeks played, shrunk towards -2."""
    h = view.history
    demanded, sessions = h["units"] + h["lost_units"], h["sessions"]
    usable = (demanded > 0) & (sessions > 0)
    x = np.log(h["price_paid"])
    y = np.log(np.where(usable, demanded, 1) / np.where(sessions > 0, sessions, 1))
    n = usable.sum(axis=0)
    safe_n = np.maximum(n, 1)
    mean_x, mean_y = (usable * x).sum(axis=0) / safe_n, (usable * y).sum(axis=0) / safe_n
    sxx = (usable * (x - mean_x) ** 2).sum(axis=0)
    sxy = (usable * (x - mean_x) * (y - mean_y)).sum(axis=0)
    slope = (sxy + PRIOR_WEIGHT * PRIOR_ELASTICITY) / (sxx + PRIOR_WEIGHT)
    return np.clip(slope, *ELASTICITY_BOUNDS)


def baseline(view: StoreView) -> Decisions:
    """Estimated-elasticity optimal price, break-even-bounded ads, forecast-driven restock."""
    f, k, h = view.facts, view.week, view.history
    shape = view.on_hand.shape
    if k < len(PRICE_TESTS):
        price = np.broadcast_to(f.list_price * PRICE_TESTS[k], shape)
    else:
        best = optimal_price(estimated_elasticity(view), f.unit_cost[:, None], f.fulfilment_fee,
                             f.referral_rate, f.return_rate, f.referral_fixed_fee)
        price = np.clip(best, 0.7 * f.list_price, 1.6 * f.list_price)
    price = np.round(price, 2)
    deal_price = np.round(price * (1 - f.deal_discount), 2)
    deal = np.broadcast_to(bool(f.events[k]) & (margin_before_ads(f, deal_price) > 0), shape)
    paid = np.where(deal, deal_price, price)

    if k:
        clicks, ad_units = h["clicks"][-1], h["ad_units"][-1]
        demanded = h["units"] + h["lost_units"]
        conversion = np.where(clicks > 0, ad_units / np.maximum(clicks, 1),
                              demanded[-1] / np.maximum(h["sessions"][-1], 1))
        index = f.season_index[:k].reshape((k,) + (1,) * (demanded.ndim - 1))
        level = (demanded / index)[-3:].mean(axis=0)
    else:
        clicks, conversion = np.zeros(shape), np.full(shape, 0.1)
        level = view.on_hand / 4.0
    break_even_cpc = np.maximum(conversion * margin_before_ads(f, paid), 0)
    bid = np.round(BID_SHARE_OF_BREAK_EVEN * break_even_cpc / f.cpc_share, 2)
    budget = np.round(bid * f.cpc_share * (2 * clicks + 20), 2)

    lead = f.lead_time_weeks
    if k + lead >= f.weeks:
        inbound = np.zeros(shape)
    else:
        coming = np.arange(k, k + lead + 1)
        lift = np.where(np.asarray(f.events)[coming] != "", f.deal_lift * 1.3, 1.0)
        cover = (f.season_index[coming] * lift).sum()
        safety = SAFETY_Z * DEMAND_CV * level * np.sqrt((f.season_index[coming] ** 2).sum())
        position = view.on_hand + view.in_transit.sum(axis=-1)
        inbound = np.maximum(np.ceil(level * cover + safety - position), 0)
    return Decisions(price=price, ad_budget=budget, bid=bid, inbound=inbound, deal=deal)
