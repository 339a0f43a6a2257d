"""Live-Stream Commerce Analytics: event logs of live selling (TikTok Shop, Taobao Live,
Douyin style), from ten thousand to a hundred million events.

The tables and their columns are written once, in :mod:`.schemas`; the simulator, the
analytics, the Parquet store and the assignment all follow them.
"""
