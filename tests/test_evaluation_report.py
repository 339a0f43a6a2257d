"""The evaluation notebook run as researchers run it: papermill through `cbec report`."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from cbec.cli import main
from cbec.reporting.runner import load_specs, run_reports, select
from cbec.evaluation.simulation import programme_truth

pytestmark = [pytest.mark.notebook, pytest.mark.xdist_group("evaluation_reports")]
EVALUATION_REPORTS = ["program_evaluation", "platinum_cup_2020", "competition_awards", "spector_psi",
                      "few_classes_pilot"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    runs = run_reports(select(load_specs(), EVALUATION_REPORTS), out_root=out, workers=2, progress=False)
    return out, {run.name: run for run in runs}


def summary_of(rendered, name):
    out, runs = rendered
    assert runs[name].ok, runs[name].error
    return json.loads((out / name / "summary.json").read_text())


def test_spector_notebook_reproduces_the_published_logit(rendered):
    summary = summary_of(rendered, "spector_psi")
    assert summary["model"] == "logit" and summary["n"] == 32
    published = {"PSI": 2.379, "GPA": 2.826, "TUCE": 0.095, "const": -13.021}
    assert {term: round(summary["estimates"][term]["coef"], 3) for term in published} == published


def test_simulated_cohorts_recover_the_true_effect(rendered):
    summary = summary_of(rendered, "program_evaluation")
    assert summary["design"] == "difference-in-differences" and summary["model"] == "ols"
    effect = summary["estimates"]["pilot_track:post"]
    assert effect["ci_low"] <= programme_truth()["post_test:did"] <= effect["ci_high"]
    assert summary["event_study"]["base_period"] == 2020
    assert {"funnel", "balance", "gains", "survey", "yes_no"} <= set(summary)
    out, _ = rendered
    for table in ("estimates", "event_study", "funnel", "balance", "gains", "survey_items"):
        assert (out / "program_evaluation" / f"{table}.csv").exists()


def test_award_logit_report_has_odds_ratios_and_marginal_effects(rendered):
    summary = summary_of(rendered, "competition_awards")
    assert summary["model"] == "logit" and summary["se_type"].startswith("cluster-robust CR1 by class_id")
    truth = programme_truth()["award:integrated"]
    effect = summary["estimates"]["integrated"]
    assert effect["ci_low"] <= truth <= effect["ci_high"]
    assert summary["odds_ratios"]["integrated"]["odds_ratio"] > 1
    assert 0 < summary["marginal_effects"]["integrated"]["dydx"] < 1


def test_platinum_cup_report_shows_the_published_funnel(rendered):
    summary = summary_of(rendered, "platinum_cup_2020")
    assert [(row["stage"], row["count"]) for row in summary["funnel"]] == [
        ("registered", 94), ("attended_training", 69), ("logged_in", 44)]
    assert round(summary["yes_no"]["wants_second_training"]["share"], 2) == 0.81
    assert "estimates" in summary and summary["model"] is None


def test_html_hides_code_and_index_links_every_run(rendered):
    out, runs = rendered
    for name in EVALUATION_REPORTS:
        page = runs[name].html.read_text(encoding="utf-8")
        assert "prepare(dict(" not in page and "show.effects" not in page, f"{name}: code is visible"
        assert "Traceback" not in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{name}/report.html"' in index for name in EVALUATION_REPORTS)
    assert "Participation funnel" in runs["platinum_cup_2020"].html.read_text(encoding="utf-8")
    assert "Effect estimates" not in runs["platinum_cup_2020"].html.read_text(encoding="utf-8")


def test_bad_report_fails_alone_with_its_parameter_named(tmp_path, capsys):
    notebook = load_specs()["program_evaluation"].notebook
    config = tmp_path / "reports.yml"
    config.write_text(yaml.safe_dump({"reports": {
        "arm_is_not_binary": {"notebook": str(notebook), "parameters": {"treatment": "cohort", "period": None,
                                                                         "post_period": None}},
        "spector": {"notebook": str(notebook), "parameters": {
            "data": "spector", "outcome": "GRADE", "treatment": "PSI", "covariates": ["GPA", "TUCE"],
            "cluster": None, "period": None, "post_period": None, "pre_score": None, "post_score": None,
            "stages": [], "survey_items": [], "yes_no_items": []}},
    }}))
    code = main(["-q", "report", "--config", str(config), "--out", str(tmp_path / "out"), "-p", "alpha=0.1"])
    printed = capsys.readouterr().out
    assert code == 3, printed
    bad = tmp_path / "out" / "arm_is_not_binary"
    assert "treatment: column 'cohort' must be binary" in (bad / "error.txt").read_text()
    assert not (bad / "summary.json").exists(), "the run must stop before any analysis"
    good = json.loads((tmp_path / "out" / "spector" / "summary.json").read_text())
    assert good["confidence_level"] == pytest.approx(0.9)  # the -p override reached the notebook
    assert "FAILED" in printed and "must be binary" in printed


def test_unknown_override_is_refused_before_running(tmp_path, capsys):
    code = main(["-q", "report", "spector_psi", "--out", str(tmp_path), "-p", "outcom=GRADE"])
    assert code == 3
    error = (tmp_path / "spector_psi" / "error.txt").read_text()
    assert "no parameter(s) outcom" in error and "outcome" in error


def test_few_treated_classes_take_cr2_and_show_the_bootstrap_beside_it(rendered):
    summary = summary_of(rendered, "few_classes_pilot")
    assert (summary["clusters"], summary["treated_clusters"]) == (30, 8)
    inference = summary["inference"]
    assert inference["method"] == "cr2" and inference["few_clusters"]
    assert inference["bootstrap"] == {"weights": "webb", "reps": 9999, "seed": 2024, "full_enumeration": False,
                                      "type": "WCR11 (restricted, CR1 statistic)"}
    methods = inference["comparison"]
    assert set(methods) == {"cluster-robust", "cr2", "wild-bootstrap"}
    effect = summary["estimates"]["pilot_track:post"]
    assert (effect["se"], effect["ci_low"], effect["ci_high"]) == (
        methods["cr2"]["se"], methods["cr2"]["ci_low"], methods["cr2"]["ci_high"])
    assert inference["df"] == methods["cr2"]["df"]
    cr1, bootstrap = methods["cluster-robust"], methods["wild-bootstrap"]
    assert effect["ci_high"] - effect["ci_low"] > cr1["ci_high"] - cr1["ci_low"]   # CR1 runs too narrow
    assert bootstrap["ci_high"] - bootstrap["ci_low"] > cr1["ci_high"] - cr1["ci_low"]
    assert methods["cr2"]["df"] < cr1["df"] == 29


def test_programme_report_has_subgroups_and_power(rendered):
    summary = summary_of(rendered, "program_evaluation")
    subgroups = summary["subgroups"]
    assert subgroups["correction"] == "holm"
    levels = {row["level"]: row for row in subgroups["effects"]}
    assert set(levels) == {0, 1} and all(row["p_adjusted"] >= row["p"] for row in levels.values())
    power = summary["power"]
    assert power["observed_clusters"] == power["planned_clusters"] == 36
    assert 0 <= power["icc"] < 0.2 and power["minimum_detectable_effect"] > 0


def test_three_parameters_on_a_csv_without_the_programmes_columns(tmp_path, capsys, monkeypatch):
    rng = np.random.default_rng(4)
    arm = rng.integers(0, 2, 120)
    pd.DataFrame({"learner": range(120), "arm": arm, "score": 60 + 5 * arm + rng.normal(0, 8, 120)}).to_csv(
        tmp_path / "my_students.csv", index=False)
    monkeypatch.chdir(tmp_path)
    code = main(["-q", "report", "program_evaluation", "--out", str(tmp_path / "out"), "-p", "data=my_students.csv",
                 "-p", "outcome=score", "-p", "treatment=arm"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "the entry's" in printed and "cluster" in printed   # says the built-in design is not applied
    summary = json.loads((tmp_path / "out" / "program_evaluation" / "summary.json").read_text())
    assert summary["design"] == "cross-section" and summary["clusters"] is None
    assert summary["inference"]["method"] == "robust"
    assert summary["estimates"]["arm"]["coef"] == pytest.approx(5, abs=4)
    for section in ("event_study", "funnel", "gains", "survey", "subgroups", "power"):
        assert section not in summary
