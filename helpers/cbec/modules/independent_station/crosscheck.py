"""This library's attribution models against ChannelAttribution's on the same paths.

ChannelAttribution (Altomare and Loris, GPL-3; in the test extra) is the reference
implementation of path-based attribution in R and Python. Run on the same aggregated paths
(e.g. its own ``Data.csv``, :func:`.example_paths.channelattribution_paths`):

- its heuristics (first, last and linear touch) are deterministic, so they must agree with
  :func:`.attribution.first_click`, :func:`~.attribution.last_click` and
  :func:`~.attribution.linear` to rounding;
- its Markov model *simulates* walks on the chain and counts the channels on the
  converting ones, where :func:`.markov.markov` solves the chain exactly. Each removal
  effect it reports is then a proportion over about ``P(conversion) x simulations``
  converting walks, with binomial error ``sqrt(r (1 - r) / (P(conversion) x simulations))``
  around the exact ``r``. :func:`channelattribution_comparison` runs it with one fold
  (``nfold=1``: with several folds the estimate is averaged in a way this formula does not
  describe) at each number of simulations asked for, so the gap can be seen to shrink as
  ``1 / sqrt(simulations)``: simulation noise, not a different model.

DP6's ``marketing_attribution_models`` is compared in ``tests/test_station_attribution.py``.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cbec.modules.independent_station import attribution, markov

#: ChannelAttribution's heuristic names and this library's models.
HEURISTIC_NAMES = {"first_touch": "first_click", "last_touch": "last_click", "linear_touch": "linear"}
PATH_COLUMNS = ("path", "total_conversions", "total_conversion_value", "total_null")


@dataclass(frozen=True)
class ChannelAttributionCheck:
    """What :func:`channelattribution_comparison` found.

    ``heuristics``: per heuristic, the largest absolute difference in conversions and value
    credited to a channel, and the conversions shared out. ``markov``: per channel, the
    exact removal effect and share, and ChannelAttribution's at each number of simulations.
    ``noise``: per number of simulations, the converting walks behind the estimates, the
    largest gap in a removal effect, the largest binomial standard error, the largest gap in
    standard errors (``max_z``) and the share of conversions credited differently
    (``share_distance``, 0 to 1).
    """

    heuristics: pd.DataFrame
    markov: pd.DataFrame
    noise: pd.DataFrame


def import_channelattribution():
    """The ChannelAttribution module, imported without its advertising banner; an ImportError saying how to get it."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import ChannelAttribution
    except ImportError as error:
        raise ImportError("ChannelAttribution is not installed; it is in the test extra (it compiles C++, so a "
                          "compiler is needed): pip install -e '.[test]'.") from error
    return ChannelAttribution


def channelattribution_comparison(frame: pd.DataFrame, *, simulations: Sequence[int] = (100_000, 1_000_000),
                                  seed: int = 1, sep: str = ">") -> ChannelAttributionCheck:
    """Run ChannelAttribution's ``heuristic_models`` and ``markov_model`` and this library's models on ``frame``.

    ``frame`` has ChannelAttribution's columns ``path`` (channels joined by ``sep``, spaces
    around them allowed), ``total_conversions``, ``total_conversion_value`` and
    ``total_null``. ``simulations`` are the numbers of walks ChannelAttribution simulates
    for its Markov model (one run each, seeded with ``seed``).
    """
    missing = [c for c in PATH_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"the paths table lacks {missing}; it needs {list(PATH_COLUMNS)} (ChannelAttribution's "
                         "format, e.g. example_paths.channelattribution_paths()).")
    simulations = [int(n) for n in simulations]
    if not simulations or min(simulations) < 1_000:
        raise ValueError(f"simulations are numbers of simulated walks, at least 1,000 each, got {simulations}.")
    ca = import_channelattribution()
    journeys = attribution.journeys_from_paths(frame, sep=sep)
    channels = list(journeys.channels)

    theirs = ca.heuristic_models(frame, "path", "total_conversions", var_value="total_conversion_value", sep=sep,
                                 flg_pro=False).set_index("channel_name").reindex(channels)
    rows = {}
    for name, model in HEURISTIC_NAMES.items():
        mine = attribution.model_functions()[model](journeys).set_index("channel").reindex(channels)
        rows[model] = {"max_abs_difference_conversions":
                           float((mine["attributed_conversions"] - theirs[f"{name}_conversions"]).abs().max()),
                       "max_abs_difference_value":
                           float((mine["attributed_value"] - theirs[f"{name}_value"]).abs().max()),
                       "conversions": float(theirs[f"{name}_conversions"].sum())}
    heuristics = pd.DataFrame(rows).T.rename_axis("model")

    exact = markov.markov(journeys).set_index("channel").reindex(channels)
    probability = exact.attrs["conversion_probability"]
    table = pd.DataFrame({"removal_effect": exact["removal_effect"], "share": exact["share"]})
    noise = []
    for n in simulations:
        result = ca.markov_model(frame, "path", "total_conversions", var_value="total_conversion_value",
                                 var_null="total_null", out_more=True, sep=sep, nsim_start=n, nfold=1,
                                 max_step=1000, seed=seed, verbose=False, flg_pro=False)
        effect = (result["removal_effects"].set_index("channel_name")["removal_effects_conversion"]
                  .reindex(channels).fillna(0.0))
        credited = result["result"].set_index("channel_name")["total_conversions"].reindex(channels).fillna(0.0)
        share = credited / credited.sum()
        table[f"removal_effect_{n}"] = effect
        table[f"share_{n}"] = share
        converting = probability * n
        error = np.sqrt(exact["removal_effect"] * (1 - exact["removal_effect"]) / converting)
        gap = (effect - exact["removal_effect"]).abs()
        z = np.divide(gap, error, out=np.zeros(len(gap)), where=error > 0)
        noise.append({"simulations": n, "converting_walks": converting, "max_abs_gap": float(gap.max()),
                      "max_standard_error": float(error.max()), "max_z": float(np.max(z)),
                      "share_distance": float((share - exact["share"]).abs().sum() / 2)})
    table.index.name = "channel"
    return ChannelAttributionCheck(heuristics=heuristics, markov=table,
                                   noise=pd.DataFrame(noise).set_index("simulations"))
