"""CBEC Lab: reusable code for the cross-border e-commerce course and research notebooks.

Subpackages, one job each:

- :mod:`cbec.modules` -- the course modules, one package each (its simulator, analytics,
  datasets and assignment), e.g. :mod:`cbec.modules.data_operation`.
- :mod:`cbec.world` -- what every module's simulator shares: markets, the retail calendar.
- :mod:`cbec.data` -- the dataset catalogue: every table a notebook uses, with its schema.
- :mod:`cbec.assignments` -- what every assignment shares: personal datasets, identity, checks.
- :mod:`cbec.grading` -- the instructor cycle around nbgrader (release, class, autograde, feedback).
- :mod:`cbec.reporting` -- gradebook statistics and papermill report runs.
- :mod:`cbec.paths` -- where things live, so no notebook hard-codes ``../data``.
"""

__version__ = "0.1.0"
