"""Charts of the Platform Operation lectures (matplotlib, returned for the notebook to show)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter


def unit_waterfall(unit, title: str = "Where one unit's price goes", ax=None):
    """A waterfall from the price down to the contribution of one unit (a ``UnitEconomics``)."""
    steps = [("referral fee", unit.referral_fee), ("fulfilment fee", unit.fulfilment_fee),
             ("landed cost", unit.landed_cost), ("storage", unit.storage_per_unit),
             ("advertising", unit.ad_cost_per_unit)]
    steps = [(label, value) for label, value in steps if value]
    ax = ax or plt.subplots(figsize=(8, 3.8))[1]
    ax.bar(0, unit.price, color="#4c72b0")
    ax.text(0, unit.price, f"{unit.price:.2f}", ha="center", va="bottom")
    level = unit.price
    for position, (label, value) in enumerate(steps, start=1):
        ax.bar(position, -value, bottom=level, color="#c44e52")
        ax.text(position, level, f"-{value:.2f}", ha="center", va="bottom")
        level -= value
    last = len(steps) + 1
    ax.bar(last, unit.contribution, color="#55a868" if unit.contribution >= 0 else "#8c1c13")
    ax.text(last, max(unit.contribution, 0), f"{unit.contribution:.2f}", ha="center", va="bottom")
    ax.set_xticks(range(last + 1), ["price", *(label for label, _ in steps), "contribution"], rotation=20)
    ax.set(ylabel="per unit", title=title)
    ax.axhline(0, color="black", lw=0.8)
    return ax


PASS_COLOUR, FAIL_COLOUR, NEUTRAL_COLOUR = "#55a868", "#c44e52", "#4c72b0"
ACTION_COLOURS = {"harvest": PASS_COLOUR, "negate": FAIL_COLOUR, "keep": "#8c8c8c"}


def _axes(ax, size=(8, 3.8)):
    return ax if ax is not None else plt.subplots(figsize=size)[1]


def funnel_bars(funnel: pd.DataFrame, title: str = "Funnel", ax=None):
    """Horizontal bars of a funnel's stages on a log axis, each labelled with its step conversion.

    ``funnel`` has ``stage``, ``count`` and ``step_conversion`` (as from
    ``advertising.ad_funnel`` or ``b2b.inquiry_funnel``); an optional ``step_rate`` names the
    step (CTR, CVR), and ``step_ci_low``/``step_ci_high`` add the interval to the label.
    A log axis, because each stage is a few per cent of the one before.
    """
    ax = _axes(ax, (8, 0.6 + 0.55 * len(funnel)))
    positions = np.arange(len(funnel))[::-1]  # first stage on top
    counts = funnel["count"].to_numpy(dtype=float)
    ax.barh(positions, counts, color=NEUTRAL_COLOUR)
    for position, (_, row) in zip(positions, funnel.iterrows()):
        label = f" {row['count']:,.0f}"
        if pd.notna(row["step_conversion"]):
            name = row.get("step_rate")
            rate = f"{name} {row['step_conversion']:.2%}" if name else f"{row['step_conversion']:.1%} of previous"
            if "step_ci_low" in row and pd.notna(row["step_ci_low"]):
                rate += f" ({row['step_ci_low']:.1%} to {row['step_ci_high']:.1%})"
            label += f"   {rate}"
        ax.text(row["count"], position, label, va="center", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(max(counts.min(), 1) / 2, counts.max() * 60)  # room for the labels
    ax.set_yticks(positions, funnel["stage"])
    ax.set(xlabel="count (log scale)", title=title)
    ax.grid(False, axis="y")
    return ax


def search_term_map(terms: pd.DataFrame, *, target_acos: float, break_even_acos: float,
                    acos_cap: float = 1.0, ax=None):
    """Each search term of an ad group as a point: clicks across, ACoS up, coloured by its action.

    ``terms`` comes from ``advertising.term_actions``. Terms with an ACoS above ``acos_cap``
    (or spend and no sales) are drawn at the cap, so they stay on the chart; point size
    grows with spend. Dashed lines mark the target and break-even ACoS.
    """
    ax = _axes(ax, (8, 4.5))
    shown = terms[terms["clicks"] > 0]
    acos = np.minimum(shown["acos"].to_numpy(dtype=float), acos_cap)
    acos = np.where(np.isnan(acos), acos_cap, acos)
    for action, colour in ACTION_COLOURS.items():
        chosen = (shown["action"] == action).to_numpy()
        if chosen.any():
            ax.scatter(shown["clicks"].to_numpy()[chosen], acos[chosen], s=10 + shown["spend"].to_numpy()[chosen] / 8,
                       color=colour, alpha=0.7, label=f"{action} ({chosen.sum()})", edgecolor="white", lw=0.5)
    ax.axhline(target_acos, color=PASS_COLOUR, ls="--", lw=1)
    ax.axhline(break_even_acos, color=FAIL_COLOUR, ls="--", lw=1)
    ax.text(shown["clicks"].min(), target_acos, " target ACoS", va="bottom", fontsize=8, color=PASS_COLOUR)
    ax.text(shown["clicks"].min(), break_even_acos, " break-even ACoS", va="bottom", fontsize=8, color=FAIL_COLOUR)
    ax.set_xscale("log")
    ax.set_ylim(0, acos_cap * 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(xlabel="clicks over the period (log scale)", ylabel=f"ACoS (capped at {acos_cap:.0%})",
           title="Search terms of the phrase and broad ad groups")
    legend = ax.legend(title="action", loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    for handle in legend.legend_handles:  # one marker size in the legend, whatever the spend
        handle.set_sizes([30])
    return ax


def acos_over_time(periods: pd.DataFrame, *, change_date, expected_before: float | None = None,
                   expected_after: float | None = None, break_even_acos: float | None = None, ax=None):
    """Weekly ACoS (from ``advertising.metrics_by_period``) around a bid change.

    A vertical line marks ``change_date``; when given, the simulator's expected ACoS before
    and after is drawn as a step, and the break-even ACoS as a dashed line.
    """
    ax = _axes(ax, (9, 3.8))
    full = periods[periods["days"] == periods["days"].max()]  # a part week would be noisier
    ax.plot(full["period_start"], full["acos"], marker="o", ms=3, color=NEUTRAL_COLOUR, label="weekly ACoS")
    change = pd.Timestamp(change_date)
    ax.axvline(change, color="black", lw=1)
    ax.text(change, 0.02, " bid change", transform=ax.get_xaxis_transform(), fontsize=8)
    if expected_before is not None and expected_after is not None:
        first, last = full["period_start"].min(), full["period_start"].max()
        ax.step([first, change, last], [expected_before, expected_after, expected_after], where="post",
                color="#dd8452", lw=2, label="expected ACoS (simulator)")
    if break_even_acos is not None:
        ax.axhline(break_even_acos, color=FAIL_COLOUR, ls="--", lw=1, label="break-even ACoS")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(xlabel="", ylabel="ACoS", title="ACoS week by week")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def _rate_format(limit: float) -> str:
    return "{:.1%}" if limit < 0.1 or limit > 0.9 else "{:.0%}"


def health_dashboard(health: pd.DataFrame, axes=None):
    """One panel per account-health metric: the rate with its interval against the limit.

    ``health`` comes from ``account_health.account_health``. Green is passing, red failing;
    the shaded side of the limit is where the rate must stay. Returns the axes.
    """
    rows = health.reset_index(drop=True)
    if axes is None:
        _, axes = plt.subplots(len(rows), 1, figsize=(8, 0.95 * len(rows) + 0.4), squeeze=False)
        axes = axes[:, 0]
    for ax, (_, row) in zip(axes, rows.iterrows()):
        colour = {"pass": PASS_COLOUR, "fail": FAIL_COLOUR}.get(row["status"], "#8c8c8c")
        values = [v for v in (row["ci_low"], row["ci_high"], row["rate"], row["limit"]) if pd.notna(v)]
        span = max(max(values) - min(values), row["limit"] * 0.5)
        low, high = max(0.0, min(values) - 0.3 * span), min(1.0, max(values) + 0.3 * span)
        if row["better"] == "below":
            ax.axvspan(low, row["limit"], color=PASS_COLOUR, alpha=0.12)
        else:
            ax.axvspan(row["limit"], high, color=PASS_COLOUR, alpha=0.12)
        ax.axvline(row["limit"], color="black", lw=1)
        if pd.notna(row["rate"]):
            ax.plot([row["ci_low"], row["ci_high"]], [0, 0], color=colour, lw=3, solid_capstyle="butt")
            ax.plot(row["rate"], 0, "o", color=colour, ms=9)
            shown = _rate_format(row["limit"]).format(row["rate"])
        else:
            shown = "no orders"
        ax.set_xlim(low, high)
        ax.set_yticks([])
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
        ax.set_title(f"{row['metric'].replace('_', ' ')} ({row['window_days']} days): {shown}, "
                     f"{row['count']:,} of {row['orders']:,} orders; limit "
                     f"{row['better']} {_rate_format(row['limit']).format(row['limit'])}",
                     fontsize=9, loc="left", color=colour)
    axes[0].figure.tight_layout()
    return axes


def health_trend(history: pd.DataFrame, axes=None):
    """Each metric's rolling rate over time (from ``account_health.health_over_time``).

    One panel per metric with the Wilson band, the limit as a dashed line, and the days
    that failed marked in red. Returns the axes.
    """
    metrics = list(dict.fromkeys(history["metric"]))
    if axes is None:
        _, axes = plt.subplots(len(metrics), 1, figsize=(9, 1.7 * len(metrics)), sharex=True, squeeze=False)
        axes = axes[:, 0]
    for ax, metric in zip(axes, metrics):
        rows = history[history["metric"] == metric].sort_values("as_of")
        ax.fill_between(rows["as_of"], rows["ci_low"], rows["ci_high"], color=NEUTRAL_COLOUR, alpha=0.2)
        ax.plot(rows["as_of"], rows["rate"], color=NEUTRAL_COLOUR, lw=1.5)
        failed = rows[rows["status"] == "fail"]
        ax.plot(failed["as_of"], failed["rate"], "o", color=FAIL_COLOUR, ms=3, label="failing")
        ax.axhline(rows["limit"].iloc[0], color="black", ls="--", lw=1)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
        ax.set_title(f"{metric.replace('_', ' ')} over {rows['window_days'].iloc[0]} days "
                     f"(limit {rows['better'].iloc[0]} {_rate_format(rows['limit'].iloc[0]).format(rows['limit'].iloc[0])})",
                     fontsize=9, loc="left")
    axes[0].figure.tight_layout()
    return axes


def response_time_chart(bands: pd.DataFrame, effect=None, *, true_intercept: float | None = None,
                        true_slope: float | None = None, ax=None):
    """Order rate of quoted inquiries by response time, with the fitted (and true) logit curve.

    ``bands`` comes from ``b2b.conversion_by_response_band``: each band is a point at its
    median response time with its Wilson interval. ``effect`` (``b2b.response_time_logit``)
    adds the fitted curve; ``true_intercept`` and ``true_slope`` the simulator's.
    """
    from cbec.modules.platform_operation.b2b import order_rate

    ax = _axes(ax, (8, 4))
    shown = bands[bands["inquiries"] > 0]
    x = shown["median_hours"].to_numpy(dtype=float)
    y = shown["conversion"].to_numpy(dtype=float)
    ax.errorbar(x, y, yerr=[y - shown["ci_low"].to_numpy(float), shown["ci_high"].to_numpy(float) - y], fmt="o",
                color=NEUTRAL_COLOUR, capsize=3, label="quoted inquiries by response band (95% interval)")
    for (_, row), hours, rate in zip(shown.iterrows(), x, y):
        ax.annotate(f"n={row['inquiries']}", (hours, rate), textcoords="offset points", xytext=(6, 4), fontsize=7)
    grid = np.geomspace(max(x.min(), 0.1) / 2, x.max() * 2, 200)
    if effect is not None:
        ax.plot(grid, effect.order_rate(grid), color="#dd8452", lw=2, label=f"fitted logit (slope {effect.slope:.2f})")
    if true_intercept is not None and true_slope is not None:
        ax.plot(grid, order_rate(true_intercept, true_slope, grid), color="black", ls="--", lw=1,
                label=f"simulator's truth (slope {true_slope:.2f})")
    ax.set_xscale("log")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(xlabel="hours until the seller answered (log scale)", ylabel="share that ordered",
           title="Answering fast and winning the order")
    ax.set_ylim(0, None)
    ax.legend(fontsize=8)
    return ax


def slope_recovery(table: pd.DataFrame, true_slope: float, ax=None):
    """Each log's fitted slope with its interval (from ``b2b.slope_across_logs``) against the truth.

    Intervals that miss ``true_slope`` are drawn in red.
    """
    ax = _axes(ax, (7, 0.3 * len(table) + 1.2))
    positions = np.arange(len(table))[::-1]
    covers = (table["ci_low"] <= true_slope) & (true_slope <= table["ci_high"])
    for position, (_, row), hit in zip(positions, table.iterrows(), covers):
        colour = NEUTRAL_COLOUR if hit else FAIL_COLOUR
        ax.plot([row["ci_low"], row["ci_high"]], [position, position], color=colour, lw=2.5)
        ax.plot(row["slope"], position, "o", color=colour)
    ax.axvline(true_slope, color="black", ls="--", lw=1)
    ax.set_yticks(positions, [str(name) for name in table.index])
    ax.set(xlabel="slope of ln(1 + response hours) with its 95% interval", ylabel=table.index.name or "",
           title=f"{covers.sum()} of {len(table)} intervals cover the true slope {true_slope:g}")
    return ax
