"""Pages load nothing from the network: math is MathML, no CDN scripts, real titles."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cbec import paths
from cbec.reporting.mathml import MathMLRenderer, to_mathml
from cbec.reporting.pages import page_title, report_exporter
from nbconvert.filters.markdown_mistune import MarkdownWithMath

ROOT = paths.project_root()
REMOTE = re.compile(r'(?:src|href)="(?:https?:)?//')


def test_latex_becomes_mathml():
    block = to_mathml(r"Q^* = \sqrt{2DS/H}", display=True)
    assert block.startswith("<math") and 'display="block"' in block and "<msqrt>" in block
    assert "<mfrac>" in to_mathml(r"\frac{a}{b}")


def test_unreadable_latex_stays_visible_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="cbec.reporting.mathml"):
        shown = to_mathml(r"x^")
    assert shown == '<code class="math-source">x^</code>'
    assert "could not convert math 'x^'" in caplog.text


def test_every_formula_in_the_course_converts(caplog):
    """A formula latex2mathml cannot read would show as LaTeX: none in our notebooks may."""
    notebooks = [p for p in ROOT.glob("**/*.ipynb")
                 if not {".venv", ".runtime", "release", "submitted", "autograded"} & set(p.relative_to(ROOT).parts)]
    converted = 0
    with caplog.at_level(logging.WARNING, logger="cbec.reporting.mathml"):
        for path in notebooks:
            for cell in nbformat.read(path, as_version=4).cells:
                if cell.cell_type == "markdown" and "$" in cell.source:
                    page = MarkdownWithMath(renderer=MathMLRenderer(escape=False)).render(cell.source)
                    converted += page.count("<math")
                    assert "$$" not in page, f"{path.name}: display math left as LaTeX"
    assert converted > 30 and "could not convert" not in caplog.text


def _page(notebook, **options) -> str:
    body, _ = report_exporter(**options).from_notebook_node(notebook, resources={"metadata": {"name": page_title(notebook)}})
    return body


def test_report_pages_load_nothing_from_the_network():
    notebook = new_notebook(cells=[
        new_markdown_cell("# Uplift of training\n\nThe model is $y = \\alpha + \\beta x$ and\n\n$$n = \\frac{z^2}{d^2}$$"),
        new_code_cell("1", outputs=[new_output("display_data", {"text/markdown": "Effect $\\beta = 0.2$"})]),
    ])
    page = _page(notebook, exclude_input=True)
    assert REMOTE.findall(page) == []
    assert "<script src=" not in page  # neither require.js nor MathJax
    assert page.count("<math") == 3 and "$" not in re.sub(r"<[^>]+>", "", page).replace("$$", "")
    assert "<title>Uplift of training</title>" in page


def test_the_blocks_our_report_template_empties_are_nbconverts():
    """If nbconvert renamed a block, ours would silently stop removing its CDN script."""
    from jupyter_core.paths import jupyter_path

    template = (ROOT / "helpers/cbec/reporting/templates/cbec_report/index.html.j2").read_text()
    [lab] = [p for p in (Path(d) / "lab" / "index.html.j2" for d in jupyter_path("nbconvert", "templates")) if p.exists()][:1]
    for block in re.findall(r"block (html_head_js_\w+)", template):
        assert f"block {block}" in lab.read_text(), block
