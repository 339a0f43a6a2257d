"""The Platform Operation charts draw what their tables say (bar lengths, points, lines, labels, colours)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from cbec.modules.platform_operation import account_health, advertising, b2b, plots  # noqa: E402
from cbec.modules.platform_operation.simulator import simulate_account  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def account():
    return simulate_account(seed=7, days=120)


def texts(ax):
    return [t.get_text() for t in ax.texts]


def test_funnel_bars_are_the_stage_counts_with_their_step_rates():
    funnel = pd.DataFrame({"stage": ["impressions", "clicks", "orders"], "count": [20000, 100, 12],
                           "step_conversion": [np.nan, 0.005, 0.12], "step_rate": ["", "CTR", "CVR"]})
    ax = plots.funnel_bars(funnel, "Ads")
    widths = [bar.get_width() for bar in ax.patches]
    assert widths == [20000, 100, 12]
    # the first stage is drawn on top
    assert [bar.get_y() for bar in ax.patches] == sorted((bar.get_y() for bar in ax.patches), reverse=True)
    assert texts(ax) == [" 20,000", " 100   CTR 0.50%", " 12   CVR 12.00%"]
    assert ax.get_xscale() == "log" and ax.get_title() == "Ads"


def test_funnel_bars_add_the_interval_of_each_b2b_step():
    traffic = pd.DataFrame({"exposure": [1000], "clicks": [50]})
    inquiries = pd.DataFrame({"quotation_sent": [True] * 8 + [False] * 2, "order_placed": [True] * 2 + [False] * 8})
    ax = plots.funnel_bars(b2b.inquiry_funnel(traffic, inquiries))
    ticks = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())))
    assert [ticks[y] for y in sorted(ticks, reverse=True)] == ["exposure", "clicks", "inquiries", "quotations", "orders"]
    assert texts(ax)[1].startswith(" 50   5.0% of previous (")
    assert texts(ax)[4].startswith(" 2   25.0% of previous (")


def test_search_term_map_colours_each_action_and_caps_runaway_acos(account):
    terms = advertising.term_actions(account.search_terms, target_acos=0.25, break_even_acos=0.38)
    ax = plots.search_term_map(terms, target_acos=0.25, break_even_acos=0.38, acos_cap=1.0)
    shown = terms[terms["clicks"] > 0]
    by_colour = {to_hex(c.get_facecolor()[0], keep_alpha=False): c for c in ax.collections}
    for action, colour in plots.ACTION_COLOURS.items():
        points = by_colour[colour].get_offsets()
        assert len(points) == (shown["action"] == action).sum(), action
    negate_y = by_colour[plots.ACTION_COLOURS["negate"]].get_offsets()[:, 1]
    assert negate_y.max() == pytest.approx(1.0)          # infinite and huge ACoS drawn at the cap
    assert {round(line.get_ydata()[0], 2) for line in ax.lines} == {0.25, 0.38}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"negate ({(shown['action'] == 'negate').sum()})" in labels


def test_acos_over_time_draws_the_weeks_the_change_and_the_truth(account):
    weeks = advertising.metrics_by_period(account.search_terms)
    truth = account.truth
    ax = plots.acos_over_time(weeks, change_date=truth.bid_change_date, expected_before=truth.expected_acos_before,
                              expected_after=truth.expected_acos_after, break_even_acos=0.4)
    weekly, change, expected, break_even = ax.lines
    full = weeks[weeks["days"] == 7]
    assert np.allclose(weekly.get_ydata(), full["acos"])  # part weeks left out
    assert pd.Timestamp(change.get_xdata()[0]) == truth.bid_change_date
    assert expected.get_ydata()[0] == pytest.approx(truth.expected_acos_before)
    assert expected.get_ydata()[-1] == pytest.approx(truth.expected_acos_after)
    assert break_even.get_ydata()[0] == pytest.approx(0.4)


def test_health_dashboard_has_one_panel_per_metric_coloured_by_status(account):
    health = account_health.account_health(account.orders, account.orders["order_date"].max())
    axes = plots.health_dashboard(health)
    assert len(axes) == len(health)
    for ax, (_, row) in zip(axes, health.iterrows()):
        interval, point = ax.lines[1], ax.lines[2]           # lines[0] is the limit
        assert ax.lines[0].get_xdata()[0] == pytest.approx(row["limit"])
        assert list(interval.get_xdata()) == pytest.approx([row["ci_low"], row["ci_high"]])
        assert point.get_xdata()[0] == pytest.approx(row["rate"])
        expected_colour = plots.PASS_COLOUR if row["status"] == "pass" else plots.FAIL_COLOUR
        assert to_hex(point.get_color()) == expected_colour
        assert ax.get_title(loc="left").startswith(row["metric"].replace("_", " "))
        assert f"{row['count']:,} of {row['orders']:,} orders" in ax.get_title(loc="left")
        low, high = ax.get_xlim()
        assert low <= row["ci_low"] and row["ci_high"] <= high and low <= row["limit"] <= high


def test_health_trend_plots_each_metric_and_marks_the_failing_days(account):
    days = pd.date_range("2024-03-01", account.orders["order_date"].max(), freq="W")
    history = account_health.health_over_time(account.orders, days)
    axes = plots.health_trend(history)
    assert len(axes) == history["metric"].nunique()
    for ax, (metric, rows) in zip(axes, history.groupby("metric", sort=False)):
        line, failing, limit = ax.lines
        assert np.allclose(line.get_ydata(), rows["rate"])
        assert len(failing.get_ydata()) == (rows["status"] == "fail").sum()
        assert limit.get_ydata()[0] == pytest.approx(rows["limit"].iloc[0])
        assert metric.replace("_", " ") in ax.get_title(loc="left")


def test_response_time_chart_puts_bands_at_their_median_and_draws_both_curves(account):
    bands = b2b.conversion_by_response_band(account.inquiries)
    effect = b2b.response_time_logit(account.inquiries)
    ax = plots.response_time_chart(bands, effect, true_intercept=-0.9, true_slope=-0.45)
    shown = bands[bands["inquiries"] > 0]
    points = ax.containers[0].lines[0]
    assert np.allclose(points.get_xdata(), shown["median_hours"])
    assert np.allclose(points.get_ydata(), shown["conversion"])
    fitted, true = [line for line in ax.lines if line.get_label().startswith(("fitted", "simulator"))]
    assert np.allclose(fitted.get_ydata(), effect.order_rate(fitted.get_xdata()))
    assert np.allclose(true.get_ydata(), b2b.order_rate(-0.9, -0.45, true.get_xdata()))
    assert [t.get_text() for t in ax.texts] == [f"n={n}" for n in shown["inquiries"]]


def test_slope_recovery_marks_the_intervals_that_miss_the_truth():
    table = pd.DataFrame({"slope": [-0.5, -0.2, -0.45], "ci_low": [-0.7, -0.35, -0.6], "ci_high": [-0.3, -0.05, -0.3]},
                         index=pd.Index([1, 2, 3], name="seed"))
    ax = plots.slope_recovery(table, -0.45)
    intervals = ax.lines[0:6:2]
    assert [list(line.get_xdata()) for line in intervals] == [[-0.7, -0.3], [-0.35, -0.05], [-0.6, -0.3]]
    assert [to_hex(line.get_color()) for line in intervals] == [plots.NEUTRAL_COLOUR, plots.FAIL_COLOUR,
                                                                plots.NEUTRAL_COLOUR]
    assert ax.lines[-1].get_xdata()[0] == pytest.approx(-0.45)
    assert ax.get_title() == "2 of 3 intervals cover the true slope -0.45"
