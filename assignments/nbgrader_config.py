"""nbgrader configuration of the CBEC Lab course.

Works both with the real nbgrader CLI (``cd assignments && nbgrader autograde ...``) and with
the ``cbec`` command, which loads this file.  Paths are relative to this file, so a copy of
the folder (a test, another term) is a course of its own.
"""

import os

c = get_config()  # noqa: F821 - provided by traitlets when the file is loaded

_here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "cbec-lab"
c.CourseDirectory.root = _here
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(_here, "gradebook.db")
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

# Where a class hands work in: nbgrader's exchange.  By default a folder in the project's
# runtime area (.runtime/ beside this course folder, git-ignored); on a shared server set
# CBEC_EXCHANGE (or c.Exchange.root) to a folder every student can write to.
c.Exchange.root = os.environ.get("CBEC_EXCHANGE") or os.path.join(os.path.dirname(_here), ".runtime", "exchange")

# Autograding runs student code in the sandboxed engine of cbec (no network, no access to
# source/, the gradebook or other students' work; tests run outside the student's process).
# Plain `nbgrader autograde` and the formgrader use it too.  See assignments/README.md.
from cbec.grading.preprocessors import AUTOGRADE_PIPELINE, SANITIZE_PIPELINE  # noqa: E402

c.Autograde.sanitize_preprocessors = SANITIZE_PIPELINE  # a duplicated cell does not sink the notebook
c.Autograde.autograde_preprocessors = AUTOGRADE_PIPELINE

# Limits of each submission in the sandbox (these are the defaults, except the cell timeout).
c.GradingLimits.cell_timeout = 20  # seconds before a cell is interrupted (an endless loop)
c.GradingLimits.notebook_timeout = 300  # seconds for the whole notebook
c.GradingLimits.call_timeout = 5  # seconds one round of a submitted competition strategy may take
c.GradingLimits.memory_mb = 2048  # MiB on top of the preloaded libraries
c.GradingLimits.processes = 64
c.GradingLimits.output_kb = 1024  # output kept per notebook; the rest is cut with a note

# nbgrader's own kernel-based execution (`nbgrader validate`): the same cell timeout, quiet kernels.
c.Execute.timeout = 20
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Feedback must not reveal hidden tests (nbgrader issue 1363): strip them before rendering.
# Its pages load nothing from a CDN (math is written as MathML) and are titled per student.
from cbec.grading.preprocessors import FEEDBACK_PIPELINE  # noqa: E402
from cbec.reporting.pages import offline_html_config  # noqa: E402

c.GenerateFeedback.preprocessors = FEEDBACK_PIPELINE
c.merge(offline_html_config())
