"""The suite's shared fixtures (graded classes, the website) are built once per group only if
``--dist loadgroup`` really keeps a group on one worker (tests/conftest.py)."""

import pytest


@pytest.mark.xdist_group("groups-check")
def test_a_grouped_test_carries_its_group_to_the_scheduler(request):
    config = request.config
    if not (hasattr(config, "workerinput") and getattr(config.option, "loadgroup", False)):
        pytest.skip("checks a worker of `pytest -n N --dist loadgroup` (as `make test` runs)")
    assert request.node.nodeid.endswith("@groups-check")
