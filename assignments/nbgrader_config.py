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

# One stuck cell must not stall a whole class: nbgrader interrupts it after this many seconds.
c.Execute.timeout = 20
# Quiet kernels: their start-up warnings would bury the grading progress bar.
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Feedback must not reveal hidden tests (nbgrader issue 1363): strip them before rendering.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "cbec.grading.preprocessors.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
