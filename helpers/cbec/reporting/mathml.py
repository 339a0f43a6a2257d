"""Math written as MathML when a page is built, so it renders with no script and no network.

Notebook HTML from nbconvert (reports, nbgrader feedback) and the course website leave
``$...$`` for MathJax, loaded from a CDN that many campus networks block.  Browsers render
MathML themselves, so converting the LaTeX once, with ``latex2mathml``, makes every page
work offline and keeps it small.
"""

from __future__ import annotations

import html
import logging

from jinja2 import pass_context
from latex2mathml.converter import convert
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

log = logging.getLogger(__name__)


def to_mathml(latex: str, display: bool = False) -> str:
    """``<math>`` markup for ``latex``; LaTeX it cannot read stays visible as code, with a warning."""
    try:
        return convert(latex.strip(), display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises several types; the page must still build
        log.warning("could not convert math %r to MathML (%s); it is shown as LaTeX", latex, error)
        return f'<code class="math-source">{html.escape(latex)}</code>'


class MathMLRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer, writing math as MathML instead of leaving it for MathJax."""

    def block_math(self, body: str) -> str:
        return to_mathml(body, display=True)

    def latex_environment(self, name: str, body: str) -> str:
        return to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)

    def inline_math(self, body: str) -> str:
        return to_mathml(body)


@pass_context
def markdown2html(context, source: str) -> str:
    """Drop-in for nbconvert's ``markdown2html`` filter (``HTMLExporter.filters``)."""
    cell = context.get("cell", {})
    path = context.get("resources", {}).get("metadata", {}).get("path", "")
    renderer = MathMLRenderer(escape=False, attachments=cell.get("attachments", {}), path=path)
    return MarkdownWithMath(renderer=renderer).render(source)
