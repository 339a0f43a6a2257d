"""Customer lifetime value from a transaction log: the BG/NBD purchase model and the
Gamma-Gamma spend model (via `lifetimes`), shared by every module that values customers.

The set-up follows Fader, Hardie & Lee (2005), "Counting your customers the easy way":
each customer's repeat purchases in a calibration period (frequency, recency, age T),
time in weeks by default. The spend model takes whatever amount a transaction carries:
revenue gives a revenue LTV, contribution margin per order a margin LTV.
"""

from __future__ import annotations

import warnings

import pandas as pd

from cbec.data.columns import require_columns


def rfm_summary(transactions: pd.DataFrame, calibration_end, *, time_unit_days: int = 7, customer: str = "customer_id",
                date: str = "date", amount: str = "amount") -> pd.DataFrame:
    """frequency, recency, T (in ``time_unit_days``) and monetary_value per customer up to ``calibration_end``.

    ``frequency`` counts repeat purchase days (the first day is not a repeat); ``monetary_value``
    is the mean ``amount`` of the repeat days (0 without repeats), as `lifetimes` defines them.
    """
    from lifetimes.utils import summary_data_from_transaction_data

    require_columns(transactions, [customer, date, amount], "transactions")
    calibration = transactions[transactions[date] <= pd.Timestamp(calibration_end)]
    if calibration.empty:
        raise ValueError(f"no transactions on or before {calibration_end}; pick a later calibration_end.")
    summary = summary_data_from_transaction_data(
        calibration, customer, date, monetary_value_col=amount, observation_period_end=calibration_end, freq="D")
    summary["recency"] = summary["recency"] / time_unit_days
    summary["T"] = summary["T"] / time_unit_days
    return summary


def fit_bgnbd(summary: pd.DataFrame, penalizer: float = 0.0):
    """A fitted `lifetimes.BetaGeoFitter` (parameters r, alpha, a, b in ``params_``)."""
    from lifetimes import BetaGeoFitter

    require_columns(summary, ["frequency", "recency", "T"], "summary")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BetaGeoFitter(penalizer_coef=penalizer).fit(summary["frequency"], summary["recency"], summary["T"])


def fit_gamma_gamma(summary: pd.DataFrame, penalizer: float = 0.0):
    """Gamma-Gamma spend model on repeat buyers (frequency > 0) with a positive monetary value."""
    from lifetimes import GammaGammaFitter

    require_columns(summary, ["frequency", "monetary_value"], "summary")
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeat) < 10:
        raise ValueError(f"only {len(repeat)} repeat buyers with a positive amount; the spend model needs more "
                         "(use a longer calibration period).")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GammaGammaFitter(penalizer_coef=penalizer).fit(repeat["frequency"], repeat["monetary_value"])


def customer_lifetime_value(bgf, ggf, summary: pd.DataFrame, months: int = 12,
                            discount_rate: float = 0.01, freq: str = "W") -> pd.Series:
    """Discounted expected value of each customer's future purchases over ``months`` (monthly discount rate).

    ``freq`` is the time unit of ``summary`` ("W" for weeks, "D" for days).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ggf.customer_lifetime_value(
            bgf, summary["frequency"], summary["recency"], summary["T"], summary["monetary_value"],
            time=months, discount_rate=discount_rate, freq=freq)
