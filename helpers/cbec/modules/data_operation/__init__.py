"""Module 2, Data Operation: reading a cross-border store's numbers and acting on them.

- :mod:`~cbec.modules.data_operation.store` -- the seeded store simulator (markets, funnel, orders, returns).
- :mod:`~cbec.modules.data_operation.analytics` -- KPIs, funnels, cohorts, RFM, CLV, A/B tests, elasticity, inventory.
- :mod:`~cbec.modules.data_operation.datasets` -- its entries in the dataset catalogue (the store, CDNOW).
- :mod:`~cbec.modules.data_operation.assignment` -- the graded assignment: questions, checks, personal dataset.
- :mod:`~cbec.modules.data_operation.exercises` -- the lecture exercises; ``near_misses`` -- wrong answers a class makes.
"""
