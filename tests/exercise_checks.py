"""What the lecture-exercise tests of every module share: a clean try count, one-line rejections."""

from __future__ import annotations

import pytest

from cbec.exercises import SOLUTION_AFTER_ENV


@pytest.fixture(autouse=True)
def default_tries(monkeypatch):
    """Exercises unlock their solution after the default number of tries, whatever the shell says."""
    monkeypatch.delenv(SOLUTION_AFTER_ENV, raising=False)


def one_line_rejection(bound, answer, capsys, message):
    """``answer`` is rejected, in one line starting "Not yet:" that contains ``message``."""
    assert not bound.check(answer)
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("Not yet:") and "\n" not in printed, printed
    assert message in printed, printed


def solution_runs_and_hints_in_one_line(exercise, data: dict, modules: dict, capsys):
    """The code ``exercise.solution`` shows gives the right answer on ``data`` (with ``modules`` and pandas and
    numpy importable by name), and ``hint()`` prints one line."""
    import numpy as np
    import pandas as pd

    namespace = {"pd": pd, "np": np, **modules, **data}
    exec(exercise.solution, namespace)
    bound = exercise.bind(**data)
    assert bound.check(namespace[exercise.variable])
    bound.hint()
    assert capsys.readouterr().out.count("\n") == 2  # "Correct" and one hint line
