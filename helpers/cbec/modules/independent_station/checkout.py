"""The checkout funnel of a store's visits, cart and checkout abandonment, and where a store
stands against published benchmarks.

A visit *reached* a step when the store's analytics tagged that step or any later one.
Express checkouts (PayPal, Shop Pay) jump from the cart to the purchase without
``add_shipping_info`` or ``add_payment_info`` events, and a lost tag should not make a
buyer look as if they left: a visit that reached a later step has passed the earlier ones.
So the counts fall step by step and every step-to-step conversion is a proportion with a
Wilson interval (:func:`cbec.intervals.wilson_interval`). ``tagged_sessions`` keeps the
count of visits with the step's own event, to see how often a step is skipped.

**Cart abandonment** = 1 - purchases / carts: among visits that reached ``add_to_cart``,
the share without a purchase. **Checkout abandonment** is the same from ``begin_checkout``.
With ``orders``, the orders table decides what was bought (an order is a purchase even if
the purchase tag was blocked, and it implies every step before it).

The benchmarks (:data:`BENCHMARKS`) are written once with their sources; see
:func:`against_benchmarks` and :func:`benchmark_table`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cbec.arithmetic import ratio
from cbec.data.columns import require_columns
from cbec.intervals import wilson_interval
from cbec.modules.independent_station.schemas import CHECKOUT_STEPS


@dataclass(frozen=True)
class Benchmark:
    """A published figure: what it measures (``metric``), which figure, its value (a fraction) and source."""

    metric: str
    label: str
    value: float
    source: str


_OWN_STORES = "vendor figures for brand-owned stores (marketplaces: 10%-15%)"
_LITTLEDATA = "Littledata, conversion rates across about 2,800 Shopify stores"
_BAYMARD = "Baymard Institute, average of 46 cart-abandonment studies"
_BAYMARD_REASONS = "Baymard Institute, reasons shoppers give for abandoning a checkout"

#: Published figures, as fractions, with their sources (the project's domain notes).
BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("conversion_rate", "own stores, low end", 0.01, _OWN_STORES),
    Benchmark("conversion_rate", "own stores, high end", 0.03, _OWN_STORES),
    Benchmark("conversion_rate", "Shopify average", 0.014, _LITTLEDATA),
    Benchmark("conversion_rate", "Shopify top 20%", 0.032, _LITTLEDATA),
    Benchmark("conversion_rate", "Shopify top 10%", 0.047, _LITTLEDATA),
    Benchmark("cart_abandonment", "average (about 70%)", 0.698, _BAYMARD),
    Benchmark("abandonment_reason", "extra costs too high (shipping, taxes, fees)", 0.48, _BAYMARD_REASONS),
    Benchmark("abandonment_reason", "forced to create an account", 0.24, _BAYMARD_REASONS),
)
#: Where a session conversion rate falls: (placement, the benchmark it must reach), lowest first.
CONVERSION_BANDS = (("below average", None), ("average", "Shopify average"), ("top 20%", "Shopify top 20%"),
                    ("top 10%", "Shopify top 10%"))
#: The figure cart abandonment is compared with (lower is better).
ABANDONMENT_REFERENCE = "average (about 70%)"


def _benchmark(metric: str, label: str) -> Benchmark:
    return next(b for b in BENCHMARKS if b.metric == metric and b.label == label)


def benchmark_table() -> pd.DataFrame:
    """All :data:`BENCHMARKS` as a table: ``metric``, ``label``, ``value`` (fraction), ``source``."""
    return pd.DataFrame([vars(b) for b in BENCHMARKS])


def _step_codes(checkout_events: pd.DataFrame) -> np.ndarray:
    """Each event's position in ``CHECKOUT_STEPS``; a ValueError naming any step not among them."""
    codes = pd.Index(CHECKOUT_STEPS).get_indexer(checkout_events["step"].astype("string").fillna(""))
    unknown = codes < 0
    if unknown.any():
        found = checkout_events.loc[unknown, "step"].astype("string").fillna("<missing>").unique()[:5].tolist()
        raise ValueError(f"checkout_events has step(s) {found} that are not checkout steps; "
                         f"step must be one of {', '.join(CHECKOUT_STEPS)} (GA4 event names, lower case).")
    return codes.astype("int64")


def _furthest_step(checkout_events: pd.DataFrame, orders: pd.DataFrame | None = None) -> pd.Series:
    """The furthest step (its position) each visit reached, by ``session_id``; an order counts as purchase."""
    require_columns(checkout_events, ("session_id", "step"), "checkout_events")
    furthest = pd.Series(_step_codes(checkout_events), index=checkout_events["session_id"].to_numpy())
    furthest = furthest.groupby(level=0).max()
    if orders is not None:
        require_columns(orders, ("session_id",), "orders")
        bought = pd.Series(len(CHECKOUT_STEPS) - 1, index=pd.unique(orders["session_id"].dropna()))
        furthest = pd.concat([furthest, bought]).groupby(level=0).max()
    return furthest.rename_axis("session_id")


def _purchased(furthest: pd.Series, orders: pd.DataFrame | None) -> np.ndarray:
    """Which visits of ``furthest`` bought: those with an order when ``orders`` is given, else a purchase event."""
    if orders is None:
        return (furthest == CHECKOUT_STEPS.index("purchase")).to_numpy()
    return furthest.index.isin(orders["session_id"])


def _groups(sessions: pd.DataFrame | None, by, furthest: pd.Series) -> tuple[pd.DataFrame, str | None]:
    """One row per visit counted (``session_id``, ``furthest`` step, ``group``) and the group column's name."""
    if sessions is None:
        if by is not None:
            raise ValueError("a breakdown `by` needs the sessions table: pass sessions=... with the column "
                             "(e.g. 'device') or with the Series `by` is aligned to (e.g. channel_of(sessions)).")
        return pd.DataFrame({"session_id": furthest.index, "furthest": furthest.to_numpy(), "group": 0}), None
    require_columns(sessions, ("session_id",), "sessions")
    ids = sessions["session_id"]
    if ids.duplicated().any():
        raise ValueError(f"sessions has repeated session_id(s) {ids[ids.duplicated()].unique()[:5].tolist()}; "
                         "pass one row per visit.")
    stray = ~furthest.index.isin(ids)
    if stray.any():
        raise ValueError(f"{int(stray.sum())} visit(s) with checkout events or orders are not in sessions "
                         f"(session_id {furthest.index[stray][:5].tolist()}...); pass the sessions of the same period, "
                         "or keep only events and orders whose session_id is in sessions.")
    name = None
    group = np.zeros(len(sessions), dtype="int64")
    if isinstance(by, str):
        require_columns(sessions, (by,), "sessions")
        group, name = sessions[by].to_numpy(), by
    elif isinstance(by, pd.Series):
        if not by.index.equals(sessions.index):
            raise ValueError("`by` must be a Series on the same index as sessions (as channel_of(sessions) returns); "
                             "align it with by.reindex(sessions.index) or pass a column name of sessions.")
        group, name = by.to_numpy(), by.name if by.name is not None else "group"
    elif by is not None:
        raise TypeError(f"`by` is a column name of sessions or a Series aligned with it, got {type(by).__name__}.")
    reached = furthest.reindex(ids.to_numpy(), fill_value=-1).to_numpy()
    return pd.DataFrame({"session_id": ids.to_numpy(), "furthest": reached, "group": group}), name


def checkout_funnel(checkout_events: pd.DataFrame, sessions: pd.DataFrame | None = None, by=None, *,
                    alpha: float = 0.05) -> pd.DataFrame:
    """Visits reaching each checkout step, step-to-step conversion with its Wilson interval, drop-off.

    A visit counts at a step when it reached it or a later one (module docstring). The
    base is every visit in ``sessions`` when given (including visits with no checkout
    event), else every visit with an event. ``by`` breaks the funnel down: a column of
    ``sessions`` (``"device"``) or a Series on ``sessions``' index (``channel_of(sessions)``).

    One row per (group,) step in ``CHECKOUT_STEPS`` order. Columns: the group column (named
    after ``by``) when broken down, ``step``, ``step_number`` (1 to 6), ``sessions`` (reached
    the step), ``tagged_sessions`` (had the step's own event), ``share_of_sessions`` (of the
    base), ``step_conversion`` (from the previous step; the first step from the base),
    ``step_low``/``step_high`` (Wilson, level 1 - ``alpha``), ``drop_off`` = 1 -
    step_conversion and ``dropped_sessions`` (visits lost since the previous step).
    """
    furthest = _furthest_step(checkout_events)
    visits, name = _groups(sessions, by, furthest)
    n_steps = len(CHECKOUT_STEPS)
    # visits per group and furthest step (-1: none), then "reached step k" = furthest >= k
    per_furthest = visits.groupby(["group", "furthest"], observed=True, dropna=False).size().unstack(fill_value=0)
    per_furthest = per_furthest.reindex(columns=range(-1, n_steps), fill_value=0)
    base = per_furthest.sum(axis=1).to_numpy()
    reached = per_furthest.to_numpy()[:, ::-1].cumsum(axis=1)[:, ::-1][:, 1:]
    events = checkout_events[["session_id", "step"]].assign(code=_step_codes(checkout_events))
    events = events.drop_duplicates(["session_id", "code"])
    group_of = pd.Series(visits["group"].to_numpy(), index=visits["session_id"].to_numpy())
    events = events.assign(group=group_of.reindex(events["session_id"].to_numpy()).to_numpy())
    tagged = events.groupby(["group", "code"], observed=True, dropna=False).size().unstack(fill_value=0)
    tagged = tagged.reindex(index=per_furthest.index, columns=range(n_steps), fill_value=0).to_numpy()
    previous = np.column_stack([base, reached[:, :-1]])
    low, high = wilson_interval(reached, previous, alpha)
    conversion = ratio(reached, previous)
    table = pd.DataFrame({
        "step": pd.Categorical(np.tile(CHECKOUT_STEPS, len(base)), categories=CHECKOUT_STEPS, ordered=True),
        "step_number": np.tile(np.arange(1, n_steps + 1), len(base)),
        "sessions": reached.ravel().astype("int64"), "tagged_sessions": tagged.ravel().astype("int64"),
        "share_of_sessions": ratio(reached, base[:, None]).ravel(),
        "step_conversion": conversion.ravel(), "step_low": low.ravel(), "step_high": high.ravel(),
        "drop_off": 1 - conversion.ravel(), "dropped_sessions": (previous - reached).ravel().astype("int64")})
    if name is not None:
        table.insert(0, name, np.repeat(per_furthest.index.to_numpy(), n_steps))
    return table


def cart_abandonment(checkout_events: pd.DataFrame, orders: pd.DataFrame | None = None, *,
                     alpha: float = 0.05) -> pd.DataFrame:
    """Cart and checkout abandonment: the share of visits that started and did not buy.

    Two rows, ``stage`` = ``cart`` (visits that reached ``add_to_cart``) and ``checkout``
    (reached ``begin_checkout``). Columns: ``started``, ``purchased`` (of those, visits with
    a purchase: a ``purchase`` event, or with ``orders`` an order), ``abandoned``,
    ``abandonment_rate`` = abandoned / started = 1 - purchased / started and its Wilson
    interval ``abandonment_low``/``abandonment_high`` at level 1 - ``alpha``.
    """
    furthest = _furthest_step(checkout_events, orders)
    purchased = _purchased(furthest, orders)
    rows = []
    for stage, step in (("cart", "add_to_cart"), ("checkout", "begin_checkout")):
        started = furthest >= CHECKOUT_STEPS.index(step)
        rows.append({"stage": stage, "started": int(started.sum()), "purchased": int((started & purchased).sum())})
    table = pd.DataFrame(rows)
    table["abandoned"] = table["started"] - table["purchased"]
    table["abandonment_rate"] = ratio(table["abandoned"], table["started"])
    table["abandonment_low"], table["abandonment_high"] = wilson_interval(table["abandoned"], table["started"], alpha)
    return table


def store_rates(sessions: pd.DataFrame, checkout_events: pd.DataFrame, orders: pd.DataFrame | None = None, *,
                alpha: float = 0.05) -> pd.Series:
    """A store's session conversion and cart/checkout abandonment, ready for :func:`against_benchmarks`.

    ``conversion_rate`` = visits with a purchase (an order when ``orders`` is given, else a
    ``purchase`` event) / all visits in ``sessions``; ``cart_abandonment`` and
    ``checkout_abandonment`` as :func:`cart_abandonment`. Each with ``_low``/``_high``
    Wilson bounds.
    """
    require_columns(sessions, ("session_id",), "sessions")
    furthest = _furthest_step(checkout_events, orders)
    _groups(sessions, None, furthest)  # raises unless every visit with events or orders is in sessions
    bought = int(_purchased(furthest, orders).sum())
    total = int(sessions["session_id"].nunique())
    low, high = wilson_interval(bought, total, alpha)
    rates = {"conversion_rate": float(ratio(bought, total)), "conversion_rate_low": low, "conversion_rate_high": high}
    abandonment = cart_abandonment(checkout_events, orders, alpha=alpha).set_index("stage")
    for stage in ("cart", "checkout"):
        for suffix, column in (("", "abandonment_rate"), ("_low", "abandonment_low"), ("_high", "abandonment_high")):
            rates[f"{stage}_abandonment{suffix}"] = float(abandonment.loc[stage, column])
    return pd.Series(rates, name="store")


def _conversion_placement(rate: float) -> str:
    placement = CONVERSION_BANDS[0][0]
    for band, label in CONVERSION_BANDS[1:]:
        if rate >= _benchmark("conversion_rate", label).value:
            placement = band
    return placement


def against_benchmarks(rates) -> pd.DataFrame:
    """A store's conversion and cart abandonment next to the published figures of :data:`BENCHMARKS`.

    ``rates`` is a mapping or Series with ``conversion_rate`` and/or ``cart_abandonment``
    as fractions (:func:`store_rates` gives both), optionally with ``_low``/``_high``
    interval bounds. One row per benchmark figure of those metrics: ``metric``, ``store``,
    ``store_low``/``store_high`` (NaN without bounds), ``benchmark`` (label),
    ``benchmark_value``, ``difference`` = store - benchmark, ``benchmark_in_interval`` (the
    store's interval contains the figure; NA without bounds), ``source`` and ``placement``:
    for conversion the band of :data:`CONVERSION_BANDS` (below average / average / top 20% /
    top 10% of Shopify stores), for abandonment ``below average (better)`` or ``above
    average (worse)`` against :data:`ABANDONMENT_REFERENCE`.
    """
    if not isinstance(rates, (Mapping, pd.Series)):
        raise TypeError("rates must be a mapping or Series such as store_rates(...) returns, "
                        f"got {type(rates).__name__}.")
    metrics = [m for m in ("conversion_rate", "cart_abandonment") if m in rates]
    if not metrics:
        raise ValueError("rates has neither conversion_rate nor cart_abandonment; pass e.g. "
                         "{'conversion_rate': 0.021, 'cart_abandonment': 0.72} or "
                         "store_rates(sessions, checkout_events, orders).")
    rows = []
    for metric in metrics:
        value = float(rates[metric])
        if not 0 <= value <= 1:
            raise ValueError(f"{metric} must be a fraction between 0 and 1, got {value!r}; "
                             f"pass {value / 100:g} for {value:g}%.")
        low, high = float(rates.get(f"{metric}_low", np.nan)), float(rates.get(f"{metric}_high", np.nan))
        if metric == "conversion_rate":
            placement = _conversion_placement(value)
        else:
            reference = _benchmark(metric, ABANDONMENT_REFERENCE).value
            placement = "below average (better)" if value < reference else \
                "average" if value == reference else "above average (worse)"
        for benchmark in (b for b in BENCHMARKS if b.metric == metric):
            inside = pd.NA if np.isnan(low) or np.isnan(high) else bool(low <= benchmark.value <= high)
            rows.append({"metric": metric, "store": value, "store_low": low, "store_high": high,
                         "benchmark": benchmark.label, "benchmark_value": benchmark.value,
                         "difference": value - benchmark.value, "benchmark_in_interval": inside,
                         "source": benchmark.source, "placement": placement})
    table = pd.DataFrame(rows)
    table["benchmark_in_interval"] = table["benchmark_in_interval"].astype("boolean")
    return table


#: The stages of :func:`cart_abandonment` and the step that starts each.
ABANDONMENT_STAGES = (("cart", "add_to_cart"), ("checkout", "begin_checkout"))


def abandonment_by(checkout_events: pd.DataFrame, sessions: pd.DataFrame, by, orders: pd.DataFrame | None = None,
                   *, alpha: float = 0.05) -> pd.DataFrame:
    """Cart and checkout abandonment per group of visits: :func:`cart_abandonment` broken down.

    ``by`` is a column of ``sessions`` (``"device"``) or a Series on ``sessions``' index
    (``channel_of(sessions)``), as in :func:`checkout_funnel`. A purchase is an order when
    ``orders`` is given, else a ``purchase`` event. One row per group and stage (``cart``,
    then ``checkout``); groups in their categorical order when ``by`` is categorical, else
    sorted, groups without visits left out. Columns: the group column (named after ``by``),
    ``stage``, ``sessions`` (visits of the group), ``started``, ``purchased``, ``abandoned``,
    ``abandonment_rate`` = abandoned / started and its Wilson interval
    ``abandonment_low``/``abandonment_high`` at level 1 - ``alpha``.
    """
    if by is None:
        raise ValueError("abandonment_by needs a breakdown: by='device' or by=channel_of(sessions); "
                         "use cart_abandonment(checkout_events, orders) for the store as a whole.")
    furthest = _furthest_step(checkout_events, orders)
    visits, name = _groups(sessions, by, furthest)
    source = sessions[by] if isinstance(by, str) else by
    if isinstance(source.dtype, pd.CategoricalDtype):
        present = set(source.dropna().unique())
        order = [group for group in source.cat.categories if group in present]
    else:
        order = sorted(source.dropna().unique())
    if orders is None:
        bought = (visits["furthest"] == CHECKOUT_STEPS.index("purchase")).to_numpy()
    else:
        bought = visits["session_id"].isin(orders["session_id"]).to_numpy()
    group = pd.Categorical(visits["group"].to_numpy(), categories=order)
    tables = []
    for stage, step in ABANDONMENT_STAGES:
        started = (visits["furthest"] >= CHECKOUT_STEPS.index(step)).to_numpy()
        counts = pd.DataFrame({"sessions": 1, "started": started, "purchased": started & bought}).astype("int64")
        counts = counts.groupby(group, observed=False).sum()
        tables.append(counts.rename_axis(name).reset_index().assign(stage=stage, _stage=len(tables)))
    table = pd.concat(tables, ignore_index=True)
    table[name] = pd.Categorical(table[name], categories=order)
    table = table.sort_values([name, "_stage"], kind="stable").drop(columns="_stage").reset_index(drop=True)
    table = table[[name, "stage", "sessions", "started", "purchased"]]
    table["abandoned"] = table["started"] - table["purchased"]
    table["abandonment_rate"] = ratio(table["abandoned"], table["started"])
    table["abandonment_low"], table["abandonment_high"] = wilson_interval(table["abandoned"], table["started"], alpha)
    return table


def abandonment_gain(checkout_events: pd.DataFrame, orders: pd.DataFrame, *, fall: float = 0.10,
                     stage: str = "checkout") -> pd.Series:
    """What ``fall`` fewer points of cart or checkout abandonment would be worth, the rest unchanged.

    ``fall`` is in points, as a fraction (0.10: from 52% to 42%); the new rate is not below
    0. The visits that start the stage (``stage`` = ``cart`` or ``checkout``) stay as many;
    the extra purchases, started x (old rate - new rate), are valued at the mean revenue of
    the orders those visits placed (their AOV) and, when ``orders`` has the cost columns of
    :func:`economics.order_contribution`, at their mean contribution. A what-if, not a
    forecast: it assumes the shoppers kept would buy like today's buyers, which only a test
    of the change to the checkout can show.

    Returns a Series: ``started``, ``abandonment_rate``, ``new_abandonment_rate``,
    ``purchases``, ``new_purchases``, ``extra_orders`` (expected, not rounded), ``aov_usd``,
    ``extra_revenue_usd`` and, with costs, ``contribution_per_order_usd`` and
    ``extra_contribution_usd``.
    """
    stages = dict(ABANDONMENT_STAGES)
    if stage not in stages:
        raise ValueError(f"stage is one of {', '.join(stages)}, got {stage!r}.")
    if not 0 <= fall <= 1:
        raise ValueError(f"fall is a number of points as a fraction between 0 and 1, got {fall!r}; "
                         f"pass {fall / 100:g} for {fall:g} points.")
    require_columns(orders, ("session_id", "revenue_usd"), "orders")
    furthest = _furthest_step(checkout_events, orders)
    started_ids = furthest.index[furthest >= CHECKOUT_STEPS.index(stages[stage])]
    kept = orders[orders["session_id"].isin(started_ids)]
    started = len(started_ids)
    purchases = int(kept["session_id"].nunique())
    rate = float(ratio(started - purchases, started))
    new_rate = max(rate - fall, 0.0)
    new_purchases = started * (1 - new_rate)
    extra = new_purchases - purchases
    aov = float(ratio(kept["revenue_usd"].sum(), len(kept)))
    gain = {"started": started, "abandonment_rate": rate, "new_abandonment_rate": new_rate, "purchases": purchases,
            "new_purchases": new_purchases, "extra_orders": extra, "aov_usd": aov, "extra_revenue_usd": extra * aov}
    from cbec.modules.independent_station import economics

    if set(economics.ORDER_COLUMNS) <= set(orders.columns):
        contribution = float(economics.order_contribution(kept).mean()) if len(kept) else np.nan
        gain.update(contribution_per_order_usd=contribution, extra_contribution_usd=extra * contribution)
    return pd.Series(gain, name=f"{stage} abandonment {fall * 100:g} points lower")
