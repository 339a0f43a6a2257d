"""The course website builds from the modules, executed, with no broken page or link."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from cbec.site import SiteError, broken_links, build_site, course_modules
from cbec.site.modules import CourseModule
from tests.test_notebooks import assert_solutions_pass

REMOTE_LOAD = re.compile(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//')


@pytest.fixture
def site(built_site):
    return built_site


@pytest.mark.xdist_group("site")
def test_the_site_has_every_module_lecture_and_student_version(site):
    modules = course_modules()
    assert modules, "no course module found"
    home = (site.out / "index.html").read_text(encoding="utf-8")
    for module in modules:
        assert f'href="{module.slug}/index.html"' in home, f"the home page does not link {module.title}"
        page = (site.out / module.slug / "index.html").read_text(encoding="utf-8")
        for lecture in module.lectures:
            assert (site.out / module.slug / f"{lecture.stem}.html").is_file()
            assert f'href="{lecture.stem}.html"' in page
        if module.assignment:
            [download] = re.findall(r'href="(\.\./_downloads/[^"]+\.ipynb)"', page)
            student = nbformat.read(site.out / module.slug / download, as_version=4)
            text = "\n".join(cell.source for cell in student.cells)
            assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
            assert "raise NotImplementedError()" in text, "the download is not the student version"


@pytest.mark.xdist_group("site")
def test_lectures_are_executed_with_math_and_collapsed_solutions(site):
    for module in course_modules():
        for lecture in module.lectures:
            page = (site.out / module.slug / f"{lecture.stem}.html").read_text(encoding="utf-8")
            assert 'class="cell_output' in page, f"{lecture.name} was not executed"
            assert "Traceback (most recent call last)" not in page, f"{lecture.name} has an error"
            solutions = re.findall(r'<div class="cell tag_solution[^"]*">\s*<details([^>]*)>', page)
            assert solutions, f"{lecture.name}: no collapsed solution"
            assert all("open" not in attributes for attributes in solutions), f"{lecture.name}: a solution is open"
            if "$" in "".join(c.source for c in nbformat.read(lecture, as_version=4).cells if c.cell_type == "markdown"):
                assert "<math" in page, f"{lecture.name}: math not written as MathML"
            assert REMOTE_LOAD.findall(page) == [], f"{lecture.name} loads something from the network"


@pytest.mark.xdist_group("site")
def test_every_lecture_ran_on_a_fresh_kernel_and_its_solutions_pass(site):
    # MyST-NB keeps the executed notebooks beside the staged source (conftest: <folder>/src)
    executed = site.out.parent / "src" / "_build" / "jupyter_execute"
    lectures = checked = 0
    for module in course_modules():
        for lecture in module.lectures:
            notebook = nbformat.read(executed / module.slug / lecture.name, as_version=4)
            code = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.strip()]
            assert code and all(cell.execution_count for cell in code), f"{lecture.name}: a cell did not run"
            assert not [o for c in code for o in c.outputs if o.output_type == "error"], f"{lecture.name} failed"
            checked += assert_solutions_pass(notebook, lecture.name)
            lectures += 1
    assert checked >= lectures, f"only {checked} checked solutions in {lectures} lectures"


@pytest.mark.xdist_group("site")
def test_no_page_or_link_is_broken(site):
    assert broken_links(site.out) == []
    assert site.pages >= 2 + sum(len(m.lectures) + 1 for m in course_modules())


def _page(folder: Path, name: str, body: str) -> None:
    (folder / name).write_text(f"<html><body>{body}</body></html>", encoding="utf-8")


def test_the_link_check_finds_missing_pages_anchors_and_network_loads(tmp_path):
    _page(tmp_path, "index.html", '<a href="a.html#top">a</a> <a href="gone.html">x</a> <a href="a.html#nowhere">y</a>'
                                  ' <script src="https://cdn.example.org/m.js"></script>'
                                  ' <a href="https://doi.org/10.1287/mksc.1040.0098">a paper</a>')
    _page(tmp_path, "a.html", '<h1 id="top">A</h1>')
    problems = broken_links(tmp_path)
    assert len(problems) == 3
    assert any("gone.html does not exist" in p for p in problems)
    assert any("missing anchor" in p for p in problems)
    assert any("loads https://cdn.example.org/m.js" in p for p in problems)


def test_modules_are_the_numbered_folders_with_a_readme(tmp_path):
    for name, title in [("02_data_operation", "Module 2: Data"), ("01_platform_operation", "Module 1: Platform")]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "README.md").write_text(f"# {title}\n\ntext\n")
        (tmp_path / name / "01_intro.ipynb").write_text("{}")
    (tmp_path / "scratch").mkdir()
    source = tmp_path / "source"
    (source / "data_operation").mkdir(parents=True)
    found = course_modules(tmp_path, course_source=source)
    assert [m.slug for m in found] == ["01_platform_operation", "02_data_operation"]
    assert [m.assignment for m in found] == [None, "data_operation"]
    assert isinstance(found[0], CourseModule) and found[0].title == "Module 1: Platform"


def test_a_lecture_that_fails_stops_the_build_and_is_named(tmp_path):
    module = tmp_path / "modules" / "09_broken_module"
    module.mkdir(parents=True)
    (module / "README.md").write_text("# Module 9: Broken\n\nA module whose lecture fails.\n")
    lecture = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 1. Failing"),
                                              nbformat.v4.new_code_cell("1 / 0")])
    nbformat.write(lecture, module / "01_failing.ipynb")
    with pytest.raises(SiteError, match="01_failing"):
        build_site(out=tmp_path / "html", modules_root=tmp_path / "modules", progress=False)


def test_a_module_without_a_readme_is_named_in_the_error(tmp_path):
    (tmp_path / "03_independent_station").mkdir()
    with pytest.raises(FileNotFoundError, match="03_independent_station/README.md is missing"):
        course_modules(tmp_path, course_source=tmp_path)
