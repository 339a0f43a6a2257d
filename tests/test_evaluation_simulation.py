"""The programme simulator: published 2020 funnel, seeded, effects are parameters."""

from dataclasses import replace

import numpy as np
import pytest

from cbec.evaluation.simulation import PLATINUM_CUP_2020, FunnelAnchor, ProgrammeConfig, TrueEffects, simulate_programme
from cbec.evaluation.simulation import SURVEY_ITEMS


@pytest.fixture(scope="module")
def programme():
    return simulate_programme()


def test_default_2020_cohort_reproduces_the_platinum_cup_funnel(programme):
    cohort = programme[programme["cohort"] == 2020]
    assert cohort["registered"].sum() == 94
    assert cohort["attended_training"].sum() == 69
    assert cohort["logged_in"].sum() == 44
    assert round(cohort["wants_second_training"].mean(), 2) == 0.81
    assert cohort["wants_second_training"].notna().sum() == 69  # asked of those who attended


@pytest.mark.parametrize("seed", [0, 7, 123])
def test_anchor_holds_for_any_seed(seed):
    cohort = simulate_programme(ProgrammeConfig(seed=seed)).query("cohort == 2020")
    assert (cohort["registered"].sum(), cohort["attended_training"].sum(), cohort["logged_in"].sum()) == (94, 69, 44)


def test_other_cohorts_are_drawn_not_fixed(programme):
    counts = programme.groupby("cohort")["registered"].sum()
    assert counts.drop(2020).nunique() > 1


def test_stages_are_nested_and_awards_need_registration(programme):
    assert (programme["attended_training"] <= programme["registered"]).all()
    assert (programme["logged_in"] <= programme["attended_training"]).all()
    assert (programme["award"] <= programme["registered"]).all()
    assert ((programme["platform_logins"] > 0) == programme["logged_in"].astype(bool)).all()
    assert ((programme["training_sessions"] > 0) == programme["attended_training"].astype(bool)).all()


def test_design_pilot_classes_switch_at_adoption(programme):
    assert (programme["integrated"] == programme["pilot_track"] * (programme["cohort"] >= 2021)).all()
    per_class = programme.groupby("class_id")["pilot_track"].nunique()
    assert (per_class == 1).all()
    assert programme.groupby("cohort")["class_id"].nunique().eq(6).all()
    assert programme["student_id"].is_unique


def test_value_ranges(programme):
    assert programme["prior_gpa"].between(1.5, 4.0).all()
    assert programme[["pre_test", "post_test", "assignment_score"]].stack().between(0, 100).all()
    assert programme[list(SURVEY_ITEMS)].stack().isin([1, 2, 3, 4, 5]).all()


def test_same_seed_same_data_other_seed_other_data():
    a, b = simulate_programme(ProgrammeConfig(seed=5)), simulate_programme(ProgrammeConfig(seed=5))
    assert a.equals(b)
    assert not a.equals(simulate_programme(ProgrammeConfig(seed=6)))


def test_true_effects_are_parameters():
    def gap(effect):
        df = simulate_programme(ProgrammeConfig(effects=TrueEffects(post_test=effect), anchor=None, seed=3))
        post = df[df["post"] == 1]
        return post.groupby("pilot_track")["post_test"].mean().diff().iloc[-1]

    assert gap(15.0) - gap(0.0) == pytest.approx(15.0, abs=0.5)  # same noise, only the effect changes


def test_without_anchor_2020_is_drawn_like_the_others():
    df = simulate_programme(ProgrammeConfig(anchor=None))
    assert df.query("cohort == 2020")["registered"].sum() != 94 or df.query("cohort == 2020")["logged_in"].sum() != 44


@pytest.mark.parametrize("change, message", [
    (dict(seed=-1), "seed"),
    (dict(cohorts=()), "cohorts"),
    (dict(cohorts=(2021, 2019)), "cohorts"),
    (dict(pilot_classes=6), "pilot_classes"),
    (dict(class_size=(10, 5)), "class_size"),
    (dict(noise_sd=0), "noise_sd"),
    (dict(anchor=FunnelAnchor(cohort=2030)), "anchor"),
    (dict(anchor=FunnelAnchor(registered=50, attended_training=60)), "anchor"),
    (dict(class_size=(10, 12)), "anchor"),  # 94 registered cannot fit in 60 students
])
def test_bad_config_is_named(change, message):
    with pytest.raises(ValueError, match=message):
        replace(ProgrammeConfig(), **change)


def test_platinum_cup_constants():
    assert (PLATINUM_CUP_2020.registered, PLATINUM_CUP_2020.attended_training, PLATINUM_CUP_2020.logged_in) == (94, 69, 44)
    assert np.isclose(PLATINUM_CUP_2020.second_training_share, 0.81)
