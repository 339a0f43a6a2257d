"""Strategies a student might submit that look sensible and lose money: the competition's near misses.

Each is a complete answer cell (``def policy(view): ...``).  Tests check that every one
scores below the course's baseline on the hidden markets, and that the class simulator
draws on them for its struggling students.
"""

from __future__ import annotations

NEAR_MISSES = {
    # restocks only when the shelf is almost empty: the shipment lands `lead` weeks later
    "ignores_lead_time": {"q1": (
        "def policy(view):\n"
        "    f = view.facts\n"
        "    weekly = f.initial_units / 4\n"
        "    inbound = np.where(view.on_hand < weekly, 2 * weekly, 0)\n"
        "    return Decisions(price=f.list_price, ad_budget=20.0, bid=0.5, inbound=np.round(inbound))\n")},
    # a markup on the landed cost that forgets the referral and fulfilment fees
    "markup_on_cost": {"q1": (
        "def policy(view):\n"
        "    f = view.facts\n"
        "    price = np.round(np.broadcast_to(1.3 * f.unit_cost[:, None], f.list_price.shape), 2)\n"
        "    return Decisions(price=price, ad_budget=30.0, bid=0.6, inbound=np.round(f.initial_units / 4))\n")},
    # the price typed in cents: nobody buys at 100x the list price
    "price_in_cents": {"q1": (
        "def policy(view):\n"
        "    f = view.facts\n"
        "    return Decisions(price=np.round(f.list_price * 100, 2), ad_budget=20.0, bid=0.5,\n"
        "                     inbound=np.round(f.initial_units / 4))\n")},
    # decides, but forgets to return the decisions: every round fails
    "no_return": {"q1": (
        "def policy(view):\n"
        "    decisions = baseline(view)\n")},
}

#: A strategy stuck in its first round, for the per-round time limit.
ENDLESS_POLICY = "def policy(view):\n    while True:\n        pass\n"
