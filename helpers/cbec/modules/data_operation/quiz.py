"""The Data Operation quiz: five questions on inventory, A/B tests and RFM, computed by the module's functions."""

from cbec.modules.data_operation.analytics.abtest import sample_size_per_arm
from cbec.modules.data_operation.analytics.inventory import eoq, reorder_point, safety_stock
from cbec.quizzes.core import Quiz, QuizQuestion

_SAFETY = safety_stock(0.95, sigma_d=10, lead_time=4)

QUIZZES = [Quiz("data_operation", "Data operation: check yourself", (
    QuizQuestion(
        "safety_stock",
        "Daily demand varies with a standard deviation of 10 units, the lead time is a steady 4 days and you "
        "want a 95% service level. How much safety stock (units)?",
        answer=round(_SAFETY, 1), tolerance=0.5, unit="units",
        mistakes={round(1.645 * 10 * 4, 1): "that multiplies by the lead time; the spread grows with its square root.",
                  round(1.96 * 10 * 2, 1): "1.96 is the two-sided 95% value; a service level is one-sided (1.645)."},
        explanation="Safety stock = z x sigma_d x sqrt(L), with z the service level's normal quantile."),
    QuizQuestion(
        "reorder_point",
        f"Mean demand is 20 units a day, lead time 4 days, safety stock {_SAFETY:.0f} units. At what stock "
        "level do you reorder?",
        answer=reorder_point(20, 4, round(_SAFETY)), tolerance=0.5, unit="units",
        mistakes={80.0: "that is only the demand during the lead time; add the safety stock."},
        explanation="Reorder point = mean demand x lead time + safety stock."),
    QuizQuestion(
        "eoq",
        "Annual demand is 1,200 units, each order costs $50 to place and holding a unit for a year costs $3. "
        "What is the economic order quantity?",
        answer=eoq(1200, 50, 3), tolerance=1, unit="units",
        explanation="EOQ = sqrt(2 D S / H) balances ordering and holding costs."),
    QuizQuestion(
        "ab_sample_size",
        "How many sessions per arm detect a conversion rise from 2.0% to 2.5% (two-sided alpha 0.05, power 0.8)?",
        answer=sample_size_per_arm(0.02, 0.025), tolerance=0.02 * sample_size_per_arm(0.02, 0.025),
        unit="sessions",
        explanation="Small differences between small rates need many thousands of sessions per arm."),
    QuizQuestion(
        "rfm_recency",
        "In RFM, what does R measure?",
        choices=("revenue of the customer", "days since the customer's last order",
                 "number of repeat orders", "refund rate"),
        answer="days since the customer's last order",
        mistakes={"revenue of the customer": "revenue is M, monetary value.",
                  "number of repeat orders": "that is F, frequency."},
        explanation="Recency, frequency and monetary value: R is how recently a customer last bought."),
))]
