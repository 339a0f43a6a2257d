"""Retail calendar: the days that move cross-border sales, as a multiplicative daily index."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Monday..Sunday: evenings and weekends browse more.
WEEKDAY_FACTOR = np.array([0.97, 0.95, 0.96, 0.98, 1.02, 1.07, 1.05])

EVENT_LIFT = {
    "prime_day": 2.2,
    "singles_day": 2.0,
    "black_friday": 2.8,
    "black_friday_weekend": 1.7,
    "cyber_monday": 2.2,
    "december_run_up": 1.3,
    "january_lull": 0.85,
}


def black_friday(year: int) -> pd.Timestamp:
    """The day after US Thanksgiving (the fourth Thursday of November)."""
    nov1 = pd.Timestamp(year=year, month=11, day=1)
    first_thursday = nov1 + pd.Timedelta(days=(3 - nov1.weekday()) % 7)
    return first_thursday + pd.Timedelta(weeks=3, days=1)


def prime_day(year: int) -> pd.Timestamp:
    """First of the two Prime Day days: the second Tuesday of July (a stand-in for the real date)."""
    jul1 = pd.Timestamp(year=year, month=7, day=1)
    first_tuesday = jul1 + pd.Timedelta(days=(1 - jul1.weekday()) % 7)
    return first_tuesday + pd.Timedelta(weeks=1)


def events(dates: pd.DatetimeIndex) -> pd.Series:
    """The shopping event of each day ("" on ordinary days); the strongest event wins."""
    dates = pd.DatetimeIndex(dates).normalize()
    label = pd.Series("", index=dates, dtype=object)
    label[dates.month == 1] = "january_lull"
    label[(dates.month == 12) & (dates.day <= 20)] = "december_run_up"
    for year in sorted(set(dates.year)):
        bf = black_friday(year)
        first_day = prime_day(year)
        label[(dates == first_day) | (dates == first_day + pd.Timedelta(days=1))] = "prime_day"
        label[dates == pd.Timestamp(year=year, month=11, day=11)] = "singles_day"
        label[(dates > bf) & (dates < bf + pd.Timedelta(days=3))] = "black_friday_weekend"
        label[dates == bf] = "black_friday"
        label[dates == bf + pd.Timedelta(days=3)] = "cyber_monday"
    return label


def daily_index(dates: pd.DatetimeIndex) -> np.ndarray:
    """Multiplicative traffic index of each day: weekday pattern times event lift."""
    dates = pd.DatetimeIndex(dates)
    lift = events(dates).map(lambda e: EVENT_LIFT.get(e, 1.0)).to_numpy(dtype=float)
    return WEEKDAY_FACTOR[dates.day_of_week] * lift
