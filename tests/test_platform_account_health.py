"""Account health: windows, counting rules, Wilson intervals, ranking, and the simulator's truth."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cbec.modules.platform_operation import account_health as health
from cbec.modules.platform_operation.simulator import DRAWN_RATE_RANGES, simulate_account

AS_OF = pd.Timestamp("2024-03-31")


def orders(n, *, days_ago=1, **flags):
    """``n`` on-time, tracked, fault-free orders placed ``days_ago`` before AS_OF; flags set per row."""
    order_date = AS_OF - pd.Timedelta(days=days_ago)
    frame = pd.DataFrame({
        "order_id": [f"O{days_ago:03d}-{i:04d}" for i in range(n)],
        "order_date": order_date,
        "ship_by_date": order_date + pd.Timedelta(days=1),
        "shipped_date": order_date,
        "cancelled": False, "negative_feedback": False, "a_to_z_claim": False, "chargeback": False,
        "valid_tracking": True,
    })
    for column, rows in flags.items():
        frame.loc[list(rows), column] = True if column != "valid_tracking" else False
    return frame


def rates(table, **kwargs):
    return health.account_health(table, AS_OF, **kwargs).set_index("metric")


def test_targets_are_data_with_the_published_limits():
    limits = {t.metric: (t.window_days, t.limit, t.better) for t in health.HEALTH_TARGETS}
    assert limits["order_defect_rate"] == (60, 0.01, "below")
    assert limits["cancellation_rate"] == (7, 0.025, "below")
    assert limits["late_shipment_rate_10d"] == (10, 0.04, "below")
    assert limits["late_shipment_rate_30d"] == (30, 0.04, "below")
    assert limits["valid_tracking_rate"] == (30, 0.95, "above")


def test_an_order_with_several_defects_counts_once():
    table = orders(200, negative_feedback=[0, 1], a_to_z_claim=[0], chargeback=[5])
    row = rates(table).loc["order_defect_rate"]
    assert (row["count"], row["orders"]) == (3, 200)
    assert row["rate"] == pytest.approx(0.015)
    assert row["status"] == "fail"


def test_a_rate_equal_to_the_limit_fails_a_below_target():
    row = rates(orders(100, negative_feedback=[0])).loc["order_defect_rate"]
    assert row["rate"] == pytest.approx(0.01) and row["status"] == "fail"


def test_windows_end_on_the_as_of_date_and_include_it():
    inside = orders(10, days_ago=59, chargeback=[0])
    outside = orders(10, days_ago=60, chargeback=[0])
    today = orders(10, days_ago=0)
    row = rates(pd.concat([inside, outside, today])).loc["order_defect_rate"]
    assert (row["count"], row["orders"]) == (1, 20)
    assert row["window_start"] == AS_OF - pd.Timedelta(days=59)
    future = orders(5, days_ago=-3)   # placed after the as-of date: not yet in any window
    assert rates(pd.concat([today, future])).loc["order_defect_rate", "orders"] == 10


def test_cancellations_use_the_seven_day_window():
    recent = orders(40, days_ago=2, cancelled=[0, 1])
    older = orders(40, days_ago=8, cancelled=[0, 1, 2, 3])
    row = rates(pd.concat([recent, older])).loc["cancellation_rate"]
    assert (row["count"], row["orders"]) == (2, 40)
    assert row["status"] == "fail"   # 5%


def test_late_shipments_count_late_and_unshipped_orders_but_not_cancelled_ones():
    table = orders(50, days_ago=5)
    table.loc[0, "shipped_date"] = table.loc[0, "ship_by_date"] + pd.Timedelta(days=2)   # late
    table.loc[1, "shipped_date"] = pd.NaT                                                  # still unshipped
    table.loc[2, ["cancelled", "shipped_date"]] = [True, pd.NaT]                           # cancelled: left out
    table.loc[3, "shipped_date"] = AS_OF + pd.Timedelta(days=1)   # shipped after the as-of date: late by then
    row = rates(table).loc["late_shipment_rate_10d"]
    assert (row["count"], row["orders"]) == (3, 49)


def test_valid_tracking_is_a_rate_that_must_stay_above():
    table = orders(100, valid_tracking=range(6))
    table["valid_tracking"] = table["valid_tracking"].astype("boolean")
    row = rates(table).loc["valid_tracking_rate"]
    assert (row["count"], row["orders"]) == (94, 100)
    assert row["status"] == "fail"
    assert rates(orders(100, valid_tracking=range(4))).loc["valid_tracking_rate", "status"] == "pass"


def test_wilson_intervals_and_clear_verdicts():
    small = rates(orders(40, cancelled=[0]))          # 2.5% of 40
    row = small.loc["cancellation_rate"]
    low, high = proportion_confint(1, 40, alpha=0.05, method="wilson")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    assert not row["clear"]                           # 40 orders cannot tell 2.5% from 1%
    big = rates(pd.concat([orders(3000, days_ago=d) for d in (1, 2)])).loc["cancellation_rate"]
    assert big["status"] == "pass" and big["clear"]


def test_no_orders_in_a_window():
    row = rates(orders(10, days_ago=20)).loc["cancellation_rate"]
    assert row["status"] == "no orders" and np.isnan(row["rate"])


def test_errors_say_what_to_do():
    with pytest.raises(KeyError, match="simulate_account"):
        health.account_health(orders(5).drop(columns="chargeback"), AS_OF)
    custom = (health.HealthTarget("returns_rate", 30, 0.1, "below", "order_date", "returns / orders"),)
    with pytest.raises(ValueError, match="use one of"):
        health.account_health(orders(5), AS_OF, custom)


def test_issues_are_ranked_failing_metric_and_weighty_issue_first():
    table = pd.concat([
        orders(100, days_ago=3, negative_feedback=[0]),                     # recent feedback
        orders(100, days_ago=40, a_to_z_claim=[0], negative_feedback=[1]),  # older claim: weightier
    ])                                                                      # ODR 1.5%: failing
    table.loc[table.index[5], "shipped_date"] += pd.Timedelta(days=5)     # one late order: 10d rate passes
    issues = health.issues_to_fix(table, AS_OF)
    assert issues["rank"].tolist() == list(range(1, len(issues) + 1))
    assert issues["issue"].tolist()[:3] == ["a_to_z_claim", "negative_feedback", "negative_feedback"]
    assert issues["days_left_in_window"].tolist()[:3] == [20, 57, 20]
    assert issues.iloc[-1]["metric"].startswith("late_shipment") and issues.iloc[-1]["metric_status"] == "pass"
    assert health.issues_to_fix(orders(10), AS_OF).empty


@pytest.mark.parametrize("seed", [2, 5])
def test_rates_over_the_whole_period_recover_the_simulators_truth(seed):
    account = simulate_account(seed=seed)
    as_of = account.orders["order_date"].max() - pd.Timedelta(days=10)   # late orders have all shipped
    year = tuple(health.HealthTarget(t.metric, 300, t.limit, t.better, t.date_column, t.meaning)
                 for t in health.HEALTH_TARGETS if not t.metric.endswith("30d"))
    table = health.account_health(account.orders, as_of, year).set_index("metric")
    truth = account.truth
    for metric, true_rate in (("order_defect_rate", truth.order_defect_rate),
                              ("cancellation_rate", truth.cancellation_rate),
                              ("late_shipment_rate_10d", truth.late_shipment_rate),
                              ("valid_tracking_rate", truth.valid_tracking_rate)):
        row = table.loc[metric]
        standard_error = np.sqrt(true_rate * (1 - true_rate) / row["orders"])
        assert abs(row["rate"] - true_rate) < 4 * standard_error, metric


def test_seeds_give_some_passing_and_some_failing_accounts():
    statuses = {t.metric: set() for t in health.HEALTH_TARGETS}
    for seed in range(12):
        account = simulate_account(seed=seed, days=90)
        table = health.account_health(account.orders, account.orders["order_date"].max())
        for metric, status in zip(table["metric"], table["status"]):
            statuses[metric].add(status)
    assert all(found == {"pass", "fail"} for found in statuses.values()), statuses
    limits = {"order_defect_rate": 0.01, "cancellation_rate": 0.025, "late_shipment_rate": 0.04,
              "valid_tracking_rate": 0.95}
    for name, (low, high) in DRAWN_RATE_RANGES.items():
        assert low < limits[name] < high


def test_health_over_time_is_account_health_on_each_day():
    table = pd.concat([orders(100, days_ago=d, cancelled=[0, 1, 2] if d == 3 else []) for d in (1, 3, 10)])
    days = [AS_OF - pd.Timedelta(days=5), AS_OF]
    history = health.health_over_time(table, days)
    assert history["as_of"].tolist() == [days[0]] * 5 + [days[1]] * 5
    for day in days:
        expected = health.account_health(table, day)
        got = history[history["as_of"] == day].drop(columns="as_of").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected)
    cancellation = history[history["metric"] == "cancellation_rate"].set_index("as_of")["rate"]
    # five days earlier the 7-day window holds only the 10-day-old orders (the others are not placed yet)
    assert cancellation[days[0]] == pytest.approx(0.0)
    assert cancellation[days[1]] == pytest.approx(3 / 200)
    with pytest.raises(ValueError, match="empty"):
        health.health_over_time(table, [])


def test_with_window_widens_every_target_and_drops_duplicate_windows():
    widened = health.with_window(health.HEALTH_TARGETS, 300)
    assert [t.metric for t in widened] == ["order_defect_rate", "cancellation_rate", "late_shipment_rate_10d",
                                           "valid_tracking_rate"]
    assert {t.window_days for t in widened} == {300}
    assert [t.limit for t in widened] == [0.01, 0.025, 0.04, 0.95]
    with pytest.raises(ValueError, match="whole number"):
        health.with_window(health.HEALTH_TARGETS, 0)


def test_truth_health_rates_name_every_target_metric():
    account = simulate_account(seed=5, days=60)
    true_rates = account.truth.health_rates()
    assert set(true_rates) == {t.metric for t in health.HEALTH_TARGETS}
    assert true_rates["late_shipment_rate_30d"] == true_rates["late_shipment_rate_10d"] == \
        account.truth.late_shipment_rate
    assert true_rates["valid_tracking_rate"] == account.truth.valid_tracking_rate
