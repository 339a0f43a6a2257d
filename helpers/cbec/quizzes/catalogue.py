"""Every course module's quiz, found through the module registry (``QUIZZES`` in ``<module>/quiz.py``)."""

from __future__ import annotations

from cbec.quizzes.core import Quiz, QuizError


def course_quizzes() -> dict[str, Quiz]:
    """{module: quiz} of every module that declares one, in module order."""
    from cbec.modules.registry import contributed  # lazy: module quizzes import this package

    quizzes: dict[str, Quiz] = {}
    for quiz in contributed("QUIZZES", "quiz"):
        if quiz.module in quizzes:
            raise QuizError(f"Two quizzes declare module {quiz.module!r}; a module has one quiz.")
        quizzes[quiz.module] = quiz
    return quizzes


def quiz_for(module: str) -> Quiz:
    quizzes = course_quizzes()
    if module not in quizzes:
        raise QuizError(f"No quiz for module {module!r}; modules with a quiz: {', '.join(quizzes) or 'none'}.")
    return quizzes[module]
