"""Planning the next cohort: intra-class correlation and the minimum detectable effect.

When whole classes are assigned to a programme, students of one class resemble each other
and the class, not the student, is the unit that counts.  :func:`intraclass_correlation`
estimates how much they resemble each other (the one-way ANOVA estimator for unequal
cluster sizes); :func:`minimum_detectable_effect` is the smallest true effect a two-arm
cluster-randomised comparison detects with the given power (Bloom 2005; the CRA2_2 design
of Dong & Maynard's PowerUp!):

    MDE = M * sd * sqrt(icc / (P (1 - P) J) + (1 - icc) / (P (1 - P) J n)),
    M = t(1 - alpha/2, J - 2) + t(power, J - 2)

with J clusters of n students, a share P of the clusters treated and ``sd`` the outcome's
standard deviation (after whatever covariates the analysis adjusts for).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def intraclass_correlation(values, clusters) -> float:
    """ANOVA estimate of the intra-class correlation, clipped at 0 (students within a cluster)."""
    frame = pd.DataFrame({"value": np.asarray(values, dtype=float), "cluster": np.asarray(clusters)}).dropna()
    groups = frame.groupby("cluster")["value"]
    sizes, means = groups.size(), groups.mean()
    n, k = len(frame), len(sizes)
    if k < 2 or n <= k:
        raise ValueError(f"the intra-class correlation needs at least 2 clusters and more rows than clusters "
                         f"(found {k} clusters, {n} rows)")
    grand = frame["value"].mean()
    between = float((sizes * (means - grand) ** 2).sum()) / (k - 1)
    within = float(((frame["value"] - groups.transform("mean")) ** 2).sum()) / (n - k)
    typical_size = (n - float((sizes ** 2).sum()) / n) / (k - 1)
    denominator = between + (typical_size - 1) * within
    return max(0.0, (between - within) / denominator) if denominator > 0 else 0.0


def design_effect(icc: float, cluster_size: float) -> float:
    """How many times the variance of a mean grows when students come in clusters of this size."""
    return 1 + (cluster_size - 1) * icc


def minimum_detectable_effect(clusters: int, cluster_size: float, icc: float, sd: float = 1.0, *,
                              treated_share: float = 0.5, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest true effect (in ``sd``'s units) detected with ``power`` in a two-tailed test at ``alpha``."""
    if clusters < 3:
        raise ValueError(f"a cluster-randomised comparison needs at least 3 clusters, got {clusters}")
    if not 0 < treated_share < 1:
        raise ValueError(f"treated_share must lie strictly between 0 and 1, got {treated_share}")
    df = clusters - 2
    multiplier = stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)
    balance = treated_share * (1 - treated_share) * clusters
    return float(multiplier * sd * np.sqrt(icc / balance + (1 - icc) / (balance * cluster_size)))


def planning_table(icc: float, sd: float, cluster_size: float, planned_clusters: int, *,
                   alpha: float = 0.05, power: float = 0.8, treated_share: float = 0.5) -> pd.DataFrame:
    """Minimum detectable effect for a range of cluster counts around ``planned_clusters``."""
    counts = sorted({max(4, round(planned_clusters * f)) for f in (0.25, 0.5, 0.75, 1, 1.5, 2, 3)})
    rows = []
    for count in counts:
        mde = minimum_detectable_effect(count, cluster_size, icc, sd, treated_share=treated_share, alpha=alpha,
                                        power=power)
        rows.append({"clusters": count, "students": round(count * cluster_size), "mde": mde,
                     "mde_in_sd": mde / sd if sd else np.nan, "planned": count == planned_clusters})
    return pd.DataFrame(rows)
