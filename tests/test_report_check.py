"""`cbec report --check`: regenerate with real papermill runs and compare with the stored summaries."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from cbec import paths
from cbec.cli import EXIT_BROKEN, EXIT_OK, EXIT_PARTIAL, main
from cbec.reporting.check import Tolerance, compare_summaries

# the evaluation notebook's other sections, switched off (they need columns the small table has not)
SECTIONS_OFF = {"subset": None, "cluster": None, "period": None, "post_period": None, "pre_score": None,
                "post_score": None, "stages": [], "survey_items": [], "yes_no_items": []}


def _students(seed: int = 7, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 2, n)
    gpa = rng.normal(3.0, 0.4, n).round(2)
    return pd.DataFrame({"student": [f"s{i:02d}" for i in range(n)], "arm": arm, "gpa": gpa,
                         "score": (50 + 5 * arm + 8 * (gpa - 3) + rng.normal(0, 5, n)).round(1)})


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A reports.yml with a run on a small CSV (stored under out/) and one never stored."""
    folder = tmp_path_factory.mktemp("check")
    data = folder / "students.csv"
    _students().to_csv(data, index=False)
    notebook = str(paths.analysis_dir() / "program_evaluation.ipynb")
    config = folder / "reports.yml"
    config.write_text(yaml.safe_dump({"reports": {
        "own_data": {"notebook": notebook, "parameters": {
            "data": str(data), "outcome": "score", "treatment": "arm", "covariates": ["gpa"], **SECTIONS_OFF}},
        "never_run": {"notebook": notebook, "parameters": {
            "data": "spector", "outcome": "GRADE", "treatment": "PSI", "covariates": ["GPA"], **SECTIONS_OFF}},
    }}))
    out = folder / "out"
    assert main(["-q", "report", "own_data", "--config", str(config), "--out", str(out)]) == EXIT_OK
    return config, out, data


def _check(config, out, *arguments):
    return main(["-q", "report", "--check", *arguments, "--config", str(config), "--out", str(out)])


def _snapshot(folder) -> dict:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()}


@pytest.mark.notebook
@pytest.mark.xdist_group("report_check")
def test_a_clean_regeneration_passes_then_a_changed_value_is_named(stored, capsys):
    config, out, data = stored
    before = _snapshot(out)
    assert _check(config, out) == EXIT_OK, capsys.readouterr().out
    printed = capsys.readouterr().out
    assert f"own_data: same as {out / 'own_data' / 'summary.json'}" in printed
    assert "never_run: skipped, no stored summary" in printed and "1 of 1 report(s) regenerate identically" in printed

    original = data.read_bytes()
    changed = pd.read_csv(data)
    changed.loc[changed["arm"] == 1, "score"] += 3.0
    changed.to_csv(data, index=False)
    try:
        assert _check(config, out, "own_data") == EXIT_PARTIAL
    finally:
        data.write_bytes(original)
    lines = capsys.readouterr().out.splitlines()
    moved = [line for line in lines if line.startswith("own_data: estimates.arm.coef ")]
    assert len(moved) == 1, lines
    stored_coef = json.loads((out / "own_data" / "summary.json").read_text())["estimates"]["arm"]["coef"]
    old, new = (float(x) for x in moved[0].removeprefix("own_data: estimates.arm.coef ").split(" -> "))
    assert old == pytest.approx(stored_coef, rel=1e-3) and new == pytest.approx(stored_coef + 3.0, rel=1e-3)
    assert any(line.startswith(f"own_data: data {data.resolve()} sha256 ") for line in lines), lines
    assert not any("rows" in line for line in lines), "the same number of rows"
    assert _snapshot(out) == before, "the stored reports are never written"


@pytest.mark.notebook
@pytest.mark.xdist_group("report_check")
def test_a_named_report_never_stored_says_what_to_run(stored, capsys):
    config, out, _ = stored
    assert _check(config, out, "never_run") == EXIT_BROKEN  # nothing could be compared
    printed = capsys.readouterr()
    assert "never_run: no stored summary at" in printed.out and "run `cbec report never_run` first" in printed.out
    assert "nothing to compare" in printed.err


@pytest.mark.notebook
@pytest.mark.xdist_group("report_check")
def test_a_regeneration_that_fails_is_reported_with_its_error(stored, capsys):
    config, out, _ = stored
    assert _check(config, out, "own_data", "-p", "outcome=no_such_column") == EXIT_PARTIAL
    printed = capsys.readouterr().out
    assert "own_data: regeneration failed: ParameterError" in printed and "no_such_column" in printed
    assert json.loads((out / "own_data" / "summary.json").read_text())["outcome"] == "score"


@pytest.mark.notebook
@pytest.mark.xdist_group("report_check")
def test_the_tolerance_decides_what_counts_as_moved(stored, tmp_path, capsys):
    config, out, _ = stored
    nudged = tmp_path / "out"
    (nudged / "own_data").mkdir(parents=True)
    summary = json.loads((out / "own_data" / "summary.json").read_text())
    summary["estimates"]["gpa"]["coef"] *= 1 + 1e-5
    (nudged / "own_data" / "summary.json").write_text(json.dumps(summary))
    assert _check(config, nudged, "own_data") == EXIT_PARTIAL
    assert "own_data: estimates.gpa.coef " in capsys.readouterr().out
    assert _check(config, nudged, "own_data", "--tolerance", "1e-4") == EXIT_OK


@pytest.mark.notebook
@pytest.mark.xdist_group("report_check")
def test_a_dashboard_as_of_now_regenerates_as_of_the_stored_time(course_copy, tmp_path, capsys):
    from cbec.supervision import simulate_class_activity, simulated_roster

    roster = simulated_roster(12, seed=3)
    now = pd.Timestamp.now(tz="UTC").floor("h")
    simulated = simulate_class_activity(tmp_path / "activity", roster, start=now - pd.Timedelta(days=30), as_of=now,
                                        seed=5, idle_days=5)
    roster.to_csv(tmp_path / "roster.csv", index=False)
    config = tmp_path / "reports.yml"
    config.write_text(yaml.safe_dump({"reports": {"dashboard": {
        "notebook": str(paths.analysis_dir() / "training_dashboard.ipynb"),
        "parameters": {"activity": str(simulated.folder), "roster": str(tmp_path / "roster.csv"), "idle_days": 5,
                       "course_dir": str(course_copy)}}}}))
    out = tmp_path / "out"
    assert main(["-q", "report", "dashboard", "--config", str(config), "--out", str(out)]) == EXIT_OK
    block = json.loads((out / "dashboard" / "summary.json").read_text())["provenance"]
    assert block["parameters"]["as_of"] is None and block["clock"]["as_of"].startswith(str(now.date()))
    read = [entry.get("path") for entry in block["data"]]  # the log, the exchange, the roster, graded strategies
    assert read[0] == str(simulated.folder.resolve()) and str((tmp_path / "roster.csv").resolve()) in read
    assert _check(config, out) == EXIT_OK, capsys.readouterr().out


def test_numbers_within_the_tolerance_agree_and_counts_are_exact():
    stored = {"n": 1000000, "estimates": {"arm": {"coef": 2.379, "p": 1e-14}}, "flag": True, "label": "ols"}
    same = {"n": 1000000, "estimates": {"arm": {"coef": 2.379 * (1 + 5e-7), "p": 3e-14}}, "flag": True,
            "label": "ols"}
    assert compare_summaries(stored, same) == []
    moved = {"n": 1000001, "estimates": {"arm": {"coef": 2.401}}, "flag": 1, "label": "logit", "extra": [1]}
    assert compare_summaries(stored, moved) == [
        "n 1000000 -> 1000001", "estimates.arm.coef 2.379 -> 2.401",
        "estimates.arm.p missing (in the stored summary only)", "flag true -> 1", 'label "ols" -> "logit"',
        "extra added (not in the stored summary)"]
    close = compare_summaries({"x": 1.23456789}, {"x": 1.23457})
    assert close == ["x 1.234568 -> 1.23457"], "as many digits as tell the two apart"
    assert compare_summaries({"x": 1.0}, {"x": 1.001}, Tolerance(relative=1e-2)) == []


def test_provenance_compares_inputs_and_parameters_but_not_time_commit_or_versions():
    def block(**changes):
        base = {"parameters": {"data": "a.csv", "as_of": None}, "seed": 3, "clock": {"as_of": "2026-04-15T10:00:00"},
                "data": [{"path": "/d/a.csv", "kind": "file", "sha256": "a" * 64, "rows": 40}],
                "packages": {"numpy": "2.4.6"}, "git": {"commit": "abc", "clean": True},
                "generated_at": "2026-04-15T10:00:00+00:00"}
        return {"n": 1, "provenance": {**base, **changes}}

    replayed = block(parameters={"data": "a.csv", "as_of": "2026-04-15T10:00:00"}, clock={},
                     packages={"numpy": "9"}, git={"commit": "def", "clean": False}, generated_at="2027-01-01")
    assert compare_summaries(block(), replayed) == []
    changed = block(data=[{"path": "/d/a.csv", "kind": "file", "sha256": "b" * 64, "rows": 41},
                          {"name": "programme", "kind": "built-in", "sha256": "c" * 64, "rows": 9}], seed=4)
    assert compare_summaries(block(), changed) == [
        "data /d/a.csv sha256 aaaaaaaaaaaa -> bbbbbbbbbbbb", "data /d/a.csv rows 40 -> 41",
        "data programme added (the stored run did not read it)", "provenance.seed 3 -> 4"]
    assert compare_summaries({"n": 1}, block()) == [
        "provenance missing from the stored summary (written before provenance was recorded; "
        "store it again with `cbec report`)"]
