"""What practice shows: improvement from season to season, and the decisions that lose money.

Reads the competition practice fields by name from the events (``profit`` of a season;
``lost_units``, ``stockout_lines``, ``ad_spend``, ``ad_gross_margin`` of a round).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: |correlation| of season profit with season number from which a trend is called a trend.
TREND_CORRELATION = 0.5


def season_progress(events: pd.DataFrame, min_seasons: int = 3) -> pd.DataFrame:
    """Per student who finished a practice season: seasons, first/last/best profit, slope and trend.

    Seasons are numbered in the order they were finished.  ``slope`` is the least-squares
    profit change per season; ``trend`` is *improving* / *declining* when the correlation of
    profit with season number is at least ``TREND_CORRELATION`` in that direction, *flat*
    otherwise, and *too few seasons* below ``min_seasons``.  Seeds differ in difficulty, so
    one season says little; the trend over several does.
    """
    if min_seasons < 2:
        raise ValueError("min_seasons must be at least 2: a trend needs two seasons.")
    seasons = events[events["kind"] == "practice_season"].sort_values("time")
    rows = []
    for student, frame in seasons.groupby("student", sort=True):
        profit = frame["profit"].to_numpy(dtype=float)
        number = np.arange(1, len(profit) + 1, dtype=float)
        row = {"student": student, "seasons": len(profit), "first_profit": profit[0], "last_profit": profit[-1],
               "best_profit": profit.max(), "slope": np.nan, "correlation": np.nan, "trend": "too few seasons"}
        if len(profit) >= min_seasons:
            row["slope"] = float(np.polyfit(number, profit, 1)[0])
            if profit.std() > 0:
                row["correlation"] = float(np.corrcoef(number, profit)[0, 1])
            r = 0.0 if np.isnan(row["correlation"]) else row["correlation"]
            row["trend"] = ("improving" if r >= TREND_CORRELATION else
                            "declining" if r <= -TREND_CORRELATION else "flat")
        rows.append(row)
    columns = ["student", "seasons", "first_profit", "last_profit", "best_profit", "slope", "correlation", "trend"]
    return pd.DataFrame(rows, columns=columns)


def season_profits(events: pd.DataFrame) -> pd.DataFrame:
    """student, season (1, 2, ... in finishing order), profit: the points behind :func:`season_progress`."""
    seasons = events[events["kind"] == "practice_season"].sort_values("time")[["student", "profit"]].copy()
    seasons["season"] = seasons.groupby("student").cumcount() + 1
    return seasons.reset_index(drop=True)


def losing_decisions(events: pd.DataFrame) -> pd.DataFrame:
    """Per student who played rounds: stock-outs and unprofitable advertising, largest losses first.

    A round *stocked out* when it lost units (``lost_units`` > 0 or ``stockout_lines`` > 0).
    Its ads *lost money* when their spend exceeded the gross margin of the units they sold;
    ``ad_money_lost`` adds up that excess.  ``loss_rounds`` are weeks with a negative profit.
    """
    rounds = events[events["kind"] == "practice_round"]
    columns = ["student", "rounds", "stockout_rounds", "stockout_share", "lost_units", "unprofitable_ad_rounds",
               "unprofitable_ad_share", "ad_money_lost", "loss_rounds"]
    if rounds.empty:
        return pd.DataFrame(columns=columns)
    stocked_out = (rounds["lost_units"] > 0) | (rounds["stockout_lines"] > 0)
    excess = rounds["ad_spend"] - rounds["ad_gross_margin"]
    frame = pd.DataFrame({"student": rounds["student"], "stocked_out": stocked_out,
                          "lost_units": rounds["lost_units"], "bad_ads": (rounds["ad_spend"] > 0) & (excess > 0),
                          "ad_money_lost": excess.clip(lower=0), "loss": rounds["profit"] < 0})
    table = frame.groupby("student").agg(rounds=("stocked_out", "size"), stockout_rounds=("stocked_out", "sum"),
                                         lost_units=("lost_units", "sum"), unprofitable_ad_rounds=("bad_ads", "sum"),
                                         ad_money_lost=("ad_money_lost", "sum"), loss_rounds=("loss", "sum"))
    table["stockout_share"] = table["stockout_rounds"] / table["rounds"]
    table["unprofitable_ad_share"] = table["unprofitable_ad_rounds"] / table["rounds"]
    table = table.reset_index()[columns]
    return table.sort_values(["ad_money_lost", "lost_units"], ascending=False).reset_index(drop=True)


def quiz_scores(events: pd.DataFrame, modules=(), students=None) -> pd.DataFrame:
    """Students (rows) x modules (columns): the best quiz score as a share, NaN where not taken."""
    quizzes = events[events["kind"] == "quiz"]
    shares = (quizzes["score"] / quizzes["max_score"]).rename("share")
    matrix = (pd.concat([quizzes[["student", "module"]], shares], axis=1)
              .pivot_table(index="student", columns="module", values="share", aggfunc="max")
              if len(quizzes) else pd.DataFrame())
    order = list(modules) + sorted(set(matrix.columns) - set(modules))
    matrix = matrix.reindex(columns=order)
    if students is not None:
        matrix = matrix.reindex(list(students))
    matrix.index.name, matrix.columns.name = "student", "module"
    return matrix
