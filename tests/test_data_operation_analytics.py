"""Analytics on small hand-computable tables, plus the published CDNOW results."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cbec.modules.data_operation import analytics as a
from cbec.data import load

D = pd.Timestamp


@pytest.fixture
def orders():
    return pd.DataFrame({
        "order_id": ["o1", "o2", "o3", "o4"],
        "customer_id": ["c1", "c1", "c2", "c3"],
        "order_date": [D("2024-01-05"), D("2024-02-10"), D("2024-01-20"), D("2024-02-03")],
        "market": ["US", "US", "DE", "DE"],
        "gmv_usd": [100.0, 50.0, 30.0, 20.0],
        "units": [2, 1, 3, 2],
    })


def test_kpi_summary_by_hand(orders):
    sessions = pd.DataFrame({"sessions": [100, 100]})
    returns = pd.DataFrame({"order_id": ["o1"], "refund_usd": [20.0]})
    k = a.kpi_summary(orders, sessions, returns)
    assert k["gmv_usd"] == 200 and k["orders"] == 4 and k["aov_usd"] == 50
    assert k["units_per_order"] == 2 and k["conversion_rate"] == 0.02 and k["refund_rate"] == 0.1
    by = a.kpis_by(orders, "market", returns=returns)
    assert by.loc["US", "gmv_usd"] == 150 and by.loc["US", "refund_rate"] == pytest.approx(20 / 150)
    assert by.loc["DE", "refund_rate"] == 0


def test_missing_column_is_named(orders):
    with pytest.raises(ValueError, match="gmv_usd.*it has"):
        a.kpi_summary(orders.drop(columns="gmv_usd"))


def test_funnel_and_its_largest_drop():
    sessions = pd.DataFrame({"sessions": [1000], "product_views": [600], "add_to_cart": [60],
                             "checkouts": [30], "orders": [24]})
    table = a.funnel_table(sessions)
    assert table["step_conversion"].tolist()[1:] == [0.6, 0.1, 0.5, 0.8]
    assert table["overall_conversion"].iloc[-1] == 0.024
    assert a.largest_drop(table) == "add_to_cart"


def test_cohort_retention_by_hand(orders):
    table = a.cohort_retention(orders)
    assert table.loc[pd.Period("2024-01"), 0] == 1.0
    assert table.loc[pd.Period("2024-01"), 1] == 0.5  # c1 of {c1, c2} came back in February
    assert a.cohort_sizes(orders).tolist() == [2, 1]


def test_rfm_scores_and_segments():
    orders = pd.DataFrame({
        "order_id": [f"o{i}" for i in range(10)],
        "customer_id": [f"c{i}" for i in range(5)] * 2,
        "order_date": [D("2024-01-01") + pd.Timedelta(days=10 * i) for i in range(10)],
        "gmv_usd": [10.0 * (i + 1) for i in range(10)],
    })
    rfm = a.rfm_table(orders)
    assert set(rfm["R"]) == {1, 2, 3, 4, 5}
    assert rfm.loc["c4", "R"] == 5 and rfm.loc["c4", "M"] == 5 and rfm.loc["c0", "M"] == 1
    summary = a.segment_summary(rfm)
    assert summary["revenue_share"].sum() == pytest.approx(1.0)


def test_sample_size_matches_the_formula():
    # p1 = 0.10, p2 = 0.12: (1.959964 + 0.841621)^2 = 7.84888; x 0.1956 / 0.0004 = 3838.1 -> 3839
    assert a.sample_size_per_arm(0.10, 0.12) == 3839
    with pytest.raises(ValueError, match="p1"):
        a.sample_size_per_arm(1.2, 0.1)
    with pytest.raises(ValueError, match="no difference"):
        a.sample_size_per_arm(0.1, 0.1)


def test_two_proportion_test():
    result = a.two_proportion_test(100, 1000, 150, 1000)
    assert result.difference == pytest.approx(0.05)
    assert result.p_value < 0.01 and result.ci_low > 0


def test_elasticity_recovers_the_truth():
    est = a.price_elasticity(a.demand_experiment(seed=4, true_elasticity=-1.5, n_weeks=156))
    assert est.ci_low < -1.5 < est.ci_high
    with pytest.raises(ValueError, match="positive"):
        a.price_elasticity(pd.DataFrame({"price": [1.0, 2.0], "quantity": [0, 3]}))


def test_inventory_formulas():
    ss = a.safety_stock(0.95, sigma_d=10, lead_time=4)
    assert ss == pytest.approx(1.644854 * 20, rel=1e-5)
    with_lead_time_risk = a.safety_stock(0.95, 10, 4, sigma_lead_time=1, mean_demand=30)
    assert with_lead_time_risk == pytest.approx(1.644854 * math.sqrt(400 + 900), rel=1e-5)
    assert a.reorder_point(30, 4, ss) == pytest.approx(120 + ss)
    assert a.eoq(1200, 50, 3) == pytest.approx(200)


def test_daily_demand_fills_quiet_days(orders):
    lines = pd.DataFrame({"order_id": ["o1", "o3"], "product_id": ["P1", "P1"], "quantity": [2, 3]})
    demand = a.daily_demand(lines, orders, "P1")
    assert len(demand) == (D("2024-02-10") - D("2024-01-05")).days + 1
    assert demand.sum() == 5 and (demand == 0).sum() == len(demand) - 2


def test_cdnow_reproduces_the_published_estimates():
    summary = a.rfm_summary(load("cdnow_sample").transactions)
    bgf, ggf = a.fit_bgnbd(summary), a.fit_gamma_gamma(summary)
    for name, value in a.PUBLISHED_CDNOW_ESTIMATES["bgnbd"].items():
        assert bgf.params_[name] == pytest.approx(value, abs=5e-4), name
    for name, value in a.PUBLISHED_CDNOW_ESTIMATES["gamma_gamma"].items():
        assert ggf.params_[name] == pytest.approx(value, abs=5e-3), name
    assert (summary["frequency"] > 0).sum() == 946
    assert a.bgnbd_log_likelihood(bgf.params_, summary) == pytest.approx(-9582.4, abs=0.5)
    assert bgf.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=5e-4)


def test_shared_lifetime_value_matches_lifetimes_on_cdnow_and_stays_finite_where_lifetimes_gives_nan():
    import warnings

    import numpy as np

    from cbec import customer_value

    summary = a.rfm_summary(load("cdnow_sample").transactions)
    bgf, ggf = a.fit_bgnbd(summary), a.fit_gamma_gamma(summary)
    ours = customer_value.customer_lifetime_value(bgf, ggf, summary, months=12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = ggf.customer_lifetime_value(bgf, summary["frequency"], summary["recency"], summary["T"],
                                                summary["monetary_value"], time=12, discount_rate=0.01, freq="W")
    assert np.allclose(ours, reference, rtol=1e-8)
    # a + b < 1: lifetimes takes the log of a negative number for one-time buyers
    bgf.params_ = bgf.params_.copy()
    bgf.params_[["a", "b"]] = [0.2, 0.7]
    ours = customer_value.customer_lifetime_value(bgf, ggf, summary, months=12)
    assert np.isfinite(ours).all() and (ours > 0).all()
