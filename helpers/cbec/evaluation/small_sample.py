"""Cluster inference that holds with few clusters: the wild cluster bootstrap and CR2.

Cluster-robust (CR1) intervals with t on G - 1 degrees of freedom cover too rarely when
there are few clusters, or few treated ones.  Two remedies for a linear model:

* :func:`wild_cluster_bootstrap` -- the restricted wild cluster bootstrap (WCR, Cameron,
  Gelbach & Miller 2008) of the ``wildboottest`` package (Roodman et al. 2019; MacKinnon,
  Nielsen & Webb 2022): its scores, weights (Webb's six-point or Rademacher), bootstrap
  numerators, CR1 statistic and p-value.  Only the bootstrap denominators are computed
  here, as one matrix product: the package compiles that loop anew on every call (half a
  second), and the interval needs a test per candidate value.  The interval is the set of
  null values the bootstrap test does not reject (test inversion, as Stata's ``boottest``
  and R's ``fwildclusterboot`` do); a null ``b0`` is tested by moving ``b0 * x`` to the
  outcome's side, which is exactly the restricted bootstrap of ``beta = b0``.
* :func:`cr2_inference` -- Bell & McCaffrey's bias-reduced CR2 variance with their
  Satterthwaite degrees of freedom.  No maintained Python library provides it, so it is
  written here from the paper (Pustejovsky & Tipton 2018, working model ``I``); the tests
  check it against statsmodels' HC2 (one observation per cluster) and its exact
  unbiasedness under independent errors.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

#: bootstrap weight distributions offered (``wildboottest`` names)
BOOTSTRAP_WEIGHTS = ("webb", "rademacher")


@dataclass(frozen=True)
class TermInference:
    """Inference for one coefficient by one method."""

    method: str            # "cluster-robust", "cr2" or "wild-bootstrap"
    coef: float
    se: float | None       # None for the bootstrap, which has no standard error of its own
    ci_low: float
    ci_high: float
    p: float
    df: float | None = None          # t degrees of freedom (CR1: G - 1; CR2: Bell-McCaffrey)
    reps: int | None = None          # bootstrap draws actually used
    weights: str | None = None
    seed: int | None = None
    full_enumeration: bool = False   # Rademacher with 2**G <= reps: every sign pattern once

    @classmethod
    def from_row(cls, method: str, row, df: float | None = None) -> "TermInference":
        """From a row of an estimates table (coef, se, ci_low, ci_high, p)."""
        return cls(method, float(row["coef"]), float(row["se"]), float(row["ci_low"]), float(row["ci_high"]),
                   float(row["p"]), df=df)

    def as_row(self) -> dict:
        return {"method": self.method, "coef": self.coef, "se": self.se, "ci_low": self.ci_low,
                "ci_high": self.ci_high, "p": self.p, "df": self.df}


def _as_arrays(y, X, cluster):
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    codes = pd.factorize(np.asarray(cluster))[0]
    if y.ndim != 1 or X.ndim != 2 or len(y) != len(X) or len(codes) != len(y):
        raise ValueError("y, X and cluster must have the same number of rows (y and cluster one-dimensional)")
    if codes.min() < 0:
        raise ValueError("cluster has missing values; drop those rows first")
    return y, X, codes


# --- CR2 / Bell-McCaffrey --------------------------------------------------------------------


def _inverse_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Symmetric (pseudo-)inverse square root; zero eigenvalues (fixed effects) stay zero."""
    values, vectors = np.linalg.eigh(matrix)
    keep = values > 1e-12 * max(values.max(), 1.0)
    scaled = np.zeros_like(values)
    scaled[keep] = 1.0 / np.sqrt(values[keep])
    return (vectors * scaled) @ vectors.T


def cr2_inference(y, X, cluster, *, alpha: float = 0.05, names=None, terms=None) -> pd.DataFrame:
    """CR2 standard errors with Bell-McCaffrey degrees of freedom for the coefficients of OLS.

    Returns one row per term (index ``names`` or 0..k-1): coef, se, df, ci_low, ci_high, p.
    ``terms`` (positions) limits the degrees of freedom, and so the intervals, to those terms.
    """
    y, X, codes = _as_arrays(y, X, cluster)
    n, k = X.shape
    bread = np.linalg.inv(X.T @ X)
    coef = bread @ X.T @ y
    residuals = y - X @ coef
    groups = [np.flatnonzero(codes == g) for g in range(codes.max() + 1)]
    # cluster-wise adjustment A_g = (I - H_gg)^(-1/2); scores X_g' A_g e_g
    adjusted_X = np.empty_like(X)
    scores = np.empty((len(groups), k))
    for g, rows in enumerate(groups):
        X_g = X[rows]
        adjust = _inverse_sqrt(np.eye(len(rows)) - X_g @ bread @ X_g.T)
        adjusted_X[rows] = adjust @ X_g
        scores[g] = X_g.T @ (adjust @ residuals[rows])
    vcov = bread @ (scores.T @ scores) @ bread
    se = np.sqrt(np.diag(vcov))

    # Satterthwaite: c'Vc = e' (sum_g u_g u_g') e with u_g = (I - H)[:, g] A_g X_g M c.
    wanted = range(k) if terms is None else terms
    df = np.full(k, np.nan)
    for j in wanted:
        contrast = bread[:, j]
        weights = np.zeros((n, len(groups)))
        for g, rows in enumerate(groups):
            weights[rows, g] = adjusted_X[rows] @ contrast
        projected = weights - X @ (bread @ (X.T @ weights))
        gram = projected.T @ projected
        df[j] = np.trace(gram) ** 2 / np.sum(gram ** 2)
    t_stat = coef / se
    critical = stats.t.ppf(1 - alpha / 2, df)
    table = pd.DataFrame({"coef": coef, "se": se, "df": df, "ci_low": coef - critical * se,
                          "ci_high": coef + critical * se, "p": 2 * stats.t.sf(np.abs(t_stat), df)},
                         index=pd.Index(list(names) if names is not None else range(k), name="term"))
    return table


# --- wild cluster bootstrap ------------------------------------------------------------------


def _bootstrap_statistics(boot) -> np.ndarray:
    """Bootstrap t-statistics of a ``WildboottestCL`` after ``get_numer`` (CR1 denominators).

    The same quantity as the package's ``get_denom`` + ``get_tboot``: for each draw b,
    sum over g of (C_g v_gb - sum_h v_hb H_gh)^2, with H_gh = R (X'X)^-1 X_g'X_g (X'X)^-1 s_h.
    """
    leverage = np.stack([boot.RtXXinv @ XgXg @ boot.tXXinv for XgXg in boot.tXgXg_list])  # G x k
    H = leverage @ boot.scores_mat                                                        # G x G
    Z = boot.Cg[:, None] * boot.v - H @ boot.v
    return boot.numer / np.sqrt(boot.ssc * np.sum(Z ** 2, axis=0))


class _BootstrapTest:
    """The WCR bootstrap test of ``beta[term] = b0`` for any b0, with the same draws each time."""

    def __init__(self, y, X, codes, term: int, reps: int, weights: str, seed: int):
        self.y, self.X, self.codes, self.term = y, X, codes, term
        self.reps, self.weights, self.seed = reps, weights, seed
        self.restriction = np.zeros(X.shape[1])
        self.restriction[term] = 1.0
        self.full_enumeration = False

    def run(self, null: float = 0.0):
        from wildboottest.wildboottest import WildboottestCL

        shifted = self.y - null * self.X[:, self.term]
        boot = WildboottestCL(X=self.X, Y=shifted, cluster=self.codes, R=self.restriction, B=self.reps,
                              seed=self.seed, parallel=False)
        boot.get_scores(bootstrap_type="11", impose_null=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "full enumeration" is recorded instead
            _, self.draws, self.full_enumeration = boot.get_weights(weights_type=self.weights)
        boot.get_numer()
        boot.t_boot = _bootstrap_statistics(boot)
        boot.get_vcov()
        boot.get_tstat()
        boot.get_pvalue(pval_type="two-tailed")
        return boot

    def p_value(self, null: float) -> float:
        return float(self.run(null).pvalue)


def _bound(test: _BootstrapTest, inside: float, step: float, alpha: float, tolerance: float) -> float:
    """The null value where the bootstrap p-value falls to ``alpha``, searching from ``inside``."""
    outside = inside + step
    for _ in range(60):
        if test.p_value(outside) < alpha:
            break
        inside, outside = outside, outside + step
        step *= 2
    else:
        return float(np.inf * np.sign(step))
    while abs(outside - inside) > tolerance:
        middle = (inside + outside) / 2
        if test.p_value(middle) < alpha:
            outside = middle
        else:
            inside = middle
    return (inside + outside) / 2


def wild_cluster_bootstrap(y, X, cluster, term: int, *, reps: int = 9999, weights: str = "webb",
                           seed: int = 2024, alpha: float = 0.05) -> TermInference:
    """WCR wild cluster bootstrap p-value and interval for coefficient ``term`` of OLS of y on X."""
    if weights not in BOOTSTRAP_WEIGHTS:
        raise ValueError(f"weights must be one of {', '.join(BOOTSTRAP_WEIGHTS)}, got {weights!r}")
    y, X, codes = _as_arrays(y, X, cluster)
    test = _BootstrapTest(y, X, codes, term, reps, weights, seed)
    at_zero = test.run(0.0)
    coef = float(at_zero.beta_hat[term])
    se = float(np.sqrt(at_zero.ssc * at_zero.vcov[term, term]))
    tolerance = 1e-4 * se
    low = _bound(test, coef, -se, alpha, tolerance)
    high = _bound(test, coef, se, alpha, tolerance)
    return TermInference("wild-bootstrap", coef, None, low, high, float(at_zero.pvalue), reps=int(test.draws),
                         weights=weights, seed=seed, full_enumeration=bool(test.full_enumeration))
