"""The Platform Operation quiz: five questions on fees, ACoS and account health.

Every number is computed by the module's own functions and fee schedule, so a change of
schedule or formula changes the quiz with it.
"""

from cbec.modules.platform_operation.account_health import HEALTH_TARGETS
from cbec.modules.platform_operation.economics import break_even_acos, referral_fee, required_volume_increase
from cbec.modules.platform_operation.fees import load_schedule
from cbec.quizzes.core import Quiz, QuizQuestion

_SCHEDULE = load_schedule("amazon_us")
_CHEAP = 1.50  # a price at which the per-item minimum, not the rate, sets the fee
_RATE = _SCHEDULE.referral["home_and_kitchen"].rate
_ODR = next(t for t in HEALTH_TARGETS if t.metric == "order_defect_rate")

QUIZZES = [Quiz("platform_operation", "Platform operation: check yourself", (
    QuizQuestion(
        "referral_minimum",
        f"On the `amazon_us` schedule, what referral fee (USD) does a home-and-kitchen item sold at "
        f"${_CHEAP:.2f} pay?",
        answer=float(referral_fee(_CHEAP, "home_and_kitchen", _SCHEDULE)), tolerance=0.005, unit="USD",
        mistakes={_RATE * _CHEAP: "that is the rate times the price; the per-item minimum applies."},
        explanation=f"The fee is the larger of {_RATE:.0%} of the price and the per-item minimum."),
    QuizQuestion(
        "break_even_acos",
        "A product sells at $40 and leaves $12 per unit after fees and landed cost, before advertising. "
        "At what ACoS (as a share) does advertising eat the whole margin?",
        answer=float(break_even_acos(12, 40)), tolerance=0.005,
        mistakes={40 / 12: "that is price over margin; break-even ACoS is margin over price."},
        explanation="Break-even ACoS = margin before advertising / price; the target ACoS is below it."),
    QuizQuestion(
        "price_cut_volume",
        "Your margin per unit falls from $10 to $8 after a price cut. How much more volume (share) do you "
        "need to keep the same total contribution?",
        answer=required_volume_increase(10, 8), tolerance=0.005,
        mistakes={0.2: "that is the fall in margin (2/10); the extra volume is old margin / new margin - 1."},
        explanation="Total contribution = units x margin, so units must grow by 10/8 - 1."),
    QuizQuestion(
        "tacos",
        "Which ratio is TACoS?",
        choices=("ad spend / ad-attributed sales", "ad spend / all sales, ad plus organic",
                 "ad sales / ad spend", "ad spend / clicks"),
        answer="ad spend / all sales, ad plus organic",
        mistakes={"ad spend / ad-attributed sales": "that is ACoS.", "ad sales / ad spend": "that is ROAS.",
                  "ad spend / clicks": "that is the cost per click."},
        explanation="TACoS shows how much advertising the whole business carries; ACoS only the ads' own sales."),
    QuizQuestion(
        "order_defect_limit",
        f"Over a {_ODR.window_days}-day window, below what order defect rate (as a share) must an account stay?",
        answer=_ODR.limit, tolerance=1e-4,
        explanation=f"Order defect rate = {_ODR.meaning}, over a rolling {_ODR.window_days} days."),
))]
