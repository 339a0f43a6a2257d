"""Sphinx settings of the course website (the staged source's ``conf.py`` imports them)."""

from pathlib import Path as _Path

project = "CBEC Lab"
author = "CBEC Lab contributors"
copyright = "CBEC Lab contributors, MIT licence"
language = "en"

extensions = ["myst_nb", "cbec.site.mathml"]
myst_enable_extensions = ["dollarmath", "amsmath"]
html_math_renderer = "mathml"  # math written as MathML: renders offline, no MathJax from a CDN

# Lectures are executed on every build, so the site shows what today's code computes.
nb_execution_mode = "force"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_excludepatterns = ["*/assignment/*"]  # the student version is shown as released
nb_merge_streams = True

html_theme = "sphinx_book_theme"
html_title = "CBEC Lab"
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": True,
    "use_fullscreen_button": False,
}
html_last_updated_fmt = None
html_static_path = [str(_Path(__file__).with_name("static"))]
html_css_files = ["cbec.css"]
exclude_patterns = [".doctrees", "_build", "jupyter_execute", "**/.ipynb_checkpoints"]
