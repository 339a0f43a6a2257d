"""The live-stream charts draw what their tables say."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cbec.modules.livestream_analytics import deals, plots, retention  # noqa: E402
from tests.livestream_fixtures import synthetic_season  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_funnel_bars_are_the_stage_counts():
    stages = pd.DataFrame({"stage": ["exposures", "views", "orders"], "count": [1000, 250, 5],
                           "step_conversion": [np.nan, 0.25, 0.02], "step_rate": ["", "entry rate", "CTOR"]})
    ax = plots.funnel_bars(stages)
    assert [bar.get_width() for bar in ax.patches] == [1000, 250, 5]
    assert [t.get_text() for t in ax.texts] == [" 1,000", " 250   entry rate 25.0%", " 5   CTOR 2.0%"]
    assert ax.get_xscale() == "log"


def test_retention_plot_draws_each_group_with_its_band():
    curve = pd.DataFrame({"group": ["a"] * 3 + ["b"] * 2, "minutes": [0, 2, 5, 0, 1],
                          "share_watching": [1, 0.6, 0.2, 1, 0.5], "ci_low": [1, 0.5, 0.1, 1, 0.4],
                          "ci_high": [1, 0.7, 0.3, 1, 0.6]})
    ax = plots.retention_plot(curve, by="group")
    assert [list(line.get_ydata()) for line in ax.lines] == [[1, 0.6, 0.2], [1, 0.5]]
    assert len(ax.collections) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def test_event_study_plot_shades_the_window_and_draws_the_profile():
    season = synthetic_season(5, n_streams=10)
    profile = deals.event_study_profile(deals.minute_sales(season.events, season.streams, season.deals))
    ax = plots.event_study_plot(profile, deal_minutes=5)
    line = ax.lines[0]
    assert np.allclose(line.get_ydata(), profile["relative"])
    span = ax.patches[0]
    assert (span.get_x(), span.get_width()) == pytest.approx((0, 5))
    assert ax.get_xlabel() == "minutes from deal start"


def test_host_effects_plot_puts_raw_and_adjusted_side_by_side():
    effects = pd.DataFrame({"host_id": [1, 2], "effect": [1.0, 1.5], "ci_low": [np.nan, 1.2], "ci_high": [np.nan, 1.9],
                            "raw_ratio": [1.0, 2.4]})
    ax = plots.host_effects_plot(effects)
    raw = ax.collections[0].get_offsets()
    assert list(raw[:, 0]) == [1.0, 2.4]
    assert list(ax.lines[0].get_xdata()) == [1.0, 1.5]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["host 1", "host 2"]
    assert ax.get_xscale() == "log"


def test_engagement_scatter_draws_every_minute():
    minutes = pd.DataFrame({"comments": [0, 3, 10], "orders": [0, 1, 4], "in_deal": [False, False, True]})
    ax = plots.engagement_scatter(minutes)
    points = np.vstack([c.get_offsets() for c in ax.collections])
    assert sorted(points[:, 0].tolist()) == pytest.approx(np.log1p([0, 3, 10]).tolist())
    assert ax.get_xlabel() == "log(1 + comments per minute)"


def test_concurrency_plot_draws_each_stream_and_shades_its_deals():
    grid = pd.DataFrame({"stream_id": [1, 1, 1, 2, 2], "minute": [0.0, 1, 2, 0, 1],
                         "timestamp": pd.to_datetime(["2024-09-02 20:00", "2024-09-02 20:01", "2024-09-02 20:02",
                                                      "2024-09-03 09:00", "2024-09-03 09:01"]),
                         "concurrent": [0, 5, 3, 2, 4]})
    deal_table = pd.DataFrame({"stream_id": [1], "start": pd.to_datetime(["2024-09-02 20:01"]),
                               "end": pd.to_datetime(["2024-09-02 20:03"])})
    ax = plots.concurrency_plot(grid, deals=deal_table)
    assert [list(line.get_ydata()) for line in ax.lines] == [[0, 5, 3], [2, 4]]
    [span] = ax.patches
    assert (span.get_x(), span.get_width()) == pytest.approx((1, 2))  # minutes 1 to 3 of stream 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["stream 1", "stream 2"]


def test_uplift_plot_draws_estimates_intervals_and_truth():
    by_format = pd.DataFrame({"format": ["flash_price", "coupon"], "uplift": [2.5, 1.5], "ci_low": [2.0, 1.1],
                              "ci_high": [3.2, 2.0]})
    ax = plots.uplift_plot(by_format, {"flash_price": 2.6, "coupon": 1.7})
    assert list(ax.lines[0].get_xdata()) == [2.5, 1.5]
    truth = ax.collections[-1].get_offsets()
    assert list(truth[:, 0]) == [2.6, 1.7]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["flash price", "coupon"]
    assert ax.get_xscale() == "log"
