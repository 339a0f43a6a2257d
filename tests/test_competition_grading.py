"""The competition assignment graded like every other: real nbgrader, the sandbox, the gradebook.

A class of strategies is submitted and autograded once: the model answer, a copy of the
baseline, the naive strategy, every declared near miss, a strategy stuck in its first
round, one that crashes mid-season, one that patches the grader's code in its own process
and one that hunts for the course's grading secret.  Their points come from the hidden
markets, drawn from this course copy's own secret.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from cbec.grading import autograde_class
from cbec.grading.autograde import COMPLETE_MARKER
from cbec.grading.functions import course_secret
from cbec.grading.submissions import fill_answers
from cbec.modules.competition import baseline
from cbec.modules.competition.assignment import DECLARATION, QUESTIONS
from cbec.modules.competition.referee import FULL_MARKS_SCORE, play_scenarios
from cbec.modules.competition.scenarios import hidden_scenarios, public_scenarios
from tests.graded_class import _solutions, _submit, released_course

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("competition")]

ASSIGNMENT = "competition"
POINTS = QUESTIONS[0].points
CALL_TIMEOUT = 2.0
COURSE_SECRET = "competition-test-secret"

CRASHES_IN_WEEK_5 = ("def policy(view):\n"
                     "    if view.week == 5:\n"
                     "        raise RuntimeError('a bug that shows in week 5')\n"
                     "    return baseline(view)\n")
PATCHES_THE_GRADER = ("import cbec.modules.competition.referee as referee\n"
                      "referee.CompetitionResult.points = lambda self, full: full\n"
                      "referee.competition_check = lambda policy: referee\n"
                      "referee.CompetitionResult.score = lambda self, hidden=True: 99.0\n"
                      "policy = naive\n")
HUNTS_THE_SECRET = (
                    "def policy(view):\n"
                    "    secret = open({path!r}).read()\n"
                    "    return baseline(view)\n")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = released_course(tmp_path_factory.mktemp("competition") / "course", ASSIGNMENT)
    config = course.root / "nbgrader_config.py"
    config.write_text(config.read_text() + f"\nc.GradingLimits.call_timeout = {CALL_TIMEOUT}\n")
    # a fixed secret, so the hidden markets (and who beats whom on them) are the same every run
    (course.root / ".cbec").mkdir()
    (course.root / ".cbec" / "grading-secret").write_text(COURSE_SECRET)
    released = course.release / ASSIGNMENT / DECLARATION.notebook
    solutions = _solutions(course, ASSIGNMENT)
    secret_path = course.root / ".cbec" / "grading-secret"
    answers = {
        "solver": solutions["q1"],
        "copier": "policy = baseline\n",
        "retyper": "def policy(view):\n    return baseline(view)\n",
        "naive": "policy = naive\n",
        **{f"nearmiss-{kind}": code["q1"] for kind, code in DECLARATION.near_misses.items()},
        "looper": DECLARATION.endless_loop,
        "crasher": CRASHES_IN_WEEK_5,
        "patcher": PATCHES_THE_GRADER,
        "hunter": HUNTS_THE_SECRET.format(path=str(secret_path)),
    }
    for student, code in answers.items():
        _submit(course, student, fill_answers(released, {"q1": code}, memo="My strategy."), assignment=ASSIGNMENT)
    _submit(course, "blank", nbformat.read(released, as_version=4), assignment=ASSIGNMENT)
    outcomes = {o.student_id: o for o in autograde_class(course, ASSIGNMENT, timeout=20, progress=False)}
    return course, outcomes


def _record(course, student) -> dict:
    marker = json.loads((course.autograded / student / ASSIGNMENT / COMPLETE_MARKER).read_text())
    return marker["runs"][0]["records"]["q1_tests"]["policy"]


def test_every_submission_is_graded_and_scored_on_the_hidden_markets(graded):
    course, outcomes = graded
    assert all(o.status == "graded" for o in outcomes.values()), outcomes
    secret = course_secret(course.root)
    assert secret == COURSE_SECRET
    expected = play_scenarios(baseline, public_scenarios() + hidden_scenarios(secret))
    copier = _record(course, "copier")
    # the copy of the baseline played in the sandbox exactly as the baseline plays in the grader
    assert copier["same_as_baseline"] and copier["final_score"] == pytest.approx(expected.score(hidden=True))
    assert copier["fingerprint"] == _record(course, "retyper")["fingerprint"]  # two copies are seen as one
    assert not _record(course, "solver")["same_as_baseline"]
    assert _record(course, "solver")["fingerprint"] != copier["fingerprint"]
    assert outcomes["copier"].score == pytest.approx(
        round(POINTS * min(1, max(0, expected.score(hidden=True) / FULL_MARKS_SCORE)), 2))
    assert {row["scenario"] for row in copier["scenarios"]} == {s.name for s in public_scenarios() + hidden_scenarios(secret)}


def test_the_model_answer_beats_the_baseline_and_the_baseline_beats_naive(graded):
    _, outcomes = graded
    assert outcomes["solver"].score >= outcomes["copier"].score > outcomes["naive"].score
    assert outcomes["naive"].score == 0


def test_near_misses_score_below_the_baseline(graded):
    _, outcomes = graded
    for kind in DECLARATION.near_misses:
        assert outcomes[f"nearmiss-{kind}"].score < outcomes["copier"].score, kind
    assert outcomes["nearmiss-no_return"].score == 0


def test_a_strategy_stuck_in_a_round_is_stopped_at_the_round_limit(graded):
    course, outcomes = graded
    record = _record(course, "looper")
    kinds = [failure["kind"] for failure in record["failures"]]
    assert kinds[:2] == ["timeout", "timeout"] and set(kinds[2:]) <= {"timeout"}
    assert f"longer than {CALL_TIMEOUT:g} s" in record["failures"][0]["message"]
    assert outcomes["looper"].score == 0


def test_a_crash_mid_season_ends_that_store_and_is_reported(graded):
    course, outcomes = graded
    record = _record(course, "crasher")
    assert record["failures"] and all(f["week"] == 5 for f in record["failures"])
    assert "a bug that shows in week 5" in record["failures"][0]["message"]
    assert outcomes["crasher"].score < outcomes["copier"].score


def test_patching_the_grader_in_the_students_process_changes_nothing(graded):
    course, outcomes = graded
    assert outcomes["patcher"].score == outcomes["naive"].score == 0
    assert _record(course, "patcher")["fingerprint"] == _record(course, "naive")["fingerprint"]
    assert _record(course, "patcher")["failures"] == []


def test_the_grading_secret_is_out_of_the_sandboxs_reach(graded):
    course, outcomes = graded
    record = _record(course, "hunter")
    assert record["failures"] and "No such file or directory" in record["failures"][0]["message"]
    assert outcomes["hunter"].score == 0


def test_a_blank_submission_scores_zero(graded):
    _, outcomes = graded
    assert outcomes["blank"].score == 0


def test_only_the_counted_submissions_are_collected(tmp_path):
    from cbec.grading.exchange import LIMIT_NOTE, Student, apply_submission_limit, collect, exchange_root, release_to_exchange

    course = released_course(tmp_path / "course", ASSIGNMENT)
    release_to_exchange(course, ASSIGNMENT)
    student = Student("eager", tmp_path / "homes" / "eager", exchange_root(course))
    path = student.fetch(ASSIGNMENT) / DECLARATION.notebook
    released = nbformat.read(path, as_version=4)
    for strategy in ("naive", "greedy", "baseline"):
        nbformat.write(fill_answers_from(released, f"policy = {strategy}\n"), path)
        student.submit(ASSIGNMENT)
    assert collect(course, ASSIGNMENT) == ["eager"]  # within the declared limit: the latest counts
    collected = course.submitted / "eager" / ASSIGNMENT
    assert "policy = baseline" in (collected / DECLARATION.notebook).read_text()
    assert apply_submission_limit(course, ASSIGNMENT, 2) == {"eager": 3}
    assert "policy = greedy" in (collected / DECLARATION.notebook).read_text()
    assert "handed in 3 times; the limit is 2" in (collected / LIMIT_NOTE).read_text()


def fill_answers_from(released, code: str):
    notebook = nbformat.from_dict(json.loads(json.dumps(released)))
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q1_answer":
            cell.source = code
    return notebook


def test_a_simulated_class_is_graded_ranked_credited_and_supervised(tmp_path):
    """What `make demo` does for the capstone, on a small class: strategies of their own, a copy
    of the baseline, an endless and a corrupt one; then the leaderboard, the course grade and
    the training dashboard from the same course."""
    import pandas as pd

    from cbec.cli import EXIT_OK, _simulate_activity, main
    from cbec.grading import simulate_class
    from cbec.modules.competition.leaderboard import leaderboard, read_results

    course = released_course(tmp_path / "course", ASSIGNMENT)
    roster = simulate_class(course, ASSIGNMENT, n_students=14, seed=3, progress=False)
    outcomes = {o.student_id: o for o in autograde_class(course, ASSIGNMENT, timeout=20, progress=False)}
    profiles = {s.student_id: s.profile for s in roster}
    board = leaderboard(read_results(course.root), "final").set_index("student")
    copier = next(s for s, p in profiles.items() if p == "copied")
    assert "course's baseline" in board.loc[copier, "note"]
    good = [s for s, p in profiles.items() if p == "complete"]
    assert len({round(board.loc[s, "score"], 6) for s in good}) > 1  # students' own strategies differ
    loop = next(s for s, p in profiles.items() if p == "infinite_loop")
    assert outcomes[loop].score == 0 and outcomes[next(s for s, p in profiles.items() if p == "corrupt")].status == "corrupt"

    args = ["--course-dir", str(course.root), "-q"]
    import argparse

    assert _simulate_activity(argparse.Namespace(course_dir=str(course.root), seed=3)) == EXIT_OK
    assert main([*args, "course-grade"]) == EXIT_OK
    grades = pd.read_csv(course.root / "course_grades.csv").set_index("student_id")
    assert grades.loc[good[0], "competition"] == pytest.approx(outcomes[good[0]].score / 100)
    assert grades["practice"].between(0, 1).all() and grades["practice"].max() > 0
    out = tmp_path / "reports"
    assert main([*args, "report", "competition_leaderboard_final", "training_dashboard", "course_grades",
                 "--out", str(out)]) == EXIT_OK
    reported = pd.read_csv(out / "course_grades" / "course_grades.csv").set_index("student_id")
    assert reported["course_grade"].to_dict() == pytest.approx(grades["course_grade"].to_dict())
    ranked = pd.read_csv(out / "competition_leaderboard_final" / "leaderboard.csv")
    assert set(ranked["student"]) == set(board.index)
    dashboard = json.loads((out / "training_dashboard" / "summary.json").read_text())
    # the selection ranking ranks exactly the students whose strategies were played on hidden markets
    assert dashboard["ranked"] == board["score"].notna().sum() and len(dashboard["selected"]) == 5
    assert dashboard["registered"] == len(roster)
