"""Sponsored-products analytics from a search-term report.

Metrics (sums over the rows of a group):

- CTR = clicks / impressions; CPC = spend / clicks; CVR = orders / clicks
- ACoS = ad spend / ad sales; ROAS = ad sales / ad spend (= 1 / ACoS)
- TACoS = ad spend / total sales (ad and organic)

A ratio with a zero denominator is NaN when the numerator is zero too, and infinite
otherwise (spend with no sales has an infinite ACoS).

Then three decisions: which customer search terms to *harvest* as exact keywords, which
to *negate*, and whether a bid change helped (with intervals, not just two numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

REPORT_KEYS = ("campaign", "ad_group", "keyword", "match_type", "customer_search_term")
REPORT_COUNTS = ("impressions", "clicks", "spend", "orders", "sales")
MATCH_TYPES = ("exact", "phrase", "broad")


def _require(report: pd.DataFrame, columns, what: str = "the search-term report") -> None:
    missing = [c for c in columns if c not in report]
    if missing:
        raise KeyError(f"{what} lacks column(s) {missing}; it needs {list(columns)} "
                       "(see simulate_account(...).search_terms for the layout).")


def _ratio(numerator, denominator):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(numerator, dtype=float) / np.asarray(denominator, dtype=float)


def add_metrics(totals: pd.DataFrame) -> pd.DataFrame:
    """Add ctr, cpc, cvr, acos and roas columns to a table of summed counts."""
    _require(totals, REPORT_COUNTS, "the table")
    out = totals.copy()
    out["ctr"] = _ratio(out["clicks"], out["impressions"])
    out["cpc"] = _ratio(out["spend"], out["clicks"])
    out["cvr"] = _ratio(out["orders"], out["clicks"])
    out["acos"] = _ratio(out["spend"], out["sales"])
    out["roas"] = _ratio(out["sales"], out["spend"])
    return out


def ad_metrics(report: pd.DataFrame, by=("campaign", "ad_group", "keyword", "match_type")) -> pd.DataFrame:
    """Sum the counts by ``by`` (a column name or several; ``()`` for the account) and add metrics."""
    by = [by] if isinstance(by, str) else list(by)
    _require(report, [*by, *REPORT_COUNTS])
    if by:
        totals = report.groupby(by, as_index=False, sort=True, observed=True)[list(REPORT_COUNTS)].sum()
    else:
        totals = report[list(REPORT_COUNTS)].sum().to_frame().T
    return add_metrics(totals)


def tacos(ad_spend, total_sales):
    """Total advertising cost of sales: ad spend / all sales (ad plus organic)."""
    return _ratio(ad_spend, total_sales) if np.ndim(ad_spend) else float(_ratio(ad_spend, total_sales))


def ad_funnel(report: pd.DataFrame) -> pd.DataFrame:
    """The sponsored-products funnel: impressions -> clicks -> orders, with CTR and CVR as the steps.

    ``step_rate`` names each step's conversion (``CTR`` = clicks / impressions,
    ``CVR`` = orders / clicks); the first stage has none.
    """
    _require(report, REPORT_COUNTS)
    counts = report[["impressions", "clicks", "orders"]].sum().to_numpy(dtype=float)
    previous = np.r_[np.nan, counts[:-1]]
    return pd.DataFrame({"stage": ["impressions", "clicks", "orders"], "count": counts.astype("int64"),
                         "step_conversion": _ratio(counts, previous), "step_rate": ["", "CTR", "CVR"]})


def metrics_by_period(report: pd.DataFrame, freq: str = "W-SUN") -> pd.DataFrame:
    """The account's ad metrics per calendar period of the report's ``date`` (weeks by default).

    ``period_start`` is the first day of each period (the default ``W-SUN``, weeks ending on
    Sunday, starts them on Mondays); ``days`` counts the days of the period present in the report, so a short
    first or last period can be told apart.
    """
    _require(report, ["date", *REPORT_COUNTS])
    dates = pd.to_datetime(report["date"])
    start = dates.dt.to_period(freq).dt.start_time
    totals = (report.assign(period_start=start).groupby("period_start", as_index=False)
              .agg(days=("date", "nunique"), **{c: (c, "sum") for c in REPORT_COUNTS}))
    return add_metrics(totals)


def harvest_search_terms(report: pd.DataFrame, target_acos: float, *, min_clicks: int = 10,
                         min_orders: int = 2) -> pd.DataFrame:
    """Customer search terms from phrase and broad ad groups worth adding as exact keywords.

    A term qualifies with at least ``min_clicks`` clicks and ``min_orders`` orders (summed
    over all its non-exact rows) and an ACoS at or below ``target_acos``, and when it is
    not already an exact keyword. Sorted by orders, most first.
    """
    _require(report, [*REPORT_KEYS, *REPORT_COUNTS])
    exact_keywords = set(report.loc[report["match_type"] == "exact", "keyword"].str.lower())
    loose = report[report["match_type"] != "exact"]
    terms = ad_metrics(loose, by="customer_search_term")
    keep = ((terms["clicks"] >= min_clicks) & (terms["orders"] >= min_orders) & (terms["acos"] <= target_acos)
            & ~terms["customer_search_term"].str.lower().isin(exact_keywords))
    harvested = terms[keep].sort_values(["orders", "acos"], ascending=[False, True]).reset_index(drop=True)
    harvested["action"] = "add as exact keyword; add as negative exact in the source ad groups"
    return harvested


def negate_search_terms(report: pd.DataFrame, break_even_acos: float, *, min_clicks: int = 15,
                        acos_multiple: float = 1.5) -> pd.DataFrame:
    """Search terms wasting spend, per campaign and ad group, with the reason.

    Negate when a term has at least ``min_clicks`` clicks and no orders, or an ACoS above
    ``acos_multiple`` x ``break_even_acos`` (and at least ``min_clicks`` clicks, so one
    unlucky day does not condemn a term). Exact keywords are left to bid changes.
    Sorted by spend, most first.
    """
    _require(report, [*REPORT_KEYS, *REPORT_COUNTS])
    if acos_multiple < 1:
        raise ValueError("acos_multiple below 1 would negate terms that still make money; use >= 1.")
    loose = report[report["match_type"] != "exact"]
    terms = ad_metrics(loose, by=["campaign", "ad_group", "match_type", "customer_search_term"])
    enough = terms["clicks"] >= min_clicks
    no_orders = enough & (terms["orders"] == 0)
    too_costly = enough & (terms["orders"] > 0) & (terms["acos"] > acos_multiple * break_even_acos)
    negated = terms[no_orders | too_costly].copy()
    negated["reason"] = np.where(no_orders[no_orders | too_costly], "clicks without orders",
                                 f"ACoS above {acos_multiple:g} x break-even")
    return negated.sort_values("spend", ascending=False).reset_index(drop=True)


@dataclass(frozen=True)
class BidChangeResult:
    """Before vs after a bid change, each change with a (1 - alpha) interval."""

    clicks_before: int
    clicks_after: int
    cvr_before: float
    cvr_after: float
    cvr_difference: float
    cvr_difference_interval: tuple[float, float]
    cvr_p_value: float
    cpc_before: float
    cpc_after: float
    acos_before: float
    acos_after: float
    acos_difference: float
    acos_difference_interval: tuple[float, float]
    alpha: float
    bootstrap_samples: int


def split_at_date(report: pd.DataFrame, date, days: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The report rows before ``date`` and from ``date`` on, each at most ``days`` long (None: all)."""
    _require(report, ["date"])
    dates, change = pd.to_datetime(report["date"]), pd.Timestamp(date)
    if days is not None and days < 1:
        raise ValueError("days is the length of each side in days, >= 1 (or None for everything).")
    span = pd.Timedelta(days=days) if days is not None else None
    before = (dates < change) & ((dates >= change - span) if span is not None else True)
    after = (dates >= change) & ((dates < change + span) if span is not None else True)
    return report[before], report[after]


def compare_bid_change(before: pd.DataFrame, after: pd.DataFrame, *, seed: int, alpha: float = 0.05,
                       bootstrap_samples: int = 2000) -> BidChangeResult:
    """Judge a bid change from the report rows before and after it.

    CVR: the difference of two proportions (orders / clicks), with a Newcombe (Wilson-based)
    interval and a score test. ACoS: the difference of the two ratios, with a percentile
    bootstrap that resamples days (rows, if there is no ``date`` column) within each
    period; ``seed`` makes it repeatable.
    """
    for name, table in (("before", before), ("after", after)):
        _require(table, REPORT_COUNTS, f"the {name} table")
        if table["clicks"].sum() == 0 or table["sales"].sum() == 0:
            raise ValueError(f"the {name} table has no clicks or no sales; widen the period.")
    if not 0 < alpha < 1:
        raise ValueError("alpha is a share, e.g. 0.05 for a 95% interval.")
    sums = {name: table[list(REPORT_COUNTS)].sum() for name, table in (("before", before), ("after", after))}
    orders_b, clicks_b = int(sums["before"]["orders"]), int(sums["before"]["clicks"])
    orders_a, clicks_a = int(sums["after"]["orders"]), int(sums["after"]["clicks"])
    low, high = confint_proportions_2indep(orders_a, clicks_a, orders_b, clicks_b, method="newcomb",
                                           compare="diff", alpha=alpha)
    test = test_proportions_2indep(orders_a, clicks_a, orders_b, clicks_b, method="score", compare="diff")

    rng = np.random.default_rng(seed)

    def boot_acos(table):
        # resample whole days when the report has dates: rows of one day share that day's traffic
        if "date" in table:
            table = table.groupby("date")[["spend", "sales"]].sum()
        spend = table["spend"].to_numpy(float)
        sales = table["sales"].to_numpy(float)
        ratios = []
        for start in range(0, bootstrap_samples, 500):  # chunks keep memory small for long reports
            rows = rng.integers(0, len(spend), size=(min(500, bootstrap_samples - start), len(spend)))
            ratios.append(_ratio(spend[rows].sum(axis=1), sales[rows].sum(axis=1)))
        return np.concatenate(ratios)

    acos_b = sums["before"]["spend"] / sums["before"]["sales"]
    acos_a = sums["after"]["spend"] / sums["after"]["sales"]
    differences = boot_acos(after) - boot_acos(before)
    differences = differences[np.isfinite(differences)]
    return BidChangeResult(
        clicks_before=clicks_b, clicks_after=clicks_a,
        cvr_before=orders_b / clicks_b, cvr_after=orders_a / clicks_a,
        cvr_difference=orders_a / clicks_a - orders_b / clicks_b,
        cvr_difference_interval=(float(low), float(high)), cvr_p_value=float(test.pvalue),
        cpc_before=sums["before"]["spend"] / clicks_b, cpc_after=sums["after"]["spend"] / clicks_a,
        acos_before=float(acos_b), acos_after=float(acos_a), acos_difference=float(acos_a - acos_b),
        acos_difference_interval=(float(np.quantile(differences, alpha / 2)),
                                  float(np.quantile(differences, 1 - alpha / 2))),
        alpha=alpha, bootstrap_samples=bootstrap_samples)


TERM_ACTIONS = ("harvest", "negate", "keep")


def term_actions(report: pd.DataFrame, *, target_acos: float, break_even_acos: float, min_clicks: int = 10,
                 min_orders: int = 2, negate_min_clicks: int = 15, acos_multiple: float = 1.5) -> pd.DataFrame:
    """Every phrase and broad search term of each ad group with its metrics and one action.

    ``action`` is "negate" where :func:`negate_search_terms` flags the term in that ad
    group, else "harvest" where :func:`harvest_search_terms` picks the term, else "keep".
    Wasted spend is stopped where it happens, so negating wins over harvesting.
    """
    harvested = harvest_search_terms(report, target_acos, min_clicks=min_clicks, min_orders=min_orders)
    negated = negate_search_terms(report, break_even_acos, min_clicks=negate_min_clicks,
                                  acos_multiple=acos_multiple)
    keys = ["campaign", "ad_group", "match_type", "customer_search_term"]
    terms = ad_metrics(report[report["match_type"] != "exact"], by=keys)
    flagged = terms[keys].merge(negated[keys].assign(negate=True), on=keys, how="left")["negate"]
    terms["action"] = np.where(flagged.fillna(False).to_numpy(dtype=bool), "negate",
                               np.where(terms["customer_search_term"].isin(harvested["customer_search_term"]),
                                        "harvest", "keep"))
    return terms
