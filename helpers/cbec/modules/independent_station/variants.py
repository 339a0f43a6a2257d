"""Each student's own store: its seed and parameters come from the student's id.

Two ids give different answers because the seed (every prospect, touch and order) and the
store's parameters differ: how well each paid channel converts (so which channel pays back
differs between students), the baseline intent, the payment mix and the channel the geo
test switches off.
"""

from __future__ import annotations

from cbec.assignments.variants import variant_rng, variant_seed
from cbec.modules.independent_station.simulator import TOUCH_CONVERSION, StoreConfig


def variant_config(student_id: str, assignment: str) -> StoreConfig:
    """The store this student analyses: about 25,000 prospects over half a year, personal parameters."""
    rng = variant_rng(student_id, assignment)
    conversion = {channel: round(float(value * rng.uniform(0.6, 1.5)), 4) for channel, value in TOUCH_CONVERSION.items()}
    card = float(rng.uniform(0.5, 0.7))
    foreign = float(rng.uniform(0.1, 0.25))
    return StoreConfig(
        seed=variant_seed(student_id, assignment) % (2**32),
        prospects=int(rng.integers(22_000, 30_000)),
        touch_conversion=conversion,
        baseline_mean=round(float(rng.uniform(0.008, 0.016)), 4),
        payment_shares={"card": round(card, 3), "foreign_card": round(foreign, 3),
                        "paypal": round(1 - round(card, 3) - round(foreign, 3), 3)},
        geo_test_channel=str(rng.choice(["paid_social", "paid_search"])),
    )
