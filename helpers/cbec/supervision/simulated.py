"""A seeded simulated class that writes real activity-log files, with the truth it was built from.

Three profiles, in the proportions of the case the project started from (94 registered,
69 at the one training, 44 ever practised):

- **engaged**: practise until the end, improve from season to season, take the quizzes,
  submit; their last activity falls within the last ``idle_days`` days.
- **stopped**: practise a season or three without improving, then stop at least
  ``idle_days + 1`` days before ``as_of``: exactly the idle accounts.
- **never played**: never practise; some of those who came to the training take a quiz.

A few practisers never came to the training.  With ``damage=True`` the log also gets two
malformed lines and one forged line (an event in one student's file claiming a
never-played student), which the reader must skip.  The truth also holds hidden-seed
competition scores (per-student spread: the consistency truth) and module assignment scores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cbec.activity.log import SUFFIX, ActivityLog, ensure_folder
from cbec.activity.timestamps import iso, parse_time
from cbec.supervision.roster import SupervisionError

DAY = pd.Timedelta(days=1)
#: The case study: 94 registered, 69 trained, 44 practised.
CASE_SHARES = {"trained": 69 / 94, "practised": 44 / 94}


@dataclass(frozen=True)
class SimulatedClass:
    """The written log ``folder`` and the truth: one row per student in ``truth``."""

    folder: Path
    roster: pd.DataFrame
    truth: pd.DataFrame
    competition_scores: pd.DataFrame
    module_scores: pd.DataFrame
    start: pd.Timestamp
    as_of: pd.Timestamp
    idle_days: float
    skipped_lines: int

    def students(self, **where) -> set[str]:
        """Students whose truth matches every ``column=value``, e.g. ``students(profile="stopped")``."""
        mask = pd.Series(True, index=self.truth.index)
        for column, value in where.items():
            mask &= self.truth[column] == value
        return set(self.truth.loc[mask, "student"])


def simulated_roster(n: int = 94, seed: int = 0) -> pd.DataFrame:
    """A roster of ``n`` students (``s001`` ...), with names and e-mail addresses."""
    rng = np.random.default_rng(seed)
    first = ["Ana", "Bo", "Chen", "Dana", "Eli", "Fang", "Gus", "Hana", "Ivo", "Jia", "Kai", "Lin", "Mei", "Noor"]
    last = ["Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun"]
    ids = [f"s{i:03d}" for i in range(1, n + 1)]
    return pd.DataFrame({"student": ids, "first_name": rng.choice(first, n), "last_name": rng.choice(last, n),
                         "email": [f"{s}@students.example.edu" for s in ids]})


def _module_assignments() -> list[str]:
    from cbec.modules.registry import assignment_modules

    return [name.split(".")[2] for name in assignment_modules()]


def _quiz_maxima() -> dict[str, float]:
    from cbec.quizzes import course_quizzes

    return {module: quiz.max_score for module, quiz in course_quizzes().items()}


class _Writer:
    """Records a student's simulated events, in time order, through the real log."""

    def __init__(self, folder: Path, student: str):
        self.log = ActivityLog(folder, student)
        self.pending: list[tuple[pd.Timestamp, dict]] = []

    def add(self, time: pd.Timestamp, event: dict):
        self.pending.append((time, event))

    def flush(self) -> pd.Timestamp | None:
        self.pending.sort(key=lambda item: item[0])
        for time, event in self.pending:
            self.log.record(event, at=time)
        return self.pending[-1][0] if self.pending else None


def _season(writer: _Writer, rng, when: pd.Timestamp, seed: int, level: float, weeks: int, ability: float) -> float:
    """One practice season of ``weeks`` rounds around a weekly profit ``level``; returns its profit."""
    total = 0.0
    for week in range(1, weeks + 1):
        lost = float(rng.poisson(6 * (1 - ability)))
        spend = float(np.round(rng.uniform(20, 120), 2))
        ad_margin = float(np.round(spend * rng.lognormal(np.log(0.6 + 0.9 * ability), 0.3), 2))
        profit = float(np.round(level + rng.normal(0, 80) - 4 * lost, 2))
        total += profit
        writer.add(when + pd.Timedelta(minutes=3 * week), {
            "kind": "practice_round", "seed": seed, "week": week, "profit": profit, "lost_units": lost,
            "ad_spend": spend, "ad_gross_margin": ad_margin,
            "stockout_lines": int(min(lost, rng.integers(1, 4))) if lost else 0})
    writer.add(when + pd.Timedelta(minutes=3 * weeks + 1),
               {"kind": "practice_season", "seed": seed, "profit": round(total, 2), "weeks": weeks})
    return total


def _times(rng, low: pd.Timestamp, high: pd.Timestamp, n: int) -> list[pd.Timestamp]:
    seconds = np.sort(rng.uniform(0, (high - low).total_seconds(), n))
    return [low + pd.Timedelta(seconds=float(s)) for s in seconds]


def _assign_profiles(rng, n: int, practised_share: float, stopped_share: float, trained_share: float,
                     untrained_practisers: float) -> tuple[np.ndarray, np.ndarray]:
    n_practised = int(round(n * practised_share))
    n_stopped = int(round(n_practised * stopped_share))
    profiles = np.array(["engaged"] * (n_practised - n_stopped) + ["stopped"] * n_stopped
                        + ["never played"] * (n - n_practised))
    profiles = profiles[rng.permutation(n)]
    practisers = np.flatnonzero(profiles != "never played")
    never = np.flatnonzero(profiles == "never played")
    untrained = rng.choice(practisers, int(round(len(practisers) * untrained_practisers)), replace=False)
    trained = np.zeros(n, dtype=bool)
    trained[practisers] = True
    trained[untrained] = False
    extra = int(np.clip(round(n * trained_share) - trained.sum(), 0, len(never)))
    trained[rng.choice(never, extra, replace=False)] = True
    return profiles, trained


def simulate_class_activity(folder: str | Path, roster: pd.DataFrame | list[str], *, start, as_of, seed: int,
                            idle_days: float = 7, assignment: str | None = None, weeks: int = 8,
                            hidden_seeds: int = 10, trained_share: float = CASE_SHARES["trained"],
                            practised_share: float = CASE_SHARES["practised"], stopped_share: float = 0.4,
                            untrained_practisers: float = 0.1, damage: bool = True) -> SimulatedClass:
    """Write a simulated class's activity into ``folder`` (it must hold no log yet) and return its truth.

    ``roster``: a roster table (``student`` column) or a list of ids.  ``assignment`` names
    the competition assignment whose submissions are logged (None: none logged).  The
    truth's ``idle`` marks the stopped students, ``improving`` the engaged ones.
    """
    folder = Path(folder)
    if folder.is_dir() and any(folder.glob(f"*{SUFFIX}")):
        raise SupervisionError(f"{folder} already holds activity logs; simulate into an empty folder.")
    roster = pd.DataFrame({"student": roster}) if not isinstance(roster, pd.DataFrame) else roster
    students = list(roster["student"])
    start, as_of = parse_time(start), parse_time(as_of)
    if idle_days < 2:
        raise SupervisionError("idle_days must be at least 2 for the simulated class (engaged students play "
                               "within the last idle_days - 1 days).")
    if as_of - start < (idle_days + 5) * DAY:
        raise SupervisionError(f"From start to as_of there must be at least idle_days + 5 = {idle_days + 5:g} days "
                               "so that students can play, then stop and go idle.")
    rng = np.random.default_rng(seed)
    profiles, trained = _assign_profiles(rng, len(students), practised_share, stopped_share, trained_share,
                                         untrained_practisers)
    ensure_folder(folder)
    quiz_max = _quiz_maxima()
    training_time = start + DAY + pd.Timedelta(hours=14)
    rows, scores, module_rows = [], [], []
    seed_counter = 1000 * seed
    for student, profile, was_trained in zip(students, profiles, trained):
        writer = _Writer(folder, student)
        ability = float(rng.uniform(0.45, 1.0) if profile != "never played" else rng.uniform(0.1, 0.6))
        if was_trained:
            writer.add(training_time, {"kind": "training", "session": "kickoff", "hours": 3})
        submitted, seasons = False, 0
        if profile == "engaged":
            seasons = int(rng.integers(4, 8))
            last = as_of - rng.uniform(0.2, idle_days - 1) * DAY
            times = _times(rng, start + 2 * DAY, last - pd.Timedelta(hours=1), seasons - 1) + [last]
            for k, when in enumerate(times):
                seed_counter += 1
                _season(writer, rng, when, seed_counter, 250 * ability - 60 + 70 * k, weeks, ability)
            for module, maximum in quiz_max.items():
                share = np.clip(ability + rng.normal(0, 0.15), 0, 1)
                writer.add(_times(rng, start + 2 * DAY, last, 1)[0],
                           {"kind": "quiz", "module": module, "score": float(np.round(share * maximum)),
                            "max_score": maximum})
            submitted = True
            stop = last
        elif profile == "stopped":
            seasons = int(rng.integers(1, 4))
            stop = as_of - (idle_days + 1 + rng.uniform(0, 3)) * DAY
            for k, when in enumerate(_times(rng, start + 2 * DAY, stop, seasons)):
                seed_counter += 1
                _season(writer, rng, when, seed_counter, 250 * ability - 60 - 80 * k, weeks, ability)
            for module in list(quiz_max)[: int(rng.integers(0, len(quiz_max) + 1))]:
                writer.add(_times(rng, start + 2 * DAY, stop, 1)[0],
                           {"kind": "quiz", "module": module,
                            "score": float(np.round(np.clip(ability + rng.normal(0, 0.15), 0, 1) * quiz_max[module])),
                            "max_score": quiz_max[module]})
            submitted = bool(rng.random() < 0.5)
        elif was_trained and quiz_max and rng.random() < 0.4:
            module = str(rng.choice(list(quiz_max)))
            writer.add(training_time + rng.uniform(1, 3) * DAY,
                       {"kind": "quiz", "module": module, "score": float(rng.integers(0, 3)),
                        "max_score": quiz_max[module]})
        if submitted and assignment:
            when = writer.pending[-1][0] if profile == "engaged" else stop
            writer.add(when + pd.Timedelta(minutes=30), {"kind": "submission", "assignment": assignment,
                                                         "timestamp": iso(when + pd.Timedelta(minutes=30))})
        last_activity = writer.flush()
        if submitted:
            spread = float(rng.uniform(0.05, 0.4))
            for hidden in range(1, hidden_seeds + 1):
                failed = rng.random() < 0.03
                scores.append({"student": student, "seed": hidden,
                               "score": np.nan if failed else float(0.4 + 0.8 * ability + rng.normal(0, spread))})
            rows_spread = spread
        else:
            rows_spread = np.nan
        for module in _module_assignments():
            handed_in = rng.random() < (0.95 if profile != "never played" else 0.5)
            module_rows.append({"student": student, "assignment": module,
                                "share": float(np.clip(0.2 + 0.7 * ability + rng.normal(0, 0.1), 0, 1))
                                if handed_in else 0.0})
        rows.append({"student": student, "profile": profile, "trained": bool(was_trained),
                     "practised": profile != "never played", "submitted": submitted, "seasons": seasons,
                     "idle": profile == "stopped", "improving": profile == "engaged", "ability": ability,
                     "score_spread": rows_spread, "last_activity": last_activity})
    truth = pd.DataFrame(rows)
    skipped = _damage(folder, truth, rng) if damage else 0
    module_scores = (pd.DataFrame(module_rows, columns=["student", "assignment", "share"])
                     .pivot(index="student", columns="assignment", values="share"))
    return SimulatedClass(folder, roster, truth, pd.DataFrame(scores, columns=["student", "seed", "score"]),
                          module_scores, start, as_of, float(idle_days), skipped)


def _damage(folder: Path, truth: pd.DataFrame, rng) -> int:
    """Append two malformed lines and one forged event; returns how many lines the reader must skip."""
    practisers = truth.loc[truth["practised"], "student"].tolist()
    victims = truth.loc[~truth["practised"], "student"].tolist()
    if not practisers:
        return 0
    author = practisers[int(rng.integers(len(practisers)))]
    lines = ["this is not json", '{"kind": "practice_round", "seed": 1, "week": ']
    if victims:
        lines.append(json.dumps({"kind": "practice_season", "time": iso(truth["last_activity"].dropna().max()),
                                 "student": victims[0], "seed": 1, "profit": 99999.0, "weeks": 8}))
    with open(folder / f"{author}{SUFFIX}", "a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return len(lines)
