"""The Alibaba.com-style B2B inquiry funnel and the value of answering fast.

Funnel: exposure (the listing shown in search) -> clicks -> inquiries (a buyer writes)
-> quotations (the seller quotes) -> orders. Each step's conversion is the next stage over
this one, with a Wilson interval.

Response time: buyers who wait write to other suppliers. :func:`conversion_by_response_band`
tabulates the order rate by how fast the seller answered; :func:`response_time_logit`
fits ``logit P(order) = a + b x ln(1 + response hours)`` with statsmodels, so ``exp(b)`` is
the odds ratio per unit of log-time (a doubling of 1 + hours multiplies the odds by 2**b).
This is an association: sellers who answer fast may also quote better.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from cbec.intervals import wilson_interval

FUNNEL_STAGES = ("exposure", "clicks", "inquiries", "quotations", "orders")
INQUIRY_COLUMNS = ("inquiry_id", "date", "buyer_country", "response_hours", "quotation_sent", "order_placed",
                   "order_value_usd")
DEFAULT_BANDS_HOURS = (0, 1, 4, 12, 24, 72, np.inf)


def _require(table: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in table]
    if missing:
        raise KeyError(f"{what} lacks column(s) {missing}; it needs {list(columns)} "
                       "(see simulate_account(...).b2b_traffic and .inquiries).")


def inquiry_funnel(traffic: pd.DataFrame, inquiries: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Stage counts, step conversion (with Wilson interval) and conversion from exposure.

    ``traffic`` has ``exposure`` and ``clicks`` (e.g. by day); ``inquiries`` one row per
    inquiry with ``quotation_sent`` and ``order_placed`` flags.
    """
    _require(traffic, ("exposure", "clicks"), "the traffic table")
    _require(inquiries, ("quotation_sent", "order_placed"), "the inquiries table")
    counts = np.array([traffic["exposure"].sum(), traffic["clicks"].sum(), len(inquiries),
                       inquiries["quotation_sent"].sum(), inquiries["order_placed"].sum()], dtype=float)
    previous = np.r_[np.nan, counts[:-1]]
    with np.errstate(divide="ignore", invalid="ignore"):
        step = counts / previous
        overall = counts / counts[0]
    low, high = wilson_interval(np.r_[0, counts[1:]], np.r_[0, counts[:-1]], alpha)
    return pd.DataFrame({"stage": FUNNEL_STAGES, "count": counts.astype("int64"), "step_conversion": step,
                         "step_ci_low": low, "step_ci_high": high, "from_exposure": overall})


def conversion_by_response_band(inquiries: pd.DataFrame, bands=DEFAULT_BANDS_HOURS, *,
                                given_quotation: bool = True, alpha: float = 0.05) -> pd.DataFrame:
    """Order rate by response-time band (hours, left-open: (0, 1], (1, 4], ...).

    With ``given_quotation`` (default) only quoted inquiries count, so the table separates
    speed from whether a quote was sent at all. ``median_hours`` is the typical response
    time inside each band (where to draw the band on a time axis).
    """
    _require(inquiries, ("response_hours", "quotation_sent", "order_placed"), "the inquiries table")
    if list(bands) != sorted(bands) or len(bands) < 2:
        raise ValueError("bands are increasing band edges in hours, e.g. (0, 1, 4, 24, inf).")
    rows = inquiries[inquiries["quotation_sent"].astype(bool)] if given_quotation else inquiries
    band = pd.cut(rows["response_hours"], bins=list(bands), include_lowest=True)
    table = (rows.assign(band=band).groupby("band", observed=False)
             .agg(inquiries=("order_placed", "size"), orders=("order_placed", "sum"),
                  median_hours=("response_hours", "median")).reset_index())
    with np.errstate(divide="ignore", invalid="ignore"):
        table["conversion"] = table["orders"] / table["inquiries"]
    table["ci_low"], table["ci_high"] = wilson_interval(table["orders"], table["inquiries"], alpha)
    return table


def order_rate(intercept: float, slope: float, hours):
    """P(order) = 1 / (1 + exp(-(intercept + slope x ln(1 + hours)))) for response ``hours``."""
    hours = np.asarray(hours, dtype=float)
    if (hours < 0).any():
        raise ValueError("hours must be >= 0 (time from the inquiry to the seller's answer).")
    chance = 1 / (1 + np.exp(-(intercept + slope * np.log1p(hours))))
    return float(chance) if chance.ndim == 0 else chance


@dataclass(frozen=True)
class ResponseTimeEffect:
    """The logit slope of ln(1 + response hours) on ordering, and the fitted model."""

    intercept: float
    slope: float
    slope_interval: tuple[float, float]
    slope_std_error: float
    p_value: float
    odds_ratio_per_doubling: float
    observations: int
    model: object  # statsmodels' LogitResults, for summary() and predictions

    def order_rate(self, hours):
        """The fitted chance that an inquiry answered after ``hours`` ends in an order."""
        return order_rate(self.intercept, self.slope, hours)


def response_time_logit(inquiries: pd.DataFrame, *, given_quotation: bool = True,
                        alpha: float = 0.05) -> ResponseTimeEffect:
    """Fit ``logit P(order) = a + b ln(1 + response hours)`` (statsmodels Logit)."""
    _require(inquiries, ("response_hours", "quotation_sent", "order_placed"), "the inquiries table")
    rows = inquiries[inquiries["quotation_sent"].astype(bool)] if given_quotation else inquiries
    if rows["order_placed"].nunique() < 2:
        raise ValueError("every inquiry has the same outcome, so there is nothing to fit; use more data.")
    if (rows["response_hours"] < 0).any():
        raise ValueError("response_hours must be >= 0; check for replies logged before the inquiry.")
    design = sm.add_constant(np.log1p(rows["response_hours"].to_numpy(float)))
    result = sm.Logit(rows["order_placed"].to_numpy(float), design).fit(disp=False)
    low, high = result.conf_int(alpha=alpha)[1]
    slope = float(result.params[1])
    return ResponseTimeEffect(intercept=float(result.params[0]), slope=slope, slope_interval=(float(low), float(high)),
                              slope_std_error=float(result.bse[1]), p_value=float(result.pvalues[1]),
                              odds_ratio_per_doubling=float(2 ** slope), observations=int(result.nobs),
                              model=result)


def slope_across_logs(logs, *, true_slope: float | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """:func:`response_time_logit` on each inquiry log of ``logs`` (a mapping name -> log).

    One row per log: slope, its interval and the number of quoted inquiries; with
    ``true_slope`` also whether the interval covers it (about 1 - alpha of them should).
    """
    logs = dict(logs)
    if not logs:
        raise ValueError("logs is empty; pass e.g. {seed: simulate_account(seed=seed).inquiries}.")
    rows = []
    for name, log in logs.items():
        effect = response_time_logit(log, alpha=alpha)
        rows.append({"log": name, "slope": effect.slope, "ci_low": effect.slope_interval[0],
                     "ci_high": effect.slope_interval[1], "quoted_inquiries": effect.observations})
    table = pd.DataFrame(rows).set_index("log")
    if true_slope is not None:
        table["covers_truth"] = (table["ci_low"] <= true_slope) & (true_slope <= table["ci_high"])
    return table
