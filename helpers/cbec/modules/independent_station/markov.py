"""First-order Markov attribution: what would be lost if a channel were switched off?

The journeys are read as walks on a chain with the states ``(start)``, one per channel,
``(conversion)`` and ``(null)`` (gave up). Transition probabilities are the observed
transition counts (each journey adds ``weight`` to ``start -> first touch``, to each
``touch -> next touch`` and to ``last touch -> conversion`` or ``-> null``), divided by
the counts out of each state. P(conversion) is the probability that a walk from
``(start)`` is absorbed in ``(conversion)``, solved exactly from the absorbing chain:
``h = (I - Q)^-1 b`` with ``Q`` the transient part and ``b`` the step into conversion.
No paths are simulated.

The removal effect of channel ``c`` is ``1 - P(conversion | c removed) / P(conversion)``,
where removing ``c`` sends every transition into ``c`` to ``(null)``. Since a walk that
never visits ``c`` is not changed by the removal, the removal effect is also
P(the walk visits ``c`` | it converts): the quantity ChannelAttribution estimates by
simulating walks (it counts the channels on simulated converting walks), here exact.
Channel ``c`` is credited ``total conversions x removal_effect(c) / sum of removal
effects``. The raw removal effects (not normalised: their sum is the expected number of
distinct channels on a converting walk, at least 1) are returned as well.

Conversion value follows ChannelAttribution: a conversion is worth the mean value of the
observed conversions that came from the same last channel, so the expected value of a
walk is ``g = (I - Q)^-1 r``, with ``r`` the value flowing from each state into
conversion per step. ``value_removal_effect`` and ``attributed_value`` are the same
computation on ``g``.

Repeated channels: with ``self_transitions=False`` (the default, as ChannelAttribution
does with ``order=1``, collapsing consecutive repeats, and as DP6's
``marketing_attribution_models`` does by default) a run ``email > email`` adds no
``email -> email`` count. For a first-order chain this changes the reported transition
matrix but not P(conversion) nor any removal effect: a self-loop of probability ``p`` only
rescales the other exits of its state by ``1 / (1 - p)``, which gives the same absorption
probabilities. Both settings are offered so the invariance can be checked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cbec.modules.independent_station.attribution import Journeys, attribution_frame, require_conversions

START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"


def _states(journeys: Journeys) -> list[str]:
    return [*journeys.channels, START, CONVERSION, NULL]


def transition_counts(journeys: Journeys, *, self_transitions: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Weighted transition counts between the states (channels, start, conversion, null, in that
    order) and, per state, the value of the conversions it leads to directly.

    Returns ``(counts, value_into_conversion)``: ``counts[a, b]`` journeys stepping from ``a``
    to ``b``; ``value_into_conversion[a]`` the total value of the conversions whose last
    touch is ``a``.
    """
    n = len(journeys.channels)
    start, conversion, null = n, n + 1, n + 2
    size = n + 3
    journey = journeys.journey_of_touch
    first = np.zeros(len(journeys.codes), dtype=bool)
    first[journeys.offsets[:-1]] = True
    source = np.where(first, start, np.r_[start, journeys.codes[:-1]])
    target, weight = journeys.codes, journeys.weight[journey].astype(np.float64)
    last = journeys.codes[journeys.offsets[1:] - 1]
    source = np.concatenate([source, last])
    target = np.concatenate([target, np.where(journeys.converted, conversion, null)])
    weight = np.concatenate([weight, journeys.weight.astype(np.float64)])
    if not self_transitions:
        keep = source != target
        source, target, weight = source[keep], target[keep], weight[keep]
    counts = np.bincount(source * size + target, weights=weight, minlength=size * size).reshape(size, size)
    value = np.bincount(last, weights=journeys.total_value, minlength=size)
    return counts, value


def transition_matrix(journeys: Journeys, *, self_transitions: bool = False) -> pd.DataFrame:
    """Transition probabilities between the states, rows summing to 1 (absorbing states to themselves)."""
    counts, _ = transition_counts(journeys, self_transitions=self_transitions)
    n = len(journeys.channels)
    counts[n + 1, n + 1] = counts[n + 2, n + 2] = 1.0
    out = counts.sum(axis=1, keepdims=True)
    probabilities = np.divide(counts, out, out=np.zeros_like(counts), where=out > 0)
    states = _states(journeys)
    return pd.DataFrame(probabilities, index=pd.Index(states, name="from"), columns=pd.Index(states, name="to"))


def absorption(counts: np.ndarray, value_into_conversion: np.ndarray, n_channels: int) -> np.ndarray:
    """P(conversion) and the expected conversion value from ``(start)``: with every channel in
    place (row 0) and with each channel removed in turn (row 1 + c). Shape (n + 1, 2).

    All n + 1 absorbing chains are solved in one batched ``np.linalg.solve``; removing a
    channel zeroes its column of the transient matrix (its inflow goes to null).
    """
    n = n_channels
    transient = n + 1                      # the channels and (start)
    out = counts[:transient].sum(axis=1)
    safe = np.where(out > 0, out, 1.0)
    q = counts[:transient, :transient] / safe[:, None]
    rhs = np.stack([counts[:transient, n + 1] / safe, value_into_conversion[:transient] / safe], axis=1)
    systems = np.repeat(q[None], n + 1, axis=0)
    for c in range(n):                      # n small edits, not a loop over journeys
        systems[c + 1, :, c] = 0.0
    identity = np.eye(transient)
    solved = np.linalg.solve(identity[None] - systems, np.repeat(rhs[None], n + 1, axis=0))
    return solved[:, n, :]                  # from (start)


def markov(journeys: Journeys, *, self_transitions: bool = False) -> pd.DataFrame:
    """Removal-effect attribution from the first-order Markov chain of the journeys.

    Besides the common columns, ``removal_effect`` and ``value_removal_effect`` are the raw
    (not normalised) removal effects; ``attrs["conversion_probability"]`` and
    ``attrs["expected_value"]`` are the chain's P(conversion) and value per journey from
    ``(start)``. Channels never touched get 0.
    """
    require_conversions(journeys)
    n = len(journeys.channels)
    counts, value = transition_counts(journeys, self_transitions=self_transitions)
    solved = absorption(counts, value, n)
    probability, expected_value = solved[0]
    removal = 1.0 - solved[1:, 0] / probability
    value_removal = 1.0 - solved[1:, 1] / expected_value if expected_value > 0 else np.zeros(n)
    removal, value_removal = np.clip(removal, 0.0, 1.0), np.clip(value_removal, 0.0, 1.0)   # rounding only
    total_value = journeys.total_value.sum()
    frame = attribution_frame(journeys.channels, journeys.total_conversions * removal / removal.sum(),
                              total_value * value_removal / value_removal.sum() if value_removal.sum() > 0
                              else np.zeros(n))
    frame["removal_effect"] = removal
    frame["value_removal_effect"] = value_removal
    frame.attrs.update(conversion_probability=float(probability), expected_value=float(expected_value))
    return frame
