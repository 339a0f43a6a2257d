"""Seaborn figures of the evaluation report."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from cbec.evaluation.balance import SMD_THRESHOLD

ARM_PALETTE = ["#8c8c8c", "#4c72b0"]


def _axes(ax, size):
    return ax if ax is not None else plt.subplots(figsize=size, layout="constrained")[1]


def funnel_chart(funnel: pd.DataFrame, by: str | None = None, ax=None):
    """Horizontal bars per stage, labelled with the count and the share kept from the stage before."""
    ax = _axes(ax, (7, 0.6 + 0.7 * funnel["stage"].nunique()))
    sns.barplot(funnel, y="stage", x="count", hue=by, orient="h", ax=ax,
                palette=ARM_PALETTE if by else None, color=None if by else "#4c72b0")
    for container in ax.containers:
        ax.bar_label(container, fmt="%.0f", padding=3)
    if by is None:
        for _, row in funnel.iterrows():
            if row["position"]:
                ax.text(row["count"] / 2, row["position"], f"{row['step_conversion']:.0%} of previous",
                        va="center", ha="center", color="white", fontsize=9)
    ax.set(xlabel="students", ylabel="", title="Participation funnel")
    if by:
        sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    sns.despine(ax=ax)
    return ax


def balance_plot(balance: pd.DataFrame, ax=None):
    """Love plot: standardised mean difference of each covariate, with the +-0.1 band."""
    ax = _axes(ax, (6, 0.8 + 0.45 * len(balance)))
    frame = balance.reset_index()
    ax.axvspan(-SMD_THRESHOLD, SMD_THRESHOLD, color="#e5f0e5", zorder=0)
    ax.axvline(0, color="black", lw=0.8)
    sns.scatterplot(frame, x="smd", y="covariate", hue="imbalanced", palette={False: "#55a868", True: "#c44e52"},
                    s=70, ax=ax)
    ax.set(xlabel="standardised mean difference (treated - control)", ylabel="",
           title="Balance of the arms before treatment")
    sns.despine(ax=ax)
    return ax


def coefficient_plot(estimates: pd.DataFrame, effect_term: str, ax=None):
    """Point estimates with confidence intervals; the headline effect highlighted."""
    frame = estimates.drop(index="const", errors="ignore").reset_index()
    ax = _axes(ax, (6.5, 0.8 + 0.4 * len(frame)))
    colors = ["#c44e52" if t == effect_term else "#4c72b0" for t in frame["term"]]
    ax.hlines(frame["term"], frame["ci_low"], frame["ci_high"], color=colors, lw=2)
    ax.scatter(frame["coef"], frame["term"], color=colors, zorder=3)
    ax.axvline(0, color="black", lw=0.8)
    ax.invert_yaxis()
    ax.set(xlabel="coefficient with confidence interval", ylabel="", title="Model estimates")
    sns.despine(ax=ax)
    return ax


def _mark_adoption(ax, post_period) -> None:
    """Dashed line between the last period before adoption and the first one after it."""
    x = post_period - 0.5 if isinstance(post_period, (int, float)) else post_period
    ax.axvline(x, color="#c44e52", ls="--", lw=1)


def trend_plot(table: pd.DataFrame, outcome: str, treatment: str, period: str, post_period, ax=None):
    """Mean outcome per period in each arm (with 95% intervals), adoption marked."""
    ax = _axes(ax, (7, 3.5))
    sns.pointplot(table, x=period, y=outcome, hue=treatment, palette=ARM_PALETTE, errorbar=("ci", 95),
                  dodge=0.2, ax=ax, native_scale=True)
    _mark_adoption(ax, post_period)
    ax.set(title=f"{outcome} by {period}: both arms (dashed line: adoption)", xlabel=period)
    sns.despine(ax=ax)
    return ax


def event_study_plot(study: pd.DataFrame, post_period, ax=None):
    """Treated-minus-control difference per period relative to the base period, with intervals."""
    ax = _axes(ax, (7, 3.5))
    colors = study["after_adoption"].map({True: "#c44e52", False: "#4c72b0"})
    ax.vlines(study["period"], study["ci_low"], study["ci_high"], color=colors, lw=2)
    ax.scatter(study["period"], study["coef"], color=colors, zorder=3)
    ax.axhline(0, color="black", lw=0.8)
    _mark_adoption(ax, post_period)
    ax.set(xlabel="period", ylabel="difference vs base period",
           title=f"Event study (base period {study.attrs.get('base_period')})")
    sns.despine(ax=ax)
    return ax


def gains_plot(gains: pd.DataFrame, ax=None):
    """Hake's gain of the averages per group against the low / medium / high bands."""
    ax = _axes(ax, (6, 3))
    frame = gains.reset_index()
    group = frame.columns[0]
    ax.axhspan(0, 0.3, color="#f2e6e6", zorder=0)
    ax.axhspan(0.3, 0.7, color="#f2f2e0", zorder=0)
    ax.axhspan(0.7, 1, color="#e5f0e5", zorder=0)
    sns.barplot(frame, x=frame[group].astype(str), y="gain_of_means", color="#4c72b0", ax=ax)
    ax.bar_label(ax.containers[0], fmt="%.2f", padding=2)
    ax.set(ylim=(0, 1), xlabel=group, ylabel="normalised gain g (of the means)",
           title="Learning gains (bands: low < 0.3 < medium < 0.7 < high)")
    sns.despine(ax=ax)
    return ax


def survey_plot(items: pd.DataFrame, by: str | None = None, ax=None):
    """Top-2-box share per item (per arm when ``by`` is given)."""
    ax = _axes(ax, (7, 0.8 + 0.5 * items["item"].nunique()))
    sns.barplot(items, y="item", x="top2_share", hue=by, orient="h", ax=ax,
                palette=ARM_PALETTE if by else None, color=None if by else "#4c72b0")
    ax.set(xlim=(0, 1), xlabel="share answering in the top two boxes", ylabel="", title="Survey")
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    if by:
        sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    sns.despine(ax=ax)
    return ax


METHOD_LABELS = {"cluster-robust": "cluster-robust (CR1)", "cr2": "CR2, Bell-McCaffrey df",
                 "wild-bootstrap": "wild cluster bootstrap"}


def inference_plot(comparison: pd.DataFrame, term: str, ax=None):
    """The effect's interval under each cluster method; the one the report uses in red."""
    frame = comparison.reset_index()
    ax = _axes(ax, (6.5, 0.9 + 0.45 * len(frame)))
    labels = frame["method"].map(METHOD_LABELS).fillna(frame["method"])
    colors = ["#c44e52" if used else "#4c72b0" for used in frame["used"]]
    ax.hlines(labels, frame["ci_low"], frame["ci_high"], color=colors, lw=3)
    ax.scatter(frame["coef"], labels, color=colors, zorder=3)
    ax.axvline(0, color="black", lw=0.8)
    ax.invert_yaxis()
    ax.set(xlabel=f"{term}: estimate and interval", ylabel="", title="One estimate, three ways to size its interval")
    sns.despine(ax=ax)
    return ax


def subgroup_plot(effects: pd.DataFrame, overall: float | None = None, ax=None):
    """Forest plot of the effect in each subgroup; significant after correction in red."""
    frame = effects[effects["skipped"] == ""].copy()
    frame["label"] = frame["subgroup"].astype(str) + " = " + frame["level"].astype(str) + "  (n=" \
        + frame["n"].astype(str) + ")"
    ax = _axes(ax, (7, 0.9 + 0.45 * len(frame)))
    colors = ["#c44e52" if s else "#4c72b0" for s in frame["significant"]]
    ax.hlines(frame["label"], frame["ci_low"], frame["ci_high"], color=colors, lw=2)
    ax.scatter(frame["coef"], frame["label"], color=colors, zorder=3)
    ax.axvline(0, color="black", lw=0.8)
    if overall is not None:
        ax.axvline(overall, color="#8c8c8c", ls="--", lw=1, label="whole sample")
        ax.legend(frameon=False, loc="lower right")
    ax.invert_yaxis()
    ax.set(xlabel="effect with confidence interval (red: significant after correction)", ylabel="",
           title="Effects by subgroup")
    sns.despine(ax=ax)
    return ax


def power_plot(table: pd.DataFrame, ax=None):
    """Minimum detectable effect against the number of clusters; the planned design marked."""
    ax = _axes(ax, (6.5, 3.5))
    sns.lineplot(table, x="clusters", y="mde", marker="o", color="#4c72b0", ax=ax)
    planned = table[table["planned"]]
    ax.scatter(planned["clusters"], planned["mde"], color="#c44e52", s=80, zorder=3, label="planned")
    for row in planned.itertuples():
        ax.annotate(f"{row.mde:.2f}", (row.clusters, row.mde), textcoords="offset points", xytext=(6, 6))
    ax.set(xlabel="clusters (half of them treated)", ylabel="minimum detectable effect",
           title="Smallest effect the next cohort could detect", ylim=(0, None))
    ax.legend(frameon=False)
    sns.despine(ax=ax)
    return ax
