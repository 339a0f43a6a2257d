"""How every notebook page of the course is written: offline, titled, with math as MathML.

One place for the nbconvert settings shared by the reports (:func:`report_exporter`) and by
nbgrader's feedback (:func:`offline_html_config`, merged into the course's nbgrader config):
no script is loaded from a CDN (require.js, MathJax and mermaid are dropped; math is
MathML), so pages open the same on a campus network that blocks CDNs.
"""

from __future__ import annotations

from pathlib import Path

from traitlets.config import Config

TEMPLATES = Path(__file__).with_name("templates")
REPORT_TEMPLATE = "cbec_report"
MARKDOWN_FILTER = "cbec.reporting.mathml.markdown2html"


def _nbgrader_templates() -> str:
    import nbgrader

    return str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates")


def offline_html_config() -> Config:
    """nbconvert settings for nbgrader's feedback pages.

    nbgrader renders feedback with its own ``feedback`` template, which loads MathJax from a
    CDN through the ``mathjax`` macro.  Our template folder comes after nbgrader's, so the
    page itself stays nbgrader's while ``feedback/mathjax.html.j2`` (which loads nothing)
    replaces that macro; the Markdown filter writes the math as MathML.
    """
    config = Config()
    config.HTMLExporter.extra_template_basedirs = [_nbgrader_templates(), str(TEMPLATES)]
    config.HTMLExporter.filters = {"markdown2html": MARKDOWN_FILTER}
    return config


def report_exporter(**options):
    """An ``HTMLExporter`` for report pages (``options`` as for ``HTMLExporter``)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name=REPORT_TEMPLATE, extra_template_basedirs=[str(TEMPLATES)],
                        filters={"markdown2html": MARKDOWN_FILTER}, **options)


def page_title(notebook, fallback: str = "CBEC Lab report") -> str:
    """The text of the notebook's first level-one heading."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip().replace("*", "")
    return fallback
