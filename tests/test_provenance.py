"""The provenance block of summary.json: hashes, row counts, git state, versions, and a real report run."""

from __future__ import annotations

import ast
import hashlib
import json
import platform
import shutil
import sqlite3
import subprocess
from datetime import datetime, timedelta, timezone

import nbformat
import numpy as np
import pandas as pd
import pytest

from cbec import paths
from cbec.reporting.provenance import (Provenance, file_input, folder_input, git_state, package_versions,
                                       table_input)
from cbec.reporting.summary import write_summary

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(folder, *arguments):
    return subprocess.run(["git", "-C", str(folder), *arguments], check=True, capture_output=True, text=True).stdout


def test_file_hash_is_the_sha256_of_its_bytes_and_table_rows_are_counted(tmp_path):
    table = pd.DataFrame({"student": ["a", "b", "c"], "note": ["fine", "two\nlines", ""], "score": [1.5, 2, 3]})
    csv = tmp_path / "students.csv"
    table.to_csv(csv, index=False)
    with open(csv, "a") as handle:
        handle.write("\n")  # a trailing blank line is no record (pandas skips it too)
    entry = file_input(csv)
    assert entry["sha256"] == hashlib.sha256(csv.read_bytes()).hexdigest()
    assert entry["rows"] == len(pd.read_csv(csv)) == 3  # the quoted line break is inside one record
    assert entry["path"] == str(csv.resolve()) and entry["kind"] == "file"
    parquet = tmp_path / "students.parquet"
    pd.concat([table] * 4).to_parquet(parquet)
    assert file_input(parquet)["rows"] == 12
    notes = tmp_path / "notes.txt"
    notes.write_text("not a table\n")
    assert file_input(notes)["rows"] is None
    with pytest.raises(FileNotFoundError, match="missing.csv does not exist"):
        file_input(tmp_path / "missing.csv")


def test_a_sqlite_database_gets_the_rows_of_each_table_and_is_not_touched(tmp_path):
    path = tmp_path / "gradebook.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE student (id TEXT)")
        db.execute("CREATE TABLE grade (score REAL)")
        db.executemany("INSERT INTO student VALUES (?)", [("amy",), ("bo",)])
        db.executemany("INSERT INTO grade VALUES (?)", [(1.0,), (2.0,), (3.0,)])
    db.close()
    before = path.read_bytes()
    entry = file_input(path)
    assert entry["table_rows"] == {"grade": 3, "student": 2} and entry["rows"] is None
    assert path.read_bytes() == before and entry["sha256"] == hashlib.sha256(before).hexdigest()


def test_a_folder_hash_changes_with_any_file_and_sums_the_rows(tmp_path):
    logs = tmp_path / "activity"
    logs.mkdir()
    (logs / "amy.jsonl").write_text('{"kind": "quiz"}\n{"kind": "training"}\n')
    (logs / "bo.jsonl").write_text('{"kind": "quiz"}\n')
    (logs / "readme.txt").write_text("not matched by the pattern")
    first = folder_input(logs, "*.jsonl")
    assert first["files"] == 2 and first["rows"] == 3
    (logs / "readme.txt").write_text("changed, but not an input")
    assert folder_input(logs, "*.jsonl")["sha256"] == first["sha256"]
    (logs / "bo.jsonl").write_text('{"kind": "quiz"}\n{"kind": "quiz"}\n')
    changed = folder_input(logs, "*.jsonl")
    assert changed["sha256"] != first["sha256"] and changed["rows"] == 4
    (logs / "bo.jsonl").rename(logs / "cy.jsonl")
    assert folder_input(logs, "*.jsonl")["sha256"] != changed["sha256"]
    (logs / "x+competition+2026-04-01 10:00:00.000000 UTC+abc").mkdir()
    listing = folder_input(logs, "*+*", names_only=True)
    assert listing["files"] == 1 and listing["rows"] is None
    missing = folder_input(tmp_path / "no_log_yet", "*.jsonl")
    assert missing["files"] == 0 and missing["rows"] is None


def test_a_built_in_table_is_hashed_by_its_values():
    table = pd.DataFrame({"x": [0.1, 0.2, 1 / 3], "arm": [0, 1, 1]})
    entry = table_input("programme", table)
    assert entry == {"name": "programme", "kind": "built-in", "rows": 3,
                     "sha256": hashlib.sha256(table.to_csv(index=False, lineterminator="\n").encode()).hexdigest()}
    assert table_input("programme", table.copy().set_index(pd.Index([7, 8, 9])))["sha256"] == entry["sha256"]
    assert table_input("programme", table.assign(x=[0.1, 0.2, 0.3333]))["sha256"] != entry["sha256"]


@needs_git
def test_git_state_names_the_commit_and_sees_a_dirty_tree(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "analysis.py").write_text("x = 1\n")
    _git(repo, "add", "analysis.py")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "first")
    clean = git_state(repo)
    assert clean["commit"] == _git(repo, "rev-parse", "HEAD").strip() and clean["clean"] is True
    (repo / "analysis.py").write_text("x = 2\n")
    dirty = git_state(repo)
    assert dirty["commit"] == clean["commit"] and dirty["clean"] is False and dirty["changed_files"] == 1
    _git(repo, "checkout", "-q", "analysis.py")
    (repo / "new_notes.md").write_text("untracked\n")
    assert git_state(repo)["clean"] is False
    outside = tmp_path / "not_a_checkout"
    outside.mkdir()
    state = git_state(outside)
    assert state["commit"] is None and state["clean"] is None and "has no git commit" in state["reason"]


def test_without_git_the_reason_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no git on it
    assert git_state(tmp_path) == {"commit": None, "clean": None, "reason": "git is not installed"}


def test_package_versions_name_the_installed_ones_and_null_the_missing():
    versions = package_versions(("numpy", "pandas", "wildboottest", "cbec-lab", "no-such-distribution-cbec"))
    assert versions["python"] == platform.python_version()
    assert versions["numpy"] == np.__version__ and versions["pandas"] == pd.__version__
    assert versions["wildboottest"] and versions["cbec-lab"]
    assert versions["no-such-distribution-cbec"] is None


def test_write_summary_refuses_a_summary_without_provenance(tmp_path):
    with pytest.raises(TypeError, match="provenance"):
        write_summary(tmp_path, {"n": 1})
    with pytest.raises(TypeError, match=r"Provenance.collect\(parameters=\.\.\., data=\.\.\., seed=\.\.\.\)"):
        write_summary(tmp_path, {"n": 1}, provenance={"parameters": {}})
    assert not (tmp_path / "summary.json").exists()


def test_the_block_keeps_the_headline_and_drops_where_it_was_written(tmp_path):
    out = tmp_path / "out"
    generated = out / "simulated_activity"
    generated.mkdir(parents=True)
    (generated / "amy.jsonl").write_text('{"kind": "quiz"}\n')
    source = tmp_path / "students.csv"
    pd.DataFrame({"y": [1, 2]}).to_csv(source, index=False)
    provenance = Provenance.collect(parameters={"alpha": np.float64(0.1), "items": ("a", "b"), "output_dir": str(out)},
                                    data=[file_input(source), folder_input(generated, "*.jsonl")], seed=7)
    summary = json.loads(write_summary(out, {"n": np.int64(2)}, provenance=provenance).read_text())
    assert summary["n"] == 2 and set(summary) == {"n", "provenance"}
    block = summary["provenance"]
    assert set(block) == {"parameters", "data", "packages", "git", "seed", "generated_at", "clock"}
    assert block["parameters"] == {"alpha": 0.1, "items": ["a", "b"]} and block["seed"] == 7
    assert block["data"][0]["path"] == str(source.resolve())
    assert block["data"][1]["path"] == "simulated_activity" and block["data"][1]["relative_to"] == "output_dir"
    written = datetime.fromisoformat(block["generated_at"])
    assert written.tzinfo == timezone.utc and abs(datetime.now(timezone.utc) - written) < timedelta(minutes=5)
    with pytest.raises(TypeError, match="file_input, folder_input or table_input"):
        Provenance.collect(parameters={}, data=[str(source)], seed=None)


def _run_parameters(notebook) -> set[str] | None:
    """The keyword names of the notebook's ``run_parameters = dict(...)``, or None when it has none."""
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code" or "run_parameters = dict(" not in cell.source:
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "run_parameters":
                return {keyword.arg for keyword in node.value.keywords}
    return None


def test_every_report_notebook_records_all_its_parameters():
    """program_evaluation records its checked spec (EvaluationReport.write); the others list their parameters."""
    import papermill as pm

    for notebook in sorted(paths.analysis_dir().glob("*.ipynb")):
        if notebook.stem == "program_evaluation":
            continue
        declared = set(pm.inspect_notebook(str(notebook))) - {"output_dir"}
        assert _run_parameters(notebook) == declared, f"{notebook.name}: run_parameters must list every parameter"


@pytest.mark.notebook
def test_a_real_report_run_writes_the_block(tmp_path):
    from cbec.evaluation.datasets import load_table
    from cbec.reporting.runner import load_specs, run_report

    run = run_report(load_specs()["spector_psi"], tmp_path)
    assert run.ok, run.error
    summary = json.loads((tmp_path / "spector_psi" / "summary.json").read_text())
    assert round(summary["estimates"]["PSI"]["coef"], 3) == 2.379  # the report's own keys are unchanged
    block = summary["provenance"]
    assert block["parameters"]["data"] == "spector" and block["parameters"]["covariates"] == ["GPA", "TUCE"]
    assert block["parameters"]["model"] == "logit" and "output_dir" not in block["parameters"]
    assert block["data"] == [{**table_input("spector", load_table("spector")), "rows_after_subset": 32}]
    assert block["data"][0]["rows"] == 32 and block["seed"] == 2024  # the bootstrap seed parameter
    assert block["packages"]["statsmodels"] and block["packages"]["papermill"]
    if shutil.which("git") and (paths.project_root() / ".git").exists():
        assert block["git"]["commit"] == _git(paths.project_root(), "rev-parse", "HEAD").strip()
        assert isinstance(block["git"]["clean"], bool)
