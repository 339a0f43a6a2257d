"""Live-Stream Analytics lecture exercises: the right answer passes; wrong and near-miss answers are
rejected with one line that says what is off."""

import numpy as np
import pandas as pd
import pytest

from cbec.modules.livestream_analytics import deals, engagement, funnel, hosts, retention
from cbec.modules.livestream_analytics.exercises import EXERCISES
from cbec.modules.livestream_analytics.simulator import simulate_season
from tests.exercise_checks import default_tries, one_line_rejection  # noqa: F401 - autouse fixture

@pytest.fixture(scope="module")
def season():
    return simulate_season(seed=7)


@pytest.fixture(scope="module")
def host_tables():
    hosts_season = simulate_season(seed=7, n_hosts=6, streams_per_host=20)
    return (hosts.stream_table(hosts_season.events, hosts_season.streams),
            hosts.audience_cells(hosts_season.events, hosts_season.streams))




def accepted(bound, answer, capsys):
    assert bound.check(answer)
    assert capsys.readouterr().out.strip() == f"Correct: {bound.exercise.variable} is right."


def test_watching_after_10(season, capsys):
    visits = retention.watch_visits(season.events, season.streams)
    bound = EXERCISES["watching_after_10"].bind(visits=visits)
    right = retention.share_watching_at(retention.retention_curve(visits), [10])[0]
    assert 0.02 < right < 0.3
    accepted(bound, float(right), capsys)
    one_line_rejection(bound, 100 * right, capsys, "looks like a percentage")
    ignoring_censoring = float((visits["watch_minutes"] > 10).mean())  # censored short visits counted as left
    assert ignoring_censoring != pytest.approx(right, rel=1e-6)
    one_line_rejection(bound, ignoring_censoring, capsys, "is not the answer")
    one_line_rejection(bound, float(retention.share_watching_at(retention.retention_curve(visits), [5])[0]),
                       capsys, "is not the answer")
    one_line_rejection(bound, visits["watch_minutes"], capsys, "should be a single number")


def test_gmv_lost_in_stream_only(season, capsys):
    events, streams = season.events, season.streams
    bound = EXERCISES["gmv_lost_in_stream_only"].bind(events=events, streams=streams)
    windows = funnel.attribution_window_comparison(events, streams).set_index("window")
    right = 1 - windows.loc["in_stream", "credited_gmv"] / windows.loc["14D", "credited_gmv"]
    assert 0.05 < right < 0.5  # orders after the stream are a real share of the credited GMV
    accepted(bound, right, capsys)
    one_line_rejection(bound, 100 * right, capsys, "looks like a percentage")
    of_all_gmv = 1 - windows.loc["in_stream", "credited_gmv"] / windows.loc["14D", "gmv"]  # wrong denominator
    one_line_rejection(bound, of_all_gmv, capsys, "is not the answer")
    by_orders = 1 - windows.loc["in_stream", "credited_orders"] / windows.loc["14D", "credited_orders"]
    one_line_rejection(bound, by_orders, capsys, "is not the answer")
    one_line_rejection(bound, 1 - windows.loc["24h", "credited_gmv"] / windows.loc["14D", "credited_gmv"],
                       capsys, "is not the answer")


def test_orders_in_deal_windows(season, capsys):
    events, streams, deal_table = season.events, season.streams, season.deals
    bound = EXERCISES["orders_in_deal_windows"].bind(events=events, streams=streams, deal_table=deal_table)
    orders = funnel.order_values(events)
    right = int(deals.deal_at(orders["stream_id"], orders["ordered_at"], deal_table).notna().sum())
    assert right > 0
    accepted(bound, right, capsys)
    # the one-minute-off mistake: the end minute counted as part of the window
    window = orders.merge(deal_table[["stream_id", "start", "end"]], on="stream_id")
    end_inclusive = int(((window["ordered_at"] >= window["start"])
                         & (window["ordered_at"] < window["end"] + pd.Timedelta(minutes=1))).sum())
    assert end_inclusive > right
    one_line_rejection(bound, end_inclusive, capsys, "is not the answer")
    paid_only = int(deals.deal_at(orders.loc[orders["paid"], "stream_id"], orders.loc[orders["paid"], "ordered_at"],
                                  deal_table).notna().sum())
    one_line_rejection(bound, paid_only, capsys, "is not the answer")


def test_effects_against_top_raw_host(host_tables, capsys):
    table, cells = host_tables
    bound = EXERCISES["effects_against_top_raw_host"].bind(table=table, cells=cells)
    raw = hosts.raw_host_averages(table)
    top_host = raw.loc[raw["mean_gmv"].idxmax(), "host_id"]
    right = hosts.host_effects(cells, reference_host=top_host).table.set_index("host_id")["effect"]
    assert right.loc[top_host] == 1.0 and top_host != raw["host_id"].min()
    accepted(bound, right, capsys)
    first_reference = hosts.host_effects(cells).table.set_index("host_id")["effect"]
    one_line_rejection(bound, first_reference, capsys, "some values of effects_against_top_raw_host are off")
    raw_ratios = raw.set_index("host_id")["mean_gmv"] / raw.set_index("host_id").loc[top_host, "mean_gmv"]
    one_line_rejection(bound, raw_ratios, capsys, "some values of effects_against_top_raw_host are off")
    one_line_rejection(bound, right.drop(top_host), capsys, "one value for each of")
    one_line_rejection(bound, float(right.max()), capsys, "should be a pandas Series")


def test_controlled_like_slope(season, capsys):
    minutes = engagement.engagement_minutes(season.events, season.streams, season.deals)
    bound = EXERCISES["controlled_like_slope"].bind(minutes=minutes)
    likes = engagement.engagement_elasticity(minutes, engagement="likes")
    accepted(bound, likes.controlled.slope, capsys)
    one_line_rejection(bound, likes.naive.slope, capsys, "is not the answer")
    comments = engagement.engagement_elasticity(minutes, engagement="comments")
    one_line_rejection(bound, comments.controlled.slope, capsys, "is not the answer")


@pytest.mark.parametrize("name", list(EXERCISES))
def test_hints_and_solutions_name_the_functions_and_the_solution_runs(season, host_tables, name, capsys):
    data = {"watching_after_10": lambda: {"visits": retention.watch_visits(season.events, season.streams)},
            "gmv_lost_in_stream_only": lambda: {"events": season.events, "streams": season.streams},
            "orders_in_deal_windows": lambda: {"events": season.events, "streams": season.streams,
                                               "deal_table": season.deals},
            "effects_against_top_raw_host": lambda: dict(zip(("table", "cells"), host_tables)),
            "controlled_like_slope": lambda: {"minutes": engagement.engagement_minutes(
                season.events, season.streams, season.deals)}}[name]()
    namespace = {"pd": pd, "np": np, "deals": deals, "engagement": engagement, "funnel": funnel, "hosts": hosts,
                 "retention": retention, **data}
    exec(EXERCISES[name].solution, namespace)  # the code solution() shows is the right answer
    bound = EXERCISES[name].bind(**data)
    assert bound.check(namespace[name])
    bound.hint()
    assert capsys.readouterr().out.count("\n") == 2  # "Correct" and one hint line
