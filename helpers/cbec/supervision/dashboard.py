"""The training dashboard: every supervision table of a class, built from its log, roster and gradebook.

:func:`load_dashboard` reads the sources (activity folder, roster or gradebook, nbgrader's
exchange, the competition scores) and :func:`build_dashboard` computes the tables from
tables, so tests and the report notebook use the same path.  Nothing missing crashes it:
no log means everyone has "never played", no competition score means no ranking yet, and
each gap is said in ``notes``.  ``load_dashboard`` records every source it read in
``inputs`` (for the provenance of ``summary.json``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cbec.activity.log import SUFFIX, scan_activity
from cbec.activity.timestamps import parse_time, utc_now
from cbec.reporting.provenance import Provenance, file_input, folder_input, table_input
from cbec.supervision.participation import chase_list, funnel_counts, participation, unregistered, until
from cbec.supervision.practice import losing_decisions, quiz_scores, season_profits, season_progress
from cbec.supervision.roster import SupervisionError, assignment_scores, gradebook_assignments, load_roster
from cbec.supervision.selection import check_weights, selection_ranking


@dataclass
class TrainingDashboard:
    """The tables of the dashboard; ``notes`` say what could not be shown and why, ``inputs``
    what it was read from (provenance entries, see :mod:`cbec.reporting.provenance`)."""

    as_of: pd.Timestamp
    idle_days: float
    participation: pd.DataFrame
    funnel: pd.DataFrame
    chase: pd.DataFrame
    progress: pd.DataFrame
    profits: pd.DataFrame
    losing: pd.DataFrame
    quizzes: pd.DataFrame
    ranking: pd.DataFrame | None
    skipped: pd.DataFrame
    unregistered: list[str] = field(default_factory=list)
    events_after_as_of: int = 0
    notes: list[str] = field(default_factory=list)
    inputs: list[dict] = field(default_factory=list)

    def headline(self) -> dict:
        table = self.participation
        counts = {stage: int(table[stage].sum()) for stage in ("registered", "trained", "practised", "submitted")}
        ranked = self.ranking[self.ranking["rank"].notna()] if self.ranking is not None else None
        return {"as_of": self.as_of.isoformat(), "idle_days": self.idle_days, **counts,
                "never_played": int((table["status"] == "never played").sum()),
                "idle": int((table["status"] == "idle").sum()),
                "active": int((table["status"] == "active").sum()),
                "to_chase": len(self.chase),
                "improving": int((self.progress["trend"] == "improving").sum()),
                "skipped_lines": len(self.skipped), "events_after_as_of": self.events_after_as_of,
                "unregistered_students": self.unregistered,
                "ranked": None if ranked is None else len(ranked),
                "selected": None if ranked is None else ranked.loc[ranked["selected"], "student"].tolist(),
                "notes": self.notes}

    def write(self, output_dir, *, provenance: Provenance) -> Path:
        """``summary.json`` (the headline and ``provenance``) and the tables as CSV files in ``output_dir``."""
        from cbec.reporting.summary import write_summary

        tables = {"participation": self.participation, "chase_list": self.chase, "season_progress": self.progress,
                  "losing_decisions": self.losing, "quiz_scores": self.quizzes, "funnel": self.funnel,
                  "skipped_lines": self.skipped}
        if self.ranking is not None:
            tables["selection_ranking"] = self.ranking
        return write_summary(output_dir, self.headline(), tables, provenance=provenance)


def build_dashboard(events: pd.DataFrame, roster: pd.DataFrame, *, as_of, idle_days: float = 7,
                    submissions: pd.DataFrame | None = None, assignment: str | None = None,
                    competition_scores: pd.DataFrame | None = None, module_scores: pd.DataFrame | None = None,
                    weights: dict | None = None, team_size: int | None = None, quiz_modules=(),
                    skipped: pd.DataFrame | None = None, min_seasons: int = 3) -> TrainingDashboard:
    """Every table of the dashboard from the events, the roster and the scores (see the functions it calls)."""
    as_of = parse_time(as_of)
    notes = []
    later = int((events["time"] > as_of).sum())
    events = until(events, as_of)
    table = participation(roster, events, as_of=as_of, idle_days=idle_days, submissions=submissions,
                          assignment=assignment)
    if events.empty:
        notes.append("The activity log is empty: nobody has recorded a training, practice round, quiz or "
                     "submission yet, so every student shows as never played.")
    on_roster = events[events["student"].isin(set(roster["student"]))]
    ranking = None
    weights = check_weights(weights)
    if competition_scores is None or len(competition_scores) == 0:
        notes.append("No competition scores yet: the selection ranking appears once the grader has scored the "
                     "hidden seeds (pass competition_scores: student, seed, score).")
    else:
        if module_scores is None or module_scores.empty:
            if weights["modules"] > 0:
                notes.append("No module assignment scores (no gradebook): the ranking uses the competition "
                             "scores only.")
            weights = {**weights, "modules": 0.0}
            module_scores = None
            if sum(weights.values()) == 0:
                weights = {"performance": 1.0}
        ranking = selection_ranking(competition_scores, module_scores, weights=weights, team_size=team_size,
                                    roster=roster)
    return TrainingDashboard(
        as_of=as_of, idle_days=float(idle_days), participation=table, funnel=funnel_counts(table),
        chase=chase_list(table, on_roster, quiz_modules=quiz_modules), progress=season_progress(on_roster, min_seasons),
        profits=season_profits(on_roster), losing=losing_decisions(on_roster),
        quizzes=quiz_scores(on_roster, quiz_modules), ranking=ranking,
        skipped=skipped if skipped is not None else pd.DataFrame(columns=["file", "line", "reason"]),
        unregistered=unregistered(roster, events), events_after_as_of=later, notes=notes)


def _table(value, what: str) -> pd.DataFrame | None:
    if value is None or isinstance(value, pd.DataFrame):
        return value
    path = Path(value)
    if not path.is_file():
        raise SupervisionError(f"No {what} file at {path}.")
    return pd.read_csv(path) if path.suffix != ".parquet" else pd.read_parquet(path)


def gradebook_submissions(gradebook: str | Path, assignment: str, as_of=None) -> pd.DataFrame:
    """Submissions of ``assignment`` recorded in nbgrader's gradebook (student, assignment, time).

    A submission without a timestamp still counts as handed in; its time is unknown, so it is
    put at ``as_of`` (default: now), the latest time that counts.
    """
    from cbec.reporting.gradebook import load_assignment_grades

    students = load_assignment_grades(gradebook, assignment).students
    handed = students[students["submitted"]]
    times = pd.to_datetime(handed["timestamp"]).dt.tz_localize("UTC") if len(handed) else pd.Series(dtype=object)
    unknown_time = parse_time(as_of) if as_of is not None else utc_now()
    return pd.DataFrame({"student": handed["student_id"], "assignment": assignment,
                         "time": times.fillna(unknown_time) if len(handed) else times, "source": "gradebook"})


def load_dashboard(activity, *, as_of=None, idle_days: float = 7, course_dir=None, gradebook=None, roster=None,
                   competition_scores=None, module_scores=None, assignment: str | None = None,
                   module_assignments: list[str] | None = None, weights: dict | None = None,
                   team_size: int | None = None, min_seasons: int = 3) -> TrainingDashboard:
    """Read the sources and build the dashboard.

    ``activity``: the log folder.  The roster is ``roster`` (table or CSV), else the
    gradebook's students, else the students found in the log.  Submissions of
    ``assignment`` come from the log, the course's exchange inbound and the gradebook.
    Module scores: ``module_scores`` (students x assignments shares), else the gradebook's
    ``module_assignments`` (default: every assignment but ``assignment``).
    """
    from cbec.quizzes import course_quizzes

    as_of = parse_time(as_of) if as_of is not None else utc_now()
    scan = scan_activity(activity)
    events = scan.events
    notes = []
    inputs = [folder_input(activity, f"*{SUFFIX}")]
    if not Path(activity).is_dir():
        notes.append(f"There is no activity log folder at {'/'.join(Path(activity).parts[-3:])!r} yet "
                     "(it appears when the first student records an event).")
    gradebook = Path(gradebook) if gradebook else (Path(course_dir) / "gradebook.db" if course_dir else None)
    has_gradebook = gradebook is not None and gradebook.is_file()
    if gradebook is not None and not has_gradebook:
        notes.append(f"No gradebook at {gradebook.name!r} in {gradebook.parent.name!r}: no module assignment scores "
                     "(autograde first, or pass the gradebook).")
    if has_gradebook:
        inputs.append(file_input(gradebook))
    given = {"roster": roster, "competition_scores": competition_scores, "module_scores": module_scores}
    if roster is not None:
        roster_table = load_roster(_table(roster, "roster") if not isinstance(roster, pd.DataFrame) else roster)
    elif has_gradebook:
        roster_table = load_roster(gradebook=gradebook)
    else:
        roster_table = load_roster(pd.DataFrame({"student": sorted(events["student"].unique())}))
        notes.append("No roster and no gradebook: the roster is the students found in the log, so nobody who "
                     "never logged anything can be listed. Pass a roster CSV or the gradebook.")
    submissions = []
    if course_dir is not None and assignment:
        from cbec.activity.exchange import inbound_submissions
        from cbec.activity.location import course_exchange

        root, course_id = course_exchange(course_dir)
        submissions.append(inbound_submissions(root / course_id / "inbound"))
        inputs.append(folder_input(root / course_id / "inbound", names_only=True))  # the folder names are the record
    if has_gradebook and assignment and assignment in gradebook_assignments(gradebook):
        submissions.append(gradebook_submissions(gradebook, assignment, as_of))
    if module_scores is None and has_gradebook:
        module_scores = assignment_scores(gradebook, module_assignments, exclude=(assignment,) if assignment else ())
    dashboard = build_dashboard(
        events, roster_table, as_of=as_of, idle_days=idle_days,
        submissions=pd.concat(submissions, ignore_index=True) if submissions else None, assignment=assignment,
        competition_scores=_table(competition_scores, "competition scores"), module_scores=module_scores,
        weights=weights, team_size=team_size, quiz_modules=list(course_quizzes()), skipped=scan.skipped,
        min_seasons=min_seasons)
    dashboard.notes[:0] = notes
    dashboard.inputs = inputs + [_input_of(value, name) for name, value in given.items() if value is not None]
    return dashboard


def _input_of(value, name: str) -> dict:
    """The provenance entry of a source given as a table or as a file."""
    return table_input(name, value, kind="table") if isinstance(value, pd.DataFrame) else file_input(value)
