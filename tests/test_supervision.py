"""Supervision analytics against a simulated class with known truth, and on constructed examples."""

import pandas as pd
import pytest

from cbec.activity import ActivityLog, read_activity
from cbec.quizzes import course_quizzes
from cbec.reporting.provenance import Provenance
from cbec.supervision import (SupervisionError, assignment_scores, build_dashboard, chase_list, load_dashboard,
                              load_roster, losing_decisions, participation, selection_ranking, season_progress,
                              simulate_class_activity, simulated_roster)

START, AS_OF, IDLE = "2026-03-01", "2026-04-15", 7


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class") / "activity"
    return simulate_class_activity(folder, simulated_roster(94, seed=5), start=START, as_of=AS_OF, seed=11,
                                   idle_days=IDLE, assignment="final_strategy")


@pytest.fixture(scope="module")
def board(simulated):
    return load_dashboard(simulated.folder, as_of=AS_OF, idle_days=IDLE, roster=simulated.roster,
                          competition_scores=simulated.competition_scores, module_scores=simulated.module_scores,
                          assignment="final_strategy", team_size=5)


def _status(board, status):
    return set(board.participation.loc[board.participation["status"] == status, "student"])


def test_the_simulated_class_has_the_case_proportions(simulated):
    truth = simulated.truth
    assert len(truth) == 94 and truth["trained"].sum() == 69 and truth["practised"].sum() == 44
    assert (truth["practised"] & ~truth["trained"]).any()  # some practised without the training
    assert simulated.skipped_lines == 3


def test_dashboard_finds_exactly_the_idle_and_never_played_students(simulated, board):
    assert _status(board, "idle") == simulated.students(profile="stopped")
    assert _status(board, "never played") == simulated.students(profile="never played")
    assert _status(board, "active") == simulated.students(profile="engaged")
    chase = board.chase
    assert set(chase["student"]) == simulated.students(profile="stopped") | simulated.students(profile="never played")
    assert chase["status"].tolist() == sorted(chase["status"], key=["never played", "idle"].index)
    idle_rows = chase[chase["status"] == "idle"]
    assert (idle_rows["days_idle"] > IDLE).all() and idle_rows["days_idle"].is_monotonic_decreasing
    assert chase["email"].str.endswith("@students.example.edu").all()
    never = chase[chase["status"] == "never played"].set_index("student")
    assert never["not_done"].str.contains("practice").all()


def test_forged_and_malformed_lines_change_nothing(simulated, board):
    assert len(board.skipped) == simulated.skipped_lines
    forged = board.skipped[board.skipped["reason"].str.startswith("forged")]
    victim = forged["reason"].str.extract(r"claims student '([^']+)'")[0].iloc[0]
    assert victim in simulated.students(profile="never played") and victim in _status(board, "never played")


def test_funnel_counts_match_the_truth(simulated, board):
    truth = simulated.truth.set_index("student")
    table = board.participation.set_index("student")
    for stage in ("trained", "practised", "submitted"):
        assert table[stage].astype(bool).equals(truth[stage].reindex(table.index)), stage
    assert board.funnel["count"].tolist() == [94, 69, 44, int(truth["submitted"].sum())]


def test_improvement_is_found_in_the_students_who_improve(simulated, board):
    improving = set(board.progress.loc[board.progress["trend"] == "improving", "student"])
    engaged = simulated.students(profile="engaged")
    assert improving <= engaged and len(improving) >= 0.9 * len(engaged)


def test_quiz_matrix_has_every_module_and_engaged_students_took_all(simulated, board):
    assert list(board.quizzes.columns) == list(course_quizzes())
    engaged = sorted(simulated.students(profile="engaged"))
    assert board.quizzes.loc[engaged].notna().all().all()
    assert board.quizzes.stack().dropna().between(0, 1).all()


def test_a_past_as_of_ignores_later_events(simulated):
    early = pd.Timestamp(AS_OF, tz="UTC") - pd.Timedelta(days=20)
    events = read_activity(simulated.folder)
    table = participation(simulated.roster, events, as_of=early, idle_days=IDLE)
    assert (table["last_activity"].dropna() <= early).all()
    later = events[events["time"] > early]
    assert len(later) and build_dashboard(events, simulated.roster, as_of=early).events_after_as_of == len(later)


def _log(tmp_path, student, kind, when, **fields):
    ActivityLog(tmp_path, student).record({"kind": kind, **fields}, at=when)


def test_idle_is_strictly_more_than_idle_days(tmp_path):
    round_fields = dict(seed=1, week=1, profit=10.0, lost_units=0, ad_spend=0, ad_gross_margin=0, stockout_lines=0)
    _log(tmp_path, "exact", "practice_round", "2026-04-08", **round_fields)  # 7 days before as_of: not idle
    _log(tmp_path, "older", "practice_round", "2026-04-07 23:00", **round_fields)
    _log(tmp_path, "quizzer", "practice_round", "2026-03-01", **round_fields)
    _log(tmp_path, "quizzer", "quiz", "2026-04-14", module="m", score=1, max_score=2)  # any activity counts
    _log(tmp_path, "trainee", "training", "2026-04-14", session="kickoff")
    roster = load_roster(pd.DataFrame({"student": ["exact", "older", "quizzer", "trainee", "ghost"]}))
    table = participation(roster, read_activity(tmp_path), as_of="2026-04-15", idle_days=7).set_index("student")
    assert table["status"].to_dict() == {"exact": "active", "older": "idle", "quizzer": "active",
                                         "trainee": "never played", "ghost": "never played"}
    chase = chase_list(table.reset_index(), read_activity(tmp_path), quiz_modules=["m", "n"]).set_index("student")
    assert chase.loc["ghost", "not_done"] == "training, practice, submission, quiz m, quiz n"
    assert chase.loc["older", "not_done"] == "training, submission, quiz m, quiz n"
    with pytest.raises(ValueError, match="idle_days"):
        participation(roster, read_activity(tmp_path), as_of="2026-04-15", idle_days=0)


def test_losing_decisions_by_hand(tmp_path):
    rounds = [(100.0, 0, 0, 50.0, 80.0), (-20.0, 5, 2, 60.0, 20.0), (30.0, 0, 1, 0.0, 0.0)]
    for week, (profit, lost, lines, spend, margin) in enumerate(rounds, start=1):
        _log(tmp_path, "amy", "practice_round", f"2026-03-0{week}", seed=1, week=week, profit=profit,
             lost_units=lost, ad_spend=spend, ad_gross_margin=margin, stockout_lines=lines)
    row = losing_decisions(read_activity(tmp_path)).set_index("student").loc["amy"]
    assert (row["rounds"], row["stockout_rounds"], row["lost_units"]) == (3, 2, 5)
    assert (row["unprofitable_ad_rounds"], row["ad_money_lost"], row["loss_rounds"]) == (1, 40.0, 1)
    assert row["stockout_share"] == pytest.approx(2 / 3)


def test_season_trend_by_hand(tmp_path):
    for i, profit in enumerate([100, 200, 300, 400]):
        _log(tmp_path, "up", "practice_season", f"2026-03-0{i + 1}", seed=i, profit=profit, weeks=8)
    for i, profit in enumerate([300, 100]):
        _log(tmp_path, "short", "practice_season", f"2026-03-0{i + 1}", seed=i, profit=profit, weeks=8)
    progress = season_progress(read_activity(tmp_path)).set_index("student")
    assert progress.loc["up", "slope"] == pytest.approx(100) and progress.loc["up", "trend"] == "improving"
    assert progress.loc["short", "trend"] == "too few seasons"


SCORES = pd.DataFrame({"student": ["a"] * 3 + ["b"] * 3 + ["c"] * 3, "seed": [1, 2, 3] * 3,
                       "score": [1.0, 1.0, 1.0,   # steady
                                 2.0, 2.0, -1.0,  # best mean, collapses on one seed
                                 0.5, 0.7, None]})  # failed seed 3: counts as seed 3's worst (-1.0)
MODULES = pd.DataFrame({"m1": [0.2, 0.5, 1.0], "m2": [0.4, 0.5, 1.0]}, index=["a", "b", "c"])


def test_selection_ranking_on_a_constructed_example():
    # means a 1.0, b 1.0, c 0.067; lower quartiles a 1.0, b 0.5, c -0.25; modules a 0.3, b 0.5, c 1.0
    ranking = selection_ranking(SCORES, MODULES, team_size=2).set_index("student")
    assert ranking.loc["c", "failed_seeds"] == 1 and ranking.loc["c", "performance"] == pytest.approx(0.2 / 3)
    assert ranking.loc["b", "consistency"] == pytest.approx(0.5)
    # a: 0.5*0.75 + 0.3*1 + 0.2*0 = 0.675; b: 0.5*0.75 + 0.3*0.5 + 0.2*0.5 = 0.625; c: 0.2*1 = 0.2
    assert ranking["combined"].round(3).to_dict() == {"a": 0.675, "b": 0.625, "c": 0.2}
    assert ranking["rank"].to_dict() == {"a": 1, "b": 2, "c": 3}
    assert ranking["selected"].to_dict() == {"a": True, "b": True, "c": False}
    modules_first = selection_ranking(SCORES, MODULES, weights={"modules": 1}).set_index("student")
    assert list(modules_first.index) == ["c", "b", "a"]


def test_selection_inputs_are_checked():
    with pytest.raises(SupervisionError, match="missing score"):
        selection_ranking(SCORES.drop(columns="score"), MODULES)
    with pytest.raises(SupervisionError, match="twice"):
        selection_ranking(pd.concat([SCORES, SCORES.head(1)]), MODULES)
    with pytest.raises(SupervisionError, match="Unknown weight"):
        selection_ranking(SCORES, MODULES, weights={"luck": 1})
    with pytest.raises(SupervisionError, match=">= 0"):
        selection_ranking(SCORES, MODULES, weights={"performance": -1})
    with pytest.raises(SupervisionError, match="modules' weight to 0"):
        selection_ranking(SCORES, None)
    roster = pd.DataFrame({"student": ["a", "b", "c", "newcomer"]})
    ranking = selection_ranking(SCORES, None, weights={"performance": 1}, roster=roster).set_index("student")
    assert pd.isna(ranking.loc["newcomer", "rank"]) and ranking.loc["newcomer", "note"] == "no competition score"


def test_no_log_and_no_scores_degrade_with_notes(tmp_path):
    roster = pd.DataFrame({"student": ["amy", "bo"]})
    board = load_dashboard(tmp_path / "missing", as_of=AS_OF, roster=roster)
    assert board.ranking is None and board.headline()["never_played"] == 2
    assert any("No competition scores yet" in n for n in board.notes)
    assert any("no activity log folder" in n for n in board.notes)
    board.write(tmp_path / "out", provenance=Provenance.collect(parameters={}, data=board.inputs, seed=None))
    assert (tmp_path / "out" / "summary.json").is_file() and not (tmp_path / "out" / "selection_ranking.csv").exists()


def test_the_participation_table_feeds_the_programme_evaluation(board, tmp_path):
    from cbec.evaluation import evaluate, prepare

    board.write(tmp_path, provenance=Provenance.collect(parameters={}, data=board.inputs, seed=None))
    params = dict(data=str(tmp_path / "participation.csv"), outcome=None, treatment=None, covariates=[],
                  cluster=None, period=None, post_period=None, pre_score=None, post_score=None,
                  stages=["registered", "trained", "practised", "submitted"], survey_items=[], yes_no_items=[])
    spec, table = prepare(params)
    report = evaluate(spec, table)
    assert report.funnel["count"].tolist() == board.funnel["count"].tolist()


def test_module_scores_are_read_from_an_nbgrader_gradebook(tmp_path):
    from nbgrader.api import Gradebook

    from cbec.grading.course import _put_interpreter_tools_on_path

    _put_interpreter_tools_on_path()  # a new gradebook runs nbgrader's alembic migrations
    path = tmp_path / "gradebook.db"
    with Gradebook(f"sqlite:///{path}") as gb:
        for student in ("amy", "bo", "cy"):
            gb.add_student(student, first_name=student.title(), email=f"{student}@x.edu")
        for assignment in ("module_a", "final"):
            gb.add_assignment(assignment)
            gb.add_notebook("nb", assignment)
            gb.add_grade_cell("q1", "nb", assignment, max_score=10, cell_type="code")
        for student, points in (("amy", 10), ("bo", 4)):
            gb.add_submission("module_a", student)
            gb.find_grade("q1", "nb", "module_a", student).manual_score = points
        gb.add_submission("final", "cy", timestamp=pd.Timestamp("2026-04-01 10:00").to_pydatetime())
        gb.db.commit()
    scores = assignment_scores(path, exclude=("final",))
    assert list(scores.columns) == ["module_a"]
    assert scores["module_a"].to_dict() == {"amy": 1.0, "bo": 0.4, "cy": 0.0}
    from cbec.supervision.dashboard import gradebook_submissions

    handed = gradebook_submissions(path, "final")
    assert handed[["student", "time"]].values.tolist() == [["cy", pd.Timestamp("2026-04-01 10:00", tz="UTC")]]
    board = load_dashboard(tmp_path / "no_log", as_of=AS_OF, gradebook=path, assignment="final")
    assert board.participation.set_index("student")["submitted"].to_dict() == {"amy": 0, "bo": 0, "cy": 1}
    roster = load_roster(gradebook=path)
    assert roster["email"].tolist() == ["amy@x.edu", "bo@x.edu", "cy@x.edu"]
    with pytest.raises(SupervisionError, match="roster CSV"):
        load_roster(gradebook=tmp_path / "none.db")
    with pytest.raises(SupervisionError, match="twice"):
        load_roster(pd.DataFrame({"student": ["a", "a"]}))
