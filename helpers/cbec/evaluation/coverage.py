"""Coverage study: do the report's 95% intervals cover the simulator's true effects 95% of the time?

Each seed simulates a fresh programme and runs the same estimators the report uses:

* ``did``: difference-in-differences of the post-test, pilot track vs the rest, cluster-robust
  by class (truth: ``TrueEffects.post_test``);
* ``award_logit``: logit of an award among registered students of the reformed cohorts,
  with attendance and logins as covariates (truth: ``TrueEffects.award``).

Run ``python -m cbec.evaluation.coverage --seeds 200`` for a table; the slow-marked test in
``tests/test_coverage_study.py`` asserts the result.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from cbec.evaluation.funnel import wilson_interval
from cbec.evaluation.models import estimate_effect
from cbec.evaluation.simulation import ProgrammeConfig, programme_truth, simulate_programme

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200, help="number of simulated programmes (default 200)")
    args = parser.parse_args(argv)
    table = summarise(coverage_study(args.seeds))
    print(table.round(3).to_string())
    nominal = 0.95
    inside = np.all((table["coverage_ci_low"] <= nominal) & (nominal <= table["coverage_ci_high"]))
    print(f"\nNominal {nominal:.0%}: {'inside' if inside else 'OUTSIDE'} every estimator's Wilson interval.")


if __name__ == "__main__":
    main()
