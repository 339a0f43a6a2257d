"""The selection ranking for the competition team.

Three components per student, each turned into its percentile among the ranked students
(0 = lowest, 1 = highest) so that components on different scales weigh what the weights
say, then combined as the weighted mean:

- **performance**: mean normalised competition score over the hidden seeds;
- **consistency**: the ``consistency_quantile`` (default the lower quartile) of the same
  scores: a strategy that wins on average but collapses on a quarter of the seeds is a risk
  for a team that plays one season;
- **modules**: mean share of the points of the module assignments (0 where not submitted).

Default weights 0.5 / 0.3 / 0.2 favour what the team will do (play unseen seasons) while
still rewarding the course work behind it.  A seed whose strategy failed (score missing)
counts as the lowest score any student got on that seed, and is counted in ``failed_seeds``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cbec.supervision.roster import SupervisionError

DEFAULT_WEIGHTS = {"performance": 0.5, "consistency": 0.3, "modules": 0.2}
COMPONENTS = tuple(DEFAULT_WEIGHTS)


def check_weights(weights: dict | None) -> dict:
    """``weights`` completed with zeros, checked to be finite, >= 0 and not all zero."""
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = sorted(set(weights) - set(COMPONENTS))
    if unknown:
        raise SupervisionError(f"Unknown weight(s) {', '.join(unknown)}; the components are: {', '.join(COMPONENTS)}.")
    weights = {c: weights.get(c, 0.0) for c in COMPONENTS}
    bad = [c for c, w in weights.items() if isinstance(w, bool) or not isinstance(w, (int, float))
           or not math.isfinite(w) or w < 0]
    if bad or sum(weights.values()) <= 0:
        raise SupervisionError(f"Weights must be numbers >= 0, not all zero; got {weights}.")
    return weights


def _score_table(scores: pd.DataFrame) -> pd.DataFrame:
    frame = scores.rename(columns={"scenario": "seed", "student_id": "student", "normalised_score": "score"})
    missing = [c for c in ("student", "seed", "score") if c not in frame]
    if missing:
        raise SupervisionError(f"The competition scores need columns student, seed (or scenario) and score; "
                               f"missing {', '.join(missing)} (found: {', '.join(map(str, scores.columns))}).")
    twice = frame[frame.duplicated(["student", "seed"], keep=False)]
    if len(twice):
        pairs = ", ".join(f"{s}/{k}" for s, k in twice[["student", "seed"]].drop_duplicates().head(5).values)
        raise SupervisionError(f"The competition scores list a student and seed twice ({pairs}); keep one score each.")
    frame = frame[["student", "seed", "score"]].copy()
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
    return frame


def _percentile(values: pd.Series) -> pd.Series:
    """0 for the lowest, 1 for the highest, ties sharing the average; 1 when there is one student."""
    if len(values) <= 1:
        return pd.Series(1.0, index=values.index)
    return (values.rank(method="average") - 1) / (len(values) - 1)


def selection_ranking(competition_scores: pd.DataFrame, module_scores: pd.DataFrame | None = None, *,
                      weights: dict | None = None, consistency_quantile: float = 0.25,
                      team_size: int | None = None, roster: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rank students for the competition team (see the module docstring for the method).

    ``competition_scores``: student, seed (or scenario), score (normalised, higher is
    better), as the grader writes them.  ``module_scores``: students x assignments shares
    (:func:`~cbec.supervision.roster.assignment_scores`), needed unless the modules weight is
    0.  ``team_size`` marks the first students ``selected``.  Roster students without a
    competition score are listed last, unranked, with the reason.
    """
    weights = check_weights(weights)
    if not 0 <= consistency_quantile <= 1:
        raise SupervisionError(f"consistency_quantile is a share between 0 and 1, got {consistency_quantile!r}.")
    if module_scores is None and weights["modules"] > 0:
        raise SupervisionError("No module assignment scores: pass them (from the gradebook) or set the "
                               "'modules' weight to 0.")
    scores = _score_table(competition_scores)
    failed = scores.groupby("student")["score"].apply(lambda s: int(s.isna().sum()))
    seed_floor = scores.groupby("seed")["score"].transform("min")
    scores["score"] = scores["score"].fillna(seed_floor)  # a failed seed counts as that seed's worst
    scores = scores.dropna(subset=["score"])  # a seed every strategy failed tells nothing
    grouped = scores.groupby("student")["score"]
    table = pd.DataFrame({"seeds": grouped.size(), "performance": grouped.mean(),
                          "consistency": grouped.quantile(consistency_quantile)})
    table["failed_seeds"] = failed.reindex(table.index).fillna(0).astype(int)
    if module_scores is not None and len(module_scores.columns):
        table["modules"] = module_scores.mean(axis=1).reindex(table.index).fillna(0.0)
    else:
        table["modules"] = np.nan
    combined = pd.Series(0.0, index=table.index)
    for component in COMPONENTS:
        if weights[component] > 0:
            table[f"{component}_pct"] = _percentile(table[component])
            combined += weights[component] * table[f"{component}_pct"]
    table["combined"] = combined / sum(weights.values())
    table = table.sort_values(["combined", "performance"], ascending=False)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table["selected"] = table["rank"] <= team_size if team_size else False
    table["note"] = ""
    table.index.name = "student"
    table = table.reset_index()
    if roster is not None:
        absent = sorted(set(roster["student"]) - set(table["student"]))
        if absent:
            extra = pd.DataFrame({"student": absent, "selected": False, "note": "no competition score"})
            table = pd.concat([table, extra], ignore_index=True)
    table[["rank", "seeds", "failed_seeds"]] = table[["rank", "seeds", "failed_seeds"]].astype("Int64")
    return table
