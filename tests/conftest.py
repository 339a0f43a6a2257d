"""Shared fixtures: private copies of the nbgrader course and a graded class
(tests/graded_class.py), the browser and JupyterLab servers (tests/browser.py), and the
course website built once per session."""

import pytest

pytest_plugins = ["tests.graded_class", "tests.browser"]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The course website, built once (tests using it share the xdist group "site")."""
    from cbec.site import build_site

    folder = tmp_path_factory.mktemp("site")
    return build_site(out=folder / "html", stage=folder / "src", progress=False)
