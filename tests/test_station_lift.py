"""The geo holdout read-out: the lift model against statsmodels and a hand-made test, the randomisation p-value
against brute force, iCPA and iROAS from the spend, clear errors, and the known lift of seeded synthetic tests
recovered (intervals cover it, estimates unbiased; a zero lift is found to be zero)."""

import dataclasses
import warnings
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from cbec.modules.independent_station import lift
from cbec.modules.independent_station.lift import geo_lift


def synthetic_geo(seed, true_lift=0.15, regions=20, drift=0.1, aov=60.0):
    """A seeded geo test: regions of different sizes and base rates, half switched to treatment at random.

    Test-period rates drift from the pre-period by a log-normal factor (sd ``drift``); the
    treatment multiplies the expected new customers by 1 + ``true_lift``. Returns the table
    and the expected incremental customers and revenue in the treatment regions.
    """
    rng = np.random.default_rng(seed)
    population = np.round(np.exp(rng.normal(11, 0.8, regions))).astype("int64")
    rate = 0.002 * rng.gamma(4, 1 / 4, regions)
    treated = np.zeros(regions, dtype=bool)
    treated[rng.permutation(regions)[: regions // 2]] = True
    pre = rng.poisson(population * rate)
    expected = population * rate * np.exp(rng.normal(0, drift, regions))
    test = rng.poisson(expected * np.where(treated, 1 + true_lift, 1))
    revenue = np.where(test > 0, rng.gamma(np.maximum(test, 1) * 2.0, aov / 2.0), 0.0)
    table = pd.DataFrame({"region": [f"R{i:02d}" for i in range(regions)],
                          "group": pd.Categorical(np.where(treated, "treatment", "holdout"),
                                                  categories=["treatment", "holdout"]),
                          "channel": "paid_social", "population": population, "pre_conversions": pre,
                          "test_conversions": test, "test_revenue_usd": revenue})
    incremental = float((expected * true_lift)[treated].sum())
    return table, incremental, incremental * aov


@pytest.fixture
def exact_test():
    """Six regions whose test period is the pre period, times 1.25 where the channel was on."""
    pre = np.array([1000, 2000, 3000, 4000, 1600, 2400])
    treated = np.array([True, False, True, False, True, False])
    return pd.DataFrame({"region": list("ABCDEF"), "group": np.where(treated, "treatment", "holdout"),
                         "channel": "email", "population": [10_000, 25_000, 20_000, 40_000, 32_000, 20_000],
                         "pre_conversions": pre, "test_conversions": np.where(treated, pre * 5 // 4, pre),
                         "test_revenue_usd": np.where(treated, pre * 5 // 4, pre) * 50.0})


@pytest.fixture(autouse=True)
def _a_noiseless_test_fits_perfectly():
    """The hand-made test has no noise: statsmodels warns that the fit is perfect, which is the point."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        yield


def test_a_test_period_25_percent_above_the_pre_period_is_a_25_percent_lift(exact_test):
    result = geo_lift(exact_test, spend=2000.0)
    treatment_total = 1250 + 3750 + 2000
    assert result.channel == "email" and (result.treatment_regions, result.holdout_regions) == (3, 3)
    # the 0.5 added to pre-period counts of thousands moves the figures by well under 0.1%
    assert result.relative_lift == pytest.approx(0.25, rel=2e-3)
    assert result.relative_lift_low <= result.relative_lift <= result.relative_lift_high
    assert result.relative_lift_high - result.relative_lift_low < 0.01          # no noise, a narrow interval
    assert result.treatment_conversions == treatment_total
    assert result.incremental_conversions == pytest.approx(treatment_total * 0.2, rel=2e-3)   # 1 - 1/1.25
    assert result.counterfactual_conversions == pytest.approx(treatment_total / 1.25, rel=2e-3)
    assert result.pre_period_coefficient == pytest.approx(1.0, abs=2e-3)
    assert result.incremental_revenue == pytest.approx(treatment_total * 0.2 * 50, rel=2e-3)
    assert result.icpa == pytest.approx(2000 / (treatment_total * 0.2), rel=2e-3)
    assert result.iroas == pytest.approx(treatment_total * 0.2 * 50 / 2000, rel=2e-3)
    # all 20 ways to pick 3 of 6 regions: the observed one and its mirror image are the most extreme
    assert result.exact_permutations and result.permutations == 20
    assert result.permutation_p_value == pytest.approx(2 / 20)


def test_the_model_matches_statsmodels_and_a_leave_one_region_out_loop():
    table, _, _ = synthetic_geo(seed=3, regions=16)
    result = geo_lift(table, alpha=0.1)
    treated = (table["group"] == "treatment").to_numpy(dtype=float)
    pre_rate = np.log((table["pre_conversions"] + 0.5) / table["population"]).to_numpy()
    design = np.column_stack([np.ones(len(table)), treated, pre_rate])
    offset = np.log(table["population"].to_numpy(dtype=float))
    y = table["test_conversions"].to_numpy(dtype=float)
    fit = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit()
    assert result.relative_lift == pytest.approx(np.expm1(fit.params[1]))
    assert result.pre_period_coefficient == pytest.approx(fit.params[2])
    # the jackknife by hand: refit without each region in turn
    replicates = np.array([sm.GLM(np.delete(y, i), np.delete(design, i, axis=0), family=sm.families.Poisson(),
                                  offset=np.delete(offset, i)).fit().params[1] for i in range(len(y))])
    n = len(y)
    error = np.sqrt((n - 1) / n * ((replicates - replicates.mean()) ** 2).sum())
    t = stats.t.ppf(0.95, df=n - 3)
    assert result.relative_lift_low == pytest.approx(np.expm1(fit.params[1] - t * error), rel=1e-5)
    assert result.relative_lift_high == pytest.approx(np.expm1(fit.params[1] + t * error), rel=1e-5)
    assert result.p_value == pytest.approx(2 * stats.t.sf(abs(fit.params[1] / error), df=n - 3), rel=1e-4)
    # without the channel the treatment regions would have had the model's prediction with the arm switched off
    off = design[treated == 1].copy()
    off[:, 1] = 0
    counterfactual = fit.predict(off, offset=offset[treated == 1]).sum()
    assert result.counterfactual_conversions == pytest.approx(counterfactual, rel=1e-6)
    assert result.incremental_conversions == pytest.approx(y[treated == 1].sum() - counterfactual, rel=1e-6)


def test_the_randomisation_p_value_matches_brute_force():
    table, _, _ = synthetic_geo(seed=5, regions=10)
    result = geo_lift(table)
    treated = (table["group"] == "treatment").to_numpy()
    pre_rate = np.log((table["pre_conversions"] + 0.5) / table["population"]).to_numpy()
    y = table["test_conversions"].to_numpy(dtype=float)
    null = sm.GLM(y, sm.add_constant(pre_rate), family=sm.families.Poisson(),
                  offset=np.log(table["population"].to_numpy(dtype=float))).fit()
    residual = y - null.fittedvalues
    observed = abs(residual[treated].sum())
    sums = [abs(residual[list(chosen)].sum()) for chosen in combinations(range(10), 5)]
    assert result.exact_permutations and result.permutations == 252
    assert result.permutation_p_value == pytest.approx(np.mean(np.array(sums) >= observed - 1e-9))
    sampled = geo_lift(table, permutations=100, seed=1)
    assert not sampled.exact_permutations and sampled.permutations == 100
    assert 0 < sampled.permutation_p_value <= 1
    assert geo_lift(table, permutations=100, seed=1).permutation_p_value == sampled.permutation_p_value


def test_spend_gives_icpa_and_iroas_with_intervals():
    table, _, _ = synthetic_geo(seed=8, true_lift=0.3, regions=24)
    result = geo_lift(table, spend=5000.0)
    assert result.spend == 5000.0
    assert result.icpa == pytest.approx(5000.0 / result.incremental_conversions)
    assert result.icpa_low == pytest.approx(5000.0 / result.incremental_high)
    assert result.iroas == pytest.approx(result.incremental_revenue / 5000.0)
    assert result.iroas_low == pytest.approx(result.incremental_revenue_low / 5000.0)
    assert result.iroas_low <= result.iroas <= result.iroas_high
    assert result.incremental_low <= result.incremental_conversions <= result.incremental_high
    without = geo_lift(table)
    assert np.isnan(without.spend) and np.isnan(without.icpa) and np.isnan(without.iroas)
    assert without.relative_lift == result.relative_lift


def test_an_interval_reaching_below_zero_makes_the_icpa_bound_infinite():
    table, _, _ = synthetic_geo(seed=2, true_lift=0.0, regions=12)
    result = geo_lift(table, spend=1000.0)
    assert result.incremental_low < 0 < result.incremental_high
    assert result.icpa_high == np.inf and np.isfinite(result.icpa_low)


def test_the_result_is_frozen_and_becomes_a_series(exact_test):
    result = geo_lift(exact_test)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.relative_lift = 1.0
    series = result.to_series()
    assert series.name == "email" and series["relative_lift"] == result.relative_lift
    assert list(series.index) == [f.name for f in dataclasses.fields(lift.LiftResult)]


def test_errors_say_what_to_do(exact_test):
    with pytest.raises(ValueError, match="0 holdout region.*at least 2 regions in each arm"):
        geo_lift(exact_test.assign(group="treatment"))
    with pytest.raises(ValueError, match="non-positive population.*'B'"):
        geo_lift(exact_test.assign(population=exact_test["population"].where(exact_test["region"] != "B", 0)))
    with pytest.raises(ValueError, match="missing column.*pre_conversions"):
        geo_lift(exact_test.drop(columns="pre_conversions"))
    with pytest.raises(ValueError, match="several channels"):
        geo_lift(exact_test.assign(channel=["email"] * 5 + ["display"]))
    with pytest.raises(ValueError, match="group has value.*control"):
        geo_lift(exact_test.assign(group=exact_test["group"].replace("holdout", "control")))
    with pytest.raises(ValueError, match="more than once"):
        geo_lift(exact_test.assign(region=list("AABCDE")))
    with pytest.raises(ValueError, match="missing values.*test_conversions: 1"):
        geo_lift(exact_test.assign(test_conversions=exact_test["test_conversions"].astype(float).where(
            exact_test["region"] != "C")))
    with pytest.raises(ValueError, match="negative"):
        geo_lift(exact_test.assign(pre_conversions=-exact_test["pre_conversions"]))
    with pytest.raises(ValueError, match="spend must be.*positive"):
        geo_lift(exact_test, spend=0)
    with pytest.raises(ValueError, match="alpha must be a fraction"):
        geo_lift(exact_test, alpha=5)


SEEDS = range(40)


@pytest.mark.parametrize("true_lift", [0.15, 0.0])
def test_a_known_lift_is_recovered_over_seeds(true_lift):
    results = [(geo_lift(table, spend=1000.0, permutations=400), incremental, revenue)
                for table, incremental, revenue in (synthetic_geo(seed, true_lift) for seed in SEEDS)]
    lifts = np.array([r.relative_lift for r, _, _ in results])
    covered = np.mean([r.relative_lift_low <= true_lift <= r.relative_lift_high for r, _, _ in results])
    assert covered >= 0.85
    assert abs(lifts.mean() - true_lift) < 3 * lifts.std(ddof=1) / np.sqrt(len(lifts))   # unbiased on average
    incremental = np.array([r.incremental_conversions for r, _, _ in results])
    truth = np.array([t for _, t, _ in results])
    assert abs((incremental - truth).mean()) < 3 * (incremental - truth).std(ddof=1) / np.sqrt(len(truth))
    revenue_covered = np.mean([r.incremental_revenue_low <= t <= r.incremental_revenue_high for r, _, t in results])
    assert revenue_covered >= 0.85
    if true_lift == 0:
        assert np.mean([r.permutation_p_value < 0.05 for r, _, _ in results]) <= 0.15
        assert np.mean([r.p_value < 0.05 for r, _, _ in results]) <= 0.15


def test_caused_share_and_the_comparison_with_attribution(exact_test):
    result = geo_lift(exact_test, permutations=20)
    share = lift.caused_share(result)
    # a 25% lift (up to the pre-period's pseudo-count): a fifth of the customers were caused
    assert share["estimate"] == pytest.approx(0.2, rel=1e-3)
    assert share["low"] <= share["estimate"] <= share["high"]
    table = lift.credit_against_attribution(result, {"last click": 0.05, "Markov": 0.18})
    assert table.index.tolist() == ["last click", "Markov", "geo test"]
    assert table.loc["geo test"].tolist() == pytest.approx(share.tolist())
    assert table.loc["last click", "estimate"] == 0.05 and np.isnan(table.loc["Markov", "low"])
    with pytest.raises(ValueError, match="between 0 and 1"):
        lift.credit_against_attribution(result, {"last click": 5.0})
