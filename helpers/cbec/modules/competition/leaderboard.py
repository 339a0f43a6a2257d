"""The competition's leaderboard: what the grader measured of every submitted strategy.

:func:`read_results` reads the records the grader kept beside each autograded notebook
(``.cbec-graded.json``, written by ``cbec autograde``); :func:`leaderboard` ranks them in
the **public** view (the public markets, what students see while the competition runs) or
the **final** view (the hidden markets only, the Kaggle private leaderboard).  Each row
says whether the strategy is a copy of the baseline or plays exactly like a classmate's,
and how many of its stores stopped deciding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cbec.grading.autograde import COMPLETE_MARKER
from cbec.modules.competition.assignment import ASSIGNMENT, QUESTIONS
from cbec.reporting.provenance import folder_input

VIEWS = {"public": "public_score", "final": "final_score"}
_VARIABLE = QUESTIONS[0].variable
_GRADE_ID = f"{QUESTIONS[0].qid}_tests"  # the test cell that plays it


@dataclass(frozen=True)
class CompetitionResults:
    """Per student (``students``) and per store played (``stores``); ``unreadable`` lists skipped records."""

    students: pd.DataFrame
    stores: pd.DataFrame
    unreadable: tuple[str, ...] = ()


def _records_pattern(assignment: str) -> str:
    """The graded records of ``assignment``, relative to the course's ``autograded/`` folder."""
    return f"*/{assignment}/{COMPLETE_MARKER}"


def read_results(course_dir: str | Path, assignment: str = ASSIGNMENT) -> CompetitionResults:
    """Every graded strategy's record under ``<course>/autograded/*/<assignment>/``."""
    students, stores, unreadable = [], [], []
    for marker in sorted((Path(course_dir) / "autograded").glob(_records_pattern(assignment))):
        student = marker.parent.parent.name
        try:
            runs = json.loads(marker.read_text(encoding="utf-8")).get("runs", [])
            record = next(run["records"][_GRADE_ID][_VARIABLE] for run in runs
                          if _VARIABLE in (run.get("records") or {}).get(_GRADE_ID, {}))
        except StopIteration:
            unreadable.append(f"{student}: graded, but its strategy could not be played (see the grading log)")
            continue
        except (OSError, ValueError, KeyError, TypeError) as error:
            unreadable.append(f"{student}: {marker} is unreadable ({type(error).__name__}); grade again")
            continue
        students.append({"student": student, "public_score": record.get("public_score"),
                         "final_score": record.get("final_score"), "failures": len(record.get("failures", [])),
                         "same_as_baseline": bool(record.get("same_as_baseline")),
                         "fingerprint": record.get("fingerprint", ""),
                         "slowest_round_seconds": record.get("slowest_round_seconds")})
        stores.extend({"student": student, **row} for row in record.get("stores", []))
    columns = ["student", "public_score", "final_score", "failures", "same_as_baseline", "fingerprint",
               "slowest_round_seconds"]
    return CompetitionResults(pd.DataFrame(students, columns=columns), pd.DataFrame(stores), tuple(unreadable))


def results_input(course_dir: str | Path, assignment: str = ASSIGNMENT) -> dict:
    """The provenance entry of the records :func:`read_results` reads (one hash over them all)."""
    return folder_input(Path(course_dir) / "autograded", _records_pattern(assignment))


def leaderboard(results: CompetitionResults, view: str = "final") -> pd.DataFrame:
    """The ranking in ``view`` ("public" or "final"), best first, with copy flags."""
    if view not in VIEWS:
        raise ValueError(f"view={view!r}: use 'public' (the public markets) or 'final' (the hidden markets).")
    table = results.students.copy()
    if table.empty:
        return pd.DataFrame(columns=["rank", "student", "score", "vs_baseline", "failures", "note"])
    table["score"] = pd.to_numeric(table[VIEWS[view]], errors="coerce")
    table["vs_baseline"] = table["score"] - 1.0
    table = table.sort_values(["score", "student"], ascending=[False, True], na_position="last")
    table["rank"] = table["score"].rank(ascending=False, method="min").astype("Int64")
    twins = table.groupby("fingerprint")["student"].agg(list)
    table["note"] = [_note(row, twins.get(row["fingerprint"], [])) for _, row in table.iterrows()]
    return table[["rank", "student", "score", "vs_baseline", "failures", "note"]].reset_index(drop=True)


def _note(row, twins: list[str]) -> str:
    notes = []
    if row["same_as_baseline"]:
        notes.append("plays exactly the course's baseline")
    others = [s for s in twins if s != row["student"]]
    if others and row["fingerprint"]:
        notes.append("same decisions as " + ", ".join(others))
    if row["failures"]:
        notes.append(f"{row['failures']} store(s) stopped deciding")
    return "; ".join(notes)


def scenario_table(results: CompetitionResults, hidden: bool = True) -> pd.DataFrame:
    """Mean normalised score per student and scenario (rows: students, columns: scenarios)."""
    stores = results.stores
    if stores.empty:
        return pd.DataFrame()
    chosen = stores[stores["hidden"] == hidden]
    return chosen.pivot_table(index="student", columns="scenario", values="score", aggfunc="mean")


def hidden_seed_scores(results: CompetitionResults) -> pd.DataFrame:
    """One row per student and hidden store (``student, seed, score``): what the selection ranking reads."""
    stores = results.stores
    if stores.empty:
        return pd.DataFrame(columns=["student", "seed", "score"])
    hidden = stores[stores["hidden"]]
    seeds = hidden["scenario"].astype(str) + "/" + hidden["store"].astype(str)
    return pd.DataFrame({"student": hidden["student"].to_numpy(), "seed": seeds.to_numpy(),
                         "score": hidden["score"].to_numpy(dtype=float)})


def leaderboard_plot(board: pd.DataFrame, view: str = "final", ax=None):
    """Each student's score as a bar, with the naive (0) and baseline (1) lines."""
    import matplotlib.pyplot as plt

    shown = board.dropna(subset=["score"])
    if ax is None:
        _, ax = plt.subplots(figsize=(8, max(2.5, 0.3 * len(shown) + 1)))
    colours = np.where(shown["score"] >= 1, "#2a9d8f", np.where(shown["score"] > 0, "#e9c46a", "#e76f51"))
    ax.barh(shown["student"], shown["score"], color=colours)
    ax.invert_yaxis()
    for value, label in ((0, "naive"), (1, "baseline")):
        ax.axvline(value, color="0.3", linestyle="--", linewidth=1)
        ax.annotate(label, (value, 1.0), xycoords=("data", "axes fraction"), ha="left", va="bottom", fontsize=8)
    markets = "hidden markets" if view == "final" else "public markets"
    ax.set(xlabel=f"normalised score on the {markets} (naive 0, baseline 1)", ylabel="",
           title=f"Competition leaderboard: {view} view")
    return ax
