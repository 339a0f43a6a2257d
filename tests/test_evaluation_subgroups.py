"""Effects by subgroup: each level gets the whole-sample estimate on its rows, and the
p-values are adjusted across every tested level (checked against hand computation)."""

import numpy as np
import pandas as pd
import pytest

from cbec.evaluation.models import estimate_effect
from cbec.evaluation.subgroups import CORRECTIONS, subgroup_effects


@pytest.fixture(scope="module")
def students():
    """Treatment helps in region A (+3), not in B; region C has no treated students."""
    rng = np.random.default_rng(5)
    n = 1200
    region = rng.choice(["A", "B", "C"], n, p=[0.4, 0.4, 0.2])
    year = rng.choice([1, 2, 3, 4], n)
    treated = np.where(region == "C", 0, rng.integers(0, 2, n))
    gpa = rng.normal(3, 0.4, n)
    score = 60 + 5 * gpa + 3 * treated * (region == "A") + rng.normal(0, 4, n)
    return pd.DataFrame({"region": region, "year": year, "treated": treated, "gpa": gpa, "score": score})


def holm(p):
    order = np.argsort(p)
    m = len(p)
    stepped = np.maximum.accumulate([min(1.0, (m - i) * p[j]) for i, j in enumerate(order)])
    out = np.empty(m)
    out[order] = stepped
    return out


def benjamini_hochberg(p):
    order = np.argsort(p)[::-1]
    m = len(p)
    stepped = np.minimum.accumulate([min(1.0, m / (m - i) * p[j]) for i, j in enumerate(order)])
    out = np.empty(m)
    out[order] = stepped
    return out


def test_each_level_is_the_whole_sample_estimate_on_its_rows(students):
    frame = subgroup_effects(students, ["region"], "score", "treated", covariates=["gpa"])
    row = frame.set_index("level").loc["A"]
    direct = estimate_effect(students[students["region"] == "A"], "score", "treated", ["gpa"]).effect
    assert row["coef"] == pytest.approx(direct["coef"]) and row["p"] == pytest.approx(direct["p"])
    assert row["n"] == (students["region"] == "A").sum()


def test_the_effect_is_found_where_it_is_and_not_where_it_is_not(students):
    frame = subgroup_effects(students, ["region"], "score", "treated", covariates=["gpa"]).set_index("level")
    assert frame.loc["A", "significant"] and frame.loc["A", "ci_low"] < 3 < frame.loc["A", "ci_high"]
    assert not frame.loc["B", "significant"]


def test_a_level_with_one_arm_is_skipped_and_not_counted(students):
    frame = subgroup_effects(students, ["region", "year"], "score", "treated", covariates=["gpa"])
    skipped = frame[frame["skipped"] != ""]
    assert list(skipped["level"]) == ["C"] and skipped["skipped"].item() == "only one arm in this subgroup"
    assert skipped["p_adjusted"].isna().all() and not skipped["significant"].any()
    tested = frame[frame["skipped"] == ""]
    assert len(tested) == 2 + 4  # regions A, B and four years share one correction


@pytest.mark.parametrize("correction, reference", [("holm", holm), ("benjamini-hochberg", benjamini_hochberg)])
def test_adjusted_p_values_match_the_hand_computation(students, correction, reference):
    frame = subgroup_effects(students, ["region", "year"], "score", "treated", covariates=["gpa"],
                             correction=correction)
    tested = frame[frame["skipped"] == ""]
    assert np.allclose(tested["p_adjusted"], reference(tested["p"].to_numpy(float)))
    assert (tested["significant"] == (tested["p_adjusted"] < 0.05)).all()
    assert (tested["p_adjusted"] >= tested["p"] - 1e-12).all()
    assert frame.attrs["correction"] == correction


def test_holm_is_never_less_strict_than_benjamini_hochberg(students):
    args = (students, ["region", "year"], "score", "treated")
    strict = subgroup_effects(*args, covariates=["gpa"], correction="holm")
    lenient = subgroup_effects(*args, covariates=["gpa"], correction="benjamini-hochberg")
    tested = strict["skipped"] == ""
    assert (strict.loc[tested, "p_adjusted"] >= lenient.loc[tested, "p_adjusted"] - 1e-12).all()


def test_unknown_correction_names_the_choices(students):
    with pytest.raises(ValueError, match="holm, benjamini-hochberg"):
        subgroup_effects(students, ["region"], "score", "treated", correction="bonferroni")
    assert set(CORRECTIONS) == {"holm", "benjamini-hochberg"}
