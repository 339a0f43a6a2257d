"""The live-selling funnel of each stream, and how much GMV a stream is credited with.

Stages, counted from the event log (:data:`~.schemas.EVENT_TYPES`):

=================  ==============================================================
exposures          ``exposure`` rows: the stream was shown to someone in a feed
views              ``enter`` rows: room entries; a viewer who comes back twice is
                   two views (platforms report "views" this way)
unique_viewers     distinct ``viewer_id`` among the room entries
product_clicks     ``product_click`` rows
add_to_carts       ``add_to_cart`` rows
orders             distinct orders placed (``order`` rows), paid or not
paid_orders        orders with a ``payment`` row
=================  ==============================================================

Rates: entry rate = views / exposures; product CTR = product clicks / views (every view
shows the pinned product, so a view is the product impression the log has); CTOR =
orders / product clicks; pay rate = paid orders / orders; view-to-order = paid orders /
views. Each comes with a Wilson interval treating the denominator's rows as trials, which
is too narrow when the same viewers repeat; a ratio above 1 (more clicks than views) is
not a proportion and gets no interval.

Money: **GMV = paid order value minus refunds** (payments of the orders, less the money
returned on them). Unpaid orders are not sales; ``ordered_value`` shows what they would
have been. GPM = GMV x 1000 / views; UV value = GMV / unique viewers; AOV = paid value /
paid orders. Unique viewers do not add up across streams: the overall funnel counts each
viewer once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbec.arithmetic import ratio
from cbec.data.columns import require_columns
from cbec.intervals import wilson_interval
from cbec.modules.livestream_analytics.schemas import SCHEMAS

EVENT_COLUMNS = tuple(SCHEMAS["events"].columns)
STAGES = ("exposures", "views", "product_clicks", "add_to_carts", "orders", "paid_orders")
#: (name, numerator, denominator) of each rate with an interval.
RATES = (("entry_rate", "views", "exposures"), ("product_ctr", "product_clicks", "views"),
         ("ctor", "orders", "product_clicks"), ("pay_rate", "paid_orders", "orders"),
         ("view_to_order", "paid_orders", "views"))
_STAGE_EVENTS = {"exposures": "exposure", "views": "enter", "product_clicks": "product_click",
                 "add_to_carts": "add_to_cart"}


def require_rows(table: pd.DataFrame, what: str, hint: str) -> None:
    """Raise a ValueError when ``table`` is empty, saying what to pass instead."""
    if len(table) == 0:
        raise ValueError(f"{what} is empty; {hint}")


def order_values(events: pd.DataFrame) -> pd.DataFrame:
    """One row per order placed: who, when, its value, whether it was paid, refunds and net value.

    ``net_value`` = paid value - refunds for paid orders and 0 for unpaid ones (a refund of
    an unpaid order returns nothing that was counted). Payments or refunds of orders with
    no ``order`` row are left out: they have no stream to belong to.
    """
    require_columns(events, EVENT_COLUMNS, "the event log")
    kind = events["event_type"]
    placed = events.loc[kind == "order", ["order_id", "stream_id", "viewer_id", "product_id", "timestamp", "amount"]]
    placed = placed.drop_duplicates("order_id").rename(columns={"timestamp": "ordered_at", "amount": "order_value"})
    payments = events.loc[kind == "payment"].groupby("order_id")["amount"].sum()
    refunds = events.loc[kind == "refund"].groupby("order_id")["amount"].sum()
    order_ids = pd.Index(placed["order_id"])
    paid_value = payments.reindex(order_ids).to_numpy(dtype=float)
    paid = ~np.isnan(paid_value)
    refunded = np.where(paid, np.nan_to_num(refunds.reindex(order_ids).to_numpy(dtype=float)), 0.0)
    out = placed.reset_index(drop=True)
    out["order_value"] = out["order_value"].astype(float)
    out["paid"] = paid
    out["paid_value"] = np.nan_to_num(paid_value)
    out["refunded"] = refunded
    out["net_value"] = out["paid_value"] - out["refunded"]
    return out


def _add_rates(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    for name, numerator, denominator in RATES:
        table[name] = ratio(table[numerator], table[denominator])
        table[f"{name}_low"], table[f"{name}_high"] = wilson_interval(table[numerator], table[denominator], alpha)
    table["gpm"] = ratio(table["gmv"] * 1000, table["views"])
    table["uv_value"] = ratio(table["gmv"], table["unique_viewers"])
    table["aov"] = ratio(table["paid_value"], table["paid_orders"])
    return table


def stream_funnel(events: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """The funnel of every stream in ``events``: one row per ``stream_id`` (see the module docstring).

    Columns: the stage counts, ``unique_viewers``, money (``ordered_value``, ``paid_value``,
    ``refunds``, ``gmv``), the rates with ``_low``/``_high`` Wilson bounds, ``gpm``,
    ``uv_value`` and ``aov``.
    """
    require_columns(events, EVENT_COLUMNS, "the event log")
    require_rows(events, "the event log", "pass at least one stream's events.")
    kind = events["event_type"]
    counts = {}
    for stage, event_type in _STAGE_EVENTS.items():
        counts[stage] = events.loc[kind == event_type].groupby("stream_id").size()
    counts["unique_viewers"] = events.loc[kind == "enter"].groupby("stream_id")["viewer_id"].nunique()
    orders = order_values(events)
    by_stream = orders.groupby("stream_id")
    counts["orders"] = by_stream.size()
    counts["paid_orders"] = by_stream["paid"].sum()
    for column, name in (("order_value", "ordered_value"), ("paid_value", "paid_value"), ("refunded", "refunds"),
                         ("net_value", "gmv")):
        counts[name] = by_stream[column].sum()
    streams = pd.Index(np.sort(events["stream_id"].unique()), name="stream_id")
    table = pd.DataFrame({name: values.reindex(streams, fill_value=0) for name, values in counts.items()})
    integer_columns = [*STAGES, "unique_viewers"]
    table[integer_columns] = table[integer_columns].astype("int64")
    return _add_rates(table.reset_index(), alpha)


def overall_funnel(events: pd.DataFrame, *, alpha: float = 0.05) -> pd.Series:
    """The funnel of all streams together; each viewer counts once in ``unique_viewers``."""
    per_stream = stream_funnel(events, alpha=alpha)
    sums = per_stream[[*STAGES, "ordered_value", "paid_value", "refunds", "gmv"]].sum()
    sums["unique_viewers"] = events.loc[events["event_type"] == "enter", "viewer_id"].nunique()
    sums["streams"] = len(per_stream)
    table = _add_rates(sums.to_frame().T.astype(float), alpha)
    return table.iloc[0]


def funnel_stages(events: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """The overall funnel as stages: count, step conversion with its Wilson interval, and its name.

    For :func:`~.plots.funnel_bars`. The step from product clicks to add-to-carts and on to
    orders is shown as it is; CTOR (orders / clicks) skips the cart stage and is in
    :func:`overall_funnel`.
    """
    totals = overall_funnel(events, alpha=alpha)
    counts = totals[list(STAGES)].to_numpy(dtype=float)
    previous = np.r_[np.nan, counts[:-1]]
    low, high = wilson_interval(np.r_[0, counts[1:]], np.r_[0, counts[:-1]], alpha)
    return pd.DataFrame({"stage": ["exposures", "room entries (views)", "product clicks", "add to cart", "orders",
                                   "paid orders"],
                         "count": counts.astype("int64"), "step_conversion": ratio(counts, previous),
                         "step_ci_low": low, "step_ci_high": high,
                         "step_rate": ["", "entry rate", "CTR", "cart rate", "cart to order", "pay rate"]})


def _window(window) -> pd.Timedelta | None:
    if isinstance(window, str) and window.replace("-", "_") == "in_stream":
        return None
    try:
        span = pd.Timedelta(window)
    except (TypeError, ValueError):
        raise ValueError(f"window {window!r} is neither 'in_stream' nor a duration such as '24h' or '14D'.") from None
    if span < pd.Timedelta(0):
        raise ValueError("window is the time allowed after the last click; it cannot be negative.")
    return span


def gmv_by_attribution_window(events: pd.DataFrame, streams: pd.DataFrame | None = None, *,
                              window="14D") -> pd.DataFrame:
    """The GMV each stream is credited with when an order counts only within ``window`` of a click.

    An order is credited to its stream when the same viewer clicked a product in that
    stream at or before the order, and the order came at most ``window`` after the last
    such click. ``window`` is a duration (``"24h"``, ``"14D"``, a Timedelta) or
    ``"in_stream"``: the order was placed before the stream ended (needs ``streams`` with
    ``stream_id`` and ``end``). Orders without any click in the stream are never credited.
    GMV is net paid value as in :func:`order_values`.

    Returns one row per stream: ``gmv`` (all of the stream's orders), ``credited_orders``,
    ``credited_gmv`` and ``credited_share`` (credited / all GMV).
    """
    require_columns(events, EVENT_COLUMNS, "the event log")
    span = _window(window)
    orders = order_values(events)
    clicks = events.loc[events["event_type"] == "product_click", ["stream_id", "viewer_id", "timestamp"]]
    clicks = clicks.rename(columns={"timestamp": "last_click_at"}).sort_values("last_click_at")
    matched = pd.merge_asof(orders.sort_values("ordered_at"), clicks, left_on="ordered_at",
                            right_on="last_click_at", by=["stream_id", "viewer_id"], direction="backward")
    clicked = matched["last_click_at"].notna().to_numpy()
    if span is None:
        if streams is None:
            raise ValueError("window='in_stream' needs the streams table (stream_id, end) to know when each stream ended.")
        require_columns(streams, ("stream_id", "end"), "the streams table")
        ends = matched["stream_id"].map(streams.set_index("stream_id")["end"])
        if ends.isna().any():
            missing = matched.loc[ends.isna(), "stream_id"].unique()[:5].tolist()
            raise ValueError(f"streams has no end for stream(s) {missing}; pass the streams table of the same season.")
        credited = clicked & (matched["ordered_at"] < ends).to_numpy()
    else:
        credited = clicked & ((matched["ordered_at"] - matched["last_click_at"]) <= span).to_numpy()
    matched["credited_value"] = np.where(credited, matched["net_value"], 0.0)
    matched["credited"] = credited
    table = matched.groupby("stream_id").agg(gmv=("net_value", "sum"), credited_orders=("credited", "sum"),
                                             credited_gmv=("credited_value", "sum"))
    all_streams = pd.Index(np.sort(events["stream_id"].unique()), name="stream_id")
    table = table.reindex(all_streams, fill_value=0).reset_index()
    table["credited_orders"] = table["credited_orders"].astype("int64")
    table["credited_share"] = ratio(table["credited_gmv"], table["gmv"])
    table["window"] = str(window)
    return table


def attribution_window_comparison(events: pd.DataFrame, streams: pd.DataFrame | None = None,
                                  windows=("in_stream", "24h", "14D")) -> pd.DataFrame:
    """Credited GMV of all streams under each attribution window, to show how much the window decides.

    One row per window: ``credited_gmv``, ``credited_orders`` and ``credited_share`` of the
    season's GMV. ``in_stream`` needs ``streams``; leave it out of ``windows`` otherwise.
    """
    rows = []
    for window in windows:
        table = gmv_by_attribution_window(events, streams, window=window)
        gmv = table["gmv"].sum()
        rows.append({"window": str(window), "credited_orders": int(table["credited_orders"].sum()),
                     "credited_gmv": float(table["credited_gmv"].sum()), "gmv": float(gmv),
                     "credited_share": float(ratio(table["credited_gmv"].sum(), gmv))})
    return pd.DataFrame(rows)
