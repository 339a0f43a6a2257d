"""The `cbec` command as an instructor runs it: each stage, its output and its exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cbec.cli import EXIT_BROKEN, EXIT_OK, EXIT_PARTIAL, main


def cbec(*args: str) -> subprocess.CompletedProcess:
    # a real process, as a person would run it (progress bars go to stderr)
    return subprocess.run([str(Path(sys.executable).parent / "cbec"), *args],
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command", ["data", "release", "simulate-class", "autograde", "feedback", "report", "demo"])
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert "usage: cbec" in capsys.readouterr().out


def test_unusable_course_directory_is_named(tmp_path, capsys):
    assert main(["--course-dir", str(tmp_path), "autograde"]) == EXIT_BROKEN
    assert "nbgrader_config.py is missing" in capsys.readouterr().err


def test_unknown_assignment_lists_the_known_ones(course_copy, capsys):
    assert main(["--course-dir", str(course_copy), "release", "nope"]) == EXIT_BROKEN
    assert "data_operation" in capsys.readouterr().err


def test_bad_report_parameter_syntax(capsys):
    assert main(["report", "assignment_outcomes", "-p", "threshold"]) == EXIT_BROKEN
    assert "NAME=VALUE" in capsys.readouterr().err


@pytest.mark.grading
@pytest.mark.xdist_group("nbgrader")
def test_instructor_cycle_end_to_end_with_parallel_grading(course_copy, tmp_path):
    course = ["--course-dir", str(course_copy), "-q"]
    assert cbec(*course, "release", "--due", "2025-01-10T23:59").returncode == EXIT_OK
    made = cbec(*course, "simulate-class", "--students", "8", "--seed", "3", "--due", "2025-01-10T23:59")
    assert made.returncode == EXIT_OK, made.stderr
    graded = cbec(*course, "autograde", "--workers", "2", "--timeout", "10")
    assert graded.returncode == EXIT_PARTIAL, graded.stdout + graded.stderr  # one corrupt, one missing
    assert "corrupt" in graded.stdout and "missing" in graded.stdout and "timeout" in graded.stdout
    again = cbec(*course, "autograde", "--workers", "2")
    assert "kept" in again.stdout and "graded" not in again.stdout.split("\n")[0].replace("kept", "")
    feedback = cbec(*course, "feedback")
    assert feedback.returncode == EXIT_OK and "written" in feedback.stdout
    report = cbec(*course, "report", "assignment_outcomes", "--out", str(tmp_path / "reports"))
    assert report.returncode == EXIT_OK, report.stdout + report.stderr
    summary = json.loads((tmp_path / "reports" / "assignment_outcomes" / "summary.json").read_text())
    assert summary["students"] == 9 and summary["submitted"] == 7
