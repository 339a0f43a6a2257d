"""Coverage study: do the report's 95% intervals cover the simulator's true effects 95% of the time?

Each seed simulates a fresh programme and runs the same estimators the report uses:

* ``did``: difference-in-differences of the post-test, pilot track vs the rest, cluster-robust
  by class (truth: ``TrueEffects.post_test``);
* ``award_logit``: logit of an award among registered students of the reformed cohorts,
  with attendance and logins as covariates (truth: ``TrueEffects.award``).

The few-clusters study (:func:`cluster_inference_study`) asks the same of the
difference-in-differences with 8, 12 and 36 treated classes, for each way of computing the
interval: cluster-robust CR1, CR2 with Bell-McCaffrey degrees of freedom, and the wild
cluster bootstrap.

Run ``python -m cbec.evaluation.coverage`` for both tables (200 seeds for the report's
estimators, 1,000 for the few-clusters study: about 25 minutes on 2 cores); the slow-marked
tests in ``tests/test_coverage_study.py`` assert the results.
"""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from cbec.evaluation.funnel import wilson_interval
from cbec.evaluation.models import estimate_effect
from cbec.evaluation.simulation import ProgrammeConfig, programme_truth, simulate_programme

#: Programme variants by number of treated classes (pilot classes x 4 cohorts from adoption).
CLUSTER_DESIGNS = {8: dict(pilot_classes=2), 12: dict(pilot_classes=3),
                   36: dict(classes_per_cohort=18, pilot_classes=9)}
CLUSTER_METHODS = ("cluster-robust", "cr2", "wild-bootstrap")

#: The report's estimators, as ``estimate_effect`` arguments; ``truth`` keys ``programme_truth``.
ESTIMATORS = {
    "did": dict(truth="post_test:did", subset=None, outcome="post_test", treatment="pilot_track",
                covariates=["prior_gpa", "pre_test"], model="ols", cluster="class_id", period="cohort"),
    "award_logit": dict(truth="award:integrated", subset="post == 1 and registered == 1", outcome="award",
                        treatment="integrated", covariates=["prior_gpa", "pre_test", "attended_training", "logged_in"],
                        model="logit", cluster=None, period=None),
}


def _estimate(table: pd.DataFrame, config: ProgrammeConfig, name: str, alpha: float) -> dict:
    e = ESTIMATORS[name]
    rows = table.query(e["subset"]) if e["subset"] else table
    result = estimate_effect(rows, e["outcome"], e["treatment"], e["covariates"], model=e["model"],
                             cluster=e["cluster"], period=e["period"],
                             post_period=config.adoption_cohort if e["period"] else None, alpha=alpha)
    effect, truth = result.effect, programme_truth(config)[e["truth"]]
    return {"estimator": name, "truth": truth, "coef": effect["coef"], "se": effect["se"],
            "ci_low": effect["ci_low"], "ci_high": effect["ci_high"],
            "covered": bool(effect["ci_low"] <= truth <= effect["ci_high"])}


def coverage_study(n_seeds: int = 200, config: ProgrammeConfig | None = None, estimators=tuple(ESTIMATORS),
                   alpha: float = 0.05, first_seed: int = 1, progress: bool = True) -> pd.DataFrame:
    """One row per seed and estimator: estimate, interval and whether it covers the truth."""
    config = config or ProgrammeConfig()
    rows = []
    for seed in tqdm(range(first_seed, first_seed + n_seeds), desc="Coverage study", unit="seed",
                     disable=not progress):
        seeded = replace(config, seed=seed)
        table = simulate_programme(seeded)
        rows.extend({"seed": seed, **_estimate(table, seeded, name, alpha)} for name in estimators)
    return pd.DataFrame(rows)


def summarise(study: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Coverage per estimator with a Wilson interval, mean bias and the spread of the estimates."""
    rows = []
    for name, part in study.groupby("estimator", sort=False):
        covered, n = int(part["covered"].sum()), len(part)
        low, high = wilson_interval(covered, n, alpha)
        rows.append({"estimator": name, "seeds": n, "truth": part["truth"].iloc[0],
                     "mean_estimate": part["coef"].mean(), "bias": part["coef"].mean() - part["truth"].iloc[0],
                     "sd_of_estimates": part["coef"].std(), "mean_se": part["se"].mean(),
                     "coverage": covered / n, "coverage_ci_low": low, "coverage_ci_high": high})
    return pd.DataFrame(rows).set_index("estimator")


def _cluster_intervals(config: ProgrammeConfig, alpha: float, reps: int) -> list[dict]:
    e = ESTIMATORS["did"]
    table = simulate_programme(config)
    # asking for the bootstrap makes the comparison hold all three methods at any cluster count
    result = estimate_effect(table, e["outcome"], e["treatment"], e["covariates"], model="ols",
                             cluster=e["cluster"], period=e["period"], post_period=config.adoption_cohort,
                             alpha=alpha, inference="wild-bootstrap", bootstrap_reps=reps, seed=config.seed)
    truth = programme_truth(config)[e["truth"]]
    return [{"treated_clusters": result.treated_clusters, "clusters": result.clusters, "method": method,
             "truth": truth, "coef": row["coef"], "ci_low": row["ci_low"], "ci_high": row["ci_high"],
             "covered": bool(row["ci_low"] <= truth <= row["ci_high"])}
            for method, row in result.inference_comparison.iterrows()]


def _cluster_chunk(seeds: list[int], treated: tuple, alpha: float, reps: int) -> list[dict]:
    rows = []
    for seed in seeds:
        for count in treated:
            config = replace(ProgrammeConfig(), seed=seed, **CLUSTER_DESIGNS[count])
            rows.extend({"seed": seed, **row} for row in _cluster_intervals(config, alpha, reps))
    return rows


def cluster_inference_study(n_seeds: int = 1000, treated=tuple(CLUSTER_DESIGNS), alpha: float = 0.05,
                            reps: int = 999, first_seed: int = 1, workers: int | None = None,
                            progress: bool = True) -> pd.DataFrame:
    """One row per seed, design (treated classes) and method: the DiD interval and whether it covers.

    The bootstrap uses ``reps`` draws (999: its Monte Carlo error is small next to that of the
    study's seeds; the report uses 9,999).  Seeds run in ``workers`` processes (default: one
    per core); the rows do not depend on how many.
    """
    treated = tuple(treated)
    unknown = sorted(set(treated) - set(CLUSTER_DESIGNS))
    if unknown:
        raise ValueError(f"no design with {unknown} treated clusters; known: {sorted(CLUSTER_DESIGNS)}")
    seeds = list(range(first_seed, first_seed + n_seeds))
    workers = max(1, min(workers or os.cpu_count() or 1, n_seeds))
    chunks = [seeds[start:start + 10] for start in range(0, n_seeds, 10)]
    bar = tqdm(total=n_seeds * len(treated), desc="Few-clusters coverage", unit="fit", disable=not progress)
    results = {}
    with ProcessPoolExecutor(workers) as pool:
        futures = {pool.submit(_cluster_chunk, chunk, treated, alpha, reps): i for i, chunk in enumerate(chunks)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            bar.update(len(chunks[futures[future]]) * len(treated))
    bar.close()
    return pd.DataFrame([row for i in range(len(chunks)) for row in results[i]])


def summarise_cluster_inference(study: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Coverage (Wilson interval) and mean interval width per number of treated clusters and method."""
    rows = []
    for (treated, method), part in study.groupby(["treated_clusters", "method"], sort=True):
        covered, n = int(part["covered"].sum()), len(part)
        low, high = wilson_interval(covered, n, alpha)
        rows.append({"treated_clusters": treated, "method": method, "clusters": int(part["clusters"].iloc[0]),
                     "seeds": n, "coverage": covered / n, "coverage_ci_low": low, "coverage_ci_high": high,
                     "mean_width": float((part["ci_high"] - part["ci_low"]).mean())})
    order = {m: i for i, m in enumerate(CLUSTER_METHODS)}
    table = pd.DataFrame(rows).sort_values(["treated_clusters", "method"], key=lambda c: c.map(order)
                                           if c.name == "method" else c)
    return table.set_index(["treated_clusters", "method"])


def markdown_table(summary: pd.DataFrame) -> str:
    """The few-clusters table as the README shows it: one row per design, one column per method."""
    coverage = summary["coverage"].unstack("method")[list(CLUSTER_METHODS)]
    clusters = summary["clusters"].groupby(level="treated_clusters").first()
    seeds = int(summary["seeds"].iloc[0])
    header = "| treated classes (of all) | " + " | ".join(CLUSTER_METHODS) + " |"
    lines = [header, "|" + "---|" * (len(CLUSTER_METHODS) + 1)]
    for treated, row in coverage.iterrows():
        cells = [f"{row[m]:.1%} ({summary.loc[(treated, m), 'coverage_ci_low']:.1%}–"
                 f"{summary.loc[(treated, m), 'coverage_ci_high']:.1%})" for m in CLUSTER_METHODS]
        lines.append(f"| {treated} (of {clusters[treated]}) | " + " | ".join(cells) + " |")
    return "\n".join(lines) + (f"\n\nCoverage of the true effect by nominal 95% intervals over {seeds:,} simulated "
                               "programmes per row (in brackets: the coverage's 95% Wilson interval).")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200,
                        help="simulated programmes for the report's estimators (default 200)")
    parser.add_argument("--cluster-seeds", type=int, default=1000,
                        help="simulated programmes per design for the few-clusters study (default 1000)")
    parser.add_argument("--workers", type=int, default=None, help="processes for the few-clusters study "
                        "(default: one per core)")
    parser.add_argument("--study", choices=("effects", "clusters", "all"), default="all",
                        help="the report's estimators, the few-clusters comparison, or both (default)")
    args = parser.parse_args(argv)
    nominal = 0.95
    if args.study in ("effects", "all"):
        table = summarise(coverage_study(args.seeds))
        print(table.round(3).to_string())
        inside = np.all((table["coverage_ci_low"] <= nominal) & (nominal <= table["coverage_ci_high"]))
        print(f"\nNominal {nominal:.0%}: {'inside' if inside else 'OUTSIDE'} every estimator's Wilson interval.\n")
    if args.study in ("clusters", "all"):
        summary = summarise_cluster_inference(cluster_inference_study(args.cluster_seeds, workers=args.workers))
        print(summary.round(3).to_string())
        print("\n" + markdown_table(summary))


if __name__ == "__main__":
    main()
