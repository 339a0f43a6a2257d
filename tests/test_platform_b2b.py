"""B2B inquiry funnel and the response-time effect."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from cbec.modules.platform_operation import b2b
from cbec.modules.platform_operation.simulator import simulate_account

TRAFFIC = pd.DataFrame({"exposure": [600, 400], "clicks": [30, 20]})
INQUIRIES = pd.DataFrame({
    "response_hours": [0.5, 0.8, 2, 3, 6, 10, 20, 30, 50, 100],
    "quotation_sent": [True, True, True, True, True, True, True, True, False, False],
    "order_placed": [True, False, True, False, False, False, False, False, False, False],
})


def test_funnel_by_hand():
    funnel = b2b.inquiry_funnel(TRAFFIC, INQUIRIES).set_index("stage")
    assert funnel["count"].tolist() == [1000, 50, 10, 8, 2]
    assert funnel["step_conversion"].iloc[1:].tolist() == pytest.approx([0.05, 0.2, 0.8, 0.25])
    assert funnel.loc["orders", "from_exposure"] == pytest.approx(0.002)
    low, high = proportion_confint(2, 8, method="wilson")
    assert (funnel.loc["orders", "step_ci_low"], funnel.loc["orders", "step_ci_high"]) == pytest.approx((low, high))
    assert np.isnan(funnel.loc["exposure", "step_conversion"])


def test_conversion_by_response_band_by_hand():
    table = b2b.conversion_by_response_band(INQUIRIES, bands=(0, 1, 4, 24, np.inf))
    # quoted only: (0,1]: 2 inquiries 1 order; (1,4]: 2 and 1; (4,24]: 3 and 0; (24,inf]: 1 and 0
    assert table["inquiries"].tolist() == [2, 2, 3, 1]
    assert table["orders"].tolist() == [1, 1, 0, 0]
    assert table["conversion"].tolist() == pytest.approx([0.5, 0.5, 0.0, 0.0])
    everyone = b2b.conversion_by_response_band(INQUIRIES, bands=(0, 1, 4, 24, np.inf), given_quotation=False)
    assert everyone["inquiries"].tolist() == [2, 2, 3, 3]
    with pytest.raises(ValueError, match="increasing"):
        b2b.conversion_by_response_band(INQUIRIES, bands=(4, 1))


def test_errors_say_what_to_do():
    with pytest.raises(KeyError, match="clicks"):
        b2b.inquiry_funnel(TRAFFIC.drop(columns="clicks"), INQUIRIES)
    with pytest.raises(ValueError, match="nothing to fit"):
        b2b.response_time_logit(INQUIRIES.assign(order_placed=False))


@pytest.mark.parametrize("seed", [0, 4, 9])
def test_logit_recovers_the_response_time_effect(seed):
    account = simulate_account(seed=seed)
    effect = b2b.response_time_logit(account.inquiries)
    truth = account.truth
    assert abs(effect.slope - truth.response_logit_slope) < 3 * effect.slope_std_error
    assert effect.slope_interval[1] < 0          # answering slowly is worse, clearly
    assert effect.odds_ratio_per_doubling == pytest.approx(2 ** effect.slope)
    assert effect.observations == int(account.inquiries["quotation_sent"].sum())


def test_simulated_funnel_matches_its_parameters():
    account = simulate_account(seed=3)
    funnel = b2b.inquiry_funnel(account.b2b_traffic, account.inquiries).set_index("stage")
    config = account.config
    for stage, rate in (("clicks", config.b2b_click_rate), ("inquiries", config.b2b_inquiry_rate),
                        ("quotations", account.truth.quotation_rate)):
        assert funnel.loc[stage, "step_ci_low"] < rate < funnel.loc[stage, "step_ci_high"], stage
    bands = b2b.conversion_by_response_band(account.inquiries)
    populated = bands[bands["inquiries"] >= 50]
    assert populated["conversion"].iloc[0] > populated["conversion"].iloc[-1]


def test_bands_carry_their_median_response_time():
    table = b2b.conversion_by_response_band(INQUIRIES, bands=(0, 1, 4, 24, np.inf))
    # quoted only: (0,1] 0.5 and 0.8; (1,4] 2 and 3; (4,24] 6, 10, 20; (24,inf] 30
    assert table["median_hours"].tolist() == pytest.approx([0.65, 2.5, 10.0, 30.0])


def test_order_rate_is_the_logistic_curve_in_log_hours():
    assert b2b.order_rate(0.0, -1.0, 0.0) == pytest.approx(0.5)
    # ln(1 + e - 1) = 1: logit -1
    assert b2b.order_rate(0.0, -1.0, np.e - 1) == pytest.approx(1 / (1 + np.e))
    assert b2b.order_rate(-0.9, -0.45, [1, 24]) == pytest.approx(
        1 / (1 + np.exp(0.9 + 0.45 * np.log([2, 25]))))
    with pytest.raises(ValueError, match=">= 0"):
        b2b.order_rate(0.0, -1.0, -1)


def test_fitted_order_rate_matches_the_models_prediction():
    account = simulate_account(seed=4, days=120)
    effect = b2b.response_time_logit(account.inquiries)
    hours = np.array([0.5, 5.0, 48.0])
    predicted = effect.model.predict(np.column_stack([np.ones(3), np.log1p(hours)]))
    assert effect.order_rate(hours) == pytest.approx(predicted)
    assert effect.order_rate(1) > effect.order_rate(24)


def test_slope_across_logs_fits_each_log_and_checks_coverage():
    logs = {seed: simulate_account(seed=seed, n_products=1, days=200).inquiries for seed in (1, 2)}
    table = b2b.slope_across_logs(logs, true_slope=-0.45)
    assert list(table.index) == [1, 2]
    for seed, log in logs.items():
        effect = b2b.response_time_logit(log)
        row = table.loc[seed]
        assert row["slope"] == pytest.approx(effect.slope)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(effect.slope_interval)
        assert row["covers_truth"] == (effect.slope_interval[0] <= -0.45 <= effect.slope_interval[1])
    far = b2b.slope_across_logs(logs, true_slope=5.0)
    assert not far["covers_truth"].any()
    assert "covers_truth" not in b2b.slope_across_logs(logs).columns
    with pytest.raises(ValueError, match="empty"):
        b2b.slope_across_logs({})
