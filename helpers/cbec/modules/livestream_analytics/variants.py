"""Each student's own season of live streams: its seed and parameters come from the student's id.

Two ids give different answers because the seed (hosts, line-ups, deal times, every viewer)
and the season's parameters differ: audience size, how much each deal format lifts
conversion (so which format to scale differs between students), payments and refunds.
"""

from __future__ import annotations

from cbec.assignments.variants import variant_rng, variant_seed
from cbec.modules.livestream_analytics.simulator import SeasonConfig


def variant_config(student_id: str, assignment: str) -> SeasonConfig:
    """The season this student analyses: a few hosts, a month of streams, personal parameters."""
    rng = variant_rng(student_id, assignment)
    return SeasonConfig(
        seed=variant_seed(student_id, assignment) % (2**32),
        n_hosts=int(rng.integers(5, 8)),
        streams_per_host=int(rng.integers(5, 8)),
        viewers_per_stream=round(float(rng.uniform(400, 650)), 1),
        deal_uplift={"flash_price": round(float(rng.uniform(1.6, 3.0)), 2),
                     "coupon": round(float(rng.uniform(1.2, 2.4)), 2),
                     "bundle": round(float(rng.uniform(1.0, 2.0)), 2)},
        payment_rate=round(float(rng.uniform(0.88, 0.96)), 3),
        refund_rate=round(float(rng.uniform(0.05, 0.12)), 3),
    )
