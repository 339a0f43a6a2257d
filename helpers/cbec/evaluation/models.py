"""Effect estimates: OLS or logit with robust or cluster-robust standard errors.

Design matrices are built here (not by a formula parser) so that every term keeps the name
of its column in the data -- ``PSI``, ``GPA``, ``const`` -- and a categorical covariate
becomes one indicator per level but the first, named ``column[level]``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from pandas.api import types as ptypes


class ModelError(ValueError):
    """The model cannot be estimated on this data (collinear, separated, too few rows)."""


@dataclass(frozen=True)
class EffectResult:
    model: str              # "ols" or "logit"
    design: str             # "cross-section" or "difference-in-differences"
    se_type: str            # how standard errors were computed, for the reader
    n: int                  # rows used
    n_dropped: int          # rows dropped for missing values
    outcome: str
    effect_term: str        # the term whose coefficient is the headline effect
    estimates: pd.DataFrame  # index term; coef, se, ci_low, ci_high, p
    odds_ratios: pd.DataFrame | None
    marginal_effects: pd.DataFrame | None
    fit_statistic: tuple[str, float]
    results: object         # the statsmodels results, for anything not summarised here
    clusters: int | None = None          # number of clusters (cluster-robust errors only)
    treated_clusters: int | None = None  # clusters where the effect term is not zero

    @property
    def few_clusters(self) -> bool:
        """Cluster-robust intervals run too narrow with few clusters or few treated ones."""
        return self.clusters is not None and (self.clusters < 30 or self.treated_clusters < 10)

    @property
    def effect(self) -> pd.Series:
        return self.estimates.loc[self.effect_term]


def _indicator_columns(values: pd.Series, name: str, drop_first: bool = True) -> pd.DataFrame:
    levels = sorted(pd.unique(values.dropna()), key=str)
    return pd.DataFrame({f"{name}[{level}]": (values == level).astype(float)
                         for level in levels[1 if drop_first else 0:]}, index=values.index)


def term_columns(frame: pd.DataFrame, column: str, drop_first: bool = True) -> pd.DataFrame:
    """A column as model terms: numeric or 0/1 as is, categories as indicators ``column[level]``
    (all levels but the first, the reference, unless ``drop_first`` is False)."""
    values = frame[column]
    if ptypes.is_bool_dtype(values) or ptypes.is_numeric_dtype(values):
        return values.astype(float).to_frame(column)
    return _indicator_columns(values, column, drop_first)


def _check_design(X: pd.DataFrame, n: int) -> None:
    constant = [c for c in X.columns if c != "const" and X[c].nunique() < 2]
    if constant:
        raise ModelError(f"term(s) {', '.join(constant)} take a single value in the rows analysed; "
                         "drop them from covariates or widen the subset.")
    if n <= X.shape[1]:
        raise ModelError(f"{n} complete rows are too few for {X.shape[1]} model terms.")
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        raise ModelError(f"the terms {', '.join(X.columns)} are collinear (one is a combination of others); "
                         "remove a redundant covariate.")


def _covariance(model: str, se: str, cluster_codes) -> dict:
    """Keyword arguments of ``fit`` for the requested standard errors."""
    if cluster_codes is not None:
        return {"cov_type": "cluster", "cov_kwds": {"groups": cluster_codes}}
    if se == "classical":
        return {"cov_type": "nonrobust"}
    return {"cov_type": "HC1" if model == "ols" else "HC0"}


def _tidy(results, alpha: float) -> pd.DataFrame:
    ci = results.conf_int(alpha=alpha)
    return pd.DataFrame({"coef": results.params, "se": results.bse, "ci_low": ci.iloc[:, 0],
                         "ci_high": ci.iloc[:, 1], "p": results.pvalues}).rename_axis("term")


def fit_model(y: pd.Series, X: pd.DataFrame, model: str, se: str = "robust", cluster=None):
    """Fit OLS or logit of ``y`` on ``X``; returns the statsmodels results."""
    _check_design(X, len(y))
    codes = pd.factorize(cluster)[0] if cluster is not None else None
    covariance = _covariance(model, se, codes)
    if model == "ols":
        return sm.OLS(y, X).fit(use_t=True, **covariance)
    if model != "logit":
        raise ValueError(f"model must be 'ols' or 'logit', got {model!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", category=sm.tools.sm_exceptions.PerfectSeparationWarning)
        warnings.simplefilter("ignore", category=sm.tools.sm_exceptions.ConvergenceWarning)
        try:
            results = sm.Logit(y, X).fit(disp=0, maxiter=200, **covariance)
        except (sm.tools.sm_exceptions.PerfectSeparationWarning,
                sm.tools.sm_exceptions.PerfectSeparationError):
            raise ModelError("the outcome is perfectly predicted by some term (perfect separation); "
                             "the logit has no finite estimate. Drop that covariate or use model='ols'.") from None
    if not results.mle_retvals.get("converged", True):
        raise ModelError("the logit did not converge; check for near-separation or rescale covariates.")
    return results


def _prepare(table, columns):
    used = table[[c for c in dict.fromkeys(columns) if c is not None]]
    complete = used.dropna()
    return complete, len(used) - len(complete)


def estimate_effect(table: pd.DataFrame, outcome: str, treatment: str, covariates=(), *,
                    model: str = "ols", cluster: str | None = None, se: str = "robust",
                    period: str | None = None, post_period=None, alpha: float = 0.05) -> EffectResult:
    """Effect of the 0/1 ``treatment`` on ``outcome``, adjusted for ``covariates``.

    With ``period`` and ``post_period`` it is a difference-in-differences with period fixed
    effects: y = const + b1 treatment + period effects + b3 treatment:post + covariates, and
    b3 (``<treatment>:post``) is the effect under parallel trends.
    """
    covariates = list(covariates)
    frame, dropped = _prepare(table, [outcome, treatment, *covariates, cluster, period])
    parts = [pd.Series(1.0, index=frame.index, name="const").to_frame(),
             frame[treatment].astype(float).to_frame(treatment)]
    effect_term, design = treatment, "cross-section"
    if period is not None:
        post = (frame[period] >= post_period).astype(float)
        effect_term, design = f"{treatment}:post", "difference-in-differences"
        parts += [_indicator_columns(frame[period], period),
                  (frame[treatment].astype(float) * post).to_frame(effect_term)]
    parts += [term_columns(frame, c) for c in covariates]
    X = pd.concat(parts, axis=1)
    y = frame[outcome].astype(float)
    results = fit_model(y, X, model, se, frame[cluster] if cluster else None)

    clusters = treated_clusters = None
    if cluster:
        clusters = int(frame[cluster].nunique())
        treated_clusters = int(frame.loc[X[effect_term] != 0, cluster].nunique())
    se_type = {"nonrobust": "classical (model-based)", "cluster": f"cluster-robust by {cluster} ({clusters} clusters)",
               }.get(results.cov_type, f"heteroskedasticity-robust {results.cov_type}")
    estimates = _tidy(results, alpha)
    odds = margins = None
    if model == "logit":
        odds = np.exp(estimates[["coef", "ci_low", "ci_high"]]).rename(
            columns={"coef": "odds_ratio"}).drop(index="const")
        margins = marginal_effects(results, alpha)
        fit_statistic = ("pseudo R-squared (McFadden)", float(results.prsquared))
    else:
        fit_statistic = ("R-squared", float(results.rsquared))
    return EffectResult(model, design, se_type, len(frame), dropped, outcome, effect_term, estimates,
                        odds, margins, fit_statistic, results, clusters, treated_clusters)


def marginal_effects(results, alpha: float = 0.05) -> pd.DataFrame:
    """Average marginal effects of a logit (discrete change for 0/1 terms), on the probability scale."""
    frame = results.get_margeff(at="overall", dummy=True).summary_frame(alpha=alpha)
    frame.columns = ["dydx", "se", "z", "p", "ci_low", "ci_high"]
    return frame[["dydx", "se", "ci_low", "ci_high", "p"]].rename_axis("term")


def event_study(table: pd.DataFrame, outcome: str, treatment: str, period: str, post_period, covariates=(), *,
                model: str = "ols", cluster: str | None = None, se: str = "robust",
                alpha: float = 0.05) -> pd.DataFrame:
    """Treatment-by-period differences relative to the last period before ``post_period``.

    Before adoption the estimates should hover around 0 (parallel trends); after it they
    trace the effect.  Coefficients are on the outcome's scale (log-odds for a logit).
    """
    covariates = list(covariates)
    frame, _ = _prepare(table, [outcome, treatment, *covariates, cluster, period])
    periods = sorted(pd.unique(frame[period]))
    before = [p for p in periods if p < post_period]
    base = before[-1]
    treated = frame[treatment].astype(float)
    interactions = pd.DataFrame({f"{treatment}:{period}={p}": treated * (frame[period] == p)
                                 for p in periods if p != base}, index=frame.index)
    X = pd.concat([pd.Series(1.0, index=frame.index, name="const").to_frame(), treated.to_frame(treatment),
                   _indicator_columns(frame[period], period), interactions,
                   *[term_columns(frame, c) for c in covariates]], axis=1)
    results = fit_model(frame[outcome].astype(float), X, model, se, frame[cluster] if cluster else None)
    tidy = _tidy(results, alpha)
    rows = [{"period": base, "coef": 0.0, "se": 0.0, "ci_low": 0.0, "ci_high": 0.0, "p": np.nan}]
    for p in periods:
        if p != base:
            rows.append({"period": p, **tidy.loc[f"{treatment}:{period}={p}"].to_dict()})
    study = pd.DataFrame(rows).sort_values("period").reset_index(drop=True)
    study["after_adoption"] = study["period"] >= post_period
    study.attrs["base_period"] = base
    return study
