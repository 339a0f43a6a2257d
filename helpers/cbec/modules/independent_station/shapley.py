"""Shapley attribution: credit as each channel's average marginal contribution to the
coalitions of channels.

A journey's coalition is the *set* of channels it touched (order and repeats dropped).
Each set is an integer bit mask over the channels present (bit ``i`` for channel ``i``),
so the conversions and value of every coalition come from one ``np.bincount`` over the
journeys' masks, and the value function of all ``2^n`` coalitions from a fast zeta
(subset-sum) transform: ``n`` vectorised passes over an array of ``2^n`` entries. The
Shapley value is then

    phi_i = sum over S not containing i of |S|! (n - |S| - 1)! / n! [v(S + i) - v(S)],

one vectorised sum per channel. Over 15 channels (32,768 coalitions, and sparse data
behind each) is refused: group rare channels first.

Two definitions of the coalition value are in use, and ``coalition_value`` picks one:

``"subset"`` (default; the "simplified Shapley" of Zhao et al. 2018):
    ``v(S)`` = conversions of the journeys whose channel set is a subset of ``S`` (what
    the coalition ``S`` brings about on its own); one game over all channels. It is
    efficient (the values sum to the total conversions) and never negative; in fact it
    equals sharing each conversion equally among the *distinct* channels of its journey
    (every coalition's value is a sum of unanimity games), which the tests check.

``"exact"`` and ``"exact_rate"`` (DP6's ``marketing_attribution_models``, ``mam``):
    ``v(S)`` = conversions (``"exact"``; mam's ``value_column="conversions"``) or the
    conversion rate (``"exact_rate"``; mam's default ``"conv_rate"``) of the journeys
    whose channel set is *exactly* ``S``, 0 for sets that never converted. mam plays one
    game per converting channel set ``T``, among ``T``'s channels only, and adds the
    games up; with rates, each game's values are rescaled to ``T``'s conversions (and to
    ``T``'s value for the value attribution). Credits can be negative (a channel whose
    set converts worse than a smaller set). The sum over the games is done here without
    a loop over ``T``: game ``T`` weighs the marginal gain ``v(U) - v(U - i)`` by
    ``|U - i|! (|T| - |U|)! / |T|!`` for every ``U`` inside ``T``, so each ``U`` needs only
    the (weighted) number of converting sets ``T`` containing it, per size of ``T``: a
    superset-sum transform per size.

mam truncates each journey's set to its alphabetically last ``max_size`` channels
(default 4); compare with ``max_size=None`` there.
"""

from __future__ import annotations

from math import factorial

import numpy as np
import pandas as pd

from cbec.modules.independent_station.attribution import Journeys, attribution_frame, require_conversions

#: Most channels :func:`shapley` accepts (2^15 coalitions).
MAX_CHANNELS = 15
COALITION_VALUES = ("subset", "exact", "exact_rate")


def channel_set_masks(journeys: Journeys, columns: np.ndarray) -> np.ndarray:
    """Each journey's set of channels as a bit mask, bit ``columns[code]`` for a channel code."""
    bits = np.left_shift(np.int64(1), columns[journeys.codes])
    return np.bitwise_or.reduceat(bits, journeys.offsets[:-1])


def subset_sums(values: np.ndarray) -> np.ndarray:
    """Zeta transform: ``out[S] = sum of values[R] over R inside S`` (masks of ``log2(len)`` bits)."""
    out = np.array(values, dtype=np.float64)
    bits = int(np.log2(len(out)))
    for i in range(bits):
        view = out.reshape(-1, 2, 1 << i)
        view[:, 1, :] += view[:, 0, :]
    return out


def superset_sums(values: np.ndarray) -> np.ndarray:
    """``out[S] = sum of values[T] over T containing S``."""
    out = np.array(values, dtype=np.float64)
    bits = int(np.log2(len(out)))
    for i in range(bits):
        view = out.reshape(-1, 2, 1 << i)
        view[:, 0, :] += view[:, 1, :]
    return out


def popcounts(bits: int) -> np.ndarray:
    """Number of channels in each coalition mask ``0 .. 2^bits - 1``."""
    masks = np.arange(1 << bits, dtype=np.int64)
    return np.array([(masks >> i) & 1 for i in range(bits)]).sum(axis=0) if bits else np.zeros(1, np.int64)


def shapley_weights(players: int) -> np.ndarray:
    """``w[s] = s! (players - s - 1)! / players!``, the weight of a coalition of ``s`` others."""
    return np.array([factorial(s) * factorial(players - s - 1) / factorial(players) for s in range(players)])


def _marginal_sums(v: np.ndarray, weight_of_mask: np.ndarray, bits: int) -> np.ndarray:
    """``out[i] = sum over U containing i of weight_of_mask[U] * (v[U] - v[U - i])``."""
    out = np.empty(bits)
    for i in range(bits):
        values, weights = v.reshape(-1, 2, 1 << i), weight_of_mask.reshape(-1, 2, 1 << i)
        out[i] = (weights[:, 1, :] * (values[:, 1, :] - values[:, 0, :])).sum()
    return out


def shapley_values(v: np.ndarray) -> np.ndarray:
    """Shapley values of the game ``v`` (one entry per coalition mask, ``v[0]`` the empty one)."""
    bits = int(np.log2(len(v)))
    size = popcounts(bits)
    weights = np.r_[0.0, shapley_weights(bits)][size]      # U contains i, so U - i has size - 1 others
    return _marginal_sums(np.asarray(v, dtype=np.float64), weights, bits)


def _summed_local_games(v: np.ndarray, game_weight: np.ndarray, bits: int) -> np.ndarray:
    """``sum over T of game_weight[T] x Shapley value of the game v restricted to T``."""
    size = popcounts(bits)
    weight_of_mask = np.zeros(len(v))
    for k in range(1, bits + 1):                 # games T of k channels
        inside = superset_sums(np.where(size == k, game_weight, 0.0))   # games of size k containing U
        local = np.r_[0.0, shapley_weights(k)]
        # a member i of U inside T: |U - i| = size - 1 others, weight (size-1)! (k - size)! / k!
        weight_of_mask += np.where((size >= 1) & (size <= k), inside * local[np.minimum(size, k)], 0.0)
    return _marginal_sums(v, weight_of_mask, bits)


def shapley(journeys: Journeys, *, coalition_value: str = "subset") -> pd.DataFrame:
    """Shapley attribution of conversions and value over the channels the journeys touch.

    ``coalition_value`` is ``"subset"`` (default), ``"exact"`` or ``"exact_rate"``; see the
    module's docstring. Channels of the vocabulary never touched get 0.
    """
    require_conversions(journeys)
    if coalition_value not in COALITION_VALUES:
        raise ValueError(f"coalition_value is one of {COALITION_VALUES}, got {coalition_value!r}.")
    present = np.flatnonzero(np.bincount(journeys.codes, minlength=len(journeys.channels)) > 0)
    bits = len(present)
    if bits > MAX_CHANNELS:
        raise ValueError(f"the journeys touch {bits} channels; Shapley attribution takes at most {MAX_CHANNELS} "
                         f"(2^{bits} coalitions, most without data). Group rare channels into one (e.g. 'other') "
                         "or use markov.")
    columns = np.full(len(journeys.channels), -1, dtype=np.int64)
    columns[present] = np.arange(bits)
    masks = channel_set_masks(journeys, columns)
    n_masks = 1 << bits
    conversions = np.bincount(masks, weights=journeys.conversions, minlength=n_masks)
    value = np.bincount(masks, weights=journeys.total_value, minlength=n_masks)
    if coalition_value == "subset":
        credit = shapley_values(subset_sums(conversions)), shapley_values(subset_sums(value))
    else:
        converting = conversions > 0
        if coalition_value == "exact":
            games = converting.astype(np.float64)
            credit = (_summed_local_games(conversions, games, bits), _summed_local_games(value, games, bits))
        else:
            journeys_of_set = np.bincount(masks, weights=journeys.weight.astype(np.float64), minlength=n_masks)
            rate = np.divide(conversions, journeys_of_set, out=np.zeros(n_masks), where=converting)
            # game T's rate credits, rescaled to T's conversions (x n(T)) or T's value (x value / rate)
            value_scale = np.divide(value, rate, out=np.zeros(n_masks), where=converting)
            credit = (_summed_local_games(rate, np.where(converting, journeys_of_set, 0.0), bits),
                      _summed_local_games(rate, value_scale, bits))
    attributed = np.zeros((2, len(journeys.channels)))
    attributed[:, present] = credit
    return attribution_frame(journeys.channels, attributed[0], attributed[1])
