"""Plausible wrong answers to each Independent Station question, to prove the tests catch them.

Each entry is the code a student might write in the answer cell, self-contained (it runs
after the set-up cell alone).  ``definition`` slips are the classic ones of store data: UTM
case and aliases not normalised, conversion per visitor instead of per session, abandonment
over all sessions instead of carts, every channel's spend in one channel's ROAS, CAC over
all buyers instead of new customers, revenue LTV instead of margin LTV, a removal effect not
normalised, the linear model for Shapley, a lift without the pre-period adjustment.
``percentage`` gives 2.4 where 0.024 is asked; ``dtype`` has the right number in the wrong
type.  Copying another student's numbers is built at run time
(:func:`cbec.grading.submissions.copied_answers`).
"""

_CHANNEL = "with_channel = sessions.assign(channel=utm.channel_of(sessions))\n"
_PATHS = _CHANNEL + ("touches, outcomes = journeys.journey_touches(with_channel, orders)\n"
                     "paths = attribution.journeys_from_touches(touches, outcomes)\n")
_CARTS = ('carts = checkout_events.loc[checkout_events["step"] == "add_to_cart", "session_id"].nunique()\n'
          'bought = checkout_events.loc[checkout_events["step"] == "purchase", "session_id"].nunique()\n')

NEAR_MISSES: dict[str, dict[str, str]] = {
    "definition": {
        "q1": ("# only the exact spelling 'facebook': Facebook, FB, fb, ig and TikTok are missed\n"
               'parsed = utm.parse_utm(sessions["landing_url"])\n'
               'paid_social_sessions = int((parsed["utm_source"] == "facebook").sum())'),
        "q2": "# per visitor, not per session\nconversion_rate = float(orders[\"session_id\"].nunique() / sessions[\"visitor_id\"].nunique())",
        "q3": _CARTS + "# over every session, not over the sessions with a cart\ncart_abandonment = float(1 - bought / len(sessions))",
        "q4": (_CHANNEL + 'placed = orders.merge(with_channel[["session_id", "channel"]], on="session_id")\n'
               'revenue = placed.loc[placed["channel"] == "paid_search", "revenue_usd"].sum()\n'
               "# every paid channel's spend, not paid search's\n"
               'paid_search_roas = float(revenue / ad_spend["spend_usd"].sum())'),
        "q5": (_CHANNEL + 'placed = orders.merge(with_channel[["session_id", "channel"]], on="session_id")\n'
               "# every buyer who ordered through paid search, returning customers included\n"
               'buyers = placed.loc[placed["channel"] == "paid_search", "customer_id"].nunique()\n'
               'paid_search_cac = float(ad_spend.loc[ad_spend["channel"] == "paid_search", "spend_usd"].sum() / buyers)'),
        "q6": ("# revenue LTV: what customers spend, not what they leave\n"
               'ltv = economics.margin_ltv(orders, months=12, amount="revenue")\n'
               'average_margin_ltv = float(ltv["ltv_usd"].mean())'),
        "q7": (_CHANNEL + "# payback on revenue LTV\n"
               'revenue_ltv = economics.margin_ltv(orders, months=12, amount="revenue")\n'
               "table = economics.customer_economics(orders, with_channel, ad_spend, email_campaigns, months=12,\n"
               "                                     ltv=revenue_ltv)\n"
               'paid_social_payback_months = float(table.loc["paid_social", "payback_months"])'),
        "q8": (_PATHS + "# the raw removal effect, not normalised over the channels\n"
               'markov_email_share = float(markov.markov(paths).set_index("channel").loc["email", "removal_effect"])'),
        "q9": (_PATHS + "# the linear model, not Shapley\n"
               'shapley_paid_social_share = float(attribution.linear(paths).set_index("channel").loc["paid_social", "share"])'),
        "q10": ("# test periods compared without the pre-period: regions differ in size and habit\n"
                'rates = geo_test.groupby("group", observed=True)[["test_conversions", "population"]].sum()\n'
                'per_person = rates["test_conversions"] / rates["population"]\n'
                'geo_relative_lift = float(per_person["treatment"] / per_person["holdout"] - 1)'),
    },
    "percentage": {
        "q2": 'conversion_rate = float(100 * orders["session_id"].nunique() / len(sessions))',
        "q3": _CARTS + "cart_abandonment = float(100 * (1 - bought / carts))",
        "q8": (_PATHS + 'markov_email_share = float(100 * markov.markov(paths).set_index("channel").loc["email", "share"])'),
    },
    "dtype": {
        "q1": 'paid_social_sessions = float((utm.channel_of(sessions) == "paid_social").sum())',
        "q2": 'conversion_rate = f"{orders[\'session_id\'].nunique() / len(sessions):.4f}"',
        "q5": (_CHANNEL + "cac = economics.cac_by_channel(orders, with_channel, ad_spend, email_campaigns)\n"
               'paid_search_cac = cac.loc[["paid_search"], "cac_usd"]'),
        "q6": 'average_margin_ltv = round(economics.margin_ltv(orders, months=12)["ltv_usd"].mean())',
        "q10": 'geo_relative_lift = np.array([lift.geo_lift(geo_test).relative_lift])',
    },
}

#: An answer that never finishes, for the per-cell timeout.
INFINITE_LOOP = "while True:\n    pass"
