"""Plausible wrong answers to each Live-Stream Analytics question, to prove the tests catch them.

Each entry is the code a student might write in the answer cell, self-contained (it runs
after the set-up cell alone).  ``definition`` slips are the classic ones of event logs:
leaves not subtracted, censored visits dropped, views instead of unique viewers, refunds
counted as sales, exposures for views, paid orders for orders, a deal window one minute
too long, the naive median that ignores censoring, the sales-per-minute uplift for the
per-viewer one.  ``percentage`` gives 2 where 0.02 is asked; ``dtype`` has the right
number in the wrong type.  Copying another student's numbers is built at run time
(:func:`cbec.grading.submissions.copied_answers`).
"""

_GMV = ('gmv_total = (events.loc[events["event_type"] == "payment", "amount"].sum()\n'
        '             - events.loc[events["event_type"] == "refund", "amount"].sum())\n')
_VISITS = "visits = retention.watch_visits(events, streams)\n"
_MINUTES = "minutes = deals.minute_sales(events, streams, deal_windows)\n"

NEAR_MISSES: dict[str, dict[str, str]] = {
    "definition": {
        "q1": ("# entries counted, leaves never subtracted\n"
               'peak_concurrent_viewers = int(events[events["event_type"] == "enter"].groupby("stream_id").size().max())'),
        "q2": _VISITS + ("# censored visits dropped: the long ones\n"
                         'average_watch_minutes = float(visits.loc[visits["observed"], "watch_minutes"].mean())'),
        "q3": "# views (room entries), not people\nunique_viewers = int((events[\"event_type\"] == \"enter\").sum())",
        "q4": ("# refunds counted as sales\n"
               'gmv = float(events.loc[events["event_type"].isin(["payment", "refund"]), "amount"].sum())'),
        "q5": _GMV + ("# per view, not per unique viewer\n"
                      'gmv_per_viewer = float(gmv_total / (events["event_type"] == "enter").sum())'),
        "q6": _GMV + ("# per thousand exposures, not room entries\n"
                      'gpm = float(gmv_total * 1000 / (events["event_type"] == "exposure").sum())'),
        "q7": ("# paid orders over room entries: view-to-order, not click-to-order\n"
               'click_to_order_rate = float((events["event_type"] == "payment").sum() / (events["event_type"] == "enter").sum())'),
        "q8": ('flash = deal_windows[deal_windows["format"] == "flash_price"]\n'
               'placed = events[events["event_type"] == "order"]\n'
               'matched = placed.merge(flash[["stream_id", "start", "end"]], on="stream_id")\n'
               "# the last minute counted as part of the window: one minute too long\n"
               'last = matched["end"] + pd.Timedelta(minutes=1)\n'
               'inside = matched[(matched["timestamp"] >= matched["start"]) & (matched["timestamp"] < last)]\n'
               'window_minutes = ((flash["end"] - flash["start"]) / pd.Timedelta(minutes=1) + 1).sum()\n'
               "flash_orders_per_minute = float(len(inside) / window_minutes)"),
        "q9": _VISITS + ("# censoring ignored: cut-off visits treated as departures\n"
                         'median_watch_minutes = float(visits["watch_minutes"].median())'),
        "q10": _MINUTES + ("# sales per minute: includes the viewers the deal drew in\n"
                           'result = deals.deal_uplift(minutes)\n'
                           'flash_conversion_uplift = float(result.by_format.set_index("format").loc["flash_price", "uplift"])'),
    },
    "percentage": {
        "q7": ('orders_placed = events.loc[events["event_type"] == "order", "order_id"].nunique()\n'
               'click_to_order_rate = float(100 * orders_placed / (events["event_type"] == "product_click").sum())'),
    },
    "dtype": {
        "q1": ('moves = events[events["event_type"].isin(["enter", "leave"])]\n'
               'moves = moves.assign(step=np.where(moves["event_type"] == "enter", 1, -1))\n'
               'moves = moves.sort_values(["stream_id", "timestamp", "step"])\n'
               'peak_concurrent_viewers = moves.groupby("stream_id")["step"].cumsum().agg(["max"])'),
        "q2": _VISITS + 'average_watch_minutes = visits[["watch_minutes"]].mean()',
        "q3": 'unique_viewers = float(events.loc[events["event_type"] == "enter", "viewer_id"].nunique())',
        "q4": _GMV + 'gmv = round(gmv_total)',
        "q5": _GMV + 'gmv_per_viewer = f"{gmv_total / events.loc[events[\'event_type\'] == \'enter\', \'viewer_id\'].nunique():.2f}"',
        "q6": _GMV + 'gpm = np.array([gmv_total * 1000 / (events["event_type"] == "enter").sum()])',
        "q7": ('orders_placed = events.loc[events["event_type"] == "order", "order_id"].nunique()\n'
               'click_to_order_rate = f"{orders_placed / (events[\'event_type\'] == \'product_click\').sum():.2%}"'),
        "q9": _VISITS + ('survival = SurvfuncRight(visits["watch_minutes"].to_numpy(), visits["observed"].astype(int).to_numpy())\n'
                         "median_watch_minutes = survival"),
        "q10": _MINUTES + ('result = deals.deal_uplift(minutes, per="viewer_minute")\n'
                           'flash_conversion_uplift = result.by_format.loc[result.by_format["format"] == "flash_price", "uplift"]'),
    },
}

#: An answer that never finishes, for the per-cell timeout.
INFINITE_LOOP = "while True:\n    pass"
