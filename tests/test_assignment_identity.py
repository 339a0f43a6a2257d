"""Whose dataset is loaded, and is it really personal?"""

from __future__ import annotations

import os

import pandas as pd
import pytest

from cbec.assignments import StudentIdError, resolve_student_id
from cbec.modules.data_operation.assignment import student_dataset
from cbec.identity import STUDENT_ID_ENV
from cbec.assignments.variants import variant_seed
from cbec.modules.data_operation.variants import variant_config


@pytest.fixture(autouse=True)
def no_ambient_identity(monkeypatch):
    monkeypatch.delenv(STUDENT_ID_ENV, raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)


def test_grading_folder_wins_over_every_other_source(tmp_path, monkeypatch):
    folder = tmp_path / "autograded" / "alice" / "data_operation"
    folder.mkdir(parents=True)
    monkeypatch.setenv(STUDENT_ID_ENV, "mallory")
    assert resolve_student_id("mallory", cwd=folder) == "alice"
    assert resolve_student_id(cwd=tmp_path / "autograded" / "alice" / "data_operation") == "alice"


def test_argument_then_environment_then_jupyterhub(tmp_path, monkeypatch):
    assert resolve_student_id("bob", cwd=tmp_path) == "bob"
    monkeypatch.setenv("JUPYTERHUB_USER", "hubuser")
    assert resolve_student_id(cwd=tmp_path) == "hubuser"
    monkeypatch.setenv(STUDENT_ID_ENV, "carol")
    assert resolve_student_id(cwd=tmp_path) == "carol"


def test_unknown_identity_says_how_to_set_it(tmp_path):
    with pytest.raises(StudentIdError, match=f"%env {STUDENT_ID_ENV}="):
        resolve_student_id(cwd=tmp_path)


@pytest.mark.parametrize("bad", ["", "   ", "../etc", "a b", "x" * 65, 42])
def test_malformed_ids_are_rejected_by_name(bad, tmp_path):
    with pytest.raises(StudentIdError):
        resolve_student_id(bad, cwd=tmp_path)


def test_variant_seed_is_stable_across_processes():
    """Two interpreters with different hash salts (PYTHONHASHSEED) derive the same seed and store."""
    import subprocess
    import sys

    probe = ("from cbec.assignments.variants import variant_seed; "
             "from cbec.modules.data_operation.variants import variant_config; "
             "print(variant_seed('alice', 'data_operation'), hash('alice'), variant_config('alice', 'data_operation'))")
    runs = [subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": salt}).stdout.split(" ", 2) for salt in ("1", "2")]
    assert runs[0][1] != runs[1][1], "the two processes should hash strings differently"
    assert runs[0][0] == runs[1][0] == str(variant_seed("alice", "data_operation"))
    assert runs[0][2] == runs[1][2] == f"{variant_config('alice', 'data_operation')}\n"
    assert variant_seed("alice", "data_operation") != variant_seed("alice", "other_assignment")


def test_same_id_same_data_and_different_ids_different_answers(tmp_path):
    first = student_dataset("alice", cwd=tmp_path)
    again = student_dataset("alice", cwd=tmp_path)
    other = student_dataset("bob", cwd=tmp_path)
    pd.testing.assert_frame_equal(first.orders, again.orders)
    assert first.student_id == "alice" and other.student_id == "bob"
    assert first.orders["gmv_usd"].sum() != pytest.approx(other.orders["gmv_usd"].sum(), rel=1e-3)
    assert first.config.conversion_multiplier != other.config.conversion_multiplier


def test_changing_a_table_never_changes_the_next_load(tmp_path):
    mine = student_dataset("alice", cwd=tmp_path)
    total = mine.orders["gmv_usd"].sum()
    mine.orders["gmv_usd"] = 0.0
    assert student_dataset("alice", cwd=tmp_path).orders["gmv_usd"].sum() == total


def test_unknown_table_lists_the_tables(tmp_path):
    with pytest.raises(AttributeError, match="orders"):
        student_dataset("alice", cwd=tmp_path).order
