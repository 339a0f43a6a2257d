"""Short module quizzes: declared once per course module, checked, scored and logged.

``from cbec.quizzes import quiz_for``; ``quiz = quiz_for("data_operation")``; show ``quiz``
in a notebook, ``quiz.check("q1", 32.9)`` for one answer, ``quiz.submit(answers, log)`` to
score them all and record a ``quiz`` event in the student's :class:`~cbec.activity.ActivityLog`.
"""

from cbec.quizzes.catalogue import course_quizzes, quiz_for
from cbec.quizzes.core import Check, Quiz, QuizError, QuizQuestion, QuizResult

__all__ = ["Check", "Quiz", "QuizError", "QuizQuestion", "QuizResult", "course_quizzes", "quiz_for"]
