"""Module quizzes: declaration, right / wrong / near-miss answers, scoring and the logged event."""

import pytest

from cbec.activity import ActivityLog, read_activity
from cbec.modules.registry import module_names
from cbec.quizzes import Quiz, QuizError, QuizQuestion, course_quizzes, quiz_for

NUMERIC = QuizQuestion("margin", "What share?", answer=0.30, tolerance=0.005,
                       mistakes={1 / 0.3: "that is the inverse."}, explanation="margin / price.")
CHOICE = QuizQuestion("ratio", "Which?", choices=("ACoS", "TACoS", "ROAS"), answer="TACoS",
                      mistakes={"ACoS": "that is ad sales only."}, explanation="all sales.")


def test_numeric_answers_right_within_tolerance_wrong_outside():
    assert NUMERIC.check(0.30).correct and NUMERIC.check(0.304).correct and NUMERIC.check("0.3").correct
    assert NUMERIC.check("30%").correct  # a percentage written as one is the same share
    assert not NUMERIC.check(0.306).correct
    assert not NUMERIC.check(0.5).correct and "not quite" in NUMERIC.check(0.5).message


def test_near_misses_say_what_went_wrong():
    near = NUMERIC.check(0.31)
    assert not near.correct and "close" in near.message
    assert "inverse" in NUMERIC.check(3.333).message  # a known mistake
    assert "percentage" in NUMERIC.check(30).message
    assert "give a number" in NUMERIC.check("thirty").message
    assert not NUMERIC.check(True).correct  # a bool is not a number
    assert not NUMERIC.check(None).answered


def test_choices_by_text_or_letter():
    assert CHOICE.check("TACoS").correct and CHOICE.check("tacos").correct and CHOICE.check("b").correct
    assert not CHOICE.check("a").correct and "ad sales only" in CHOICE.check("a").message
    assert "not one of the choices" in CHOICE.check("z").message


def test_bad_declarations_are_refused():
    with pytest.raises(QuizError, match="not one of its choices"):
        QuizQuestion("q", "?", choices=("a", "b"), answer="c", explanation="")
    with pytest.raises(QuizError, match="numeric answer"):
        QuizQuestion("q", "?", answer="c", explanation="")
    with pytest.raises(QuizError, match="distinct names"):
        Quiz("m", "t", (NUMERIC, NUMERIC))


def test_score_and_submit_log_a_quiz_event(tmp_path):
    quiz = Quiz("demo", "Demo", (NUMERIC, CHOICE))
    result = quiz.score({"margin": 0.3, "ratio": "ACoS"})
    assert (result.score, result.max_score) == (1.0, 2.0)
    assert quiz.score({}).score == 0  # unanswered questions score nothing
    with pytest.raises(QuizError, match="no question"):
        quiz.score({"nope": 1})
    quiz.submit({"margin": 0.3, "ratio": "b"}, ActivityLog(tmp_path, "amy"))
    events = read_activity(tmp_path)
    assert events[["student", "kind", "module", "score", "max_score"]].values.tolist() == [
        ["amy", "quiz", "demo", 2.0, 2.0]]
    assert "✅" in result._repr_markdown_() and "❌" in result._repr_markdown_()


def test_every_course_module_with_an_assignment_has_a_short_quiz():
    quizzes = course_quizzes()
    assert set(quizzes) == {"platform_operation", "data_operation", "independent_station", "livestream_analytics"}
    assert set(quizzes) <= set(module_names())
    for module, quiz in quizzes.items():
        assert 4 <= len(quiz.questions) <= 6, module
        for question in quiz.questions:  # the declared answer passes its own check, a far-off one does not
            assert question.check(question.answer).correct, (module, question.name)
            wrong = next(c for c in question.choices if c != question.answer) if question.choices \
                else question.answer * 3 + 7
            assert not question.check(wrong).correct, (module, question.name)
    with pytest.raises(QuizError, match="modules with a quiz"):
        quiz_for("no_such_module")


def test_module_facts_come_from_the_packages():
    from cbec.modules.data_operation.analytics.inventory import safety_stock
    from cbec.modules.platform_operation.economics import referral_fee
    from cbec.modules.platform_operation.fees import load_schedule

    platform = quiz_for("platform_operation")
    fee = referral_fee(1.5, "home_and_kitchen", load_schedule("amazon_us"))
    assert platform.check("referral_minimum", fee).correct
    assert "minimum applies" in platform.check("referral_minimum", 0.15 * 1.5).message
    data = quiz_for("data_operation")
    assert data.check("safety_stock", safety_stock(0.95, 10, 4)).correct
    assert "square root" in data.check("safety_stock", 1.645 * 40).message
    station = quiz_for("independent_station")
    assert station.check("incremental_cpa", 100).correct and not station.check("incremental_cpa", 20).correct
