"""Charts of the competition lectures (matplotlib, seaborn colours); each returns its Figure or Axes.

- :func:`store_dashboard` -- a store after any number of weeks, from its reports: profit,
  stock and lost sales, own against competitors' prices, ads against their sales and ACoS;
- :func:`season_comparison_plot` -- several seasons (strategies, or practice seasons) side by side;
- :func:`league_plot` -- season profit of each strategy over many seeds;
- :func:`price_scan_plot`, :func:`bid_scan_plot`, :func:`stockout_plot` -- lecture 1's one listing.
"""

from __future__ import annotations

from typing import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter, PercentFormatter

from cbec.data.columns import require_columns

PROFIT_COLOUR, LOSS_COLOUR, STOCK_COLOUR, RIVAL_COLOUR = "#55a868", "#c44e52", "#4c72b0", "#8c8c8c"
SPEND_COLOUR, SALES_COLOUR, INBOUND_COLOUR, EVENT_COLOUR = "#dd8452", "#4c72b0", "#8172b3", "#f2e6c9"
EVENT_NAMES = {"prime_day": "Prime Day", "black_friday": "Black Friday"}
USD = FuncFormatter(lambda x, _: f"{x:,.0f}")
THOUSANDS = FuncFormatter(lambda x, _: f"{x / 1000:,.0f}k")


def _weeks_of(reports: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The account-health table (one row per week played), or a clear error."""
    if not isinstance(reports, Mapping) or "account_health" not in reports:
        raise TypeError("pass a store's reports: the dict of DataFrames of practice.reports(), view.reports() or "
                        "result.reports(store).")
    health = reports["account_health"]
    if health.empty:
        raise ValueError("no week has been played yet: play a week (practice.play(...)) before drawing it.")
    return health


def _mark_events(ax, health: pd.DataFrame, label: bool = False) -> None:
    """Shade the event weeks (Prime Day, Black Friday) behind the data."""
    for week, event in zip(health["week"], health["event"]):
        if event:
            ax.axvspan(week - 0.5, week + 0.5, color=EVENT_COLOUR, zorder=0)
            if label:
                ax.text(week, 0.98, EVENT_NAMES.get(event, event), transform=ax.get_xaxis_transform(), ha="center",
                        va="top", rotation=90, fontsize=7, color="#7a6a3a")


def store_dashboard(reports: Mapping[str, pd.DataFrame], *, weeks: int | None = None, product: str | None = None,
                    market: str | None = None, title: str | None = None):
    """A 2x2 dashboard of one store from its reports (any number of weeks played).

    Top left: weekly profit (green/red bars) and the cumulative profit. Top right: stock on
    hand at the end of the week, units sold, inbound shipped and lost sales, summed over the
    listings. Bottom left: the price paid against the competitors' price -- per product as a
    ratio (markets averaged), or in USD for one ``product`` and ``market``. Bottom right: ad
    spend and ad sales with the ACoS (spend / ad sales) on the right axis. ``weeks`` fixes
    the x axis to a whole season; event weeks are shaded.
    """
    health = _weeks_of(reports)
    business, inventory, ads = reports["business_report"], reports["inventory_report"], reports["advertising_report"]
    fig, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex=True)
    (money, stock), (prices, adverts) = axes
    week = health["week"].to_numpy()

    profit = health["store_profit"].to_numpy(float)
    money.bar(week, profit, color=np.where(profit >= 0, PROFIT_COLOUR, LOSS_COLOUR), label="profit of the week")
    money.plot(week, profit.cumsum(), color="black", marker="o", ms=4, label="cumulative profit")
    money.axhline(0, color="black", lw=0.8)
    money.yaxis.set_major_formatter(USD)
    money.set(ylabel="USD", title=f"Profit: {profit.sum():,.0f} USD after {len(week)} week(s)")
    money.legend(fontsize=8, loc="upper left")

    by_week = inventory.groupby("week")[["on_hand_end", "units_sold", "inbound_shipped", "lost_units"]].sum()
    stock.plot(by_week.index, by_week["on_hand_end"], color=STOCK_COLOUR, marker="o", ms=4, label="on hand (end of week)")
    stock.plot(by_week.index, by_week["units_sold"], color=PROFIT_COLOUR, marker="s", ms=4, label="units sold")
    stock.bar(by_week.index - 0.2, by_week["inbound_shipped"], width=0.4, color=INBOUND_COLOUR, label="inbound shipped")
    stock.bar(by_week.index + 0.2, by_week["lost_units"], width=0.4, color=LOSS_COLOUR, label="lost sales")
    stock.set(ylabel="units", title=f"Stock: {int(by_week['lost_units'].sum()):,} units of demand lost")
    stock.legend(fontsize=8, loc="upper left")

    if (product is None) != (market is None):
        raise ValueError("give both product and market to plot one listing's prices in USD, or neither for all.")
    if product is not None:
        line = business[(business["product"] == product) & (business["market"] == market)]
        if line.empty:
            raise ValueError(f"no listing {product!r} in {market!r}; products: {sorted(business['product'].unique())}, "
                             f"markets: {sorted(business['market'].unique())}.")
        prices.plot(line["week"], line["price_paid"], color=STOCK_COLOUR, marker="o", ms=4, label="your price paid")
        prices.plot(line["week"], line["competitor_price"], color=RIVAL_COLOUR, marker="s", ms=4, ls="--",
                    label="competitors' price")
        prices.set(ylabel="USD per unit", title=f"Price: {product} in {market}")
    else:
        ratio = business.assign(ratio=business["price_paid"] / business["competitor_price"])
        table = ratio.groupby(["week", "product"], sort=False)["ratio"].mean().unstack("product")
        palette = sns.color_palette(n_colors=table.shape[1])
        for colour, name in zip(palette, table.columns):
            prices.plot(table.index, table[name], color=colour, marker="o", ms=3, label=name)
        prices.axhline(1.0, color="black", lw=0.8, ls=":")
        prices.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        prices.set(ylabel="your price paid / competitors' price", title="Price against the competitors (markets averaged)")
    prices.legend(fontsize=7, loc="best")

    spend = ads.groupby("week")[["spend", "ad_sales"]].sum()
    adverts.bar(spend.index - 0.2, spend["spend"], width=0.4, color=SPEND_COLOUR, label="ad spend")
    adverts.bar(spend.index + 0.2, spend["ad_sales"], width=0.4, color=SALES_COLOUR, label="ad sales")
    adverts.yaxis.set_major_formatter(USD)
    adverts.set(ylabel="USD", title=f"Ads: {spend['spend'].sum():,.0f} USD spent for {spend['ad_sales'].sum():,.0f} "
                                    "USD of ad sales")
    acos_axis = adverts.twinx()
    acos = spend["spend"] / spend["ad_sales"].where(spend["ad_sales"] > 0)
    acos_axis.plot(spend.index, acos, color="black", marker="o", ms=4, label="ACoS (right axis)")
    acos_axis.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    acos_axis.set_ylim(0, max(1.0, float(np.nanmax(acos.to_numpy(float), initial=0)) * 1.1))
    acos_axis.set_ylabel("ACoS = ad spend / ad sales")
    handles = adverts.get_legend_handles_labels()
    twin = acos_axis.get_legend_handles_labels()
    adverts.legend(handles[0] + twin[0], handles[1] + twin[1], fontsize=8, loc="upper left")

    for ax in axes.ravel():
        _mark_events(ax, health, label=ax in (money, stock))
        ax.set_xlim(-0.6, (weeks if weeks is not None else week.max() + 1) - 0.4)
    for ax in axes[1]:
        ax.set_xlabel("week of the season")
    fig.suptitle(title or "Store dashboard", fontsize=13)
    fig.tight_layout()
    return fig


def season_comparison_plot(seasons: Mapping[str, Mapping[str, pd.DataFrame]], *, title: str | None = None):
    """Seasons side by side (``{name: reports}``): cumulative profit by week, and each season's
    profit with its lost sales and ad spend. Returns the Figure (two Axes)."""
    if not seasons:
        raise ValueError("seasons is empty; pass {name: reports} for at least one season.")
    fig, (lines, bars) = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [1.6, 1]})
    palette = sns.color_palette(n_colors=len(seasons))
    totals = {}
    for colour, (name, reports) in zip(palette, seasons.items()):
        health = _weeks_of(reports)
        cumulative = health["store_profit"].cumsum().to_numpy(float)
        lines.plot(health["week"], cumulative, color=colour, marker="o", ms=3, label=name)
        totals[name] = (cumulative[-1], reports["inventory_report"]["lost_units"].sum())
    _mark_events(lines, health, label=True)
    lines.axhline(0, color="black", lw=0.8)
    lines.yaxis.set_major_formatter(USD)
    lines.set(xlabel="week of the season", ylabel="cumulative profit (USD)", title="Profit through the season")
    lines.legend(fontsize=8, loc="upper left")
    names = list(totals)
    profit = np.array([totals[n][0] for n in names])
    positions = np.arange(len(names))[::-1]
    bars.barh(positions, profit, color=[PROFIT_COLOUR if p >= 0 else LOSS_COLOUR for p in profit])
    for position, name, value in zip(positions, names, profit):
        bars.text(max(value, 0), position, f" {value:,.0f}  ({int(totals[name][1]):,} units lost)", va="center",
                  fontsize=8)
    bars.axvline(0, color="black", lw=0.8)
    bars.set_yticks(positions, names)
    reach = max(np.abs(profit).max(), 1.0)
    bars.set_xlim(min(profit.min(), 0) - 0.05 * reach, max(profit.max(), 0) + 0.9 * reach)
    bars.xaxis.set_major_formatter(THOUSANDS)
    bars.set(xlabel="season profit (USD)", title="Season profit")
    fig.suptitle(title or "Seasons compared", fontsize=13)
    fig.tight_layout()
    return fig


def league_plot(table: pd.DataFrame, ax=None):
    """Season profit of each strategy on each seed (``practice.league_table``): a dot per seed,
    a bar at the mean, best strategy on top."""
    require_columns(table, ("strategy", "seed", "profit"), "the league table")
    order = table.groupby("strategy")["profit"].mean().sort_values(ascending=False)
    ax = ax if ax is not None else plt.subplots(figsize=(8, 1.6 + 0.7 * len(order)), layout="constrained")[1]
    sns.stripplot(table, x="profit", y="strategy", order=list(order.index), color=STOCK_COLOUR, alpha=0.6, size=4,
                  jitter=0.15, ax=ax)
    for position, mean in enumerate(order.to_numpy()):
        ax.plot([mean, mean], [position - 0.32, position + 0.32], color="black", lw=2.2)
        ax.text(mean, position - 0.36, f"mean {mean:,.0f}", ha="center", va="bottom", fontsize=8)
    ax.axvline(0, color="black", lw=0.8, ls=":")
    ax.xaxis.set_major_formatter(USD)
    ax.set(xlabel="season profit (USD), one dot per seed", ylabel="",
           title=f"Strategies on {table['seed'].nunique()} public seeds")
    return ax


def price_scan_plot(scan: pd.DataFrame, *, curve: pd.DataFrame | None = None, marks: Mapping[str, float] = (),
                    ax=None):
    """Mean profit of a week at each price (``economics.price_scan``) with its +-2 standard errors,
    the expected curve (``economics.demand_curve``) if given, and vertical lines at ``marks``
    (e.g. ``{"list price": 27.99, "analytic p*": 30.69}``)."""
    require_columns(scan, ("price", "profit", "profit_se"), "the price scan")
    ax = ax if ax is not None else plt.subplots(figsize=(8, 4.2))[1]
    ax.fill_between(scan["price"], scan["profit"] - 2 * scan["profit_se"], scan["profit"] + 2 * scan["profit_se"],
                    color=STOCK_COLOUR, alpha=0.2, label="simulated, +-2 standard errors")
    ax.plot(scan["price"], scan["profit"], color=STOCK_COLOUR, marker="o", ms=3, label="simulated mean profit")
    if curve is not None:
        require_columns(curve, ("price", "profit"), "the demand curve")
        ax.plot(curve["price"], curve["profit"], color="black", ls="--", lw=1.2, label="expected (demand curve)")
    palette = sns.color_palette("dark", n_colors=max(len(dict(marks)), 1))
    for colour, (label, price) in zip(palette, dict(marks).items()):
        ax.axvline(price, color=colour, lw=1.3, ls=":", label=f"{label}: {price:,.2f}")
    ax.yaxis.set_major_formatter(USD)
    ax.set(xlabel="price (USD)", ylabel="profit of the week before ads and storage (USD)",
           title="Which price earns most in one week?")
    ax.legend(fontsize=8, loc="best")
    return ax


def bid_scan_plot(scan: pd.DataFrame, *, break_even_bid: float | None = None, ax=None):
    """Ad spend, the margin the ad orders brought, and ad profit for each bid (``economics.bid_scan``),
    with the break-even bid (``economics.ad_break_even``) as a line."""
    require_columns(scan, ("bid", "ad_spend", "ad_gross_margin", "ad_profit"), "the bid scan")
    ax = ax if ax is not None else plt.subplots(figsize=(8, 4.2))[1]
    ax.plot(scan["bid"], scan["ad_spend"], color=SPEND_COLOUR, marker="o", ms=3, label="ad spend")
    ax.plot(scan["bid"], scan["ad_gross_margin"], color=SALES_COLOUR, marker="s", ms=3,
            label="margin the ad orders brought")
    ax.plot(scan["bid"], scan["ad_profit"], color="black", lw=2, label="ad profit = margin - spend")
    ax.axhline(0, color="black", lw=0.8)
    if break_even_bid is not None:
        ax.axvline(break_even_bid, color=LOSS_COLOUR, ls=":", lw=1.5, label=f"break-even bid {break_even_bid:.2f}")
    best = scan.loc[scan["ad_profit"].idxmax()]
    ax.scatter([best["bid"]], [best["ad_profit"]], color=PROFIT_COLOUR, zorder=4, s=40,
               label=f"best bid {best['bid']:.2f}")
    ax.yaxis.set_major_formatter(USD)
    ax.set(xlabel="bid (USD per click)", ylabel="USD in the week", title="What a bid buys and what it costs")
    ax.legend(fontsize=8, loc="best")
    return ax


def stockout_plot(experiment: pd.DataFrame):
    """The stock-out experiment (``economics.stockout_experiment``): stock and lost sales of both
    stores per week, and their visibility (what sets organic rank). Returns the Figure."""
    require_columns(experiment, ("store", "week", "on_hand_start", "units", "lost_units", "visibility"),
                    "the stock-out experiment")
    fig, (stock, rank) = plt.subplots(1, 2, figsize=(12, 4), sharex=True)
    colours = {"steady": STOCK_COLOUR, "late": SPEND_COLOUR}
    for name, rows in experiment.groupby("store", sort=False):
        colour = colours.get(name, RIVAL_COLOUR)
        stock.plot(rows["week"], rows["on_hand_start"], color=colour, marker="o", ms=4, label=f"{name}: stock on hand")
        stock.plot(rows["week"], rows["units"], color=colour, ls="--", label=f"{name}: units sold")
        rank.plot(rows["week"], rows["visibility"], color=colour, marker="o", ms=4, label=name)
    late = experiment[experiment["store"] == "late"]
    stock.bar(late["week"], late["lost_units"], color=LOSS_COLOUR, width=0.5, label="late: lost sales")
    stock.set(xlabel="week of the season", ylabel="units", title="Stock and sales of the listing")
    rank.set(xlabel="week of the season", ylabel="visibility (par rank / organic rank)",
             title="Organic visibility: a stock-out lingers")
    health = experiment[experiment["store"] == experiment["store"].iloc[0]]
    for ax in (stock, rank):
        _mark_events(ax, health.assign(event=health.get("event", "")), label=True)
        ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig
