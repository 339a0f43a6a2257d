"""The ``cbec`` command: the instructor cycle, one subcommand per stage.

Exit codes: 0 all done; 2 wrong usage; 3 done, but some submissions or reports had
problems (listed in the output); 4 the course, data or configuration is not usable.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

EXIT_OK, EXIT_USAGE, EXIT_PARTIAL, EXIT_BROKEN = 0, 2, 3, 4

class UserError(Exception):
    """An error the user can fix; its message says how."""


class UsageError(UserError):
    """The command was called the wrong way (exit code 2)."""


# Stages ------------------------------------------------------------------------------
def cmd_data(args) -> int:
    from cbec.data import materialise

    written = materialise(out_dir=args.out, datasets=args.dataset or None, force=args.force,
                          progress=not args.quiet)
    print(f"Datasets are in {args.out or _generated_dir()} ({len(written)} tables).")
    return EXIT_OK


def cmd_release(args) -> int:
    from cbec.grading import release_assignment

    from cbec.grading.exchange import release_to_exchange

    course = _course(args)
    released = release_assignment(course, args.assignment, duedate=args.due)
    for path in released:
        print(f"Student version: {path}")
    print("Checked: no solution code, hidden test or mark scheme in the released files.")
    print(f"In the exchange for students to fetch: {release_to_exchange(course, args.assignment)}")
    return EXIT_OK


def cmd_collect(args) -> int:
    from cbec.grading.exchange import collect

    course = _course(args)
    students = collect(course, args.assignment)
    print(f"Collected from the exchange: {len(students)} submission(s) in {course.submitted}")
    return EXIT_OK


def cmd_simulate_class(args) -> int:
    from cbec.grading import simulate_class

    course = _course(args)
    roster = simulate_class(course, args.assignment, n_students=args.students, seed=args.seed,
                            duedate=args.due, overwrite=args.overwrite, progress=not args.quiet,
                            through_exchange=args.through_exchange)
    mix = Counter(s.profile for s in roster)
    where = "handed in through the exchange (run `cbec collect`)" if args.through_exchange \
        else f"submissions in {course.submitted}"
    print(f"Class of {len(roster)} registered ({', '.join(f'{v} {k}' for k, v in mix.items())}); {where}")
    return EXIT_OK


def cmd_autograde(args) -> int:
    from cbec.grading import autograde_class
    from cbec.grading.autograde import log_path

    course = _course(args)
    if args.no_sandbox:
        print("WARNING: grading WITHOUT the sandbox (--no-sandbox): student code can read and change "
              "anything this account can. Only do this for code you trust.", file=sys.stderr)
    outcomes = autograde_class(course, args.assignment, students=args.student or None,
                               regrade=args.regrade, timeout=args.timeout, workers=args.workers,
                               progress=not args.quiet, isolate=not args.no_sandbox,
                               scheduler=args.scheduler)
    counts = Counter(o.status for o in outcomes)
    print("Autograding: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    unisolated = [o for o in outcomes if o.status == "graded" and o.isolation and o.isolation != "bubblewrap"]
    if unisolated:
        print(f"  {len(unisolated)} graded without isolation (marked in the grading log)")
    problems = [o for o in outcomes if o.status not in ("graded", "kept") or o.message and o.status == "graded"]
    for o in problems:
        print(f"  {o.student_id:<14} {o.status:<10} {o.message}")
    print(f"Grading log: {log_path(course, args.assignment)}; gradebook: {course.gradebook_path}")
    ungradable = [o for o in outcomes if o.status not in ("graded", "kept")]
    return EXIT_PARTIAL if ungradable else EXIT_OK


def cmd_feedback(args) -> int:
    from cbec.grading import generate_feedback

    course = _course(args)
    outcomes = generate_feedback(course, args.assignment, students=args.student or None,
                                 regenerate=args.regenerate, progress=not args.quiet)
    from cbec.grading.exchange import ExchangeError, release_feedback

    counts = Counter(o.status for o in outcomes)
    print("Feedback: " + (", ".join(f"{n} {s}" for s, n in counts.items()) or "nobody is graded yet"))
    for o in outcomes:
        if o.status == "failed":
            print(f"  {o.student_id:<14} failed: {o.message}")
    print(f"Feedback files: {course.feedback}/<student>/{args.assignment}/")
    released = True
    if outcomes:
        try:
            reached = release_feedback(course, args.assignment)
            if reached:
                print(f"Released to the exchange for {len(reached)} student(s) who handed in through it "
                      "(they get it with `nbgrader fetch_feedback`).")
        except ExchangeError as error:
            released = False
            print(f"  not released to the exchange: {error}")
    return EXIT_PARTIAL if counts.get("failed") or not released else EXIT_OK


def cmd_report(args) -> int:
    from cbec.reporting.runner import load_specs, replaces_data, run_reports, select

    specs = select(load_specs(args.config), args.names)
    overrides = {name: _resolve_file(value) for name, value in map(_parse_parameter, args.parameter or [])}
    if overrides and not args.names:
        _refuse_parameters_not_everywhere(specs, overrides)
    shared = {"course_dir": str(Path(args.course_dir).resolve())} if args.course_dir else None
    for spec in specs:
        if replaces_data(spec, overrides):
            kept = sorted(set(spec.parameters) - {"data"} - set(overrides))
            if kept:
                print(f"{spec.name}: -p data= names other data than reports.yml's, so the entry's "
                      f"{', '.join(kept)} are not applied (the notebook's defaults are); give any you want with -p.")
    if args.check:
        return _check_reports(args, specs, overrides, shared)
    if args.tolerance is not None:
        raise UsageError("--tolerance is the tolerance of --check: cbec report --check --tolerance 1e-4")
    runs = run_reports(specs, out_root=args.out, overrides=overrides, workers=args.workers,
                       progress=not args.quiet, shared=shared)
    width = max((len(run.name) for run in runs), default=0)
    for run in runs:
        where = run.html if run.ok else run.output_dir / "error.txt"
        print(f"  {run.name:<{width}}  {'ok' if run.ok else 'FAILED':<7} {run.seconds:5.1f} s  {where}")
        if not run.ok:
            print(f"    {run.error}")
    if runs:
        print(f"Index of reports: {runs[0].output_dir.parent / 'index.html'}")
    return EXIT_OK if all(r.ok for r in runs) else EXIT_PARTIAL


def _check_reports(args, specs, overrides: dict, shared: dict | None) -> int:
    """``cbec report --check``: regenerate into a temporary folder and compare with the stored summaries."""
    from cbec import paths
    from cbec.reporting.check import Tolerance, check_reports

    out_root = args.out or paths.reports_dir()
    tolerance = Tolerance(relative=args.tolerance) if args.tolerance is not None else Tolerance()
    checks = check_reports(specs, out_root, overrides=overrides, shared=shared, workers=args.workers,
                           tolerance=tolerance, progress=not args.quiet)
    compared = [check for check in checks if check.status != "not stored"]
    for check in checks:
        if check.same:
            print(f"{check.name}: same as {check.stored}")
        elif check.status == "not stored" and not args.names:
            print(f"{check.name}: skipped, {check.lines[0]}")
        else:
            for line in check.lines:
                print(f"{check.name}: {line}")
    if not compared:
        print(f"cbec report --check: nothing to compare, no stored summary.json under {out_root}; "
              "run `cbec report` first.", file=sys.stderr)
        return EXIT_BROKEN
    problems = [check for check in checks if not check.same and (check.status != "not stored" or args.names)]
    same = sum(check.same for check in checks)
    print(f"{same} of {len(compared)} report(s) regenerate identically (numbers within {tolerance.relative:g} "
          f"relative); the stored reports in {out_root} were not changed.")
    return EXIT_PARTIAL if problems else EXIT_OK


def cmd_course_grade(args) -> int:
    """Practice credit from the activity log into the gradebook, then the weighted course grade."""
    from cbec.activity import activity_folder, read_activity
    from cbec.reporting.course_grade import CourseWeights, course_grades, practice_credit, record_practice_credit

    course = _course(args)
    weights = CourseWeights(config=course.config())
    parts = weights.checked()
    folder = Path(args.activity) if args.activity else activity_folder(course.root)
    if not folder.is_dir():
        print(f"No activity log at {folder}: practice credit is 0 for everyone (students write it by "
              "playing practice seasons with cbec.modules.competition.practice.course_log()).")
    events = read_activity(folder)  # an empty table when there is no log
    with course.gradebook() as gb:
        students = [s.id for s in gb.students]
    credit = practice_credit(events, students, weights.practice_target_seasons)
    written = record_practice_credit(course.gradebook_path, credit)
    table = course_grades(course.gradebook_path, weights)
    out = course.root / "course_grades.csv"
    table.to_csv(out, index=False)
    print(f"Practice credit written to the gradebook for {written} student(s) (assignment practice_activity; "
          f"full credit at {weights.practice_target_seasons} practice seasons).")
    print("Course grade = " + " + ".join(f"{w:.0%} {name}" for name, w in parts.items())
          + f"; mean {table['course_grade'].mean():.1f} over {len(table)} students. Table: {out}")
    return EXIT_OK


def cmd_site(args) -> int:
    from cbec.site import SiteError, build_site

    try:
        built = build_site(out=args.out, execute=not args.no_execute, progress=not args.quiet)
    except SiteError as error:
        print(f"cbec site: {error}", file=sys.stderr)
        return EXIT_PARTIAL
    print(f"Course website: {built.pages} pages, no broken links, built in {built.seconds:.0f} s.")
    print(f"Open {built.index} in a browser (it needs no network).")
    return EXIT_OK


def cmd_demo(args) -> int:
    """The whole instructor cycle for every assignment, then every report (grade summaries
    and programme evaluation).  Broken submissions are reported, not fatal."""
    from cbec import paths

    course = _course(args)
    assignments = args.assignments or course.assignments()
    for name in assignments:
        course.require_assignment(name)
    due = args.due or (datetime.now().replace(microsecond=0) + timedelta(days=7) if args.exchange
                       else datetime(2025, 1, 10, 23, 59))
    per_assignment = [
        ("Generate the student version with nbgrader and release it", cmd_release, dict(due=due)),
        (f"Simulate a class of {args.students} submissions"
         + (", handed in through nbgrader's exchange" if args.exchange else ""), cmd_simulate_class,
         dict(students=args.students, seed=args.seed, due=due, overwrite=False, through_exchange=args.exchange)),
        *([("Collect the submissions from the exchange", cmd_collect, {})] if args.exchange else []),
        ("Autograde the class into the gradebook (in the sandbox)", cmd_autograde,
         dict(student=None, regrade=False, timeout=None, workers=2, scheduler=None, no_sandbox=False)),
        ("Write per-student HTML feedback", cmd_feedback, dict(student=None, regenerate=False)),
    ]
    stages = [("Materialise the datasets", cmd_data, dict(out=None, dataset=None, force=False)),
              *[(f"{name}: {title}", command, {**extra, "assignment": name})
                for name in assignments for title, command, extra in per_assignment],
              ("Simulate the class's practice seasons and quizzes (the activity log)", _simulate_activity, {}),
              ("Course grade: assignments, competition and practice activity, weighted", cmd_course_grade,
               dict(activity=None)),
              ("Render the reports", cmd_report, dict(names=None, parameter=None, config=None, out=None, workers=2,
                                                      check=False, tolerance=None))]
    codes: dict[str, int] = {}
    started = time.perf_counter()
    for number, (title, command, extra) in enumerate(stages, start=1):
        print(f"\n[{number}/{len(stages)}] {title}", flush=True)
        stage_args = argparse.Namespace(**{**vars(args), **extra})
        stage = command.__name__.removeprefix("cmd_") + (f" {extra['assignment']}" if "assignment" in extra else "")
        codes[stage] = command(stage_args)
    print(f"\nDone in {time.perf_counter() - started:.0f} s. Where everything is:")
    for label, where in [
        ("datasets", _generated_dir()),
        *[("student version", course.release / name) for name in assignments],
        ("submissions", course.submitted),
        ("autograded notebooks", course.autograded),
        ("gradebook", course.gradebook_path),
        ("feedback (HTML)", course.feedback),
        *[("grade summary", paths.reports_dir() / f"{name}_outcomes" / "report.html") for name in assignments],
        ("programme evaluation", paths.reports_dir() / "program_evaluation" / "report.html"),
        ("course grades", paths.reports_dir() / "course_grades" / "report.html"),
        ("training dashboard", paths.reports_dir() / "training_dashboard" / "report.html"),
        *[("leaderboard", paths.reports_dir() / f"competition_leaderboard_{view}" / "report.html")
          for view in ("public", "final") if "competition" in assignments],
        ("all reports", paths.reports_dir() / "index.html"),
    ]:
        print(f"  {label:<22} {where}")
    if any(code == EXIT_PARTIAL for stage, code in codes.items() if stage.startswith("autograde")):
        # the simulated class includes a corrupt file and an endless loop on purpose
        print("Some submissions could not be graded (listed above); everyone else was graded.")
    failed = [stage for stage, code in codes.items() if code != EXIT_OK and not stage.startswith("autograde")]
    if failed:
        print(f"Problems in: {', '.join(failed)} (listed above).", file=sys.stderr)
        return EXIT_PARTIAL
    return EXIT_OK


def _simulate_activity(args) -> int:
    """The demo class's activity log: trainings, practice seasons and quizzes, some students idle."""
    import pandas as pd

    from cbec.activity import activity_folder
    from cbec.supervision import simulate_class_activity

    course = _course(args)
    folder = activity_folder(course.root)
    if folder.is_dir() and any(folder.iterdir()):
        print(f"Kept the activity log already in {folder}.")
        return EXIT_OK
    with course.gradebook() as gb:
        students = sorted(s.id for s in gb.students)
    as_of = pd.Timestamp.now(tz="UTC").floor("h")
    simulate_class_activity(folder, students, start=as_of - pd.Timedelta(days=45), as_of=as_of, seed=args.seed)
    print(f"Activity of {len(students)} students written to {folder}.")
    return EXIT_OK


# Helpers -----------------------------------------------------------------------------
def _course(args):
    from cbec.grading import Course

    return Course.open(args.course_dir)


def _only_assignment(args) -> str:
    """The assignment a command means when none is named: the course's only one."""
    known = _course(args).assignments()
    if len(known) == 1:
        return known[0]
    raise UsageError(f"Name the assignment, e.g. cbec {args.command} {known[0] if known else 'ASSIGNMENT'} "
                     f"(this course has: {', '.join(known) or 'none yet; add one under source/'}).")


def _generated_dir():
    from cbec import paths

    return paths.generated_data_dir()


def _parse_parameter(text: str) -> tuple[str, object]:
    import yaml

    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UserError(f"-p expects NAME=VALUE, got {text!r} (for example -p behind_threshold=0.6).")
    return key.strip(), yaml.safe_load(value)


_FILE_SUFFIXES = (".csv", ".parquet", ".pq", ".tsv", ".json", ".xlsx", ".yml", ".yaml", ".db")


def _resolve_file(value):
    """A relative file path given on the command line means a file in the current folder."""
    if isinstance(value, str) and not Path(value).is_absolute() and (
            Path(value).suffix.lower() in _FILE_SUFFIXES or os.sep in value or (Path.cwd() / value).exists()):
        return str((Path.cwd() / value).resolve())
    return value


def _refuse_parameters_not_everywhere(specs, overrides: dict) -> None:
    """``-p`` without report names must mean something to every report it reaches."""
    import papermill as pm

    declared = {spec.name: set(pm.inspect_notebook(str(spec.notebook))) for spec in specs}
    for name in overrides:
        having = [report for report, names in declared.items() if name in names]
        if len(having) != len(declared):
            named = having[0] if len(having) == 1 else f"{', '.join(having[:-1])} and {having[-1]}"
            where = f"only {named} {'has' if len(having) == 1 else 'have'} it" if having else "no report has it"
            example = having[0] if having else "REPORT"
            raise UsageError(f"-p {name}=... would go to every report, but {where}. Name the report(s): "
                             f"cbec report {example} -p {name}=...")


def _datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2025-01-10 or 2025-01-10T23:59") from None


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cbec", description="CBEC Lab: run the course's instructor cycle.",
        epilog="Exit codes: 0 done; 2 wrong usage; 3 done with problems listed; 4 unusable input.")
    parser.add_argument("--course-dir", help="nbgrader course directory (default: the project's assignments/)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    def assignment_arg(p):
        p.add_argument("assignment", nargs="?", default=None,
                       help="assignment name (a folder of the course's source/; may be left out when there is one)")

    p = add("data", cmd_data, "Materialise every catalogue dataset as Parquet files.")
    p.add_argument("--dataset", action="append", help="only this dataset (repeatable)")
    p.add_argument("--out", type=Path, help="output folder (default: data/generated)")
    p.add_argument("--force", action="store_true", help="rewrite files that are up to date")

    p = add("release", cmd_release, "Generate the student version of an assignment with nbgrader.")
    assignment_arg(p)
    p.add_argument("--due", type=_datetime, help="due date (UTC), e.g. 2025-01-10T23:59")

    p = add("collect", cmd_collect, "Collect submissions from nbgrader's exchange into submitted/.")
    assignment_arg(p)

    p = add("simulate-class", cmd_simulate_class, "Create a simulated class of submissions.")
    assignment_arg(p)
    p.add_argument("--through-exchange", action="store_true",
                   help="students fetch and submit with nbgrader's exchange (then run `cbec collect`)")
    p.add_argument("--students", type=int, default=30, help="number of submissions (default 30)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the class (default 0)")
    p.add_argument("--due", type=_datetime, help="due date (UTC) used to make some submissions late")
    p.add_argument("--overwrite", action="store_true", help="replace existing submissions")

    p = add("autograde", cmd_autograde, "Autograde submissions into nbgrader's gradebook.")
    assignment_arg(p)
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument("--regrade", action="store_true", help="grade again students already graded")
    p.add_argument("--timeout", type=_positive(float), help="seconds a cell may run (default: nbgrader_config.py)")
    p.add_argument("--workers", type=_positive(int), default=2, help="students graded in parallel (default 2)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="grade on a Dask cluster, e.g. tcp://10.0.0.5:8786 (the gradebook stays here)")
    p.add_argument("--no-sandbox", action="store_true",
                   help="grade without isolation (trusted code only; marked in the grading log)")

    p = add("feedback", cmd_feedback, "Write per-student HTML feedback (hidden tests removed).")
    assignment_arg(p)
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument("--regenerate", action="store_true", help="rewrite existing feedback")

    p = add("report", cmd_report, "Render the report notebooks declared in analysis/reports.yml.")
    p.add_argument("names", nargs="*", help="reports to run (default: all)")
    p.add_argument("--check", action="store_true",
                   help="regenerate into a temporary folder and compare each summary.json with the stored one "
                        "(nothing stored is changed; exit 0 when all agree)")
    p.add_argument("--tolerance", type=_positive(float), default=None,
                   help="with --check: relative tolerance of numbers (default 1e-6)")
    p.add_argument("-p", "--parameter", action="append", metavar="NAME=VALUE",
                   help="override a notebook parameter (repeatable; VALUE is read as YAML)")
    p.add_argument("--config", type=Path, help="report configuration (default: analysis/reports.yml)")
    p.add_argument("--out", type=Path, help="output folder (default: reports/)")
    p.add_argument("--workers", type=int, default=2, help="parallel worker processes (default 2)")

    p = add("course-grade", cmd_course_grade,
            "Credit practice activity in the gradebook and weigh assignments, competition and practice.")
    p.add_argument("--activity", type=Path, help="activity log folder (default: the course's, beside the exchange)")

    p = add("site", cmd_site, "Build the course website: every module's lectures, executed, offline.")
    p.add_argument("--out", type=Path, help="output folder (default: site/)")
    p.add_argument("--no-execute", action="store_true", help="do not run the lectures (a quick look at the layout)")

    p = add("demo", cmd_demo, "Run the whole instructor cycle end to end on a simulated class.")
    p.add_argument("assignments", nargs="*", metavar="assignment",
                   help="assignments to release and grade (default: every assignment of the course)")
    p.add_argument("--students", type=int, default=30, help="class size (default 30)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the class (default 0)")
    p.add_argument("--due", type=_datetime,
                   help="due date (UTC) of the assignment (default 2025-01-10T23:59, or in a week with --exchange)")
    p.add_argument("--exchange", action="store_true",
                   help="students fetch and submit through nbgrader's exchange, then the class is collected")
    return parser


def exit_code_for(error: BaseException) -> int | None:
    """The exit code of an error a user can act on (its message says how), or ``None`` for a bug.

    The one map from errors to exit codes: wrong usage is 2, unusable input (course, data,
    configuration, sandbox) is 4.
    """
    from cbec.assignments.declaration import UnknownAssignmentError
    from cbec.data.catalogue import UnknownDatasetError
    from cbec.data.schemas import SchemaError
    from cbec.grading.course import CourseError
    from cbec.grading.sandbox import SandboxUnavailable
    from cbec.identity import StudentIdError
    from cbec.reporting.gradebook import GradebookError
    from cbec.reporting.runner import ReportConfigError

    codes = [
        (UsageError, EXIT_USAGE),
        ((UserError, CourseError, GradebookError, ReportConfigError, StudentIdError, SandboxUnavailable,
          UnknownAssignmentError, UnknownDatasetError, SchemaError, FileNotFoundError, FileExistsError,
          ValueError), EXIT_BROKEN),
    ]
    return next((code for kinds, code in codes if isinstance(error, kinds)), None)


def _quiet_library_noise() -> None:
    """nbgrader's SQLAlchemy warnings say nothing an instructor can act on."""
    import warnings

    warnings.filterwarnings("ignore", message=".*not in session.*")
    warnings.filterwarnings("ignore", category=DeprecationWarning)


def main(argv: list[str] | None = None) -> int:
    _quiet_library_noise()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "assignment", "") is None:
            args.assignment = _only_assignment(args)
        return args.func(args)
    except Exception as error:
        code = exit_code_for(error)
        if code is None:
            raise
        print(f"cbec {args.command}: {error}", file=sys.stderr)
        return code
    except KeyboardInterrupt:
        print("Interrupted; finished work is kept (already graded students are not redone).", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
