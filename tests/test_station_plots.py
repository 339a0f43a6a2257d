"""The Independent Station charts draw what their tables say."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cbec.modules.independent_station import checkout, plots  # noqa: E402
from cbec.modules.independent_station.schemas import CHECKOUT_STEPS  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def error_bar_spans(ax):
    """low, high of each horizontal error bar drawn on ``ax``, one after the other in drawing order."""
    spans = []
    for collection in ax.collections:
        for segment in collection.get_segments():
            (x0, y0), (x1, y1) = segment[0], segment[-1]
            if y0 == pytest.approx(y1) and x0 != x1:
                spans.extend([min(x0, x1), max(x0, x1)])
    return spans


def dots(ax):
    """The lines of dots (data points, not error-bar caps) on ``ax``, in drawing order."""
    return [line for line in ax.lines if line.get_marker() == "o"]


def funnel_table(groups=None):
    counts = {None: [1000, 100, 60, 45, 40, 30]} if groups is None else groups
    rows = []
    for group, sessions in counts.items():
        previous = [sessions[0], *sessions[:-1]]
        for k, (step, n, before) in enumerate(zip(CHECKOUT_STEPS, sessions, previous)):
            rate = n / before if k else 1.0
            rows.append({"group": group, "step": step, "step_number": k + 1, "sessions": n, "step_conversion": rate,
                         "step_low": rate - 0.05, "step_high": min(rate + 0.05, 1.0)})
    table = pd.DataFrame(rows)
    return table.drop(columns="group") if groups is None else table.rename(columns={"group": "device"})


def test_channel_performance_plot_draws_conversion_intervals_and_roas_bars():
    summary = pd.DataFrame({"channel": ["paid_search", "email", "direct"], "conversion_rate": [0.02, 0.08, 0.06],
                            "conversion_low": [0.015, 0.07, 0.05], "conversion_high": [0.025, 0.09, 0.07],
                            "roas": [1.5, 120.0, np.nan]})
    left, right = plots.channel_performance_plot(summary, break_even_roas=2.2)
    assert [t.get_text() for t in left.get_yticklabels()] == ["paid_search", "email", "direct"]  # top to bottom
    [points] = dots(left)
    assert list(points.get_xdata()) == [0.02, 0.08, 0.06] and list(points.get_ydata()) == [2, 1, 0]
    assert error_bar_spans(left) == pytest.approx([0.015, 0.025, 0.07, 0.09, 0.05, 0.07])
    assert [bar.get_width() for bar in right.patches] == [1.5, 120.0]  # no bar where nothing was paid
    assert [matplotlib.colors.to_hex(bar.get_facecolor()) for bar in right.patches] == [plots.MIDDLE_COLOUR,
                                                                                       plots.GOOD_COLOUR]
    assert right.get_xscale() == "log"
    assert sorted(line.get_xdata()[0] for line in right.lines) == [1.0, 2.2]
    assert any(t.get_text().strip() == "no cost" for t in right.texts)


def test_channel_performance_plot_needs_costs():
    with pytest.raises(ValueError, match="roas"):
        plots.channel_performance_plot(pd.DataFrame({"channel": ["email"], "conversion_rate": [0.1],
                                                     "conversion_low": [0.05], "conversion_high": [0.2]}))


def test_checkout_funnel_plot_bars_are_the_step_counts():
    ax = plots.checkout_funnel_plot(funnel_table())
    assert [bar.get_width() for bar in ax.patches] == [1000, 100, 60, 45, 40, 30]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(CHECKOUT_STEPS)  # top to bottom
    labels = [t.get_text() for t in ax.texts]
    assert labels[0] == " 1,000" and labels[1] == " 100   10.0% of the step before"
    assert labels[-1] == " 30   75.0% of the step before"
    assert ax.get_xscale() == "log"


def test_checkout_funnel_plot_refuses_a_broken_down_funnel():
    with pytest.raises(ValueError, match="without `by`"):
        plots.checkout_funnel_plot(funnel_table({"desktop": [10, 5, 4, 3, 2, 1], "mobile": [20, 9, 6, 4, 3, 2]}))


def test_step_conversion_plot_draws_each_group_from_the_cart_on():
    table = funnel_table({"desktop": [100, 10, 6, 5, 4, 3], "mobile": [200, 20, 12, 8, 6, 5]})
    ax = plots.step_conversion_plot(table, by="device")
    desktop, mobile = dots(ax)
    assert list(desktop.get_xdata()) == pytest.approx([0.1, 0.6, 5 / 6, 0.8, 0.75])
    assert list(mobile.get_xdata()) == pytest.approx([0.1, 0.6, 8 / 12, 0.75, 5 / 6])
    assert np.all(desktop.get_ydata() > mobile.get_ydata())  # the groups side by side within each step
    assert [t.get_text() for t in ax.get_yticklabels()] == list(CHECKOUT_STEPS[1:])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["desktop", "mobile"]


def test_benchmark_plot_highlights_the_store_among_the_published_figures():
    comparison = checkout.against_benchmarks({"conversion_rate": 0.021, "conversion_rate_low": 0.019,
                                              "conversion_rate_high": 0.023, "cart_abandonment": 0.75})
    conversion, abandonment = plots.benchmark_plot(comparison)
    widths = [bar.get_width() for bar in conversion.patches]
    assert widths == sorted(widths) == [0.01, 0.014, 0.021, 0.03, 0.032, 0.047]
    labels = [t.get_text() for t in conversion.get_yticklabels()]
    assert labels[2] == "this store"
    ours = conversion.patches[2]
    assert matplotlib.colors.to_hex(ours.get_facecolor()) == plots.NEUTRAL_COLOUR
    assert error_bar_spans(conversion) == pytest.approx([0.019, 0.023])
    assert [bar.get_width() for bar in abandonment.patches] == [0.698, 0.75]
    assert error_bar_spans(abandonment) == []  # no interval given for abandonment
    assert abandonment.get_title() == "cart abandonment"


def test_abandonment_plot_draws_both_stages_per_group_against_the_average():
    table = pd.DataFrame({"device": ["desktop", "desktop", "mobile", "mobile"], "stage": ["cart", "checkout"] * 2,
                          "abandonment_rate": [0.7, 0.5, 0.72, 0.52], "abandonment_low": [0.68, 0.47, 0.7, 0.5],
                          "abandonment_high": [0.72, 0.53, 0.74, 0.54]})
    ax = plots.abandonment_plot(table, "device")
    cart, begun = dots(ax)
    assert list(cart.get_xdata()) == [0.7, 0.72] and list(begun.get_xdata()) == [0.5, 0.52]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["desktop", "mobile"]
    reference = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert [line.get_xdata()[0] for line in reference] == [0.698]
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == [
        "cart abandonment", "checkout abandonment", "published cart average 69.8%"]
