"""Effects by subgroup, with a correction for testing many subgroups at once.

Each level of each named column gets the same estimate as the whole sample (same design,
covariates and inference) on its own rows.  With ten subgroups one of them is "significant"
at 5% by chance alone about 40% of the time, so the p-values are adjusted across all the
subgroups tested: Holm's step-down method controls the chance of any false finding,
Benjamini-Hochberg the expected share of false findings (statsmodels' ``multipletests``).
"""

from __future__ import annotations

import pandas as pd
from statsmodels.stats.multitest import multipletests

from cbec.evaluation.models import ModelError, estimate_effect

#: parameter value -> statsmodels method
CORRECTIONS = {"holm": "holm", "benjamini-hochberg": "fdr_bh"}
MAX_LEVELS = 12


def subgroup_effects(table: pd.DataFrame, subgroups, outcome: str, treatment: str, *, correction: str = "holm",
                     alpha: float = 0.05, **estimate) -> pd.DataFrame:
    """One row per subgroup level: n, effect, interval, raw and adjusted p, or why it was skipped.

    ``estimate`` holds the keyword arguments of :func:`estimate_effect` (design, inference).
    """
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {', '.join(CORRECTIONS)}, got {correction!r}")
    rows = []
    for column in subgroups:
        for level in sorted(pd.unique(table[column].dropna()), key=str):
            part = table[table[column] == level]
            row = {"subgroup": column, "level": level, "n": len(part)}
            if part[treatment].nunique() < 2:
                rows.append({**row, "skipped": "only one arm in this subgroup"})
                continue
            try:
                result = estimate_effect(part, outcome, treatment, alpha=alpha, compare_inference=False, **estimate)
            except ModelError as error:
                rows.append({**row, "skipped": str(error)})
                continue
            effect = result.effect
            rows.append({**row, "coef": effect["coef"], "ci_low": effect["ci_low"], "ci_high": effect["ci_high"],
                         "p": effect["p"], "inference": result.inference, "skipped": ""})
    frame = pd.DataFrame(rows, columns=["subgroup", "level", "n", "coef", "ci_low", "ci_high", "p", "inference",
                                        "skipped"])
    tested = frame["skipped"] == ""
    frame["p_adjusted"] = float("nan")
    frame["significant"] = False
    if tested.any():
        reject, adjusted, _, _ = multipletests(frame.loc[tested, "p"].astype(float), alpha=alpha,
                                               method=CORRECTIONS[correction])
        frame.loc[tested, "p_adjusted"] = adjusted
        frame.loc[tested, "significant"] = reject
    frame.attrs["correction"] = correction
    return frame
