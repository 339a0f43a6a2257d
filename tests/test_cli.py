"""The `cbec` command as an instructor runs it: each stage, its output and its exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cbec.assignments.declaration import declared_assignments

from cbec.cli import EXIT_BROKEN, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, main


def cbec(*args: str) -> subprocess.CompletedProcess:
    # a real process, as a person would run it (progress bars go to stderr)
    return subprocess.run([str(Path(sys.executable).parent / "cbec"), *args],
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command", ["data", "release", "collect", "simulate-class", "autograde", "feedback", "report", "site", "demo"])
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
    assert main(["report", "data_operation_outcomes", "-p", "threshold"]) == EXIT_BROKEN
    assert "NAME=VALUE" in capsys.readouterr().err


@pytest.mark.grading
def test_instructor_cycle_end_to_end_with_parallel_grading(course_copy, tmp_path):
    course = ["--course-dir", str(course_copy), "-q"]
    assert cbec(*course, "release", "data_operation", "--due", "2025-01-10T23:59").returncode == EXIT_OK
    made = cbec(*course, "simulate-class", "data_operation", "--students", "8", "--seed", "3",
                "--due", "2025-01-10T23:59")
    assert made.returncode == EXIT_OK, made.stderr
    graded = cbec(*course, "autograde", "data_operation", "--workers", "2", "--timeout", "10")
    assert graded.returncode == EXIT_PARTIAL, graded.stdout + graded.stderr  # one corrupt, one missing
    assert "corrupt" in graded.stdout and "missing" in graded.stdout and "timeout" in graded.stdout
    again = cbec(*course, "autograde", "data_operation", "--workers", "2")
    assert "kept" in again.stdout and "graded" not in again.stdout.split("\n")[0].replace("kept", "")
    feedback = cbec(*course, "feedback", "data_operation")
    assert feedback.returncode == EXIT_OK and "written" in feedback.stdout
    report = cbec(*course, "report", "data_operation_outcomes", "--out", str(tmp_path / "reports"))
    assert report.returncode == EXIT_OK, report.stdout + report.stderr
    summary = json.loads((tmp_path / "reports" / "data_operation_outcomes" / "summary.json").read_text())
    assert summary["students"] == 9 and summary["submitted"] == 7


# The rough edges: each gives a clear error and exit code 2 (usage) or 4 (unusable input).
@pytest.mark.parametrize("arguments", [["--timeout", "-5"], ["--workers", "0"], ["--timeout", "soon"]])
def test_non_positive_limits_are_usage_errors(arguments, capsys):
    with pytest.raises(SystemExit) as done:
        main(["autograde", *arguments])
    assert done.value.code == 2
    error = capsys.readouterr().err
    assert "must be greater than 0" in error or "is not a number" in error


def test_autograding_a_student_nobody_knows_adds_no_phantom(course_copy, capsys):
    assert main(["--course-dir", str(course_copy), "-q", "release", "data_operation"]) == EXIT_OK
    assert main(["--course-dir", str(course_copy), "-q", "autograde", "data_operation",
                 "--student", "nosuchstudent"]) == EXIT_BROKEN
    assert "No student nosuchstudent" in capsys.readouterr().err
    from cbec.grading import Course

    with Course.open(course_copy).gradebook() as gb:
        assert [s.id for s in gb.students] == []


def test_feedback_for_an_unknown_assignment_is_an_error(course_copy, capsys):
    assert main(["--course-dir", str(course_copy), "feedback", "no_such_assignment"]) == EXIT_BROKEN
    assert f"Known assignments: {', '.join(sorted(declared_assignments()))}" in capsys.readouterr().err


def test_a_command_without_an_assignment_asks_for_one_when_the_course_has_several(course_copy, capsys):
    assert main(["--course-dir", str(course_copy), "release"]) == EXIT_USAGE
    error = capsys.readouterr().err
    assert f"Name the assignment, e.g. cbec release {sorted(declared_assignments())[0]}" in error
    assert f"this course has: {', '.join(sorted(declared_assignments()))}" in error


def test_unknown_dataset_is_named_without_a_traceback(tmp_path):
    done = cbec("data", "--dataset", "nosuch", "--out", str(tmp_path))
    assert done.returncode == EXIT_BROKEN
    assert "No dataset(s) nosuch. Available:" in done.stderr and "Traceback" not in done.stderr


def test_a_parameter_without_a_report_name_must_exist_in_every_report(capsys):
    assert main(["report", "-p", "behind_threshold=0.6"]) == 2
    error = capsys.readouterr().err
    having = error.split("only ", 1)[1].split(" have it", 1)[0]
    assert sorted(having.replace(" and ", ", ").split(", ")) == sorted(f"{a}_outcomes" for a in declared_assignments())
    assert "cbec report data_operation_outcomes -p" in error


def test_file_parameters_resolve_against_the_current_folder(tmp_path, monkeypatch):
    from cbec.cli import _resolve_file

    monkeypatch.chdir(tmp_path)
    (tmp_path / "my_students.csv").write_text("a,b\n1,2\n")
    assert _resolve_file("my_students.csv") == str(tmp_path / "my_students.csv")
    assert _resolve_file("missing.parquet") == str(tmp_path / "missing.parquet")
    assert _resolve_file("programme") == "programme" and _resolve_file(["gpa"]) == ["gpa"]


def test_own_csv_report_reads_the_file_in_the_users_folder(tmp_path, monkeypatch):
    import pandas as pd

    from cbec.evaluation.simulation import simulate_programme

    monkeypatch.chdir(tmp_path)
    simulate_programme().to_csv(tmp_path / "my_students.csv", index=False)
    done = cbec("report", "program_evaluation", "--out", str(tmp_path / "reports"), "-p", "data=my_students.csv",
                "-p", "subset=null", "-p", "outcome=post_test", "-p", "treatment=pilot_track",
                "-p", "covariates=[prior_gpa]", "-p", "cluster=null", "-p", "period=null", "-p", "post_period=null",
                "-p", "pre_score=null", "-p", "post_score=null", "-p", "stages=null", "-p", "survey_items=null",
                "-p", "yes_no_items=null")
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    summary = json.loads((tmp_path / "reports" / "program_evaluation" / "summary.json").read_text())
    assert summary["n"] == len(pd.read_csv(tmp_path / "my_students.csv"))


def test_site_builds_and_never_replaces_a_folder_that_is_not_a_site(tmp_path, capsys):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "thesis.tex").write_text("months of work")
    assert main(["site", "--no-execute", "--out", str(mine)]) == EXIT_BROKEN
    assert "is not an earlier build of the site" in capsys.readouterr().err
    assert (mine / "thesis.tex").read_text() == "months of work"
    out = tmp_path / "site"
    assert main(["-q", "site", "--no-execute", "--out", str(out)]) == EXIT_OK
    assert (out / "index.html").is_file() and "no broken links" in capsys.readouterr().out
    assert main(["-q", "site", "--no-execute", "--out", str(out)]) == EXIT_OK  # an earlier build is replaced


@pytest.mark.grading
def test_a_class_is_simulated_around_the_released_due_date(course_copy, capsys):
    assert main(["--course-dir", str(course_copy), "-q", "release", "data_operation"]) == EXIT_OK
    assert main(["--course-dir", str(course_copy), "-q", "simulate-class", "data_operation"]) == EXIT_BROKEN
    assert "has no due date" in capsys.readouterr().err
    assert main(["--course-dir", str(course_copy), "-q", "release", "data_operation", "--due", "2025-03-01T12:00"]) == 0
    assert main(["--course-dir", str(course_copy), "-q", "simulate-class", "data_operation", "--students", "8"]) == 0
    from cbec.grading import Course

    with Course.open(course_copy).gradebook() as gb:
        assert str(gb.find_assignment("data_operation").duedate) == "2025-03-01 12:00:00"


def test_a_tolerance_without_check_is_a_usage_error(capsys):
    assert main(["report", "spector_psi", "--tolerance", "1e-4"]) == EXIT_USAGE
    assert "--tolerance is the tolerance of --check" in capsys.readouterr().err
