"""The charts of Independent Station lectures 4 and 5 draw what their tables say."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cbec.modules.independent_station import plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_scores_over_seeds_plot_puts_the_best_model_on_top_with_a_dot_per_store():
    scores = pd.DataFrame({"seed": [1, 1, 2, 2], "model": ["linear", "last_click"] * 2,
                           "distance": [0.2, 0.5, 0.3, 0.6]})
    ax = plots.scores_over_seeds_plot(scores)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["linear", "last_click"]   # best first, on top
    assert [t.get_position()[1] for t in ax.get_yticklabels()] == [1, 0]
    dots = [c.get_offsets() for c in ax.collections]
    assert [sorted(d[:, 0].tolist()) for d in dots] == [[0.2, 0.3], [0.5, 0.6]]
    assert [list(line.get_xdata()) for line in ax.lines] == [[0.25, 0.25], [0.55, 0.55]]   # the means
    assert "2 stores" in ax.get_title()
    with pytest.raises(ValueError, match="distance"):
        plots.scores_over_seeds_plot(scores.drop(columns="distance"))


def test_geo_test_plot_draws_each_region_per_1000_people_and_each_arms_ratio():
    geo = pd.DataFrame({"region": list("ABCD"), "group": ["treatment", "holdout", "treatment", "holdout"],
                        "channel": "paid_social", "population": [1000, 2000, 4000, 1000],
                        "pre_conversions": [10, 20, 40, 10], "test_conversions": [12, 15, 48, 5]})
    ax = plots.geo_test_plot(geo)
    treatment, holdout = (c.get_offsets() for c in ax.collections)
    assert treatment.tolist() == [[10, 12], [10, 12]] and holdout.tolist() == [[10, 7.5], [10, 5]]
    slopes = [line.get_ydata()[1] / line.get_xdata()[1] for line in ax.lines]
    assert slopes == pytest.approx([60 / 50, 20 / 30, 1.0])      # treatment, holdout, test = pre
    assert "paid_social" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "treatment (2 regions)" and "0.67" in labels[3]


def test_lift_coverage_plot_marks_the_misses_and_titles_the_count():
    coverage = pd.DataFrame({"seed": [1, 2, 3], "relative_lift": [0.3, 0.5, 0.25], "low": [0.2, 0.4, 0.1],
                             "high": [0.4, 0.6, 0.4], "true_lift": [0.31, 0.32, 0.3],
                             "covered": [True, False, True]})
    ax = plots.lift_coverage_plot(coverage)
    assert ax.get_title() == "2 of 3 intervals hold the true lift"
    held, missed = ax.containers           # one errorbar per kind
    assert held.lines[0].get_xdata().tolist() == [0.3, 0.25] and missed.lines[0].get_xdata().tolist() == [0.5]
    assert ax.collections[-1].get_offsets()[:, 0].tolist() == [0.31, 0.32, 0.3]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["seed 1", "seed 2", "seed 3"]


def test_channel_credit_plot_draws_the_estimates_the_interval_and_the_truth():
    credit = pd.DataFrame({"estimate": [0.05, 0.2, 0.24], "low": [np.nan, np.nan, 0.2],
                           "high": [np.nan, np.nan, 0.27]}, index=["last click", "Markov", "geo test"])
    ax = plots.channel_credit_plot(credit, truth=0.241)
    assert [bar.get_width() for bar in ax.patches] == [0.05, 0.2, 0.24]
    assert [t.get_text() for t in ax.texts] == ["5.0%", "20.0%", "24.0%"]
    assert ax.texts[2].get_position()[0] > 0.27                       # the label clears the interval
    [truth_line] = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert truth_line.get_xdata()[0] == 0.241
    assert [t.get_text() for t in ax.get_yticklabels()] == ["last click", "Markov", "geo test"]   # top to bottom
    assert [t.get_position()[1] for t in ax.get_yticklabels()] == [2, 1, 0]
    plain = plots.channel_credit_plot(credit[["estimate"]])
    assert plain.get_legend() is None and len(plain.patches) == 3
