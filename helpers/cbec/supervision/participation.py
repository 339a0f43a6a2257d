"""Who took part, and how far: the participation funnel, never played, idle, and the accounts to chase.

Definitions (all relative to ``as_of``; events after it are ignored, so a report can be
re-run as of a past day):

- **trained**: a ``training`` event.  **practised**: a ``practice_round`` or
  ``practice_season`` event.  **submitted**: a submission of the given assignment, from the
  log or from nbgrader's own record (exchange inbound, gradebook).
- **never played**: registered, never practised (whatever else they did).
- **idle**: practised, but no activity of any kind in the last ``idle_days`` days
  (last activity strictly more than ``idle_days`` days before ``as_of``).
"""

from __future__ import annotations

import pandas as pd

from cbec.activity.timestamps import parse_time

FUNNEL_STAGES = ("registered", "trained", "practised", "submitted")
PRACTICE_KINDS = ("practice_round", "practice_season")
STATUSES = ("active", "idle", "never played")


def until(events: pd.DataFrame, as_of) -> pd.DataFrame:
    """The events at or before ``as_of``."""
    return events[events["time"] <= parse_time(as_of)]


def participation(roster: pd.DataFrame, events: pd.DataFrame, *, as_of, idle_days: float,
                  submissions: pd.DataFrame | None = None, assignment: str | None = None) -> pd.DataFrame:
    """One row per roster student: the funnel stages (0/1), counts, last activity, days idle, status.

    ``submissions`` (student, assignment, time) adds nbgrader's record to the log's
    ``submission`` events; ``assignment`` names the one that counts as *submitted* (None: any).
    """
    if idle_days <= 0:
        raise ValueError(f"idle_days is a number of days above 0, got {idle_days!r}.")
    as_of = parse_time(as_of)
    events = until(events, as_of)
    submitted_rows = events.loc[events["kind"] == "submission", ["student"]].assign(
        assignment=events.get("assignment"))
    if submissions is not None and len(submissions):
        submitted_rows = pd.concat([submitted_rows, until(submissions, as_of)[["student", "assignment"]]])
    if assignment is not None:
        submitted_rows = submitted_rows[submitted_rows["assignment"] == assignment]
    by_kind = events.groupby(["student", "kind"]).size().unstack(fill_value=0)
    count = {kind: by_kind[kind] if kind in by_kind else pd.Series(dtype=int) for kind in
             ("training", "practice_round", "practice_season", "quiz")}
    last = events.groupby("student")["time"].max()
    table = roster.set_index("student").copy()
    table["registered"] = 1
    for column, kind in (("trainings", "training"), ("rounds", "practice_round"),
                         ("seasons", "practice_season"), ("quizzes", "quiz")):
        table[column] = count[kind].reindex(table.index).fillna(0).astype(int)
    table["trained"] = (table["trainings"] > 0).astype(int)
    table["practised"] = ((table["rounds"] + table["seasons"]) > 0).astype(int)
    table["submitted"] = table.index.isin(set(submitted_rows["student"])).astype(int)
    table["last_activity"] = last.reindex(table.index)
    table["days_idle"] = (as_of - table["last_activity"]) / pd.Timedelta(days=1)
    idle = table["practised"].eq(1) & (table["days_idle"] > idle_days)
    table["status"] = "active"
    table.loc[idle, "status"] = "idle"
    table.loc[table["practised"].eq(0), "status"] = "never played"
    return table.reset_index()


def unregistered(roster: pd.DataFrame, events: pd.DataFrame) -> list[str]:
    """Students with log files who are not on the roster (a typo in an id, or a missing registration)."""
    return sorted(set(events["student"]) - set(roster["student"]))


def chase_list(table: pd.DataFrame, events: pd.DataFrame, *, quiz_modules=(), as_of=None) -> pd.DataFrame:
    """The accounts to chase: never played or idle, longest silence first, with what they have not done.

    Contact-ready: name, e-mail, status, last activity (date), days idle and ``not_done``
    (training, practice, submission and the module quizzes they have not taken).
    """
    if as_of is not None:
        events = until(events, as_of)
    quizzes = events[events["kind"] == "quiz"]
    taken = quizzes.groupby("student")["module"].agg(set) if len(quizzes) else pd.Series(dtype=object)
    chase = table[table["status"].isin(["never played", "idle"])].copy()
    not_done = []
    for row in chase.itertuples():
        missing = [stage for stage, column in (("training", "trained"), ("practice", "practised"),
                                               ("submission", "submitted")) if not getattr(row, column)]
        done = taken.get(row.student, set())
        missing += [f"quiz {m}" for m in quiz_modules if m not in done]
        not_done.append(", ".join(missing))
    chase["not_done"] = not_done
    chase["last_activity"] = chase["last_activity"].dt.strftime("%Y-%m-%d")
    chase["order"] = chase["status"].map({"never played": 0, "idle": 1})
    chase = chase.sort_values(["order", "days_idle", "student"], ascending=[True, False, True], na_position="first")
    columns = ["student", "first_name", "last_name", "email", "status", "last_activity", "days_idle", "not_done"]
    return chase[columns].reset_index(drop=True)


def funnel_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Students at each funnel stage, with the share of the registered and of the previous stage."""
    from cbec.evaluation.funnel import participation_funnel

    return participation_funnel(table, list(FUNNEL_STAGES))
