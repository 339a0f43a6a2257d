"""Every unusable parameter stops the evaluation before any analysis, naming the parameter."""

import pandas as pd
import pytest

from cbec.evaluation import ParameterError, prepare

GOOD = dict(data="programme", outcome="post_test", treatment="pilot_track", covariates=["prior_gpa"],
            cluster="class_id", period="cohort", post_period=2021, pre_score="pre_test", post_score="post_test",
            stages=["registered", "attended_training"], survey_items=["sat_recommend", "sat_training_useful"],
            yes_no_items=["wants_second_training"], model="auto", se="robust", output_dir="out")


def problems_of(**change):
    params = {**GOOD, **change}
    params = {k: v for k, v in params.items() if v is not ...}
    with pytest.raises(ParameterError) as caught:
        prepare(params)
    return caught.value


def test_good_parameters_pass():
    spec, table = prepare(GOOD)
    assert spec.model == "ols" and len(table) > 1000


@pytest.mark.parametrize("parameter", ["outcome", "treatment", "cluster", "period", "pre_score", "post_score"])
def test_unknown_column_is_named(parameter):
    error = problems_of(**{parameter: "no_such_column"})
    assert list(error.problems) == [parameter]
    assert "'no_such_column' is not in the data" in str(error) and "columns:" in str(error)


def test_misspelt_column_gets_a_suggestion():
    assert "did you mean 'post_test'?" in problems_of(outcome="postest").problems["outcome"]


@pytest.mark.parametrize("parameter", ["covariates", "stages", "survey_items", "yes_no_items"])
def test_unknown_column_in_a_list_is_named(parameter):
    error = problems_of(**{parameter: [GOOD[parameter][0], "missing_col"]})
    assert parameter in error.problems and "'missing_col'" in error.problems[parameter]


def test_non_binary_treatment_shows_what_was_found():
    error = problems_of(treatment="cohort", period=None, post_period=None)
    assert "treatment" in error.problems
    assert "must be binary" in str(error) and "6 distinct values (2019" in str(error)


def test_text_treatment_is_refused_with_a_recoding_hint(tmp_path):
    path = tmp_path / "students.csv"
    pd.DataFrame({"arm": ["course", "competition"] * 5, "y": range(10)}).to_csv(path, index=False)
    error = problems_of(data=str(path), outcome="y", treatment="arm", covariates=[], cluster=None, period=None,
                        post_period=None, pre_score=None, post_score=None, stages=[], survey_items=[],
                        yes_no_items=[])
    assert "treatment" in error.problems and "recode" in error.problems["treatment"]


def test_treatment_with_one_arm_only():
    error = problems_of(treatment="integrated", subset="cohort == 2020", period=None, post_period=None)
    assert "both arms" in error.problems["treatment"]


def test_empty_table(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("post_test,pilot_track\n")
    error = problems_of(data=str(path))
    assert list(error.problems) == ["data"] and "has no rows" in str(error)


def test_subset_that_leaves_nothing_or_is_not_a_filter():
    assert "leaves no rows" in problems_of(subset="cohort == 1999").problems["subset"]
    assert "not a valid filter" in problems_of(subset="cohort ==").problems["subset"]


@pytest.mark.parametrize("data, expected", [
    ("no_such_dataset", "neither a built-in dataset"),
    ("missing/file.csv", "does not exist"),
    ("students.xlsx", "cannot read '.xlsx' files"),
])
def test_unreadable_data_source(data, expected):
    assert expected in problems_of(data=data).problems["data"]


def test_corrupt_parquet_file_is_named(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"not parquet at all")
    assert "cannot read" in problems_of(data=str(path)).problems["data"]


@pytest.mark.parametrize("parameter, value, expected", [
    ("covariates", "prior_gpa", "must be a list of column names, such as ['prior_gpa']"),
    ("stages", {"a": 1}, "must be a list of column names"),
    ("outcome", 3, "must be a column name"),
    ("model", "probit", "must be one of 'auto', 'ols', 'logit'"),
    ("se", "HC3", "must be one of 'robust', 'classical'"),
    ("max_score", "100", "must be a positive number"),
    ("alpha", 5, "between 0 and 0.5"),
    ("data", None, "built-in dataset name or a file path"),
    ("output_dir", 7, "folder path"),
    ("covariates", ["prior_gpa", "prior_gpa"], "twice"),
])
def test_wrong_types_are_named(parameter, value, expected):
    error = problems_of(**{parameter: value})
    assert parameter in error.problems and expected in error.problems[parameter]


def test_unknown_parameter_name():
    assert "is not a parameter" in problems_of(outcom="post_test").problems["outcom"]


def test_inconsistent_combinations():
    assert "needed with period" in problems_of(post_period=None).problems["post_period"]
    assert "needed with post_period" in problems_of(period=None).problems["period"]
    assert "both pre_score and post_score" in problems_of(post_score=None).problems["post_score"]
    assert "need both outcome and treatment" in problems_of(treatment=None, period=None,
                                                            post_period=None).problems["treatment"]
    assert "must split" in problems_of(post_period=2030).problems["post_period"]
    assert "cannot be compared" in problems_of(post_period="2021").problems["post_period"]


def test_logit_needs_a_binary_outcome():
    assert "needs a binary outcome" in problems_of(model="logit").problems["model"]


def test_column_contents_are_checked():
    assert "must be 0/1 columns" in problems_of(stages=["registered", "platform_logins"]).problems["stages"]
    assert "at least 2 items" in problems_of(survey_items=["sat_recommend"]).problems["survey_items"]
    assert "max_score" in problems_of(max_score=50).problems["pre_score"]
    assert "also used" in problems_of(covariates=["post_test"]).problems["outcome"]
    assert "treatment column" in problems_of(covariates=["pilot_track"]).problems["covariates"]


def test_every_problem_is_reported_at_once():
    error = problems_of(outcome="nope", cluster="nope_either")
    assert set(error.problems) == {"outcome", "cluster"}
    assert str(error).startswith("The evaluation cannot run; fix these parameters: ")


# --- inference, subgroups and power -------------------------------------------------------------

@pytest.mark.parametrize("parameter, value, phrase", [
    ("inference", "bootstrap", "must be one of 'auto'"),
    ("inference", "cr3", "did you mean 'cr2'?"),
    ("bootstrap_weights", "normal", "must be one of 'webb', 'rademacher'"),
    ("bootstrap_reps", 10, "between 99 and 1,000,000"),
    ("bootstrap_reps", 999.5, "whole number of draws"),
    ("seed", -1, "non-negative whole number"),
    ("multiple_testing", "bonferroni", "must be one of 'holm', 'benjamini-hochberg'"),
    ("power", 80, "a probability such as 0.8"),
    ("power", True, "a probability such as 0.8"),
    ("planned_clusters", 2, "at least 4"),
    ("planned_cluster_size", 1, "at least 2"),
])
def test_bad_inference_subgroup_or_power_value_is_named(parameter, value, phrase):
    change = {parameter: value}
    if parameter.startswith("planned"):
        change["power"] = 0.8
    error = problems_of(**change)
    assert list(error.problems) == [parameter], error.problems
    assert phrase in error.problems[parameter]


def test_planning_without_the_power_section_says_to_turn_it_on():
    error = problems_of(planned_clusters=40)
    assert list(error.problems) == ["planned_clusters"]
    assert "also set power" in error.problems["planned_clusters"]


def test_power_without_clusters_asks_for_the_cluster_column():
    error = problems_of(power=0.8, cluster=None)
    assert "power" in error.problems and "needs cluster" in error.problems["power"]


def test_cluster_inference_without_clusters_is_refused():
    error = problems_of(inference="cr2", cluster=None)
    assert list(error.problems) == ["inference"] and "needs cluster" in error.problems["inference"]


def test_small_sample_inference_with_a_logit_is_refused():
    error = problems_of(outcome="award", treatment="integrated", model="logit", inference="wild-bootstrap",
                        period=None, post_period=None, pre_score=None, post_score=None)
    assert list(error.problems) == ["inference"] and "linear models" in error.problems["inference"]


@pytest.mark.parametrize("subgroups, phrase", [
    (["pilot_track"], "is the outcome or the treatment"),
    (["student_id"], "distinct values; at most 12"),
    (["no_such_column"], "'no_such_column'"),
])
def test_unusable_subgroup_column_is_named(subgroups, phrase):
    error = problems_of(subgroups=subgroups)
    assert "subgroups" in error.problems and phrase in error.problems["subgroups"]


def test_good_inference_subgroup_and_power_parameters_pass():
    spec, _ = prepare({**GOOD, "inference": "cr2", "bootstrap_weights": "rademacher", "bootstrap_reps": 199,
                       "seed": 7, "subgroups": ["registered"], "multiple_testing": "benjamini-hochberg",
                       "power": 0.9, "planned_clusters": 40, "planned_cluster_size": 25})
    assert spec.inference == "cr2" and tuple(spec.subgroups) == ("registered",) and spec.has_power
