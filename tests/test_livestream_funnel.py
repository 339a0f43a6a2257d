"""The live funnel counts views and unique viewers apart, and GMV is paid value net of refunds."""

import time

import numpy as np
import pandas as pd
import pytest

from cbec.modules.livestream_analytics import funnel
from tests.livestream_fixtures import events_frame, streams_frame, synthetic_season


@pytest.fixture
def two_streams():
    """Stream 1: viewer 1 enters twice, viewer 2 once; orders 100 (paid, 30 refunded), 101 (paid), 102 (unpaid).
    Stream 2: viewer 1 again, one paid order 200. Ten exposures in all."""
    rows = [(1, v, 0, "exposure", None, None, None, "search") for v in range(1, 7)]
    rows += [(2, v, 0, "exposure", None, None, None, "follow_feed") for v in range(1, 5)]
    rows += [(1, 1, 1, "enter", None, None, None, "search"), (1, 1, 5, "leave"),
             (1, 1, 8, "enter", None, None, None, "search"), (1, 2, 2, "enter", None, None, None, "search"),
             (1, 1, 3, "product_click", 7), (1, 1, 9, "product_click", 7), (1, 2, 4, "product_click", 8),
             (1, 2, 4.5, "product_click", 9), (1, 1, 9.5, "add_to_cart", 7),
             (1, 1, 10, "order", 7, 100, 50.0), (1, 1, 10.5, "payment", 7, 100, 50.0),
             (1, 2, 6, "order", 8, 101, 20.0), (1, 2, 6.5, "payment", 8, 101, 20.0),
             (1, 2, 7, "order", 9, 102, 80.0),
             (1, 1, 60 * 24 * 2, "refund", 7, 100, 30.0),
             (1, 3, 4, "comment"),
             (2, 1, 1, "enter", None, None, None, "follow_feed"), (2, 1, 2, "product_click", 7),
             (2, 1, 3, "order", 7, 200, 40.0), (2, 1, 3.5, "payment", 7, 200, 40.0)]
    return events_frame(rows)


def test_stream_funnel_counts_views_unique_viewers_and_net_gmv(two_streams):
    table = funnel.stream_funnel(two_streams).set_index("stream_id")
    one = table.loc[1]
    assert (one["exposures"], one["views"], one["unique_viewers"]) == (6, 3, 2)
    assert (one["product_clicks"], one["add_to_carts"], one["orders"], one["paid_orders"]) == (4, 1, 3, 2)
    assert one["ordered_value"] == 150.0          # the unpaid 80 is ordered, not sold
    assert one["paid_value"] == 70.0 and one["refunds"] == 30.0
    assert one["gmv"] == 40.0                     # 50 + 20 paid - 30 refunded
    assert one["gpm"] == pytest.approx(40.0 * 1000 / 3)   # per 1,000 views (room entries), not viewers
    assert one["uv_value"] == pytest.approx(20.0)
    assert one["aov"] == pytest.approx(35.0)
    assert one["entry_rate"] == pytest.approx(0.5) and one["product_ctr"] == pytest.approx(4 / 3)
    assert np.isnan(one["product_ctr_low"])       # more clicks than views: no proportion
    assert one["ctor"] == pytest.approx(0.75) and one["pay_rate"] == pytest.approx(2 / 3)
    assert one["pay_rate_low"] < 2 / 3 < one["pay_rate_high"]
    assert table.loc[2, "gmv"] == 40.0 and table.loc[2, "unique_viewers"] == 1


def test_overall_funnel_counts_each_viewer_once(two_streams):
    totals = funnel.overall_funnel(two_streams)
    assert totals["views"] == 4 and totals["unique_viewers"] == 2   # viewer 1 watched both streams
    assert totals["gmv"] == 80.0 and totals["paid_orders"] == 3
    assert totals["uv_value"] == pytest.approx(40.0)


def test_funnel_stages_step_from_stage_to_stage(two_streams):
    stages = funnel.funnel_stages(two_streams)
    assert stages["count"].tolist() == [10, 4, 5, 1, 4, 3]
    assert np.isnan(stages["step_conversion"].iloc[0])
    assert stages["step_conversion"].iloc[1] == pytest.approx(0.4)
    assert stages["step_rate"].iloc[1] == "entry rate"


def test_attribution_window_changes_credited_gmv():
    rows = [(1, 1, 0, "enter", None, None, None, "search"), (1, 1, 1, "product_click", 5),
            (1, 1, 2, "order", 5, 1, 10.0), (1, 1, 2.5, "payment", 5, 1, 10.0),        # in stream
            (1, 1, 60 * 5, "order", 5, 2, 20.0), (1, 1, 60 * 5 + 1, "payment", 5, 2, 20.0),  # 5 hours later
            (1, 1, 60 * 24 * 3, "order", 5, 3, 40.0), (1, 1, 60 * 24 * 3, "payment", 5, 3, 40.0),  # 3 days
            (1, 1, 60 * 24 * 20, "order", 5, 4, 80.0), (1, 1, 60 * 24 * 20, "payment", 5, 4, 80.0),  # 20 days
            (1, 2, 3, "order", 6, 5, 160.0), (1, 2, 3, "payment", 6, 5, 160.0)]  # never clicked
    events = events_frame(rows)
    streams = streams_frame([(1, 1, 0, 60)])
    comparison = funnel.attribution_window_comparison(events, streams, windows=("in_stream", "24h", "14D", "30D"))
    assert comparison["credited_gmv"].tolist() == [10.0, 30.0, 70.0, 150.0]
    assert (comparison["gmv"] == 310.0).all()
    one = funnel.gmv_by_attribution_window(events, window=pd.Timedelta(hours=5))
    assert one["credited_gmv"].iloc[0] == 30.0     # exactly 5 hours after the click still counts
    with pytest.raises(ValueError, match="streams table"):
        funnel.gmv_by_attribution_window(events, window="in_stream")
    with pytest.raises(ValueError, match="neither"):
        funnel.gmv_by_attribution_window(events, window="a fortnight")


def test_missing_columns_and_empty_logs_are_explained(two_streams):
    with pytest.raises(ValueError, match="amount"):
        funnel.stream_funnel(two_streams.drop(columns="amount"))
    with pytest.raises(ValueError, match="empty"):
        funnel.stream_funnel(two_streams.iloc[:0])


def test_funnel_is_fast_on_a_season():
    events = synthetic_season(5, n_streams=20).events
    assert len(events) > 300_000
    started = time.perf_counter()
    funnel.stream_funnel(events)
    funnel.gmv_by_attribution_window(events, window="14D")
    assert time.perf_counter() - started < 2.0
