"""Effect estimates: OLS or logit with robust, cluster-robust or small-sample cluster inference.

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

from cbec.evaluation.small_sample import TermInference, cr2_inference, wild_cluster_bootstrap


#: ``inference`` choices; "auto" takes SMALL_SAMPLE_DEFAULT with few clusters, CR1 otherwise
INFERENCE = ("auto", "cluster-robust", "cr2", "wild-bootstrap")
SMALL_SAMPLE_METHODS = ("cr2", "wild-bootstrap")
# CR2 rather than the bootstrap: over 1,000 simulated programmes with 8 treated classes it
# covered 94.5% (bootstrap 93.8%, CR1 89.5%), and it is exact arithmetic, with no draws
SMALL_SAMPLE_DEFAULT = "cr2"
FEW_CLUSTERS, FEW_TREATED_CLUSTERS = 30, 10
BOOTSTRAP_COMPARISON_MAX_CLUSTERS = 60


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
    inference: str = "robust"            # how the effect's interval was computed: INFERENCE or se
    inference_comparison: pd.DataFrame | None = None  # the effect under each method; column "used"
    inference_details: dict[str, TermInference] | None = None  # each compared method, in detail (df, draws)

    @property
    def few_clusters(self) -> bool:
        """Cluster-robust (CR1) intervals run too narrow with few clusters or few treated ones."""
        return self.clusters is not None and (self.clusters < FEW_CLUSTERS
                                              or self.treated_clusters < FEW_TREATED_CLUSTERS)

    @property
    def effect_inference(self) -> TermInference | None:
        """The method used, in detail (degrees of freedom; the bootstrap's draws and seed)."""
        return (self.inference_details or {}).get(self.inference)

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


@dataclass(frozen=True)
class Design:
    """The rows and model terms of one effect estimate (see :func:`effect_design`)."""

    y: pd.Series
    X: pd.DataFrame
    effect_term: str
    design: str
    cluster: pd.Series | None
    n_dropped: int


def effect_design(table: pd.DataFrame, outcome: str, treatment: str, covariates=(), *,
                  cluster: str | None = None, period: str | None = None, post_period=None) -> Design:
    """Outcome, design matrix and clusters of :func:`estimate_effect`, complete rows only."""
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
    return Design(frame[outcome].astype(float), X, effect_term, design,
                  frame[cluster] if cluster else None, dropped)


def resolve_inference(inference: str, model: str, clusters: int | None, treated_clusters: int | None,
                      se: str = "robust") -> str:
    """The method ``inference="auto"`` stands for: without clusters ``se`` (robust or classical),
    with few clusters the small-sample method, else CR1."""
    if inference != "auto":
        return inference
    if clusters is None:
        return se
    if model == "ols" and (clusters < FEW_CLUSTERS or treated_clusters < FEW_TREATED_CLUSTERS):
        return SMALL_SAMPLE_DEFAULT
    return "cluster-robust"


def _cluster_rows(design: Design, results, alpha: float) -> TermInference:
    df = getattr(results, "df_resid_inference", None)
    return TermInference.from_row("cluster-robust", _tidy(results, alpha).loc[design.effect_term],
                                  df=float(df) if df is not None else None)


def _small_sample(design: Design, method: str, alpha: float, bootstrap: dict, all_terms: bool = False):
    """CR2 rows (every term when ``all_terms``) or the bootstrap inference of the effect term."""
    position = list(design.X.columns).index(design.effect_term)
    if method == "cr2":
        table = cr2_inference(design.y, design.X, design.cluster, alpha=alpha, names=design.X.columns,
                              terms=None if all_terms else [position])
        row = table.loc[design.effect_term]
        return TermInference.from_row("cr2", row, df=float(row["df"])), table
    return wild_cluster_bootstrap(design.y, design.X, design.cluster, position, alpha=alpha, **bootstrap), None


def estimate_effect(table: pd.DataFrame, outcome: str, treatment: str, covariates=(), *,
                    model: str = "ols", cluster: str | None = None, se: str = "robust",
                    period: str | None = None, post_period=None, alpha: float = 0.05,
                    inference: str = "auto", bootstrap_weights: str = "webb", bootstrap_reps: int = 9999,
                    seed: int = 2024, compare_inference: bool = True) -> EffectResult:
    """Effect of the 0/1 ``treatment`` on ``outcome``, adjusted for ``covariates``.

    With ``period`` and ``post_period`` it is a difference-in-differences with period fixed
    effects: y = const + b1 treatment + period effects + b3 treatment:post + covariates, and
    b3 (``<treatment>:post``) is the effect under parallel trends.

    With ``cluster``, ``inference`` picks the effect's interval: ``"cluster-robust"`` (CR1,
    t on G - 1 df), ``"cr2"`` (Bell-McCaffrey) or ``"wild-bootstrap"`` (WCR, ``bootstrap_*``
    and ``seed``); ``"auto"`` takes the small-sample method when there are fewer than 30
    clusters or 10 treated ones (linear models only).  ``compare_inference`` adds the
    effect under the other methods (``EffectResult.inference_comparison``; the bootstrap
    only up to BOOTSTRAP_COMPARISON_MAX_CLUSTERS clusters unless it is the method used).
    """
    design = effect_design(table, outcome, treatment, covariates, cluster=cluster, period=period,
                           post_period=post_period)
    results = fit_model(design.y, design.X, model, se, design.cluster)

    clusters = treated_clusters = None
    if cluster:
        clusters = int(design.cluster.nunique())
        treated_clusters = int(design.cluster[design.X[design.effect_term] != 0].nunique())
    method = resolve_inference(inference, model, clusters, treated_clusters, se)
    if method in SMALL_SAMPLE_METHODS and (model != "ols" or not cluster):
        raise ModelError(f"inference={method!r} needs a linear model (model='ols') with a cluster column.")
    estimates = _tidy(results, alpha)
    se_type = {"nonrobust": "classical (model-based)",
               "cluster": f"cluster-robust CR1 by {cluster} ({clusters} clusters, {treated_clusters} treated)",
               }.get(results.cov_type, f"heteroskedasticity-robust {results.cov_type}")

    bootstrap = dict(reps=bootstrap_reps, weights=bootstrap_weights, seed=seed)
    comparison, found = None, None
    if cluster and model == "ols":
        # the bootstrap's test inversion costs a matrix product per draw and candidate: with many
        # clusters, where it agrees with CR1 anyway, it is computed only when asked for
        affordable = {"cr2"} | ({"wild-bootstrap"} if clusters <= BOOTSTRAP_COMPARISON_MAX_CLUSTERS else set())
        wanted = [m for m in ("cluster-robust", *SMALL_SAMPLE_METHODS)
                  if m == method or m == "cluster-robust" or (compare_inference and m in affordable)]
        found = {"cluster-robust": _cluster_rows(design, results, alpha)}
        for name in wanted:
            if name in SMALL_SAMPLE_METHODS:
                found[name], cr2_table = _small_sample(design, name, alpha, bootstrap, all_terms=name == method)
                if name == method == "cr2":
                    estimates = cr2_table[["coef", "se", "ci_low", "ci_high", "p"]]
        chosen = found[method]
        comparison = pd.DataFrame([found[m].as_row() for m in wanted]).set_index("method")
        comparison["used"] = comparison.index == method
        if method == "cr2":
            se_type = (f"CR2 (Bell-McCaffrey bias-reduced) by {cluster} with Satterthwaite degrees of freedom "
                       f"({clusters} clusters, {treated_clusters} treated)")
        elif method == "wild-bootstrap":
            estimates.loc[design.effect_term, ["ci_low", "ci_high", "p"]] = [chosen.ci_low, chosen.ci_high, chosen.p]
            se_type = (f"wild cluster bootstrap by {cluster} for the effect (restricted, {chosen.weights} weights, "
                       f"{chosen.reps:,} draws, seed {chosen.seed}; {clusters} clusters, {treated_clusters} treated); "
                       "standard errors and other terms cluster-robust CR1")

    odds = margins = None
    if model == "logit":
        odds = np.exp(estimates[["coef", "ci_low", "ci_high"]]).rename(
            columns={"coef": "odds_ratio"}).drop(index="const")
        margins = marginal_effects(results, alpha)
        fit_statistic = ("pseudo R-squared (McFadden)", float(results.prsquared))
    else:
        fit_statistic = ("R-squared", float(results.rsquared))
    return EffectResult(model, design.design, se_type, len(design.y), design.n_dropped, outcome, design.effect_term,
                        estimates, odds, margins, fit_statistic, results, clusters, treated_clusters,
                        method, comparison, found)


def marginal_effects(results, alpha: float = 0.05) -> pd.DataFrame:
    """Average marginal effects of a logit (discrete change for 0/1 terms), on the probability scale."""
    frame = results.get_margeff(at="overall", dummy=True).summary_frame(alpha=alpha)
    frame.columns = ["dydx", "se", "z", "p", "ci_low", "ci_high"]
    return frame[["dydx", "se", "ci_low", "ci_high", "p"]].rename_axis("term")


def event_study(table: pd.DataFrame, outcome: str, treatment: str, period: str, post_period, covariates=(), *,
                model: str = "ols", cluster: str | None = None, se: str = "robust",
                alpha: float = 0.05, inference: str = "cluster-robust") -> pd.DataFrame:
    """Treatment-by-period differences relative to the last period before ``post_period``.

    Before adoption the estimates should hover around 0 (parallel trends); after it they
    trace the effect.  Coefficients are on the outcome's scale (log-odds for a logit).
    With ``inference="cr2"`` the intervals are CR2 / Bell-McCaffrey; otherwise the fit's own
    (a bootstrap per period would cost a test inversion each).
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
    y = frame[outcome].astype(float)
    results = fit_model(y, X, model, se, frame[cluster] if cluster else None)
    tidy = _tidy(results, alpha)
    if inference == "cr2" and cluster and model == "ols":
        wanted = [list(X.columns).index(c) for c in interactions.columns]
        tidy = cr2_inference(y, X, frame[cluster], alpha=alpha, names=X.columns, terms=wanted)
    rows = [{"period": base, "coef": 0.0, "se": 0.0, "ci_low": 0.0, "ci_high": 0.0, "p": np.nan}]
    for p in periods:
        if p != base:
            rows.append({"period": p, **tidy.loc[f"{treatment}:{period}={p}"].to_dict()})
    study = pd.DataFrame(rows).sort_values("period").reset_index(drop=True)
    study["after_adoption"] = study["period"] >= post_period
    study.attrs["base_period"] = base
    return study
