"""The Platform Operation lectures' exercises (check, hint, solution; never graded).

Each lecture binds its exercise to its own data: ``exercise = EXERCISES["name"].bind(...)``.
"""

from __future__ import annotations

from cbec.exercises import Exercise
import pandas as pd

from cbec.modules.platform_operation import account_health, advertising, b2b, economics


def _wasted_spend_share(report, break_even_acos):
    negated = advertising.negate_search_terms(report, break_even_acos)
    return float(negated["spend"].sum() / report["spend"].sum())


def _defect_rate_by_product(orders, as_of):
    rates = {product: account_health.account_health(rows, as_of, account_health.HEALTH_TARGETS[:1])["rate"].iloc[0]
             for product, rows in orders.groupby("product_id")}
    return pd.Series(rates, name="order_defect_rate").rename_axis("product_id").sort_values(ascending=False)


def _reply_delay_cost(inquiries):
    effect = b2b.response_time_logit(inquiries)
    return float(effect.order_rate(1) - effect.order_rate(24))


EXERCISES = {
    "price_cut_volume": Exercise(
        variable="price_cut_volume",
        expected=lambda price, unit_costs, category, schedule: economics.price_cut_volume_increase(
            price, 0.15, category=category, unit_costs=unit_costs, schedule=schedule),
        hint="The referral fee is a share of the price, so it falls with the price: recompute it at the new "
             "price. The extra volume is old margin / new margin - 1, a fraction such as 0.4.",
        solution="price_cut_volume = economics.price_cut_volume_increase(\n"
                 "    price, 0.15, category=category, unit_costs=unit_costs, schedule=schedule)",
        fraction=False),
    "cheaper_on_amazon": Exercise(
        variable="cheaper_on_amazon",
        expected=lambda books: float((books["amazon_price"] < books["bookstore_price"]).mean()),
        hint="Compare the two price columns row by row; the mean of a True/False column is the share of True. "
             "A share is a fraction such as 0.7, not 70.",
        solution='cheaper_on_amazon = float((books["amazon_price"] < books["bookstore_price"]).mean())',
        fraction=False),
    "wasted_spend_share": Exercise(
        variable="wasted_spend_share",
        expected=_wasted_spend_share,
        hint="advertising.negate_search_terms(report, break_even_acos) lists the wasteful terms with their "
             "spend; divide their total spend by the spend of the whole report (every match type), and give a "
             "fraction such as 0.08.",
        solution="negated = advertising.negate_search_terms(report, break_even_acos)\n"
                 'wasted_spend_share = negated["spend"].sum() / report["spend"].sum()',
        fraction=True),
    "defect_rate_by_product": Exercise(
        variable="defect_rate_by_product",
        expected=_defect_rate_by_product,
        hint="Group the orders by product_id and run account_health.account_health on each group with the "
             "same as_of (its first row is the 60-day order defect rate); sort from highest to lowest.",
        solution="defect_rate_by_product = pd.Series({\n"
                 "    product: account_health.account_health(rows, as_of).set_index(\"metric\").loc[\"order_defect_rate\", \"rate\"]\n"
                 "    for product, rows in orders.groupby(\"product_id\")}).sort_values(ascending=False)",
        ordered=True),
    "reply_delay_cost": Exercise(
        variable="reply_delay_cost",
        expected=_reply_delay_cost,
        hint="Fit b2b.response_time_logit(inquiries); effect.order_rate(hours) gives the fitted chance of an "
             "order. Subtract the chance at 24 hours from the chance at 1 hour (a fraction such as 0.1).",
        solution="effect = b2b.response_time_logit(inquiries)\n"
                 "reply_delay_cost = effect.order_rate(1) - effect.order_rate(24)",
        fraction=True),
}
