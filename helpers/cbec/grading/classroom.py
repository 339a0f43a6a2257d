"""A simulated class: realistic submissions for demonstrating and testing the grading cycle."""

from __future__ import annotations

import ast
import csv
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import numpy as np
from tqdm.auto import tqdm

from cbec.assignments.declaration import AssignmentDeclaration, declaration
from cbec.grading.course import Course, CourseError
from cbec.grading.plan import bound_names, python_source
from cbec.grading.regions import solution_code
from cbec.grading.submissions import copied_answers, fill_answers, write_submission

_FIRST = ["Wei", "Li", "Fang", "Jun", "Min", "Hui", "Yan", "Lei", "Ting", "Hao", "Xin", "Qing",
          "Ana", "Tom", "Sara", "Omar", "Nina", "Ivan", "Lena", "Ravi", "Mei", "Kai", "Yuki", "Zoe"]
_LAST = ["Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Ma",
         "Silva", "Novak", "Khan", "Rossi", "Kim", "Tanaka", "Müller", "Garcia"]

#: How many students of each kind a class of 30 submissions has (scaled for other sizes).
PROFILE_MIX = {"complete": 8, "partial": 12, "blank": 3, "late": 4, "copied": 1,
               "corrupt": 1, "infinite_loop": 1}

@dataclass(frozen=True)
class SimulatedStudent:
    student_id: str
    first_name: str
    last_name: str
    profile: str  # a key of PROFILE_MIX, or "missing"


def make_roster(n_students: int, seed: int = 0) -> list[SimulatedStudent]:
    """``n_students`` who submit, with profiles in the proportions of PROFILE_MIX, plus one who doesn't."""
    if n_students < len(PROFILE_MIX):
        raise ValueError(f"A simulated class needs at least {len(PROFILE_MIX)} students "
                         f"(one per profile), got {n_students}.")
    rng = np.random.default_rng(seed)
    counts = {k: max(1, round(v * n_students / 30)) for k, v in PROFILE_MIX.items()}
    counts["partial"] += n_students - sum(counts.values())
    profiles = [p for p, k in counts.items() for _ in range(k)]
    rng.shuffle(profiles)
    profiles.append("missing")
    students = []
    for i, profile in enumerate(profiles, start=1):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        sid = f"{first[0]}{last}".lower().replace("ü", "ue") + f"{i:02d}"
        students.append(SimulatedStudent(sid, str(first), str(last), profile))
    return students


def answer_cells(declared: AssignmentDeclaration, solutions: dict[str, str]) -> dict[str, str]:
    """Each question's answer cell: the solution cell that assigns the question's variable."""
    assigning = {grade_id: bound_names(ast.parse(python_source(code))) for grade_id, code in solutions.items()}
    cells = {}
    for question in declared.questions:
        found = [grade_id for grade_id, names in assigning.items() if question.variable in names]
        if not found:
            raise CourseError(f"No solution cell of {declared.name!r} assigns {question.variable} ({question.qid}).")
        cells[question.qid] = found[-1]
    return cells


def _released_due_date(course: Course, assignment: str) -> datetime:
    """The due date the assignment was released with (nbgrader's gradebook keeps it)."""
    with course.gradebook() as gb:
        try:
            due = gb.find_assignment(assignment).duedate
        except Exception:  # noqa: BLE001 - nbgrader raises MissingEntry, a plain lookup failure
            due = None
    if due is None:
        raise CourseError(f"{assignment!r} has no due date, so no submission can be on time or late: "
                          f"release it with one (cbec release {assignment} --due YYYY-MM-DDTHH:MM) or pass --due.")
    return due


def _answers_for(profile: str, declared: AssignmentDeclaration, solutions: dict[str, str],
                 rng: np.random.Generator) -> dict[str, str]:
    """Answer-cell code for one simulated student, keyed by question id."""
    model = {qid: solutions[cell] for qid, cell in answer_cells(declared, solutions).items()}
    for qid, variants in declared.answer_variants.items():  # good answers of their own
        choices = (model[qid], *variants)
        model[qid] = choices[int(rng.integers(len(choices)))]
    if profile in ("complete", "late_complete"):
        return model
    if profile == "infinite_loop":
        return {**model, declared.endless_loop_question or declared.questions[0].qid: declared.endless_loop}
    # a partly right student: their ability decides how often they get a question right
    ability = rng.uniform(0.35, 0.85)
    kinds = sorted(declared.near_misses)
    answers = {}
    for qid, code in model.items():
        draw = rng.random()
        wrong = [declared.near_misses[kind][qid] for kind in kinds if qid in declared.near_misses[kind]]
        if draw < ability:
            answers[qid] = code
        elif draw < ability + (1 - ability) * 0.6 and wrong:
            answers[qid] = wrong[int(rng.integers(len(wrong)))]
        # else: left as the released stub (raise NotImplementedError)
    return answers


def simulate_class(course: Course, assignment: str, n_students: int = 30, seed: int = 0,
                   duedate: datetime | None = None, overwrite: bool = False,
                   progress: bool = True, through_exchange: bool = False) -> list[SimulatedStudent]:
    """Write a class of submissions into ``submitted/`` and register the students.

    The assignment must have been released.  Existing submissions are kept unless
    ``overwrite`` is set, so a real class is never clobbered by a demo.  With
    ``through_exchange`` each student instead fetches the released assignment from
    nbgrader's exchange into a home folder of their own, saves their work and submits it
    with nbgrader (then ``cbec collect`` brings the submissions in); nbgrader stamps them
    with the real time, so nobody is late unless the due date has passed.
    """
    sources = course.source_notebooks(assignment)
    released_dir = course.release / assignment
    if not released_dir.is_dir():
        raise CourseError(f"{assignment!r} has not been released yet: run `cbec release {assignment}` first.")
    if len(sources) != 1:
        raise CourseError(f"The class simulator handles one notebook per assignment; found {len(sources)}.")
    source = sources[0]
    released = released_dir / source.name
    declared = declaration(assignment)
    solutions = solution_code(source)
    roster = make_roster(n_students, seed)
    due = duedate or _released_due_date(course, assignment)
    rng = np.random.default_rng(seed + 1)
    cells = answer_cells(declared, solutions)
    variables = {cells[q.qid]: q.variable for q in declared.questions}
    complete_ids = [s.student_id for s in roster if s.profile == "complete"]

    with course.gradebook() as gb:
        gb.update_or_create_assignment(assignment, duedate=due)
        for s in roster:
            gb.update_or_create_student(s.student_id, first_name=s.first_name, last_name=s.last_name)
    _write_roster(course.root / "roster.csv", roster)

    hand_in = _through_exchange(course, assignment, source.name) if through_exchange else \
        (lambda sid, notebook, when: write_submission(course.submitted / sid / assignment, source.name, notebook, when))
    for s in tqdm(roster, desc="Simulating submissions", unit="student", disable=not progress):
        folder = course.submitted / s.student_id / assignment
        if s.profile == "missing" or (folder.exists() and not overwrite):
            continue
        on_time = due - timedelta(hours=float(rng.uniform(1, 72)))
        if s.profile == "corrupt":
            text = released.read_text(encoding="utf-8")
            hand_in(s.student_id, text[: len(text) // 2], on_time)
            continue
        if s.profile == "copied":
            answers = dict(declared.copied_answer) or copied_answers(source, variables, other_student=complete_ids[0])
        elif s.profile == "late":
            answers = _answers_for("late_complete" if rng.random() < 0.5 else "partial", declared, solutions, rng)
        else:
            answers = {} if s.profile == "blank" else _answers_for(s.profile, declared, solutions, rng)
        memo = None if s.profile in ("blank", "infinite_loop") else declared.sample_memo
        submitted_at = due + timedelta(hours=float(rng.uniform(2, 96))) if s.profile == "late" else on_time
        answers = {cells.get(key, key): code for key, code in answers.items()}  # question id -> answer cell
        hand_in(s.student_id, fill_answers(released, answers, memo), submitted_at)
    return roster


def _through_exchange(course: Course, assignment: str, notebook_name: str):
    """Hand-in by students of their own: fetch from the exchange, save the work, submit."""
    from cbec.grading.exchange import Student, exchange_root

    exchange = exchange_root(course)
    homes = exchange.parent / "homes"
    course_id = course.config().CourseDirectory.course_id
    if not (exchange / course_id / "outbound" / assignment).is_dir():
        raise CourseError(f"{assignment!r} has not been released to the exchange ({exchange}): "
                          f"run `cbec release {assignment}` first.")

    def hand_in(student_id: str, notebook, _when) -> None:
        student = Student(student_id, homes / student_id, exchange, course_id)
        path = student.fetch(assignment) / notebook_name
        if isinstance(notebook, str):  # a corrupt file
            path.write_text(notebook, encoding="utf-8")
        else:
            nbformat.write(notebook, path)
        student.submit(assignment)

    return hand_in


def _write_roster(path: Path, roster: list[SimulatedStudent]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "first_name", "last_name", "profile"])
        writer.writerows((s.student_id, s.first_name, s.last_name, s.profile) for s in roster)
