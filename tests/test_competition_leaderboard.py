"""The leaderboard and the course grade, on records and a gradebook built by hand."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cbec.grading.autograde import COMPLETE_MARKER
from cbec.modules.competition.leaderboard import hidden_seed_scores, leaderboard, read_results, scenario_table
from cbec.reporting.course_grade import (PRACTICE_ASSIGNMENT, CourseWeights, course_grades, practice_credit,
                                         record_practice_credit)


def _record(public, final, *, fingerprint, baseline=False, failures=0):
    stores = [{"scenario": name, "kind": "standard", "hidden": hidden, "store": 0, "profit": 1.0,
               "naive_profit": 0.0, "baseline_profit": 1.0, "score": score}
              for name, hidden, score in (("public_1", False, public), ("hidden_a", True, final),
                                          ("hidden_b", True, final))]
    return {"public_score": public, "final_score": final, "stores": stores, "fingerprint": fingerprint,
            "failures": [{"scenario": "hidden_a", "week": 3, "kind": "error", "message": "x"}] * failures,
            "same_as_baseline": baseline, "slowest_round_seconds": 0.01}


def _write(course, student, record):
    folder = course / "autograded" / student / "competition"
    folder.mkdir(parents=True)
    runs = [{"status": "completed", "records": {"q1_tests": {"policy": record}}}] if record else [{"status": "crashed"}]
    (folder / COMPLETE_MARKER).write_text(json.dumps({"runs": runs}))


def test_public_and_final_views_rank_differently_and_copies_are_flagged(tmp_path):
    _write(tmp_path, "ana", _record(1.4, 0.6, fingerprint="a"))     # tuned to the public markets
    _write(tmp_path, "bo", _record(1.0, 1.1, fingerprint="b"))
    _write(tmp_path, "cy", _record(1.0, 1.1, fingerprint="b"))      # the same decisions as bo
    _write(tmp_path, "di", _record(1.0, 1.0, fingerprint="c", baseline=True, failures=1))
    _write(tmp_path, "ed", None)                                    # graded, but never played
    results = read_results(tmp_path)
    assert results.unreadable and "ed" in results.unreadable[0]
    public, final = leaderboard(results, "public"), leaderboard(results, "final")
    assert public["student"].iloc[0] == "ana" and list(final["student"][:2]) == ["bo", "cy"]
    assert list(final["rank"]) == [1, 1, 3, 4]
    notes = dict(zip(final["student"], final["note"]))
    assert notes["bo"] == "same decisions as cy" and "course's baseline" in notes["di"] and "1 store(s)" in notes["di"]
    assert set(scenario_table(results).columns) == {"hidden_a", "hidden_b"}
    seeds = hidden_seed_scores(results)
    assert list(seeds.columns) == ["student", "seed", "score"] and len(seeds) == 8
    with pytest.raises(ValueError, match="use 'public'"):
        leaderboard(results, "private")


def test_an_empty_course_gives_an_empty_board(tmp_path):
    assert leaderboard(read_results(tmp_path)).empty


def test_practice_credit_reaches_the_gradebook_and_the_weighted_grade(tmp_path):
    from nbgrader.api import Gradebook

    from cbec.grading.course import _put_interpreter_tools_on_path

    _put_interpreter_tools_on_path()
    path = tmp_path / "gradebook.db"
    with Gradebook(f"sqlite:///{path}") as gb:
        for name, points in (("module_a", 10.0), ("competition", 10.0)):
            gb.update_or_create_assignment(name)
            gb.update_or_create_notebook("nb", name)
            gb.update_or_create_grade_cell("q", "nb", name, max_score=points, cell_type="code")
        for student in ("ana", "bo"):
            gb.update_or_create_student(student)
        for name, student, score in (("module_a", "ana", 8.0), ("competition", "ana", 5.0), ("module_a", "bo", 10.0)):
            gb.add_submission(name, student)
            gb.find_grade("q", "nb", name, student).auto_score = score
        gb.db.commit()
    events = pd.DataFrame({"student": ["ana"] * 6 + ["bo"] * 2, "kind": ["practice_season"] * 7 + ["quiz"]})
    weights = CourseWeights()
    credit = practice_credit(events, ["ana", "bo", "cy"], weights.practice_target_seasons)
    assert credit.to_dict() == {"ana": 1.0, "bo": 0.2, "cy": 0.0}
    assert record_practice_credit(path, credit) == 3
    assert record_practice_credit(path, credit) == 3  # again: updated, not duplicated
    grades = course_grades(path, weights).set_index("student_id")
    assert grades.loc["ana", "course_grade"] == pytest.approx(100 * (0.6 * 0.8 + 0.2 * 0.5 + 0.2 * 1.0))
    assert grades.loc["bo", "course_grade"] == pytest.approx(100 * (0.6 * 1.0 + 0.2 * 0.0 + 0.2 * 0.2))
    assert grades.loc["cy", "course_grade"] == 0
    with Gradebook(f"sqlite:///{path}") as gb:
        assert gb.find_submission(PRACTICE_ASSIGNMENT, "bo").score == 20


def test_weights_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError, match="add up to 1"):
        CourseWeights(assignments=0.7, competition=0.2, practice=0.2).checked()
