"""Plausible wrong answers to each Platform Operation question, to prove the tests catch them.

Each entry is the code a student might write in the answer cell, self-contained (it runs
after the set-up cell alone).  ``definition`` slips are the ones sellers make: the per-item
minimum of the referral fee forgotten, the scale weight used where the dimensional weight
counts, ROAS given for ACoS, daily rows filtered instead of search terms, the wrong 60-day
window, orders over every inquiry instead of the quoted ones.  ``percentage`` gives 35 where
0.35 is asked; ``dtype`` has the right number in the wrong type.  Copying another student's
numbers is built at run time (:func:`cbec.grading.submissions.copied_answers`).
"""

_SHIPPED_UNITS = 'units_shipped = orders[~orders["cancelled"]].groupby("product_id")["quantity"].sum()\n'
_BEST_SELLER = (_SHIPPED_UNITS + 'item = products.set_index("product_id").loc[units_shipped.idxmax()]\n'
                'fees = economics.fee_table(products, schedule).set_index("product_id").loc[units_shipped.idxmax()]\n')
_LAST_30_DAYS = ('recent = search_terms[(search_terms["date"] > as_of - pd.Timedelta(days=30))\n'
                 '                      & (search_terms["match_type"] != "exact")]\n')
_QUOTED = 'quoted = inquiries[inquiries["quotation_sent"]]\n'

NEAR_MISSES: dict[str, dict[str, str]] = {
    "definition": {
        "q1": ('rates = products["category"].map({name: fee.rate for name, fee in schedule.referral.items()})\n'
               "# the per-item minimum is forgotten\n"
               'clearance_referral_fees = float((rates * (0.10 * products["price"]).round(2)).sum())'),
        "q2": (_SHIPPED_UNITS + "# the scale weight, not max(scale weight, dimensional weight)\n"
               'per_unit = economics.fulfilment_fee(products["size_tier"], products["unit_weight_lb"], schedule)\n'
               'per_unit = pd.Series(np.asarray(per_unit, dtype=float), index=products["product_id"])\n'
               "fulfilment_fees_usd = float((per_unit * units_shipped).sum())"),
        "q3": (_BEST_SELLER + "# the fulfilment fee is forgotten\n"
               'best_seller_contribution = float(item["price"] - fees["referral_fee"] - item["unit_cost"])'),
        "q4": (_BEST_SELLER + 'margin = item["price"] - fees["referral_fee"] - fees["fulfilment_fee"] - item["unit_cost"]\n'
               "# a markup on cost, not a share of the price\n"
               'break_even_acos = float(margin / item["unit_cost"])'),
        "q5": '# ROAS (sales / spend), not ACoS\nacos = float(search_terms["sales"].sum() / search_terms["spend"].sum())',
        "q6": ("# ad sales only: that is ACoS, not TACoS\n"
               'tacos = float(search_terms["spend"].sum() / search_terms["sales"].sum())'),
        "q7": (_LAST_30_DAYS + "# single days filtered, instead of each search term's 30-day totals\n"
               'wasted_spend = float(recent.loc[(recent["clicks"] >= 15) & (recent["orders"] == 0), "spend"].sum())'),
        "q8": ('defective = orders[["negative_feedback", "a_to_z_claim", "chargeback"]].any(axis=1)\n'
               "# the first 60 days of the data, not the 60 days ending on the last order date\n"
               'window = orders["order_date"] < orders["order_date"].min() + pd.Timedelta(days=60)\n'
               "order_defect_rate = float(defective[window].mean())"),
        "q9": '# orders over every inquiry, not over the quoted ones\norder_rate_after_quote = float(inquiries["order_placed"].mean())',
        "q10": (_QUOTED + "# hours, not ln(1 + hours)\n"
                'fit = sm.Logit(quoted["order_placed"].astype(float), sm.add_constant(quoted["response_hours"])).fit(disp=False)\n'
                "response_slope = float(fit.params.iloc[1])"),
    },
    "percentage": {
        "q4": (_BEST_SELLER + 'margin = item["price"] - fees["referral_fee"] - fees["fulfilment_fee"] - item["unit_cost"]\n'
               'break_even_acos = float(100 * margin / item["price"])'),
        "q5": 'acos = float(100 * search_terms["spend"].sum() / search_terms["sales"].sum())',
        "q6": 'tacos = float(100 * search_terms["spend"].sum() / business_report["ordered_product_sales"].sum())',
        "q8": ('window = orders["order_date"] > as_of - pd.Timedelta(days=60)\n'
               'defective = orders[["negative_feedback", "a_to_z_claim", "chargeback"]].any(axis=1)\n'
               "order_defect_rate = float(100 * defective[window].mean())"),
        "q9": _QUOTED + 'order_rate_after_quote = float(100 * quoted["order_placed"].mean())',
    },
    "dtype": {
        "q1": ('fees = products["category"].map(schedule.referral_rate)\n'
               'clearance_price = (0.10 * products["price"]).round(2)\n'
               "clearance_referral_fees = pd.Series([max(f.rate * p, f.minimum) + f.fixed_fee\n"
               "                                     for f, p in zip(fees, clearance_price)]).agg(['sum'])"),
        "q2": (_SHIPPED_UNITS + 'per_unit = economics.fee_table(products, schedule).set_index("product_id")["fulfilment_fee"]\n'
               'fulfilment_fees_usd = f"{(per_unit * units_shipped).sum():.2f}"'),
        "q3": (_BEST_SELLER + 'best_seller_contribution = (item[["price"]] - fees["referral_fee"] - fees["fulfilment_fee"]\n'
               '                            - item["unit_cost"])'),
        "q4": (_BEST_SELLER + 'margin = item["price"] - fees["referral_fee"] - fees["fulfilment_fee"] - item["unit_cost"]\n'
               'break_even_acos = np.array([margin / item["price"]])'),
        "q5": 'acos = search_terms[["spend"]].sum() / search_terms["sales"].sum()',
        "q6": 'tacos = round(search_terms["spend"].sum() / business_report["ordered_product_sales"].sum(), 2)',
        "q7": (_LAST_30_DAYS + 'terms = recent.groupby(["campaign", "ad_group", "match_type", "customer_search_term"])'
               '[["clicks", "orders", "spend"]].sum()\n'
               'wasted_spend = terms.loc[(terms["clicks"] >= 15) & (terms["orders"] == 0), ["spend"]].sum()'),
        "q8": ('window = orders["order_date"] > as_of - pd.Timedelta(days=60)\n'
               'defective = orders[["negative_feedback", "a_to_z_claim", "chargeback"]].any(axis=1)\n'
               'order_defect_rate = f"{defective[window].mean():.2%}"'),
        "q9": _QUOTED + 'order_rate_after_quote = quoted[["order_placed"]].mean()',
        "q10": (_QUOTED + 'fit = sm.Logit(quoted["order_placed"].astype(float),\n'
                '             sm.add_constant(np.log1p(quoted["response_hours"]))).fit(disp=False)\n'
                "response_slope = fit.params"),
    },
}

#: An answer that never finishes, for the per-cell timeout.
INFINITE_LOOP = "while True:\n    pass"
