"""Charts of the Platform Operation lectures (matplotlib, returned for the notebook to show)."""

from __future__ import annotations

import matplotlib.pyplot as plt


def unit_waterfall(unit, title: str = "Where one unit's price goes", ax=None):
    """A waterfall from the price down to the contribution of one unit (a ``UnitEconomics``)."""
    steps = [("referral fee", unit.referral_fee), ("fulfilment fee", unit.fulfilment_fee),
             ("landed cost", unit.landed_cost), ("storage", unit.storage_per_unit),
             ("advertising", unit.ad_cost_per_unit)]
    steps = [(label, value) for label, value in steps if value]
    ax = ax or plt.subplots(figsize=(8, 3.8))[1]
    ax.bar(0, unit.price, color="#4c72b0")
    ax.text(0, unit.price, f"{unit.price:.2f}", ha="center", va="bottom")
    level = unit.price
    for position, (label, value) in enumerate(steps, start=1):
        ax.bar(position, -value, bottom=level, color="#c44e52")
        ax.text(position, level, f"-{value:.2f}", ha="center", va="bottom")
        level -= value
    last = len(steps) + 1
    ax.bar(last, unit.contribution, color="#55a868" if unit.contribution >= 0 else "#8c1c13")
    ax.text(last, max(unit.contribution, 0), f"{unit.contribution:.2f}", ha="center", va="bottom")
    ax.set_xticks(range(last + 1), ["price", *(label for label, _ in steps), "contribution"], rotation=20)
    ax.set(ylabel="per unit", title=title)
    ax.axhline(0, color="black", lw=0.8)
    return ax
