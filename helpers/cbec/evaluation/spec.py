"""The evaluation report's parameters, checked before any analysis runs.

:func:`prepare` turns the papermill parameters into an :class:`EvaluationSpec` and the
table to analyse.  Every problem found is collected into one :class:`ParameterError`
whose message names each offending parameter and what was found, so a run stops before
any section computes anything.
"""

from __future__ import annotations

import difflib
import numbers
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from pandas.api import types as ptypes

from cbec.evaluation.datasets import DataSourceError, load_table
from cbec.evaluation.models import INFERENCE, SMALL_SAMPLE_METHODS
from cbec.evaluation.small_sample import BOOTSTRAP_WEIGHTS
from cbec.evaluation.subgroups import CORRECTIONS, MAX_LEVELS

MODELS = ("auto", "ols", "logit")
SE_TYPES = ("robust", "classical")
LIST_PARAMETERS = ("covariates", "stages", "survey_items", "yes_no_items", "subgroups")
COLUMN_PARAMETERS = ("outcome", "treatment", "cluster", "period", "pre_score", "post_score")


class ParameterError(ValueError):
    """One or more report parameters are unusable; ``problems`` maps parameter -> message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = dict(problems)
        lines = [f"{name}: {why}" for name, why in self.problems.items()]
        super().__init__("The evaluation cannot run; fix these parameters: " + "; ".join(lines))


@dataclass(frozen=True)
class EvaluationSpec:
    """Checked parameters; :func:`prepare` turns ``model="auto"`` into ``"ols"`` or ``"logit"``."""

    data: str
    output_dir: str | None = None
    outcome: str | None = None
    treatment: str | None = None
    covariates: tuple[str, ...] = ()
    cluster: str | None = None
    period: str | None = None
    post_period: object = None
    pre_score: str | None = None
    post_score: str | None = None
    stages: tuple[str, ...] = ()
    survey_items: tuple[str, ...] = ()
    yes_no_items: tuple[str, ...] = ()
    model: str = "auto"
    se: str = "robust"
    subset: str | None = None
    max_score: float = 100.0
    alpha: float = 0.05
    inference: str = "auto"
    bootstrap_weights: str = "webb"
    bootstrap_reps: int = 9999
    seed: int = 2024
    subgroups: tuple[str, ...] = ()
    multiple_testing: str = "holm"
    power: float | None = None
    planned_clusters: int | None = None
    planned_cluster_size: float | None = None

    @property
    def has_effect(self) -> bool:
        return self.outcome is not None and self.treatment is not None

    @property
    def has_did(self) -> bool:
        return self.has_effect and self.period is not None

    @property
    def has_gains(self) -> bool:
        return self.pre_score is not None and self.post_score is not None

    @property
    def has_power(self) -> bool:
        return self.power is not None

    def effect_arguments(self) -> dict:
        """Keyword arguments of ``estimate_effect`` for this spec's design and inference."""
        return dict(covariates=self.covariates, model=self.model, cluster=self.cluster, se=self.se,
                    period=self.period, post_period=self.post_period, inference=self.inference,
                    bootstrap_weights=self.bootstrap_weights, bootstrap_reps=self.bootstrap_reps, seed=self.seed)


def _is_binary(series: pd.Series) -> bool:
    values = series.dropna()
    if ptypes.is_bool_dtype(values):
        return True
    if not ptypes.is_numeric_dtype(values):
        return False
    return bool(values.isin([0, 1]).all())


def _found(series: pd.Series, limit: int = 6) -> str:
    values = pd.unique(series.dropna())
    shown = ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in values[:limit])
    return f"{len(values)} distinct values ({shown}{', ...' if len(values) > limit else ''})"


def _check_types(params: dict, problems: dict) -> None:
    data = params.get("data")
    if not isinstance(data, (str, Path)) or not str(data).strip():
        problems["data"] = f"must be a built-in dataset name or a file path, found {data!r}"
    output_dir = params.get("output_dir")
    if output_dir is not None and (not isinstance(output_dir, (str, Path)) or not str(output_dir).strip()):
        problems["output_dir"] = f"must be a folder path (or None to write nothing), found {output_dir!r}"
    for name in (*COLUMN_PARAMETERS, "subset"):
        value = params.get(name)
        if value is not None and not (isinstance(value, str) and value.strip()):
            problems[name] = f"must be a column name (text) or None, found {type(value).__name__} {value!r}"
    for name in LIST_PARAMETERS:
        value = params.get(name)
        if value is None:
            continue
        if isinstance(value, str):
            problems[name] = f"must be a list of column names, such as [{value!r}], found the text {value!r}"
        elif not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            problems[name] = f"must be a list of column names, found {type(value).__name__} {value!r}"
        elif len(set(value)) != len(value):
            problems[name] = f"lists a column twice: {value!r}"
    _choice(params, "model", MODELS, "auto", problems)
    _choice(params, "se", SE_TYPES, "robust", problems)
    max_score = params.get("max_score", 100)
    if not _is_real(max_score) or max_score <= 0:
        problems["max_score"] = f"must be a positive number, found {max_score!r}"
    alpha = params.get("alpha", 0.05)
    if not _is_real(alpha) or not 0 < alpha < 0.5:
        problems["alpha"] = f"must be a number between 0 and 0.5 (0.05 gives 95% intervals), found {alpha!r}"
    _choice(params, "inference", INFERENCE, "auto", problems)
    _choice(params, "bootstrap_weights", BOOTSTRAP_WEIGHTS, "webb", problems)
    _choice(params, "multiple_testing", tuple(CORRECTIONS), "holm", problems)
    reps = params.get("bootstrap_reps", 9999)
    if not _is_integer(reps) or not 99 <= reps <= 1_000_000:
        problems["bootstrap_reps"] = f"must be a whole number of draws between 99 and 1,000,000, found {reps!r}"
    seed = params.get("seed", 2024)
    if not _is_integer(seed) or seed < 0:
        problems["seed"] = f"must be a non-negative whole number (it fixes the bootstrap draws), found {seed!r}"
    power = params.get("power")
    if power is not None and (not _is_real(power) or not 0 < power < 1):
        problems["power"] = f"must be a probability such as 0.8 (or None for no power section), found {power!r}"
    planned = params.get("planned_clusters")
    if planned is not None and (not _is_integer(planned) or planned < 4):
        problems["planned_clusters"] = f"must be a whole number of clusters, at least 4, found {planned!r}"
    size = params.get("planned_cluster_size")
    if size is not None and (not _is_real(size) or size < 2):
        problems["planned_cluster_size"] = f"must be a number of students per cluster, at least 2, found {size!r}"
    for name in ("planned_clusters", "planned_cluster_size"):
        if params.get(name) is not None and power is None and name not in problems:
            problems[name] = "plans the power section, which is off: also set power (e.g. 0.8)"
    if power is not None and (params.get("outcome") is None or params.get("treatment") is None):
        problems.setdefault("power", "the power section also needs outcome and treatment")
    if power is not None and params.get("cluster") is None and "power" not in problems:
        problems["power"] = ("the minimum detectable effect of a class-randomised comparison needs cluster "
                             "(the column naming each student's class)")
    inference = params.get("inference", "auto")
    if inference not in ("auto", None) and "inference" not in problems and params.get("cluster") is None:
        problems["inference"] = (f"{inference!r} is cluster inference and needs cluster (the column naming "
                                 "each student's class); without it errors are robust (HC1)")
    if params.get("subgroups") and (params.get("outcome") is None or params.get("treatment") is None):
        problems.setdefault("subgroups", "effects by subgroup also need outcome and treatment")
    if (params.get("period") is None) != (params.get("post_period") is None) and "period" not in problems:
        given, missing = ("period", "post_period") if params.get("period") is not None else ("post_period", "period")
        problems[missing] = f"is needed with {given} (difference-in-differences uses both), found None"
    if params.get("period") is not None and (params.get("outcome") is None or params.get("treatment") is None):
        problems["period"] = "difference-in-differences also needs outcome and treatment"
    if (params.get("pre_score") is None) != (params.get("post_score") is None):
        missing = "post_score" if params.get("pre_score") is not None else "pre_score"
        problems[missing] = "learning gains need both pre_score and post_score, found None"
    if (params.get("outcome") is None) != (params.get("treatment") is None):
        missing = "treatment" if params.get("outcome") is not None else "outcome"
        problems.setdefault(missing, "effect estimates need both outcome and treatment, found None")


def _is_integer(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _choice(params: dict, name: str, choices: tuple, default, problems: dict) -> None:
    value = params.get(name, default)
    if value not in choices:
        close = difflib.get_close_matches(str(value), choices, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        problems[name] = f"{hint}must be one of {', '.join(map(repr, choices))}, found {value!r}"


def _suggest(column: str, table: pd.DataFrame) -> str:
    close = difflib.get_close_matches(column, list(map(str, table.columns)), n=1)
    return f"did you mean {close[0]!r}? " if close else ""


def _check_columns(spec: EvaluationSpec, table: pd.DataFrame, problems: dict) -> None:
    available = ", ".join(map(str, table.columns[:30])) + (", ..." if table.shape[1] > 30 else "")
    for name in COLUMN_PARAMETERS:
        column = getattr(spec, name)
        if column is not None and column not in table.columns:
            problems[name] = f"column {column!r} is not in the data ({_suggest(column, table)}columns: {available})"
    for name in LIST_PARAMETERS:
        unknown = [c for c in getattr(spec, name) if c not in table.columns]
        if unknown:
            hints = "".join(_suggest(c, table) for c in unknown)
            problems[name] = (f"column(s) {', '.join(map(repr, unknown))} not in the data "
                              f"({hints}columns: {available})")
    if problems:
        return

    if spec.treatment is not None:
        treatment = table[spec.treatment]
        if not _is_binary(treatment):
            problems["treatment"] = (f"column {spec.treatment!r} must be binary (0/1 or True/False), found "
                                     f"{_found(treatment)}; recode it, e.g. (df[col] == 'integrated').astype(int)")
        elif treatment.dropna().nunique() < 2:
            problems["treatment"] = (f"column {spec.treatment!r} has only {_found(treatment)}; "
                                     "both arms (0 and 1) must be present")
    if spec.outcome is not None:
        outcome = table[spec.outcome]
        if not (ptypes.is_numeric_dtype(outcome) or ptypes.is_bool_dtype(outcome)):
            problems["outcome"] = f"column {spec.outcome!r} must be numeric, found {outcome.dtype} {_found(outcome)}"
        elif spec.model == "logit" and not _is_binary(outcome):
            problems["model"] = f"'logit' needs a binary outcome, but {spec.outcome!r} has {_found(outcome)}"
        if spec.outcome in spec.covariates or spec.outcome == spec.treatment:
            problems["outcome"] = f"column {spec.outcome!r} is also used as treatment or covariate"
    if spec.treatment is not None and spec.treatment in spec.covariates:
        problems["covariates"] = f"contains the treatment column {spec.treatment!r}"
    if spec.cluster is not None and table[spec.cluster].nunique() < 2:
        problems["cluster"] = f"column {spec.cluster!r} has {_found(table[spec.cluster])}; at least 2 clusters needed"
    if spec.period is not None:
        periods = table[spec.period].dropna()
        try:
            before, after = (periods < spec.post_period).sum(), (periods >= spec.post_period).sum()
        except TypeError:
            problems["post_period"] = (f"{spec.post_period!r} cannot be compared with column {spec.period!r} "
                                       f"({periods.dtype}, {_found(periods)})")
        else:
            if not before or not after:
                problems["post_period"] = (f"{spec.post_period!r} must split {spec.period!r} into periods before "
                                           f"and from it, found {_found(periods)}")
    for column in spec.subgroups:
        if column in (spec.outcome, spec.treatment):
            problems["subgroups"] = f"{column!r} is the outcome or the treatment, not a subgroup"
        elif table[column].nunique() > MAX_LEVELS:
            problems["subgroups"] = (f"{column!r} has {table[column].nunique()} distinct values; at most {MAX_LEVELS} "
                                     "subgroups per column: bin it first, e.g. pd.cut(df[col], 3)")
    for name in ("stages", "yes_no_items"):
        not_binary = [c for c in getattr(spec, name) if not _is_binary(table[c])]
        if not_binary:
            problems[name] = "must be 0/1 columns; " + "; ".join(f"{c!r} has {_found(table[c])}" for c in not_binary)
    if spec.survey_items:
        if len(spec.survey_items) < 2:
            problems["survey_items"] = f"Cronbach's alpha needs at least 2 items, found {list(spec.survey_items)}"
        not_numeric = [c for c in spec.survey_items if not ptypes.is_numeric_dtype(table[c])]
        if not_numeric:
            problems["survey_items"] = f"must be numeric Likert columns; {', '.join(map(repr, not_numeric))} are not"
    for name in ("pre_score", "post_score"):
        column = getattr(spec, name)
        if column is None:
            continue
        scores = table[column]
        if not ptypes.is_numeric_dtype(scores):
            problems[name] = f"column {column!r} must be numeric, found {scores.dtype}"
        elif scores.min() < 0 or scores.max() > spec.max_score:
            problems[name] = (f"column {column!r} must lie between 0 and max_score={spec.max_score:g}, found "
                              f"{scores.min():g} to {scores.max():g}; set max_score to the test's maximum")


def prepare(params: dict) -> tuple[EvaluationSpec, pd.DataFrame]:
    """Check ``params`` and load the table; raise :class:`ParameterError` naming every problem."""
    problems: dict[str, str] = {}
    known = set(EvaluationSpec.__dataclass_fields__)
    for name in sorted(set(params) - known):
        problems[name] = f"is not a parameter of this report (known: {', '.join(sorted(known))})"
    _check_types(params, problems)
    if problems:
        raise ParameterError(problems)

    values = {k: v for k, v in params.items() if v is not None}
    for name in LIST_PARAMETERS:
        values[name] = tuple(values.get(name, ()))
    values["data"] = str(values["data"])
    if "output_dir" in values:
        values["output_dir"] = str(values["output_dir"])
    spec = EvaluationSpec(**values)

    try:
        table = load_table(spec.data)
    except DataSourceError as error:
        raise ParameterError({"data": str(error)}) from None
    if table.empty:
        raise ParameterError({"data": f"the table {spec.data!r} has no rows"})
    if spec.subset:
        try:
            table = table.query(spec.subset)
        except Exception as error:  # pandas raises many types for a bad expression
            raise ParameterError({"subset": f"{spec.subset!r} is not a valid filter: {type(error).__name__}: "
                                            f"{error}"}) from None
        if table.empty:
            raise ParameterError({"subset": f"{spec.subset!r} leaves no rows of {spec.data!r}"})
    _check_columns(spec, table, problems)
    if problems:
        raise ParameterError(problems)

    if spec.has_effect and spec.model == "auto":
        spec = replace(spec, model="logit" if _is_binary(table[spec.outcome]) else "ols")
    if spec.inference in SMALL_SAMPLE_METHODS and spec.model != "ols":
        raise ParameterError({"inference": f"{spec.inference!r} is for linear models, but the model is "
                                           f"{spec.model!r}; use model='ols' (a linear probability model for a "
                                           "0/1 outcome) or inference='cluster-robust'"})
    return spec, table.reset_index(drop=True)
