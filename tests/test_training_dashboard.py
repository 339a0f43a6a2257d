"""The training dashboard report: a real papermill run on a simulated class, and on no log at all."""

import json

import pandas as pd

from cbec.reporting.runner import load_specs, run_report
from cbec.supervision import simulate_class_activity, simulated_roster


def test_dashboard_report_on_a_simulated_class(tmp_path):
    roster = simulated_roster(40, seed=2)
    simulated = simulate_class_activity(tmp_path / "activity", roster, start="2026-03-01", as_of="2026-04-15",
                                        seed=4, idle_days=5, assignment="competition")
    roster.to_csv(tmp_path / "roster.csv", index=False)
    simulated.competition_scores.to_csv(tmp_path / "scores.csv", index=False)
    spec = load_specs()["training_dashboard"]
    run = run_report(spec, tmp_path / "out", overrides={
        "activity": str(simulated.folder), "roster": str(tmp_path / "roster.csv"),
        "competition_scores": str(tmp_path / "scores.csv"), "as_of": "2026-04-15", "idle_days": 5,
        "weights": {"performance": 0.6, "consistency": 0.4}, "team_size": 3})
    assert run.ok, run.error
    folder = tmp_path / "out" / "training_dashboard"
    summary = json.loads((folder / "summary.json").read_text())
    truth = simulated.truth
    assert summary["registered"] == 40 and summary["practised"] == truth["practised"].sum()
    assert summary["idle"] == len(simulated.students(profile="stopped"))
    assert summary["skipped_lines"] == simulated.skipped_lines and len(summary["selected"]) == 3
    read = {entry.get("path"): entry for entry in summary["provenance"]["data"]}
    log = read[str(simulated.folder.resolve())]
    assert log["files"] == len(list(simulated.folder.glob("*.jsonl"))) and log["kind"] == "folder"
    assert read[str((tmp_path / "scores.csv").resolve())]["rows"] == len(simulated.competition_scores)
    assert summary["provenance"]["parameters"]["as_of"] == "2026-04-15" and summary["provenance"]["clock"] == {}
    chase = pd.read_csv(folder / "chase_list.csv")
    assert set(chase["student"]) == simulated.students(profile="stopped") | simulated.students(profile="never played")
    ranking = pd.read_csv(folder / "selection_ranking.csv")
    assert set(ranking.loc[ranking["rank"].notna(), "student"]) == simulated.students(submitted=True)
    page = run.html.read_text(encoding="utf-8")
    assert "load_dashboard(" not in page, "the HTML report must hide code"
    for heading in ("Participation funnel", "Accounts to chase", "Improvement from season to season",
                    "Decisions that lose money", "Module quizzes", "Selection ranking", "Log lines skipped"):
        assert heading in page, heading
    assert "forged" in page and str(tmp_path) not in page
    assert "<script src=\"http" not in page  # works offline


def test_dashboard_report_without_a_log_or_scores_says_so(course_copy, tmp_path):
    # a course of its own: the project's may hold graded strategies (after `make demo`)
    run = run_report(load_specs()["training_dashboard"], tmp_path / "out",
                     overrides={"activity": str(tmp_path / "no_log_yet"), "as_of": "2026-04-15",
                                "gradebook": str(tmp_path / "gradebook.db"), "course_dir": str(course_copy)})
    assert run.ok, run.error
    page = run.html.read_text(encoding="utf-8")
    assert "No competition scores yet" in page and "no activity log folder" in page and "No gradebook" in page
    summary = json.loads((tmp_path / "out" / "training_dashboard" / "summary.json").read_text())
    assert summary["registered"] == 0 and summary["ranked"] is None


def test_the_demo_entry_runs_the_same_notebook_on_a_simulated_class():
    specs = load_specs()
    assert specs["training_dashboard_demo"].notebook == specs["training_dashboard"].notebook
    assert specs["training_dashboard_demo"].parameters["activity"] == "simulated"
