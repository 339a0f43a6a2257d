"""The Data Operation lectures' exercises (check, hint, solution; never graded).

Each lecture binds its exercise to its own data: ``exercise = EXERCISES["name"].bind(...)``.
"""

from __future__ import annotations

from cbec.modules.data_operation import analytics as ca
from cbec.exercises import Exercise

_LEAD_TIME, _SIGMA_LEAD_TIME, _SERVICE = 21, 4, 0.95


def _conversion_by_source(sessions):
    by_source = sessions.groupby("traffic_source")[["sessions", "orders"]].sum()
    return (by_source["orders"] / by_source["sessions"]).sort_values(ascending=False)


def _champions_share(rfm, customers):
    with_market = rfm.join(customers.set_index("customer_id")["market"])
    return with_market.groupby("market")["segment"].apply(lambda s: (s == "Champions").mean()).sort_values(ascending=False)


def _november_rop(demand):
    november = demand[demand.index.month == 11]
    safety = ca.safety_stock(_SERVICE, november.std(), lead_time=_LEAD_TIME, sigma_lead_time=_SIGMA_LEAD_TIME,
                             mean_demand=november.mean())
    return ca.reorder_point(november.mean(), _LEAD_TIME, safety)


EXERCISES = {
    "conversion_by_source": Exercise(
        variable="conversion_by_source",
        expected=_conversion_by_source,
        hint="Sum sessions and orders per traffic_source first, then divide; conversion of averages is not "
             "the average of daily conversions. Sort with sort_values(ascending=False).",
        solution='by_source = sessions.groupby("traffic_source")[["sessions", "orders"]].sum()\n'
                 'conversion_by_source = (by_source["orders"] / by_source["sessions"]).sort_values(ascending=False)',
        ordered=True),
    "champions_share": Exercise(
        variable="champions_share",
        expected=_champions_share,
        hint='rfm is indexed by customer_id: join store.customers.set_index("customer_id")["market"], then take '
             'the mean of (segment == "Champions") per market.',
        solution='with_market = rfm.join(store.customers.set_index("customer_id")["market"])\n'
                 'champions_share = (with_market.groupby("market")["segment"]\n'
                 '                   .apply(lambda s: (s == "Champions").mean()).sort_values(ascending=False))',
        ordered=True),
    "mean_alive": Exercise(
        variable="mean_alive",
        expected=lambda bgf, summary: float(bgf.conditional_probability_alive(
            summary["frequency"], summary["recency"], summary["T"]).mean()),
        hint="conditional_probability_alive takes frequency, recency and T (columns of summary) and gives one "
             "probability per customer: average them. A share is a fraction such as 0.55.",
        solution='alive = bgf.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])\n'
                 "mean_alive = float(alive.mean())",
        fraction=True),
    "revenue_change": Exercise(
        variable="revenue_change",
        expected=lambda estimate: 1.1 ** (1 + estimate.elasticity) - 1,
        hint="The revenue factor is 1.1 ** (1 + elasticity); the change is that factor minus 1, as a fraction "
             "(-0.07 means 7% less revenue).",
        solution="revenue_change = 1.1 ** (1 + estimate.elasticity) - 1",
        fraction=True),
    "november_rop": Exercise(
        variable="november_rop",
        expected=_november_rop,
        hint="Select demand[demand.index.month == 11]; use its mean and standard deviation in ca.safety_stock "
             "(lead time 21 days, sigma of lead time 4 days), then ca.reorder_point.",
        solution="november = demand[demand.index.month == 11]\n"
                 "ss_nov = ca.safety_stock(0.95, november.std(), lead_time=21, sigma_lead_time=4, "
                 "mean_demand=november.mean())\n"
                 "november_rop = ca.reorder_point(november.mean(), 21, ss_nov)"),
}
