"""Show each section of an :class:`EvaluationReport` in a notebook: a sentence, a table, a figure.

A section whose columns were not given shows nothing, so the rendered report only holds
the sections its parameters asked for.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from cbec.modules.data_operation.analytics.funnel import largest_drop
from cbec.evaluation import figures
from cbec.evaluation.power import design_effect
from cbec.evaluation.report import EvaluationReport
from cbec.evaluation.survey import alpha_verdict


def _pct(value) -> str:
    return "n/a" if pd.isna(value) else f"{value:.0%}"


def _table(frame: pd.DataFrame, formats: dict, caption: str | None = None):
    styler = frame.style.format({k: v for k, v in formats.items() if k in frame.columns}, na_rep="")
    if caption:
        styler = styler.set_caption(caption)
    display(styler)


def _heading(text: str, intro: str) -> None:
    display(Markdown(f"## {text}\n\n{intro}"))


def overview(report: EvaluationReport) -> None:
    spec = report.spec
    parts = [f"**Data:** {report.source}", f"**Rows analysed:** {len(report.table):,}"
             + (f" (filter `{spec.subset}`)" if spec.subset else "")]
    if report.effect:
        e = report.effect
        parts.append(f"**Model:** {e.model.upper()} of `{spec.outcome}` on `{spec.treatment}`"
                     + (f" + {', '.join(f'`{c}`' for c in spec.covariates)}" if spec.covariates else "")
                     + f" ({e.design}; {e.se_type} standard errors)")
    sections = [name for name, present in [
        ("participation funnel", report.funnel is not None), ("balance", report.balance is not None),
        ("effect estimates", report.effect is not None), ("difference-in-differences", report.events is not None),
        ("subgroups", report.subgroups is not None), ("power", report.planning is not None),
        ("learning gains", report.gains is not None), ("survey", report.survey_items is not None
                                                      or report.yes_no is not None)] if present]
    parts.append(f"**Sections:** {', '.join(sections) or 'none (give outcome/treatment, stages, ...)'}")
    if report.effect and "wild-bootstrap" in (report.effect.inference_details or {}):
        parts.append(f"**Seed:** {spec.seed} (fixes the bootstrap draws: the same data and seed give the same "
                     "numbers)")
    display(Markdown("  \n".join(parts)))


def funnel(report: EvaluationReport) -> None:
    if report.funnel is None:
        return
    table = report.funnel
    steps = [f"{row.count} {row.stage}" for row in table.itertuples()]
    intro = " → ".join(steps) + "."
    if len(table) > 1:
        w = table.set_index("stage").loc[largest_drop(table)]
        intro += (f" The largest loss is at **{w.name}**: {_pct(w['step_conversion'])} of the previous stage "
                  f"(95% Wilson interval {_pct(w['step_ci_low'])}–{_pct(w['step_ci_high'])}).")
    _heading("Participation funnel", intro)
    shown = table.set_index("stage")[["count", "share_of_rows", "step_conversion", "step_ci_low", "step_ci_high",
                                      "overall_conversion"]]
    _table(shown, {"share_of_rows": "{:.1%}", "step_conversion": "{:.1%}", "step_ci_low": "{:.1%}",
                   "step_ci_high": "{:.1%}", "overall_conversion": "{:.1%}"},
           "Counts, share of all students, conversion from the previous stage (Wilson interval) and from the first")
    by = report.spec.treatment if report.funnel_by_arm is not None else None
    figures.funnel_chart(report.funnel_by_arm if by else table, by=by)
    plt.show()


def balance(report: EvaluationReport) -> None:
    if report.balance is None or report.balance.empty:
        return
    flagged = report.balance.index[report.balance["imbalanced"]].tolist()
    verdict = (f"Imbalanced (|SMD| > 0.1): {', '.join(f'`{c}`' for c in flagged)}. Adjusting for them in the "
               "model (and, across periods, comparing changes rather than levels) matters."
               if flagged else "Every covariate is within |SMD| ≤ 0.1: the arms look alike before treatment.")
    _heading("Balance of the arms", f"Standardised mean differences between `{report.spec.treatment}` = 1 and 0. "
             + verdict)
    _table(report.balance, {"mean_treated": "{:.3f}", "mean_control": "{:.3f}", "smd": "{:+.3f}"})
    figures.balance_plot(report.balance)
    plt.show()


def effects(report: EvaluationReport) -> None:
    e = report.effect
    if e is None:
        return
    row = e.effect
    level = 1 - report.spec.alpha
    scale = "log-odds" if e.model == "logit" else f"points of `{e.outcome}`"
    intro = (f"**`{e.effect_term}`: {row['coef']:+.3f}** {scale} ({level:.0%} CI {row['ci_low']:.3f} to "
             f"{row['ci_high']:.3f}, p = {row['p']:.3g}), n = {e.n:,}"
             + (f" ({e.n_dropped} rows with missing values dropped)" if e.n_dropped else "") + ". "
             + f"Standard errors: {e.se_type}. {e.fit_statistic[0]}: {e.fit_statistic[1]:.3f}.")
    if e.model == "logit":
        odds = e.odds_ratios.loc[e.effect_term]
        margin = e.marginal_effects.loc[e.effect_term]
        intro += (f" As an odds ratio: **{odds['odds_ratio']:.2f}** ({odds['ci_low']:.2f}–{odds['ci_high']:.2f}); "
                  f"as an average marginal effect: **{margin['dydx']:+.1%}** on the probability.")
    intro += _inference_note(e)
    _heading("Effect estimates", intro)
    fmt = {"coef": "{:.3f}", "se": "{:.3f}", "ci_low": "{:.3f}", "ci_high": "{:.3f}", "p": "{:.3g}"}
    _table(e.estimates, fmt, f"{e.model.upper()} estimates with {level:.0%} confidence intervals")
    if e.model == "logit":
        _table(e.odds_ratios, {"odds_ratio": "{:.3f}", "ci_low": "{:.3f}", "ci_high": "{:.3f}"}, "Odds ratios")
        _table(e.marginal_effects, {**fmt, "dydx": "{:+.3f}"},
               "Average marginal effects on the probability (discrete change for 0/1 terms)")
    figures.coefficient_plot(e.estimates, e.effect_term)
    plt.show()
    if e.inference_comparison is not None:
        _table(e.inference_comparison.drop(columns="used").rename(index=figures.METHOD_LABELS),
               {**fmt, "df": "{:.1f}"}, f"`{e.effect_term}` under each cluster method ({level:.0%} intervals; "
               "the bootstrap has no standard error of its own)")
        figures.inference_plot(e.inference_comparison, e.effect_term)
        plt.show()


def _inference_note(e) -> str:
    """Why the effect's interval was computed the way it was."""
    if e.clusters is None:
        return ""
    counts = f"{e.clusters} clusters, {e.treated_clusters} of them with `{e.effect_term}` ≠ 0"
    detail = e.effect_inference
    why = "Few clusters" if e.few_clusters else f"inference={e.inference!r}"
    if e.inference == "wild-bootstrap":
        return (f"\n\n*{why} ({counts}):* the interval and p-value are the wild cluster bootstrap's "
                f"(restricted WCR, {detail.weights} weights, {detail.reps:,} draws, seed {detail.seed}), which "
                "keep their coverage where cluster-robust intervals run too narrow.")
    if e.inference == "cr2":
        return (f"\n\n*{why} ({counts}):* the interval and p-value use CR2 standard errors with "
                f"Bell-McCaffrey's {detail.df:.1f} degrees of freedom in place of G - 1 = {e.clusters - 1}, "
                "which keep their coverage where cluster-robust (CR1) intervals run too narrow.")
    if e.few_clusters:
        return (f"\n\n*Caution:* {counts}. Cluster-robust (CR1) intervals run too narrow with few (treated) "
                "clusters; the comparison below shows the small-sample intervals (inference='auto' uses them).")
    return ""


def did(report: EvaluationReport) -> None:
    if report.events is None:
        return
    spec, events = report.spec, report.events
    before = events[~events["after_adoption"] & (events["period"] != events.attrs["base_period"])]
    off = before[(before["ci_low"] > 0) | (before["ci_high"] < 0)]
    trend_note = ("Before adoption the arms' differences stay within their intervals of zero, consistent with "
                  "parallel trends." if off.empty else
                  f"Before adoption the difference in period(s) {', '.join(map(str, off['period']))} is away from "
                  "zero: read the estimate with care, the parallel-trends assumption is questionable.")
    _heading("Difference-in-differences",
             f"`{spec.treatment}` groups compared before and from `{spec.period}` = {spec.post_period}. The "
             f"effect is the `{report.effect.effect_term}` term above (period fixed effects included). "
             + trend_note)
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
    figures.trend_plot(report.table, spec.outcome, spec.treatment, spec.period, spec.post_period, ax=axes[0])
    figures.event_study_plot(events, spec.post_period, ax=axes[1])
    plt.show()


def subgroups(report: EvaluationReport) -> None:
    effects = report.subgroups
    if effects is None:
        return
    tested = effects[effects["skipped"] == ""]
    correction = report.spec.multiple_testing.title()  # Holm, Benjamini-Hochberg
    found = tested[tested["significant"]]
    intro = (f"The effect of `{report.spec.treatment}` within each level of "
             f"{', '.join(f'`{c}`' for c in report.spec.subgroups)}, p-values adjusted for the {len(tested)} "
             f"subgroups tested ({correction}). "
             + (f"{len(found)} remain significant at {report.spec.alpha:g} after the correction."
                if len(found) else "None is significant after the correction."))
    skipped = effects[effects["skipped"] != ""]
    if len(skipped):
        intro += " Skipped: " + "; ".join(f"{r.subgroup} = {r.level} ({r.skipped})" for r in skipped.itertuples()) + "."
    _heading("Effects by subgroup", intro)
    _table(tested.drop(columns="skipped").set_index(["subgroup", "level"]),
           {"coef": "{:+.3f}", "ci_low": "{:.3f}", "ci_high": "{:.3f}", "p": "{:.3g}", "p_adjusted": "{:.3g}"})
    if len(tested):
        figures.subgroup_plot(effects, report.effect.effect["coef"] if report.effect else None)
        plt.show()


def power(report: EvaluationReport) -> None:
    plan = report.planning
    if plan is None:
        return
    _heading("Planning the next cohort: minimum detectable effect",
             f"Students of one class resemble each other: the intra-class correlation of the model's residuals is "
             f"**{plan.icc:.3f}** ({plan.observed_clusters} clusters, {plan.mean_cluster_size:.1f} students each on "
             f"average), so a class of {plan.planned_cluster_size:.0f} counts as "
             f"{plan.planned_cluster_size / design_effect(plan.icc, plan.planned_cluster_size):.1f} independent "
             f"students. With **{plan.planned_clusters} classes** (half of them treated) the smallest effect "
             f"detected with {plan.power:.0%} power at {report.spec.alpha:g} is **{plan.planned_mde:.2f}** points of "
             f"`{report.spec.outcome}` ({plan.planned_mde / plan.residual_sd:.2f} residual standard deviations).")
    _table(plan.table.set_index("clusters"), {"mde": "{:.2f}", "mde_in_sd": "{:.3f}"},
           "Minimum detectable effect by number of classes")
    figures.power_plot(plan.table)
    plt.show()


def gains(report: EvaluationReport) -> None:
    if report.gains is None:
        return
    g = report.gains
    where = " (periods from adoption on)" if report.spec.has_did else ""
    lines = ", ".join(f"{idx}: ⟨g⟩ = {row['gain_of_means']:.2f} ({row['category']})" for idx, row in g.iterrows())
    _heading("Learning gains", f"Hake's normalised gain (post − pre) / ({report.spec.max_score:g} − pre)"
             f"{where} — {lines}.")
    _table(g, {"pre_mean": "{:.1f}", "post_mean": "{:.1f}", "gain_of_means": "{:.3f}",
               "mean_student_gain": "{:.3f}", "student_gain_sd": "{:.3f}"})
    figures.gains_plot(g)
    plt.show()


def survey(report: EvaluationReport) -> None:
    if report.survey_items is None and report.yes_no is None:
        return
    intro = []
    if report.survey_items is not None:
        intro.append(f"Cronbach's alpha of the {len(report.spec.survey_items)} items: "
                     f"**{report.survey_alpha:.3f}** ({alpha_verdict(report.survey_alpha)}; > 0.7 acceptable, "
                     "> 0.8 good). Top-2-box = share answering in the two highest categories.")
    if report.yes_no is not None:
        for row in report.yes_no.itertuples():
            intro.append(f"`{row.item}`: **{_pct(row.share)}** yes of {row.answered} answers "
                         f"(95% CI {_pct(row.ci_low)}–{_pct(row.ci_high)}).")
    _heading("Survey", " ".join(intro))
    if report.survey_items is not None:
        by = report.spec.treatment
        _table(report.survey_items, {"mean": "{:.2f}", "top2_share": "{:.1%}"})
        figures.survey_plot(report.survey_items, by=by)
        plt.show()
    if report.yes_no is not None:
        _table(report.yes_no.set_index("item"), {"share": "{:.1%}", "ci_low": "{:.1%}", "ci_high": "{:.1%}"})
