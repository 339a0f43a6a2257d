"""Sphinx extension: math as MathML, written at build time (no MathJax, no CDN).

Enable with ``extensions = ["cbec.site.mathml"]`` and ``html_math_renderer = "mathml"``.
"""

from __future__ import annotations

from docutils import nodes

from cbec.reporting.mathml import to_mathml


def _visit_inline(translator, node):
    translator.body.append(to_mathml(node.astext()))
    raise nodes.SkipNode


def _visit_block(translator, node):
    number = f'<span class="eqno">({node["number"]})</span>' if node.get("number") else ""
    translator.body.append(f'<div class="math-block">{number}{to_mathml(node.astext(), display=True)}</div>')
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer("mathml", (_visit_inline, None), (_visit_block, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
