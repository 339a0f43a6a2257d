"""CBEC Lab: reusable code for the cross-border e-commerce course and research notebooks.

Subpackages, one job each:

- :mod:`cbec.sim` -- seeded simulators of a cross-border store (and later of programme cohorts).
- :mod:`cbec.data` -- the dataset catalogue: every table a notebook uses, with its schema.
- :mod:`cbec.analytics` -- KPIs, funnels, cohorts, RFM, CLV, A/B tests, elasticity, inventory.
- :mod:`cbec.assignments` -- per-student datasets and learner-facing checks for assignments.
- :mod:`cbec.grading` -- the instructor cycle around nbgrader (release, class, autograde, feedback).
- :mod:`cbec.reporting` -- gradebook statistics and papermill report runs.
- :mod:`cbec.paths` -- where things live, so no notebook hard-codes ``../data``.
"""

__version__ = "0.1.0"
