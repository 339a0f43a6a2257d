"""Shared fixtures: private copies of the nbgrader course and a graded class
(tests/graded_class.py), the browser and JupyterLab servers (tests/browser.py), and the
course website built once per session; and the ``xdist_group`` marks made to work on
pytest >= 9.2 (:func:`pytest_collection_modifyitems`)."""

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


def xdist_groups(item) -> list[str]:
    """The ``xdist_group`` names of a test, as pytest-xdist reads them."""
    return sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                   for mark in item.iter_markers("xdist_group")})


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Keep ``--dist loadgroup`` sending each ``xdist_group`` to one worker.

    pytest-xdist (3.8) tells its scheduler a test's group by appending ``@group`` to the node
    id, on the workers, by assigning ``item._nodeid``.  From pytest 9.2 node ids are
    structured (``item._id``) and that assignment is lost: every group is then split across
    the workers, and each worker builds the group's shared fixtures (a graded class, the
    website) again (pytest-dev/pytest-xdist#1386).  Where the suffix did not take, add it
    the way pytest 9.2 stores node ids; where xdist managed (older pytest, a fixed xdist),
    nothing changes.
    """
    if not (hasattr(config, "workerinput") and getattr(config.option, "loadgroup", False)):
        return
    for item in items:
        names = xdist_groups(item)
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix) and hasattr(item, "_id"):
            item._id = type(item._id).parse(item.nodeid + suffix)
