"""Plausible wrong answers to each question, used to prove the tests catch them.

Each entry is the code a student might write in the answer cell.  ``unit`` mistakes use
the wrong currency, scale or definition; ``dtype`` mistakes have the right number in the
wrong type (a Series, an array, a string, an unrounded float).  The simulated class draws
on them too.  Copying another student's numbers is built at run time
(:func:`cbec.grading.submissions.copied_answers`).
"""

NEAR_MISSES: dict[str, dict[str, str]] = {
    "unit": {
        "q1": 'gmv_usd = float(orders["gmv_local"].sum())',
        "q2": 'aov_usd = float(orders["gmv_local"].sum() / len(orders))',
        "q3": 'units_per_order = float(order_lines["quantity"].mean())',
        "q4": 'conversion_rate = float(100 * len(orders) / sessions["sessions"].sum())',
        "q5": 'refund_rate = float(100 * returns["refund_usd"].sum() / orders["gmv_usd"].sum())',
        "q6": (
            'totals = sessions[["sessions", "product_views", "add_to_cart", "checkouts", "orders"]].sum()\n'
            "step_conversion = totals / totals.shift(1)\n"
            "# names the stage before the leak instead of the stage itself\n"
            "largest_drop_stage = str(totals.index[int(step_conversion.iloc[1:].argmin())])"
        ),
        "q7": (
            'counts = orders.groupby("customer_id").size()\n'
            'first_month = orders.groupby("customer_id")["order_date"].min().dt.to_period("M")\n'
            "cohort = first_month[first_month == first_month.min()].index\n"
            "# any repeat order during the year, not in the following month\n"
            "month1_retention = float((counts.loc[cohort] >= 2).mean())"
        ),
        "q8": (
            'counts = orders["customer_id"].map(orders["customer_id"].value_counts())\n'
            "# share of orders placed by repeat customers, not share of customers\n"
            "repeat_purchase_rate = float((counts >= 2).mean())"
        ),
        "q9": (
            'p1 = len(orders) / sessions["sessions"].sum()\n'
            "p2 = 1.1 * p1\n"
            "z = norm.ppf(0.95) + norm.ppf(0.8)  # one-sided critical value\n"
            "n_per_arm = int(math.ceil(z**2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (p1 - p2) ** 2))"
        ),
        "q10": (
            'lines = order_lines.merge(orders[["order_id", "order_date"]], on="order_id")\n'
            'best_seller = lines.groupby("product_id")["quantity"].sum().idxmax()\n'
            "# only days with sales: zero-demand days are forgotten\n"
            'daily = lines.loc[lines["product_id"] == best_seller].groupby("order_date")["quantity"].sum()\n'
            "reorder_point = float(daily.mean() * 14 + norm.ppf(0.95) * daily.std() * math.sqrt(14))"
        ),
    },
    "dtype": {
        "q1": 'gmv_usd = orders[["gmv_usd"]].sum()',
        "q2": 'aov_usd = orders["gmv_usd"].agg(["mean"])',
        "q3": 'units_per_order = f"{order_lines[\'quantity\'].sum() / len(orders):.2f}"',
        "q4": 'conversion_rate = np.array([len(orders) / sessions["sessions"].sum()])',
        "q5": 'refund_rate = returns[["refund_usd"]].sum() / orders["gmv_usd"].sum()',
        "q6": (
            'totals = sessions[["sessions", "product_views", "add_to_cart", "checkouts", "orders"]].sum()\n'
            "largest_drop_stage = int((totals / totals.shift(1)).iloc[1:].argmin()) + 1"
        ),
        "q7": (
            'order_month = orders["order_date"].dt.to_period("M")\n'
            'first_month = order_month.groupby(orders["customer_id"]).min()\n'
            "cohort = first_month[first_month == first_month.min()].index\n"
            'buyers = orders.loc[order_month == first_month.min() + 1, "customer_id"].unique()\n'
            "month1_retention = pd.Series(pd.Index(cohort).isin(buyers)).mean().round(2)"
        ),
        "q8": 'repeat_purchase_rate = int((orders.groupby("customer_id").size() >= 2).sum())',
        "q9": (
            'p1 = len(orders) / sessions["sessions"].sum()\n'
            "p2 = 1.1 * p1\n"
            "z = norm.ppf(0.975) + norm.ppf(0.8)\n"
            "n_per_arm = z**2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (p1 - p2) ** 2  # not rounded up"
        ),
        "q10": (
            'lines = order_lines.merge(orders[["order_id", "order_date"]], on="order_id")\n'
            'best_seller = lines.groupby("product_id")["quantity"].sum().idxmax()\n'
            'calendar = pd.DatetimeIndex(sorted(sessions["date"].unique()))\n'
            'daily = lines.loc[lines["product_id"] == best_seller].groupby("order_date")["quantity"].sum()\n'
            "daily = daily.reindex(calendar, fill_value=0)\n"
            "reorder_point = round(daily.mean() * 14 + norm.ppf(0.95) * daily.std() * math.sqrt(14))"
        ),
    },
}

#: An answer that never finishes, for the per-cell timeout.
INFINITE_LOOP = "while True:\n    pass"
