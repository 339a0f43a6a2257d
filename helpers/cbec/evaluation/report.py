"""Compute every section of the programme evaluation from a checked spec.

The notebook ``analysis/program_evaluation.ipynb`` calls :func:`evaluate` once, then shows
each section; tests and the coverage study call it directly, so the numbers in the report
and the numbers that are tested come from the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from cbec.evaluation.balance import standardised_differences
from cbec.evaluation.datasets import describe_source
from cbec.evaluation.funnel import participation_funnel, share_with_interval
from cbec.evaluation.gains import hake_gains
from cbec.evaluation.models import EffectResult, effect_design, event_study, estimate_effect
from cbec.evaluation.power import design_effect, intraclass_correlation, planning_table
from cbec.evaluation.spec import EvaluationSpec, prepare
from cbec.evaluation.subgroups import subgroup_effects
from cbec.evaluation.survey import alpha_verdict, cronbach_alpha, item_summary
from cbec.reporting.summary import write_summary


@dataclass(frozen=True)
class PowerPlanning:
    """Inputs and result of the power section (see :mod:`cbec.evaluation.power`)."""

    icc: float                 # of the model's residuals, students within clusters
    residual_sd: float
    observed_clusters: int
    mean_cluster_size: float
    planned_clusters: int
    planned_cluster_size: float
    power: float
    table: pd.DataFrame        # minimum detectable effect by number of clusters

    @property
    def planned_mde(self) -> float:
        return float(self.table.loc[self.table["planned"], "mde"].iloc[0])

    def summary(self) -> dict:
        inputs = {field.name: getattr(self, field.name) for field in fields(self) if field.name != "table"}
        return {**inputs, "design_effect": design_effect(self.icc, self.planned_cluster_size),
                "minimum_detectable_effect": self.planned_mde}


@dataclass
class EvaluationReport:
    spec: EvaluationSpec
    table: pd.DataFrame
    funnel: pd.DataFrame | None = None
    funnel_by_arm: pd.DataFrame | None = None
    balance: pd.DataFrame | None = None
    effect: EffectResult | None = None
    events: pd.DataFrame | None = None
    gains: pd.DataFrame | None = None
    survey_alpha: float | None = None
    survey_items: pd.DataFrame | None = None
    yes_no: pd.DataFrame | None = None
    subgroups: pd.DataFrame | None = None
    planning: PowerPlanning | None = None

    @property
    def source(self) -> str:
        return describe_source(self.spec.data)

    def summary(self) -> dict:
        """Headline numbers as plain data (the content of ``summary.json``)."""
        spec, effect = self.spec, self.effect
        out = {
            "report": "program_evaluation",
            "data": spec.data,
            "subset": spec.subset,
            "n": effect.n if effect else len(self.table),
            "n_rows": len(self.table),
            "model": effect.model if effect else None,
            "design": effect.design if effect else None,
            "outcome": spec.outcome,
            "treatment": spec.treatment,
            "confidence_level": 1 - spec.alpha,
            "estimates": {},
        }
        if effect:
            out.update({
                "effect_term": effect.effect_term,
                "se_type": effect.se_type,
                "n_dropped_missing": effect.n_dropped,
                "clusters": effect.clusters,
                "treated_clusters": effect.treated_clusters,
                "estimates": _records(effect.estimates),
                "fit": {effect.fit_statistic[0]: effect.fit_statistic[1]},
            })
            if effect.odds_ratios is not None:
                out["odds_ratios"] = _records(effect.odds_ratios)
                out["marginal_effects"] = _records(effect.marginal_effects)
            out["inference"] = _inference_summary(effect)
        if self.events is not None:
            out["event_study"] = {"base_period": self.events.attrs.get("base_period"),
                                  "post_period": spec.post_period,
                                  "periods": self.events.drop(columns="after_adoption").to_dict(orient="records")}
        if self.funnel is not None:
            out["funnel"] = self.funnel.to_dict(orient="records")
        if self.balance is not None:
            out["balance"] = _records(self.balance)
        if self.gains is not None:
            out["gains"] = _records(self.gains)
        if self.survey_items is not None:
            out["survey"] = {"cronbach_alpha": self.survey_alpha, "verdict": alpha_verdict(self.survey_alpha),
                             "items": self.survey_items.to_dict(orient="records")}
        if self.yes_no is not None:
            out["yes_no"] = _records(self.yes_no.set_index("item"))
        if self.subgroups is not None:
            out["subgroups"] = {"correction": spec.multiple_testing,
                                "effects": self.subgroups.to_dict(orient="records")}
        if self.planning is not None:
            out["power"] = self.planning.summary()
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        found = {"funnel": self.funnel, "balance": self.balance, "event_study": self.events,
                 "gains": self.gains, "survey_items": self.survey_items, "yes_no": self.yes_no,
                 "subgroup_effects": self.subgroups,
                 "power_planning": self.planning.table if self.planning else None}
        if self.effect:
            found["estimates"] = self.effect.estimates
            found["inference_comparison"] = self.effect.inference_comparison
            found["odds_ratios"] = self.effect.odds_ratios
            found["marginal_effects"] = self.effect.marginal_effects
        return {name: table for name, table in found.items() if table is not None}

    def write(self, output_dir: str | Path | None = None) -> Path | None:
        """``summary.json`` plus one CSV per table in ``output_dir`` (default: the spec's; None: nothing).

        Its provenance: the spec's fields, the data (a file, or a built-in table hashed as
        loaded) with its rows before and after ``subset``, and the spec's seed if it has one.
        """
        from dataclasses import asdict

        from cbec.evaluation.datasets import BUILTIN, load_table
        from cbec.reporting.provenance import Provenance, file_input, table_input

        folder = output_dir or self.spec.output_dir
        if not folder:
            return None
        source = self.spec.data
        data = table_input(source, load_table(source)) if source in BUILTIN else file_input(source)
        data["rows_after_subset"] = len(self.table)
        provenance = Provenance.collect(parameters=asdict(self.spec), data=[data],
                                        seed=getattr(self.spec, "seed", None))
        return write_summary(folder, self.summary(), self.tables(), provenance=provenance)


def _inference_summary(effect: EffectResult) -> dict:
    """How the effect's interval was computed, and the effect under every method compared."""
    detail = effect.effect_inference
    out = {"method": effect.inference, "few_clusters": effect.few_clusters}
    bootstrap = (effect.inference_details or {}).get("wild-bootstrap")
    if bootstrap is not None:  # used or only compared: its draws are part of what regenerates
        out["bootstrap"] = {"weights": bootstrap.weights, "reps": bootstrap.reps, "seed": bootstrap.seed,
                            "full_enumeration": bootstrap.full_enumeration,
                            "type": "WCR11 (restricted, CR1 statistic)"}
    if detail is not None and detail.df is not None:
        out["df"] = detail.df
    if effect.inference_comparison is not None:
        out["comparison"] = _records(effect.inference_comparison.drop(columns="used"))
    return out


def _planning(spec: EvaluationSpec, table: pd.DataFrame) -> PowerPlanning:
    design = effect_design(table, spec.outcome, spec.treatment, spec.covariates, cluster=spec.cluster,
                           period=spec.period, post_period=spec.post_period)
    coef, *_ = np.linalg.lstsq(design.X.to_numpy(), design.y.to_numpy(), rcond=None)
    residuals = design.y.to_numpy() - design.X.to_numpy() @ coef
    icc = intraclass_correlation(residuals, design.cluster)
    sizes = design.cluster.value_counts()
    planned = spec.planned_clusters or int(len(sizes))
    size = float(spec.planned_cluster_size or sizes.mean())
    sd = float(np.std(residuals, ddof=design.X.shape[1]))
    plan = planning_table(icc, sd, size, planned, alpha=spec.alpha, power=spec.power)
    return PowerPlanning(icc, sd, int(len(sizes)), float(sizes.mean()), planned, size, spec.power, plan)


def _records(frame: pd.DataFrame) -> dict:
    return {str(index): row for index, row in frame.to_dict(orient="index").items()}


def evaluate(spec: EvaluationSpec, table: pd.DataFrame) -> EvaluationReport:
    """Run every section whose columns the spec names."""
    report = EvaluationReport(spec, table)
    if spec.stages:
        report.funnel = participation_funnel(table, spec.stages, alpha=spec.alpha)
        if spec.treatment:
            report.funnel_by_arm = participation_funnel(table, spec.stages, by=spec.treatment, alpha=spec.alpha)
    if spec.has_effect:
        balance_columns = [*spec.covariates, *([spec.pre_score] if spec.pre_score else [])]
        report.balance = standardised_differences(table, spec.treatment, list(dict.fromkeys(balance_columns)))
        report.effect = estimate_effect(table, spec.outcome, spec.treatment, alpha=spec.alpha,
                                        **spec.effect_arguments())
        if spec.has_did:
            report.events = event_study(table, spec.outcome, spec.treatment, spec.period, spec.post_period,
                                        spec.covariates, model=spec.model, cluster=spec.cluster, se=spec.se,
                                        alpha=spec.alpha, inference=report.effect.inference)
        if spec.subgroups:
            report.subgroups = subgroup_effects(table, spec.subgroups, spec.outcome, spec.treatment,
                                                correction=spec.multiple_testing, alpha=spec.alpha,
                                                **spec.effect_arguments())
        if spec.has_power:
            report.planning = _planning(spec, table)
    if spec.has_gains:
        group = spec.treatment if spec.treatment else None
        rows = table[table[spec.period] >= spec.post_period] if spec.has_did else table
        report.gains = hake_gains(rows, spec.pre_score, spec.post_score, by=group, max_score=spec.max_score)
    if spec.survey_items:
        report.survey_alpha = cronbach_alpha(table[list(spec.survey_items)])
        report.survey_items = item_summary(table, spec.survey_items, by=spec.treatment)
    if spec.yes_no_items:
        report.yes_no = share_with_interval(table, spec.yes_no_items, alpha=spec.alpha)
    return report


def run_evaluation(**params) -> EvaluationReport:
    """Check the parameters, load the data and evaluate (what the notebook does, minus display)."""
    spec, table = prepare(params)
    return evaluate(spec, table)
