"""A seeded simulator of the course-competition programme, one row per student.

Each cohort (entry year) has ``classes_per_cohort`` classes (six by default); the first
``pilot_classes`` of them (three) form the pilot track and switch from the traditional
course to the course-competition model with enterprise mentors from ``adoption_cohort``
on; the other classes stay traditional, so the data supports both a cross-section of one
year and a difference-in-differences across years.

Every outcome is drawn from a model whose coefficients are fields of
:class:`TrueEffects`, so an analysis can be checked against the truth:

* ``post_test`` is linear: intercept + pre-test + prior GPA + a common cohort trend +
  a fixed pilot-class advantage (unobserved in a cross-section) + the course effect +
  a class shock + noise.
* ``award`` is a logit among registered students in ``integrated``, ``prior_gpa``,
  ``pre_test``, ``attended_training`` and ``logged_in``.
* registration, training attendance, logins and the survey follow logits / an ordinal
  latent factor.

The ``anchor`` cohort (2020 by default) reproduces a published participation funnel
exactly -- the "Platinum Cup" case: 94 registered, 69 attended training, 44 logged in to
the simulation platform afterwards, 81% asked for a second training.  Exact counts come
from ranking the same latent propensities the other cohorts threshold at random, so the
relationships between columns are the same in every cohort.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SURVEY_ITEMS = ("sat_training_useful", "sat_mentor_support", "sat_platform_realistic",
                "sat_confident_operating", "sat_recommend")

#: Logit coefficients of an award (besides the effect of ``integrated`` in TrueEffects).
AWARD_MODEL = {"const": -9.0, "prior_gpa": 1.8, "pre_test": 0.03, "attended_training": 0.6,
               "logged_in": 0.8}


@dataclass(frozen=True)
class TrueEffects:
    """Effects of the course-competition model (``integrated = 1``), the truth to recover."""

    post_test: float = 6.0          # points on the 0-100 post-test
    registration: float = 2.0       # log-odds of registering for the competition
    attendance: float = 1.0         # log-odds of attending training, given registered
    login: float = 1.2              # log-odds of logging in after training, given attended
    award: float = 0.8              # log-odds of an award, given registered (direct effect)
    satisfaction: float = 0.6       # latent survey satisfaction, in standard deviations


@dataclass(frozen=True)
class FunnelAnchor:
    """Exact participation counts a cohort must reproduce."""

    cohort: int = 2020
    registered: int = 94
    attended_training: int = 69
    logged_in: int = 44
    second_training_share: float = 0.81   # among those who attended training


PLATINUM_CUP_2020 = FunnelAnchor()


@dataclass(frozen=True)
class ProgrammeConfig:
    """Parameters of the simulated programme; ``dataclasses.replace`` makes variants."""

    seed: int = 2020
    cohorts: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023, 2024)
    classes_per_cohort: int = 6
    pilot_classes: int = 3                 # the first classes of each cohort form the pilot track
    class_size: tuple[int, int] = (36, 44)  # inclusive range of students per class
    adoption_cohort: int = 2021            # first cohort taught with the integrated model
    effects: TrueEffects = field(default_factory=TrueEffects)
    cohort_trend: float = 1.0              # post-test points per year, common to both tracks
    pilot_advantage: float = 2.0           # post-test points, fixed difference of pilot classes
    pilot_gpa_shift: float = 0.15          # pilot classes admit slightly stronger students
    class_sd: float = 1.5                  # class shock on the post-test
    noise_sd: float = 8.0                  # student noise on the post-test
    anchor: FunnelAnchor | None = PLATINUM_CUP_2020

    def __post_init__(self):
        def bad(name, why):
            raise ValueError(f"ProgrammeConfig.{name}={getattr(self, name)!r}: {why}")

        if not isinstance(self.seed, (int, np.integer)) or self.seed < 0:
            bad("seed", "must be a non-negative integer")
        if not self.cohorts or any(not isinstance(c, (int, np.integer)) for c in self.cohorts):
            bad("cohorts", "must be a non-empty sequence of years")
        if list(self.cohorts) != sorted(set(self.cohorts)):
            bad("cohorts", "must be increasing years without repeats")
        if not 1 <= self.pilot_classes < self.classes_per_cohort:
            bad("pilot_classes", f"must be between 1 and classes_per_cohort - 1 = {self.classes_per_cohort - 1}")
        low, high = self.class_size
        if not 2 <= low <= high:
            bad("class_size", "must be (low, high) with 2 <= low <= high")
        if self.class_sd < 0 or self.noise_sd <= 0:
            bad("noise_sd" if self.noise_sd <= 0 else "class_sd", "must be positive")
        if self.anchor is not None:
            a = self.anchor
            if a.cohort not in self.cohorts:
                bad("anchor", f"cohort {a.cohort} is not among the simulated cohorts")
            smallest = low * self.classes_per_cohort
            if not smallest >= a.registered >= a.attended_training >= a.logged_in >= 0:
                bad("anchor", f"needs {smallest} (smallest cohort) >= registered >= attended >= logged in >= 0")
            if not 0 <= a.second_training_share <= 1:
                bad("anchor", "second_training_share must be a fraction")


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def _decide(index: np.ndarray, rng: np.random.Generator, eligible: np.ndarray, exact: int | None) -> np.ndarray:
    """Who passes a stage: latent index + logistic noise > 0, or the ``exact`` highest."""
    latent = index + rng.logistic(size=index.size)
    if exact is None:
        return eligible & (latent > 0)
    if exact > eligible.sum():
        raise ValueError(f"cannot select {exact} of {eligible.sum()} eligible students")
    chosen = np.zeros(index.size, dtype=bool)
    candidates = np.flatnonzero(eligible)
    chosen[candidates[np.argsort(-latent[candidates], kind="stable")[:exact]]] = True
    return chosen


def _students(config: ProgrammeConfig, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    low, high = config.class_size
    for cohort in config.cohorts:
        for k in range(config.classes_per_cohort):
            letter = chr(ord("A") + k)
            size = int(rng.integers(low, high + 1))
            rows.append(pd.DataFrame({
                "student_id": [f"S{cohort}{letter}{i:02d}" for i in range(1, size + 1)],
                "cohort": cohort,
                "class_id": f"{cohort}-{letter}",
                "pilot_track": int(k < config.pilot_classes),
            }))
    return pd.concat(rows, ignore_index=True)


def simulate_programme(config: ProgrammeConfig | None = None) -> pd.DataFrame:
    """Simulate every student of every cohort; returns one row per student."""
    config = config or ProgrammeConfig()
    rng = np.random.default_rng(config.seed)
    effects = config.effects
    df = _students(config, rng)
    n = len(df)
    cohort = df["cohort"].to_numpy()
    pilot = df["pilot_track"].to_numpy()
    integrated = pilot * (cohort >= config.adoption_cohort)
    df["post"] = (cohort >= config.adoption_cohort).astype(int)
    df["integrated"] = integrated

    ability = rng.normal(size=n)
    gpa = np.clip(3.0 + config.pilot_gpa_shift * pilot + 0.4 * ability + rng.normal(0, 0.15, n), 1.5, 4.0)
    df["prior_gpa"] = gpa = np.round(gpa, 2)
    pre = np.clip(35 + 12 * (gpa - 3) + rng.normal(0, 9, n), 0, 100)
    df["pre_test"] = pre = np.round(pre, 1)

    # Participation funnel; the anchor cohort is filled by rank to hit its published counts.
    anchor = config.anchor
    in_anchor = (cohort == anchor.cohort) if anchor else np.zeros(n, dtype=bool)
    everyone = np.ones(n, dtype=bool)

    def stage(index, eligible, exact_count):
        passed = _decide(index, rng, eligible & ~in_anchor, None)
        if anchor:
            passed[in_anchor] = _decide(index[in_anchor], rng, eligible[in_anchor], exact_count)
        return passed

    gpa_z = (gpa - 3.0) / 0.45
    registered = stage(0.2 + 0.8 * gpa_z + effects.registration * integrated, everyone,
                       anchor.registered if anchor else None)
    attended = stage(0.7 + 0.5 * gpa_z + effects.attendance * integrated, registered,
                     anchor.attended_training if anchor else None)
    logged_in = stage(0.4 + 0.4 * gpa_z + effects.login * integrated, attended,
                      anchor.logged_in if anchor else None)
    df["registered"] = registered.astype(int)
    df["attended_training"] = attended.astype(int)
    df["training_sessions"] = np.where(attended, 1 + rng.binomial(5, np.where(integrated, 0.75, 0.5)), 0)
    df["logged_in"] = logged_in.astype(int)
    df["platform_logins"] = np.where(logged_in, 1 + rng.poisson(np.where(integrated, 10, 5)), 0)

    df["assignment_score"] = np.round(np.clip(
        58 + 8 * ability + 4 * integrated + rng.normal(0, 8, n), 0, 100), 1)

    class_codes, class_index = np.unique(df["class_id"].to_numpy(), return_inverse=True)
    class_shock = rng.normal(0, config.class_sd, class_codes.size)[class_index]
    years = cohort - config.cohorts[0]
    post_test = (38 + 0.6 * pre + 5 * (gpa - 3) + config.cohort_trend * years
                 + config.pilot_advantage * pilot + effects.post_test * integrated
                 + class_shock + rng.normal(0, config.noise_sd, n))
    df["post_test"] = np.round(np.clip(post_test, 0, 100), 1)

    award_index = (AWARD_MODEL["const"] + effects.award * integrated + AWARD_MODEL["prior_gpa"] * gpa
                   + AWARD_MODEL["pre_test"] * pre + AWARD_MODEL["attended_training"] * attended
                   + AWARD_MODEL["logged_in"] * logged_in)
    df["award"] = (registered & (rng.random(n) < _logistic(award_index))).astype(int)

    # Survey: five 1-5 items driven by one satisfaction factor.
    satisfaction = 0.3 * ability + effects.satisfaction * integrated + rng.normal(0, 1, n)
    cuts = np.array([-1.6, -0.7, 0.2, 1.1])
    for item in SURVEY_ITEMS:
        answer = 0.75 * satisfaction + rng.normal(0, 0.66, n)
        df[item] = 1 + np.searchsorted(cuts, answer)
    second = stage(0.9 + 0.8 * satisfaction, attended,
                   round(anchor.second_training_share * anchor.attended_training) if anchor else None)
    df["wants_second_training"] = np.where(attended, second.astype(float), np.nan)
    return df


def programme_truth(config: ProgrammeConfig | None = None) -> dict[str, float]:
    """The parameters an analysis of :func:`simulate_programme` output should recover."""
    config = config or ProgrammeConfig()
    return {
        "post_test:did": config.effects.post_test,
        "award:integrated": config.effects.award,
        "award:prior_gpa": AWARD_MODEL["prior_gpa"],
    }
