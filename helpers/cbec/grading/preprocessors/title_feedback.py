"""A feedback page that says whose it is and for what."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

from cbec.reporting.pages import page_title


class TitleFeedback(NbGraderPreprocessor):
    """Title the page "<assignment heading> — feedback for <student>".

    nbgrader's feedback template titles the page, and heads the score, with
    ``resources['nbgrader']['notebook']`` (the bare notebook name).  Runs after ``GetGrades``,
    the last step that reads that key as a notebook id.
    """

    def preprocess(self, nb, resources):
        info = resources.setdefault("nbgrader", {})
        notebook = info.get("notebook", "")
        heading = page_title(nb, fallback=notebook)
        student = info.get("student")
        info["notebook"] = f"{heading} — feedback for {student}" if student else heading
        return nb, resources
