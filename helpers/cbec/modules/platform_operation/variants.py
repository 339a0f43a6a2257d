"""Each student's own seller account: its seed and parameters come from the student's id.

Two ids give different answers because both the random seed (which products are listed,
their boxes, costs and prices, the account's true health rates) and the account's
parameters (traffic, how well its keywords pay, how fast its B2B team replies) differ.
"""

from __future__ import annotations

from cbec.assignments.variants import variant_rng, variant_seed
from cbec.modules.platform_operation.simulator import AccountConfig


def variant_config(student_id: str, assignment: str, *, start: str = "2024-01-01", days: int = 365) -> AccountConfig:
    """The seller account this student analyses: one year with personal parameters."""
    seed, rng = variant_seed(student_id, assignment), variant_rng(student_id, assignment)
    acos_low = float(rng.uniform(0.08, 0.14))
    return AccountConfig(
        seed=seed % (2**32),
        start=start,
        days=days,
        n_products=int(rng.integers(6, 10)),
        organic_sessions_per_product=round(float(rng.uniform(90, 160)), 1),
        impressions_per_term=round(float(rng.uniform(350, 550)), 1),
        irrelevant_term_share=round(float(rng.uniform(0.10, 0.25)), 3),
        keyword_acos_range=(round(acos_low, 3), round(acos_low + float(rng.uniform(0.12, 0.22)), 3)),
        bid_multiplier=round(float(rng.uniform(1.1, 1.4)), 2),
        quotation_rate=round(float(rng.uniform(0.75, 0.92)), 3),
        response_hours_median=round(float(rng.uniform(3.0, 9.0)), 1),
        response_logit_slope=round(float(rng.uniform(-0.6, -0.3)), 3),
    )
