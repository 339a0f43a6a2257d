"""The competition assignment: a strategy submitted, played on public and hidden markets.

Students define ``policy(view) -> Decisions`` and call ``check.q1(policy)`` from the
visible test.  The grader plays it through :mod:`cbec.modules.competition.referee` on the
public scenarios and on hidden ones drawn from the course's grading secret; the points are
the hidden (final) normalised score's.  There is no personal dataset: every student plays
the same markets, as in a real competition.
"""

from __future__ import annotations

from cbec.assignments.checks import Checks, Question
from cbec.assignments.declaration import AssignmentDeclaration
from cbec.modules.competition.near_misses import ENDLESS_POLICY, NEAR_MISSES

ASSIGNMENT = "competition"
NOTEBOOK = "competition.ipynb"

QUESTIONS = [
    Question("q1", "policy", 90, "function", "A store strategy policy(view) -> Decisions, scored on hidden markets"),
]

#: Points for the strategy memo (q2), graded by hand; 90 + 10 = 100 in total.
MANUAL_POINTS = 10

#: Submissions counted per student; later ones are not collected for grading (cbec collect).
SUBMISSION_LIMIT = 5

check = Checks(QUESTIONS)

# Strategies simulated students write: the baseline adjusted in their own ways (how closely to
# match a cheaper competitor, how early to stop restocking), so a demo class is not one answer.
_ADJUSTED_BASELINE = (
    "def policy(view):\n"
    "    decided = baseline(view)\n"
    "    f, k = view.facts, view.week\n"
    "    price = np.asarray(decided.price, dtype=float)\n"
    "    price = np.round(np.minimum(price, np.maximum({match} * view.competitor_price, {floor} * price)), 2)\n"
    "    taper = np.clip((f.weeks - k - f.lead_time_weeks) / {span}, 0, 1)\n"
    "    inbound = np.floor(np.asarray(decided.inbound) * ({keep} + (1 - {keep}) * taper))\n"
    "    return replace(decided, price=price, inbound=inbound)\n")
STRATEGY_VARIANTS = tuple(_ADJUSTED_BASELINE.format(match=match, floor=floor, span=span, keep=keep)
                          for match, floor, span, keep in ((0.98, 0.92, 3, 0.5), (0.99, 0.85, 4, 0.7),
                                                           (0.97, 0.9, 5, 0.6), (1.0, 0.95, 2, 0.8),
                                                           (0.99, 0.8, 4, 1.0)))

_SAMPLE_MEMO = ("My strategy starts from the course's baseline: three weeks of price tests, then the optimal price "
                "from the estimated elasticity, bids at 60% of the break-even cost per click, and restocking up "
                "to the forecast over the lead time. I changed two things: when competitors are slightly cheaper "
                "I match them just below, at most 10% under my own optimum, and orders taper off as the season "
                "ends because late stock is written down. On the public markets this scored above the baseline; "
                "its weakness is a deep price war.")

DECLARATION = AssignmentDeclaration(ASSIGNMENT, NOTEBOOK, tuple(QUESTIONS), NEAR_MISSES, ENDLESS_POLICY,
                                    endless_loop_question="q1", sample_memo=_SAMPLE_MEMO,
                                    manual_points=MANUAL_POINTS, copied_answer={"q1": "policy = baseline\n"},
                                    submission_limit=SUBMISSION_LIMIT, answer_variants={"q1": STRATEGY_VARIANTS})

__all__ = ["ASSIGNMENT", "NOTEBOOK", "QUESTIONS", "MANUAL_POINTS", "SUBMISSION_LIMIT", "DECLARATION", "check"]
