"""The Independent Station quiz: five questions on conversion benchmarks, CAC, LTV:CAC and lift."""

from cbec.modules.independent_station.checkout import BENCHMARKS
from cbec.modules.independent_station.economics import LTV_CAC_TARGET, incremental_cac, incremental_customers
from cbec.quizzes.core import Quiz, QuizQuestion


def _benchmark(label: str) -> float:
    return next(b.value for b in BENCHMARKS if b.label == label)


_INCREMENTAL = incremental_customers(300, 0.25)  # 300 new customers while the channel ran, +25% lift

QUIZZES = [Quiz("independent_station", "Independent station: check yourself", (
    QuizQuestion(
        "shopify_conversion",
        "What session conversion rate (as a share) does an average Shopify store reach?",
        answer=_benchmark("Shopify average"), tolerance=0.002,
        mistakes={_benchmark("Shopify top 20%"): "that is the top 20% of stores."},
        explanation="Littledata's figures: average 1.4%, top 20% 3.2%, top 10% 4.7%."),
    QuizQuestion(
        "cart_abandonment",
        "Roughly what share of shopping carts are abandoned on average?",
        answer=_benchmark("average (about 70%)"), tolerance=0.03,
        explanation="Baymard Institute's average of 46 studies is about 70%; lower is better."),
    QuizQuestion(
        "cac_denominator",
        "A channel's CAC divides its acquisition spend by ...",
        choices=("every buyer it brought", "the new customers whose first order came through it",
                 "its sessions", "its orders"),
        answer="the new customers whose first order came through it",
        mistakes={"every buyer it brought": "counting returning buyers flatters the channel."},
        explanation="Acquisition cost is paid to acquire someone new; returning customers were acquired already."),
    QuizQuestion(
        "ltv_cac_target",
        "What LTV:CAC ratio is the usual target (give the number x in x:1)?",
        answer=LTV_CAC_TARGET, tolerance=0.01,
        mistakes={1.0: "1:1 is the floor below which acquisition destroys value, not the target."},
        explanation="3:1 is the usual goal; below 1:1 each customer costs more than they bring."),
    QuizQuestion(
        "incremental_cpa",
        "300 new customers arrived while a channel ran; a geo holdout test measured a relative lift of +25%. "
        "The channel cost $6,000. What is its incremental cost per acquisition (USD)?",
        answer=incremental_cac(6000, _INCREMENTAL), tolerance=0.5, unit="USD",
        mistakes={6000 / 300: "that divides by every new customer; only lift / (1 + lift) of them were caused.",
                  6000 / (300 * 0.25): "300 x 25% overcounts: the caused share is lift / (1 + lift) = 20%."},
        explanation="Caused customers = N x lift / (1 + lift); iCPA = spend / caused customers."),
))]
