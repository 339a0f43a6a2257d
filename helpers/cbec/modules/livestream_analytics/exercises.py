"""The Live-Stream Commerce Analytics lectures' exercises (check, hint, solution; never graded).

Each lecture binds its exercise to its own data: ``exercise = EXERCISES["name"].bind(...)``.
"""

from __future__ import annotations


from cbec.exercises import Exercise
from cbec.modules.livestream_analytics import deals as deal_analysis
from cbec.modules.livestream_analytics import engagement, funnel, hosts, retention


def _watching_after_10(visits):
    return float(retention.share_watching_at(retention.retention_curve(visits), [10])[0])


def _gmv_lost_in_stream_only(events, streams):
    windows = funnel.attribution_window_comparison(events, streams, windows=("in_stream", "14D")).set_index("window")
    return float(1 - windows.loc["in_stream", "credited_gmv"] / windows.loc["14D", "credited_gmv"])


def _orders_in_deal_windows(events, streams, deal_table):
    minutes = deal_analysis.minute_sales(events, streams, deal_table)
    return int(minutes.loc[minutes["phase"] == "in", "orders"].sum())


def _effects_against_top_raw_host(table, cells):
    raw = hosts.raw_host_averages(table)
    top_host = raw.loc[raw["mean_gmv"].idxmax(), "host_id"]
    return hosts.host_effects(cells, reference_host=top_host).table.set_index("host_id")["effect"]


def _controlled_like_slope(minutes):
    return float(engagement.engagement_elasticity(minutes, engagement="likes").controlled.slope)


EXERCISES = {
    "watching_after_10": Exercise(
        variable="watching_after_10",
        expected=_watching_after_10,
        hint="Fit retention.retention_curve(visits) (Kaplan-Meier, censoring included) and read it at 10 minutes "
             "with retention.share_watching_at(curve, [10]); give a fraction such as 0.1.",
        solution="curve = retention.retention_curve(visits)\n"
                 "watching_after_10 = retention.share_watching_at(curve, [10])[0]",
        fraction=True),
    "gmv_lost_in_stream_only": Exercise(
        variable="gmv_lost_in_stream_only",
        expected=_gmv_lost_in_stream_only,
        hint="funnel.attribution_window_comparison(events, streams) credits GMV under each window. Compare the "
             "credited GMV in-stream with the credited GMV of the 14-day window: 1 - in-stream / 14 days, a "
             "fraction such as 0.2.",
        solution="windows = funnel.attribution_window_comparison(events, streams).set_index(\"window\")\n"
                 "gmv_lost_in_stream_only = 1 - windows.loc[\"in_stream\", \"credited_gmv\"] / "
                 "windows.loc[\"14D\", \"credited_gmv\"]",
        fraction=True),
    "orders_in_deal_windows": Exercise(
        variable="orders_in_deal_windows",
        expected=_orders_in_deal_windows,
        hint="deals.minute_sales(events, streams, deal_table) labels each minute; sum the orders of the minutes "
             "whose phase is \"in\". A deal window excludes its end minute.",
        solution="minutes = deals.minute_sales(events, streams, deal_table)\n"
                 "orders_in_deal_windows = int(minutes.loc[minutes[\"phase\"] == \"in\", \"orders\"].sum())"),
    "effects_against_top_raw_host": Exercise(
        variable="effects_against_top_raw_host",
        expected=_effects_against_top_raw_host,
        hint="Find the host with the highest mean_gmv in hosts.raw_host_averages(table), then refit "
             "hosts.host_effects(cells, reference_host=...) with that host; give result.table's effect column as a "
             "Series indexed by host_id.",
        solution="raw = hosts.raw_host_averages(table)\n"
                 "top_host = raw.loc[raw[\"mean_gmv\"].idxmax(), \"host_id\"]\n"
                 "refit = hosts.host_effects(cells, reference_host=top_host)\n"
                 "effects_against_top_raw_host = refit.table.set_index(\"host_id\")[\"effect\"]"),
    "controlled_like_slope": Exercise(
        variable="controlled_like_slope",
        expected=_controlled_like_slope,
        hint="engagement.engagement_elasticity(minutes, engagement=\"likes\") fits both slopes; the answer is the "
             "controlled one (result.controlled.slope), not the naive one.",
        solution="likes = engagement.engagement_elasticity(minutes, engagement=\"likes\")\n"
                 "controlled_like_slope = likes.controlled.slope"),
}
