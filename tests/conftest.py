"""Shared fixtures: private copies of the nbgrader course and a graded class
(tests/graded_class.py), the browser and JupyterLab servers (tests/browser.py), and the
course website built once per session."""

import os

# One BLAS thread per test process: xdist already runs a process per core, and statsmodels
# fits run twice as slow when each process also starts a thread per core.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import pytest  # noqa: E402

pytest_plugins = ["tests.graded_class", "tests.browser"]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The course website, built once (tests using it share the xdist group "site")."""
    from cbec.site import build_site

    folder = tmp_path_factory.mktemp("site")
    return build_site(out=folder / "html", stage=folder / "src", progress=False)
