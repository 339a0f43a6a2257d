"""How long viewers stay: watch time per visit and the retention curve.

A *visit* is one room entry and the ``leave`` that follows it (same viewer, same stream).
Many visits have no leave: the viewer was still watching when the stream ended, or the
next thing logged is the same viewer entering again. Their watch time is only a lower
bound (*right-censored*): they watched at least until the stream's end (or the next
entry). Averaging those lower bounds as if they were departures makes watch time look
shorter than it is; dropping them is worse, since the long visits are the censored ones.

The retention curve (share still watching k minutes after entering) is the Kaplan-Meier
estimate from statsmodels (``SurvfuncRight``), which uses censored visits for as long as
they were observed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from cbec.data.columns import require_columns
from cbec.modules.livestream_analytics.funnel import require_rows

MINUTE = pd.Timedelta(minutes=1)
VISIT_COLUMNS = ("watch_minutes", "observed")
#: what a visit is made of; ``traffic_source`` is carried along when the log has it
MOVE_COLUMNS = ("stream_id", "viewer_id", "timestamp", "event_type")


def watch_visits(events: pd.DataFrame, streams: pd.DataFrame, deals: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per visit: ``stream_id, viewer_id, entered_at, exited_at, watch_minutes, observed`` and
    ``traffic_source`` (when the log has it).

    ``observed`` is True when a leave was logged; otherwise the visit is censored and
    ``exited_at`` is the stream's ``end`` (from ``streams``) or the viewer's next entry,
    whichever comes first. A leave logged after the stream ended counts as censored at
    the end. With ``deals``, ``entered_during_deal`` says whether the entry fell in a deal window.
    """
    require_columns(events, MOVE_COLUMNS, "the event log")
    require_columns(streams, ("stream_id", "end"), "the streams table")
    kind = events["event_type"]
    has_source = "traffic_source" in events
    moves = events.loc[(kind == "enter") | (kind == "leave"), [*MOVE_COLUMNS, *(["traffic_source"] * has_source)]]
    require_rows(moves, "the enter and leave events", "the log has no room entries; pass the full event log.")
    # order by stream, viewer, time; a leave at the same instant as an entry comes after it
    is_enter = (moves["event_type"] == "enter").to_numpy()
    order = np.lexsort((~is_enter, moves["timestamp"].to_numpy(), moves["viewer_id"].to_numpy(),
                        moves["stream_id"].to_numpy()))
    moves = moves.iloc[order].reset_index(drop=True)
    is_enter = is_enter[order]
    same_visitor = np.r_[(moves["stream_id"].to_numpy()[1:] == moves["stream_id"].to_numpy()[:-1])
                         & (moves["viewer_id"].to_numpy()[1:] == moves["viewer_id"].to_numpy()[:-1]), False]
    next_time = np.r_[moves["timestamp"].to_numpy()[1:], np.datetime64("NaT")]
    next_is_leave = np.r_[~is_enter[1:], False]
    entries = np.flatnonzero(is_enter)
    ends = moves["stream_id"].iloc[entries].map(streams.set_index("stream_id")["end"]).to_numpy()
    if pd.isna(ends).any():
        missing = moves["stream_id"].iloc[entries][pd.isna(ends)].unique()[:5].tolist()
        raise ValueError(f"streams has no end for stream(s) {missing}; pass the streams table of the same season.")
    ends = ends.astype("datetime64[ns]")
    followed = same_visitor[entries]
    following = next_time[entries].astype("datetime64[ns]")
    left = followed & next_is_leave[entries] & (following <= ends)
    exit_time = np.where(left, following, np.where(followed & (following < ends), following, ends))
    entered = moves["timestamp"].to_numpy()[entries].astype("datetime64[ns]")
    visits = pd.DataFrame({"stream_id": moves["stream_id"].to_numpy()[entries],
                           "viewer_id": moves["viewer_id"].to_numpy()[entries],
                           "entered_at": entered, "exited_at": exit_time})
    visits["watch_minutes"] = np.maximum((visits["exited_at"] - visits["entered_at"]) / MINUTE, 0.0)
    visits["observed"] = left
    if has_source:
        visits["traffic_source"] = moves["traffic_source"].iloc[entries].to_numpy()
    if has_source and isinstance(events["traffic_source"].dtype, pd.CategoricalDtype):
        visits["traffic_source"] = pd.Categorical(visits["traffic_source"],
                                                  categories=events["traffic_source"].cat.categories)
    if deals is not None:
        from cbec.modules.livestream_analytics.deals import deal_at
        visits["entered_during_deal"] = deal_at(visits["stream_id"], visits["entered_at"], deals).notna().to_numpy()
    return visits


def _check_visits(visits: pd.DataFrame, by=None) -> None:
    require_columns(visits, [*VISIT_COLUMNS, *([by] if by else [])], "the visits table (from watch_visits)")
    require_rows(visits, "the visits table", "no visits to estimate from; check the event log has room entries.")


def _groups(visits: pd.DataFrame, by):
    if by is None:
        yield "all", visits
        return
    for name, group in visits.groupby(by, observed=True, sort=True):
        yield name, group


def _fit(group: pd.DataFrame) -> SurvfuncRight:
    return SurvfuncRight(group["watch_minutes"].to_numpy(float), group["observed"].to_numpy(float))


def _median_interval(fit: SurvfuncRight, alpha: float):
    # statsmodels takes log(-log(share)) at share 0 and 1, where the bound is infinite by design
    with np.errstate(divide="ignore", invalid="ignore"):
        return fit.quantile_ci(0.5, alpha=alpha)


def retention_curve(visits: pd.DataFrame, *, by: str | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Kaplan-Meier share still watching, with a pointwise (1 - alpha) band, at each departure time.

    Columns: [``by``], ``minutes``, ``share_watching``, ``ci_low``, ``ci_high``, ``at_risk``
    (visits still going just before), ``left`` (departures then). The first row of each
    group is minute 0 with share 1. The band is Greenwood's standard error (statsmodels)
    on the log(-log) scale, so it stays within 0 and 1.
    """
    _check_visits(visits, by)
    z = stats.norm.ppf(1 - alpha / 2)
    tables = []
    for name, group in _groups(visits, by):
        fit = _fit(group)
        share, se = fit.surv_prob, fit.surv_prob_se
        with np.errstate(divide="ignore", invalid="ignore"):
            log_log_se = se / (share * np.abs(np.log(share)))
            low = share ** np.exp(z * log_log_se)
            high = share ** np.exp(-z * log_log_se)
        low = np.where(share >= 1, 1.0, np.where(share <= 0, 0.0, low))
        high = np.where(share >= 1, 1.0, np.where(share <= 0, 0.0, high))
        table = pd.DataFrame({"minutes": np.r_[0.0, fit.surv_times], "share_watching": np.r_[1.0, share],
                              "ci_low": np.r_[1.0, low], "ci_high": np.r_[1.0, high],
                              "at_risk": np.r_[len(group), fit.n_risk].astype("int64"),
                              "left": np.r_[0, fit.n_events].astype("int64")})
        if by is not None:
            table.insert(0, by, name)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def share_watching_at(curve: pd.DataFrame, minutes) -> np.ndarray:
    """Read a one-group retention curve (from :func:`retention_curve`) at ``minutes`` (a step function)."""
    require_columns(curve, ("minutes", "share_watching"), "the retention curve")
    position = np.searchsorted(curve["minutes"].to_numpy(), np.asarray(minutes, dtype=float), side="right") - 1
    return curve["share_watching"].to_numpy()[np.maximum(position, 0)]


@dataclass(frozen=True)
class WatchTimeSummary:
    """Watch time of a set of visits: what censoring does to the averages."""

    visits: int
    censored_share: float
    median_minutes: float
    median_interval: tuple[float, float]
    km_restricted_mean: float           # area under the Kaplan-Meier curve up to the longest visit
    naive_mean_censored_as_left: float  # censored visits counted as if the viewer left then
    naive_mean_observed_only: float     # censored visits dropped
    longest_minutes: float


def watch_time_summary(visits: pd.DataFrame, *, alpha: float = 0.05) -> WatchTimeSummary:
    """Median watch time with its interval, and three means: Kaplan-Meier (restricted) and two naive ones."""
    _check_visits(visits)
    fit = _fit(visits)
    times, share = fit.surv_times, fit.surv_prob
    longest = float(visits["watch_minutes"].max())
    # the curve is a step function: share before each departure time times the gap
    steps = np.diff(np.r_[0.0, times, longest])
    restricted_mean = float(np.sum(np.r_[1.0, share] * steps))
    median = fit.quantile(0.5)
    low, high = _median_interval(fit, alpha)
    observed = visits["observed"].to_numpy(bool)
    return WatchTimeSummary(visits=len(visits), censored_share=float(1 - observed.mean()),
                            median_minutes=float(median), median_interval=(float(low), float(high)),
                            km_restricted_mean=restricted_mean,
                            naive_mean_censored_as_left=float(visits["watch_minutes"].mean()),
                            naive_mean_observed_only=float(visits.loc[observed, "watch_minutes"].mean())
                            if observed.any() else float("nan"),
                            longest_minutes=longest)


@dataclass(frozen=True)
class RetentionComparison:
    """Retention of groups of visits side by side, and a log-rank test that their curves are equal."""

    by: str
    table: pd.DataFrame   # per group: visits, censored_share, median and interval, share watching at each minute
    logrank_statistic: float
    logrank_p_value: float


def compare_retention(visits: pd.DataFrame, by: str = "traffic_source", *, at_minutes=(1, 5, 10, 30),
                      alpha: float = 0.05) -> RetentionComparison:
    """Median watch time and share still watching at ``at_minutes`` per group of ``by``, with a log-rank test.

    ``by`` is a column of the visits, e.g. ``traffic_source`` or ``entered_during_deal``
    (from :func:`watch_visits` with deals). Groups differ in who they bring as much as in
    what the stream does, so a gap is a description, not an effect of the source.
    """
    _check_visits(visits, by)
    rows = []
    for name, group in _groups(visits, by):
        fit = _fit(group)
        low, high = _median_interval(fit, alpha)
        curve = pd.DataFrame({"minutes": np.r_[0.0, fit.surv_times], "share_watching": np.r_[1.0, fit.surv_prob]})
        row = {by: name, "visits": len(group), "censored_share": float(1 - group["observed"].mean()),
               "median_minutes": float(fit.quantile(0.5)), "median_low": float(low), "median_high": float(high)}
        for minute, share in zip(at_minutes, share_watching_at(curve, at_minutes)):
            row[f"watching_at_{minute:g}"] = float(share)
        rows.append(row)
    table = pd.DataFrame(rows)
    if len(table) < 2:
        raise ValueError(f"only one group of {by!r} has visits; a comparison needs two or more.")
    group_codes = pd.factorize(visits[by], sort=True)[0]
    statistic, p_value = survdiff(visits["watch_minutes"].to_numpy(float), visits["observed"].to_numpy(float),
                                  group_codes)
    return RetentionComparison(by=by, table=table, logrank_statistic=float(statistic),
                               logrank_p_value=float(p_value))
