"""The course as students and instructors meet it, in JupyterLab driven by a real Chromium.

A student opens the assignment fetched from nbgrader's exchange, meets the message for a
missing student id, sets it, gets a one-line check message for a wrong answer and a pass
for a right one, and validates.  An instructor grades the memo in JupyterLab's Formgrader
and sees the grade in the grade-summary report.  Feedback, report and website pages render
their math with the network cut off.  Failures keep a screenshot in ``test-results/``.
"""

from __future__ import annotations

import shutil
import time
from datetime import datetime, timezone

import nbformat
import pandas as pd
import pytest
from playwright.sync_api import expect

from cbec import paths
from cbec.assignments.declaration import declaration
from cbec.grading import autograde_class, generate_feedback
from cbec.grading.exchange import Student, collect, exchange_root, release_to_exchange
from cbec.grading.regions import solution_code
from cbec.grading.submissions import fill_answers, write_submission
from cbec.reporting.gradebook import load_assignment_grades
from cbec.reporting.runner import load_specs, run_reports, select
from tests.browser import block_network, jupyter_lab
from tests.graded_class import ASSIGNMENT, released_course

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("site")]

DECLARATION = declaration(ASSIGNMENT)
AUTO_POINTS = sum(q.points for q in DECLARATION.questions)
MANUAL_GRADE = 7


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project folder as a clone has it: the root ``nbgrader_config.py`` and the course in
    ``assignments/``, released to the exchange in ``.runtime/``."""
    root = tmp_path_factory.mktemp("project")
    shutil.copy(paths.project_root() / "nbgrader_config.py", root / "nbgrader_config.py")
    course = released_course(root / "assignments")
    release_to_exchange(course, ASSIGNMENT)
    return course


def _student(project, home, student_id: str) -> Student:
    """A student whose Jupyter knows the exchange (on a server: a system-wide nbgrader_config.py)."""
    student = Student(student_id, home, exchange_root(project))
    (home / ".jupyter").mkdir(parents=True, exist_ok=True)
    (home / ".jupyter" / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.Exchange.root = {str(student.exchange)!r}\n"
        f"c.CourseDirectory.course_id = {student.course_id!r}\n")
    return student


def _run(page, cell) -> None:
    """Click into ``cell`` and run it (Shift+Enter), as a student would."""
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")


def _replace_source(page, cell, code: str) -> None:
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)  # typed keys would be auto-indented and auto-closed


def test_a_student_works_through_the_released_assignment(project, page, tmp_path):
    alice = _student(project, tmp_path / "alice", "alice")
    notebook = alice.fetch(ASSIGNMENT) / DECLARATION.notebook
    question = DECLARATION.questions[1]
    right = solution_code(project.source / ASSIGNMENT / DECLARATION.notebook)[f"{question.qid}_answer"]

    with jupyter_lab(alice.home, alice.home, "student") as lab:
        page.goto(lab.page_url(f"lab/tree/{ASSIGNMENT}/{notebook.name}"))
        expect(page.get_by_text("| Idle")).to_be_visible(timeout=60_000)
        cells = page.locator(".jp-Notebook .jp-Cell")

        setup = cells.filter(has_text="student_dataset()")
        _run(page, setup)
        message = setup.locator(".jp-OutputArea")
        expect(message).to_contain_text("I don't know whose dataset to load", timeout=60_000)
        expect(message).to_contain_text("%env CBEC_STUDENT_ID=your-id")
        assert "Traceback" not in message.inner_text() and len(message.inner_text().splitlines()) <= 6

        setup.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Escape")
        page.keyboard.press("a")  # a new cell above the set-up cell, as the notebook says
        page.keyboard.press("Enter")
        page.keyboard.insert_text("%env CBEC_STUDENT_ID=alice")
        page.keyboard.press("Shift+Enter")
        _run(page, setup)
        expect(setup.locator(".jp-OutputArea")).to_contain_text("Store of student alice", timeout=60_000)

        check = cells.filter(has_text=f"check.{question.qid}({question.variable})")
        answer = check.locator("xpath=preceding-sibling::div[contains(@class, 'jp-Cell')][1]")
        _replace_source(page, answer, f"{question.variable} = [1, 2, 3]")
        page.keyboard.press("Shift+Enter")
        _run(page, check)
        verdict = check.locator(".jp-OutputArea")
        expect(verdict).to_contain_text("Check failed", timeout=30_000)
        assert "got list" in verdict.inner_text() and "Traceback" not in verdict.inner_text()
        assert len(verdict.inner_text().strip().splitlines()) <= 2

        _replace_source(page, answer, right)
        page.keyboard.press("Shift+Enter")
        _run(page, check)
        expect(verdict).to_contain_text("plausible", timeout=30_000)
        assert "Check failed" not in verdict.inner_text()

        page.get_by_role("button", name="Validate").click()
        dialog = page.locator(".jp-Dialog")
        expect(dialog).to_contain_text("Validation Results", timeout=120_000)
        unanswered = DECLARATION.questions[0]
        expect(dialog).to_contain_text(f"check.{unanswered.qid}({unanswered.variable})")
        assert f"check.{question.qid}({question.variable})" not in dialog.inner_text()
        dialog.get_by_role("button", name="OK").click()

        page.get_by_role("menuitem", name="Nbgrader").click()
        page.get_by_role("menuitem", name="Assignment List").click()
        expect(page.locator(".jp-MainAreaWidget").last).to_contain_text(ASSIGNMENT, timeout=30_000)
    saved = nbformat.read(notebook, as_version=4)
    assert any("CBEC_STUDENT_ID=alice" in cell.source for cell in saved.cells), "Validate saves the notebook"


def _manual_grade_id(project) -> str:
    source = nbformat.read(project.source / ASSIGNMENT / DECLARATION.notebook, as_version=4)
    [grade_id] = [c.metadata["nbgrader"]["grade_id"] for c in source.cells
                  if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")]
    return grade_id


@pytest.fixture(scope="module")
def handed_in(project, tmp_path_factory):
    """Bob fetches, answers everything, writes the memo and submits; the class is collected and graded."""
    bob = _student(project, tmp_path_factory.mktemp("homes") / "bob", "bob")
    fetched = bob.fetch(ASSIGNMENT) / DECLARATION.notebook
    answers = {k.removesuffix("_answer"): v for k, v in solution_code(project.source / ASSIGNMENT / DECLARATION.notebook).items()}
    nbformat.write(fill_answers(fetched, answers, memo="Hold more stock before the Q4 peak."), fetched)
    bob.submit(ASSIGNMENT)
    assert collect(project, ASSIGNMENT) == ["bob"]
    [outcome] = autograde_class(project, ASSIGNMENT, progress=False)
    assert outcome.score == AUTO_POINTS
    return project


def test_an_instructor_grades_the_memo_in_formgrader_and_the_report_shows_it(handed_in, page, tmp_path):
    course = handed_in
    with jupyter_lab(course.root.parent, tmp_path / "instructor", "instructor") as lab:
        page.goto(lab.page_url("lab"))
        page.get_by_role("menuitem", name="Nbgrader").click()
        page.get_by_role("menuitem", name="Formgrader").click()
        formgrader = page.frame_locator("iframe").first
        expect(formgrader.locator("body")).to_contain_text(ASSIGNMENT, timeout=30_000)
        assert "does not exist" not in formgrader.locator("body").inner_text(), "the exchange is not configured"
        formgrader.get_by_role("link", name="Manual Grading").click()
        formgrader.get_by_role("link", name=ASSIGNMENT).click()
        formgrader.get_by_role("link", name=DECLARATION.notebook.removesuffix(".ipynb")).click()
        expect(formgrader.locator("body")).to_contain_text("Submission #1")
        formgrader.get_by_role("link", name="Submission #1").click()
        score = formgrader.locator(f"input.score#{_manual_grade_id(course)}")
        score.scroll_into_view_if_needed()
        score.fill(str(MANUAL_GRADE))
        score.press("Enter")
        _wait_for_manual_score(course, MANUAL_GRADE)

    out = tmp_path / "reports"
    [run] = run_reports(select(load_specs(), ["data_operation_outcomes"]), out_root=out, progress=False,
                        shared={"course_dir": str(course.root)})
    assert run.ok, run.error
    students = pd.read_csv(run.output_dir / "students.csv").set_index("student_id")
    assert students.loc["bob", "score"] == AUTO_POINTS + MANUAL_GRADE
    assert not students.loc["bob", "needs_manual_grade"]

    attempted = block_network(page)
    page.goto(run.html.as_uri())
    expect(page).to_have_title("Assignment outcomes (data_operation_outcomes)")
    expect(page.locator("body")).to_contain_text("bob")
    assert attempted == [], f"the report page reached for the network: {attempted}"

    # carol slips on units everywhere: her feedback is full of hidden-test messages
    released = course.release / ASSIGNMENT / DECLARATION.notebook
    write_submission(course.submitted / "carol" / ASSIGNMENT, DECLARATION.notebook,
                     fill_answers(released, DECLARATION.near_misses["unit"]), datetime.now(timezone.utc))
    autograde_class(course, ASSIGNMENT, students=["carol"], progress=False)
    [feedback] = generate_feedback(course, ASSIGNMENT, students=["carol"], progress=False)
    page.goto(feedback.path.as_uri())
    expect(page).to_have_title(f"{_first_heading(course)} — feedback for carol")
    expect(page.locator("body")).to_contain_text("Hidden tests did not pass")
    _assert_math_rendered(page)
    cut = page.evaluate("[...document.querySelectorAll('pre')].filter(p => p.scrollWidth > p.clientWidth + 1).length")
    assert cut == 0, "a message in the feedback runs past the edge of its box"
    assert attempted == [], f"the feedback page reached for the network: {attempted}"


def _first_heading(course) -> str:
    from cbec.reporting.pages import page_title

    return page_title(nbformat.read(course.source / ASSIGNMENT / DECLARATION.notebook, as_version=4))


def _wait_for_manual_score(course, expected: float, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        items = load_assignment_grades(course.root / "gradebook.db", ASSIGNMENT).items
        manual = items[(items.student_id == "bob") & (items.graded_by == "manual")]
        if len(manual) and manual.score.iloc[0] == expected:
            return
        assert time.monotonic() < deadline, f"formgrader did not store the grade: {manual.to_dict('records')}"
        time.sleep(0.3)


def _assert_math_rendered(page) -> None:
    """Formulas are drawn (MathML laid out by the browser), not left as ``$...$`` text."""
    formulas = page.locator("math")
    assert formulas.count() > 0, "no formula on the page"
    box = formulas.first.bounding_box()
    assert box and box["height"] > 5 and box["width"] > 5
    assert "$$" not in page.locator("body").inner_text()


def test_the_website_works_offline_with_math_and_collapsed_solutions(built_site, page):
    attempted = block_network(page)
    lecture = next(p for p in sorted(built_site.out.glob("*/*.html")) if "<math" in p.read_text(encoding="utf-8")
                   and "tag_solution" in p.read_text(encoding="utf-8"))
    page.goto(lecture.as_uri())
    _assert_math_rendered(page)
    solution = page.locator(".tag_solution details").first
    code = solution.locator(".cell_input")
    expect(code).to_be_hidden()
    solution.locator("summary").click()
    expect(code).to_be_visible()
    page.goto(built_site.index.as_uri())
    expect(page).to_have_title("CBEC Lab: cross-border e-commerce, taught on data — CBEC Lab")
    assert attempted == [], f"the website reached for the network: {attempted}"
