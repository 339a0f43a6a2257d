"""Multi-touch attribution: how the store's conversions are shared out among the channels
that touched the converting journeys.

A journey is one shopper's ordered touches (visits by channel) up to a conversion or to
giving up. Every model here reads the same compact form, :class:`Journeys`, built either
from touch-level tables (:func:`journeys_from_touches`: what the store's analytics and the
simulator give) or from aggregated paths (:func:`journeys_from_paths`: the format of R's and
Python's ChannelAttribution, one row per distinct path with its counts of converting and
non-converting journeys). Both routes give the same models the same answers.

The heuristics (this module) share each converting journey's conversion, and its value,
among its own touches by a fixed rule:

- :func:`last_click`, :func:`first_click`: all to the last (first) touch;
- :func:`linear`: equally over the touches (a channel touched twice gets two shares);
- :func:`time_decay`: touch weights ``2 ** (-hours_before_conversion / half_life)``,
  normalised within the journey (needs touch times, so not from aggregated paths);
- :func:`position_based`: 40% to the first touch, 40% to the last, 20% spread equally over
  the touches in between; a one-touch journey gives it everything, a two-touch journey
  half each.

Journeys that did not convert give no credit. The data-driven models use them too: the
first-order Markov chain's removal effects (:mod:`.markov`) and Shapley values over
channel coalitions (:mod:`.shapley`). :func:`compare_models` puts every model's shares
side by side and :func:`score_against_truth` ranks them by their distance to known true
shares (the simulator's incremental contributions).

Every model returns the same tidy frame, one row per channel of the vocabulary in its
order: ``channel``, ``attributed_conversions``, ``attributed_value`` and ``share`` (of the
conversions; the shares sum to 1 and the attributed conversions to the total conversions).
Everything is computed on numpy arrays (``np.bincount`` over channel codes, no loop over
journeys), so a million journeys take well under a second per model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cbec.data.columns import require_columns
from cbec.modules.independent_station.schemas import CHANNELS

TOUCH_COLUMNS = ("journey_id", "timestamp", "channel")
OUTCOME_COLUMNS = ("journey_id", "converted", "value", "converted_at")
RESULT_COLUMNS = ("channel", "attributed_conversions", "attributed_value", "share")
#: Half life of :func:`time_decay`: a touch a week before the conversion counts half as much.
DEFAULT_HALF_LIFE_HOURS = 7 * 24.0
NANOSECONDS_PER_HOUR = 3_600 * 10**9
HEURISTICS = ("last_click", "first_click", "linear", "position_based", "time_decay")
MODELS = (*HEURISTICS, "markov", "shapley")


def _frozen(values, dtype) -> np.ndarray:
    array = np.array(values, dtype=dtype)   # a copy: the caller's array stays writeable
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Journeys:
    """Journeys in compressed sparse row form: the touches of journey ``j`` are
    ``codes[offsets[j]:offsets[j + 1]]``, in time order, as indices into ``channels``.

    One row stands for ``weight[j]`` identical journeys (1 for journeys built from touches;
    the path's count for aggregated paths). ``value[j]`` is the value of *one* of them (0
    when it did not convert), so the row's total is ``weight * value``.
    ``hours_before_conversion`` has one entry per touch (NaN in journeys that did not
    convert), or is None when the touch times are unknown (aggregated paths).

    Journeys with no touch at all cannot be credited to any channel, so they are not rows;
    ``untouched_journeys``, ``untouched_conversions`` and ``untouched_value`` say how many
    were left out and what they were worth, so nobody mistakes the attributed total for the
    store's total.
    """

    channels: tuple[str, ...]
    offsets: np.ndarray
    codes: np.ndarray
    converted: np.ndarray
    value: np.ndarray
    weight: np.ndarray
    hours_before_conversion: np.ndarray | None = None
    untouched_journeys: int = 0
    untouched_conversions: int = 0
    untouched_value: float = 0.0

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "channels", tuple(str(c) for c in self.channels))
        if len(set(self.channels)) != len(self.channels):
            raise ValueError(f"channel names must be distinct, got {self.channels}.")
        for name, dtype in (("offsets", np.int64), ("codes", np.int64), ("converted", bool),
                            ("value", np.float64), ("weight", np.int64)):
            set_(self, name, _frozen(getattr(self, name), dtype))
        if self.hours_before_conversion is not None:
            set_(self, "hours_before_conversion", _frozen(self.hours_before_conversion, np.float64))
        offsets, n = self.offsets, len(self.converted)
        if offsets.ndim != 1 or len(offsets) != n + 1 or offsets[0] != 0 or offsets[-1] != len(self.codes):
            raise ValueError("offsets must run from 0 to len(codes), one more entry than there are journeys.")
        if (np.diff(offsets) < 1).any():
            raise ValueError("every journey needs at least one touch; leave untouched journeys out "
                             "(count them in untouched_journeys).")
        if len(self.value) != n or len(self.weight) != n:
            raise ValueError("converted, value and weight need one entry per journey.")
        if len(self.codes) and (self.codes.min() < 0 or self.codes.max() >= len(self.channels)):
            raise ValueError(f"codes must index channels (0 to {len(self.channels) - 1}).")
        if (self.weight < 1).any():
            raise ValueError("weight counts identical journeys, so it is at least 1; drop empty rows.")
        if not np.isfinite(self.value).all() or (self.value < 0).any():
            raise ValueError("value must be finite and non-negative.")
        if (self.value[~self.converted] != 0).any():
            raise ValueError("journeys that did not convert have value 0.")
        hours = self.hours_before_conversion
        if hours is not None:
            if len(hours) != len(self.codes):
                raise ValueError("hours_before_conversion needs one entry per touch.")
            converting = self.converted[self.journey_of_touch]
            if np.isnan(hours[converting]).any() or (hours[converting] < 0).any():
                raise ValueError("touches of converting journeys need hours_before_conversion >= 0.")

    @property
    def n_journeys(self) -> int:
        """Number of rows (each standing for ``weight`` journeys)."""
        return len(self.converted)

    @property
    def lengths(self) -> np.ndarray:
        """Touches per journey."""
        return np.diff(self.offsets)

    @property
    def journey_of_touch(self) -> np.ndarray:
        """For each touch, the row of its journey."""
        return np.repeat(np.arange(self.n_journeys), self.lengths)

    @property
    def position(self) -> np.ndarray:
        """For each touch, its place in its journey (0 for the first touch)."""
        return np.arange(len(self.codes)) - np.repeat(self.offsets[:-1], self.lengths)

    @property
    def conversions(self) -> np.ndarray:
        """Conversions per row: ``weight`` where it converted, else 0."""
        return np.where(self.converted, self.weight, 0).astype(np.float64)

    @property
    def total_value(self) -> np.ndarray:
        """Value per row: ``weight * value``."""
        return self.weight * self.value

    @property
    def total_conversions(self) -> float:
        return float(self.conversions.sum())

    def __repr__(self) -> str:
        return (f"Journeys({int(self.weight.sum()):,} journeys in {self.n_journeys:,} rows, "
                f"{self.total_conversions:,.0f} conversions, {len(self.channels)} channels, "
                f"{'with' if self.hours_before_conversion is not None else 'without'} touch times, "
                f"{self.untouched_journeys:,} untouched journeys left out)")


def _vocabulary(channels: Iterable[str] | None, observed: Iterable[str] | None = None) -> tuple[str, ...]:
    if channels is None:
        return tuple(CHANNELS) if observed is None else tuple(sorted(map(str, observed)))
    vocabulary = tuple(str(c) for c in channels)
    if len(set(vocabulary)) != len(vocabulary) or not vocabulary:
        raise ValueError(f"channels must be distinct names (at least one), got {vocabulary}.")
    return vocabulary


def _channel_codes(values: pd.Series, vocabulary: tuple[str, ...], what: str, fix: str) -> np.ndarray:
    known = pd.Index(vocabulary)
    if isinstance(values.dtype, pd.CategoricalDtype):      # look up each category once, not each touch
        categories = known.get_indexer(values.cat.categories.astype(str))
        raw = values.cat.codes.to_numpy()
        codes = np.where(raw >= 0, categories[raw], -1).astype(np.int64)
    else:
        codes = known.get_indexer(values.astype("string")).astype(np.int64)
    if (codes < 0).any():
        unknown = sorted(set(values[codes < 0].astype("string").fillna("<missing>").tolist()))
        raise ValueError(f"{what} has channel(s) outside the vocabulary: {unknown[:10]}"
                         f"{' ...' if len(unknown) > 10 else ''}; the vocabulary is {vocabulary}. {fix}")
    return codes


def _nanoseconds(column: pd.Series) -> tuple[np.ndarray, bool]:
    """A datetime column as int64 nanoseconds (UTC if it has a time zone), and whether it had one."""
    times = pd.to_datetime(column)
    aware = times.dt.tz is not None
    if aware:
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    values = times.to_numpy(dtype="datetime64[ns]")
    return values.view(np.int64), aware


def journeys_from_touches(touches: pd.DataFrame, outcomes: pd.DataFrame,
                          channels: Sequence[str] | None = None) -> Journeys:
    """Build :class:`Journeys` from a table of touches and one outcome row per journey.

    ``touches`` has ``journey_id``, ``timestamp`` (datetime) and ``channel`` (names of
    ``channels``, default the store's :data:`~.schemas.CHANNELS`); ``outcomes`` has
    ``journey_id`` (each once), ``converted`` (bool), ``value`` (0 when not converted) and
    ``converted_at`` (NaT when not converted). Touches are put in time order within their
    journey (ties keep their order in the table). For time decay each touch gets its hours
    before ``converted_at``; a touch after its journey's conversion is an error (cut
    journeys at the conversion: later touches start the next journey).

    Journeys of ``outcomes`` with no touch are left out and counted in
    ``untouched_journeys`` / ``untouched_conversions`` / ``untouched_value``. A touch whose
    journey has no outcome row is an error.
    """
    require_columns(touches, TOUCH_COLUMNS, "the touches table")
    require_columns(outcomes, OUTCOME_COLUMNS, "the outcomes table")
    vocabulary = _vocabulary(channels)
    ids = pd.Index(outcomes["journey_id"])
    if ids.has_duplicates:
        raise ValueError(f"outcomes has journey_id(s) {ids[ids.duplicated()].unique().tolist()[:5]} more than "
                         "once; give each journey one outcome row.")
    converted = outcomes["converted"]
    if converted.isna().any():
        raise ValueError("outcomes.converted has missing values; it is True or False for every journey.")
    converted = converted.to_numpy(dtype=bool)
    value = outcomes["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    value = np.where(converted, value, np.where(np.isnan(value), 0.0, value))
    if np.isnan(value).any():
        bad = ids[np.isnan(value)].tolist()[:5]
        raise ValueError(f"converted journey(s) {bad} have no value; give every conversion its order value.")
    stray = ~converted & (value != 0)
    if stray.any():
        raise ValueError(f"journey(s) {ids[stray].tolist()[:5]} did not convert but have a value; value is 0 "
                         "unless converted.")
    converted_at, outcome_tz = _nanoseconds(outcomes["converted_at"])
    missing_time = converted & (converted_at == np.iinfo(np.int64).min)
    if missing_time.any():
        raise ValueError(f"converted journey(s) {ids[missing_time].tolist()[:5]} have no converted_at; "
                         "give every conversion its time.")

    row = ids.get_indexer(touches["journey_id"])
    if (row < 0).any():
        orphans = pd.unique(touches["journey_id"].to_numpy()[row < 0]).tolist()[:5]
        raise ValueError(f"touches of journey(s) {orphans} have no row in outcomes; add their outcomes "
                         "(converted False, value 0, converted_at NaT if they did not convert).")
    codes = _channel_codes(touches["channel"], vocabulary, "the touches table",
                           "Clean the channel names (see .utm), or pass channels=[...] to use another vocabulary.")
    stamp, touch_tz = _nanoseconds(touches["timestamp"])
    if (stamp == np.iinfo(np.int64).min).any():
        raise ValueError("touches.timestamp has missing values; every touch needs its time.")
    if touch_tz != outcome_tz and converted.any():
        raise ValueError("touches.timestamp and outcomes.converted_at must both have a time zone or both have none.")

    order = np.lexsort((stamp, row))          # by journey, then time; stable for ties
    row, codes, stamp = row[order], codes[order], stamp[order]
    counts = np.bincount(row, minlength=len(ids))
    touched = counts > 0
    offsets = np.concatenate([[0], np.cumsum(counts[touched])])
    hours = np.where(converted[row], (converted_at[row] - stamp) / NANOSECONDS_PER_HOUR, np.nan)
    late = converted[row] & (hours < 0)
    if late.any():
        bad = pd.unique(ids[row[late]]).tolist()[:5]
        raise ValueError(f"journey(s) {bad} have touches after their converted_at; cut journeys at the "
                         "conversion (touches after it belong to the shopper's next journey).")
    untouched = ~touched
    return Journeys(channels=vocabulary, offsets=offsets, codes=codes, converted=converted[touched],
                    value=value[touched], weight=np.ones(int(touched.sum()), dtype=np.int64),
                    hours_before_conversion=hours, untouched_journeys=int(untouched.sum()),
                    untouched_conversions=int((untouched & converted).sum()),
                    untouched_value=float(value[untouched].sum()))


def _counts(frame: pd.DataFrame, column: str | None) -> np.ndarray:
    if column is None:
        return np.zeros(len(frame), dtype=np.int64)
    counts = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isnan(counts).any() or (counts < 0).any() or (counts != np.round(counts)).any():
        raise ValueError(f"{column} counts journeys: whole numbers >= 0, without missing values.")
    return counts.astype(np.int64)


def journeys_from_paths(frame: pd.DataFrame, path: str = "path", conversions: str = "total_conversions",
                        value: str | None = "total_conversion_value", nulls: str | None = "total_null",
                        sep: str = " > ", channels: Sequence[str] | None = None) -> Journeys:
    """Build :class:`Journeys` from aggregated paths (ChannelAttribution's format).

    Each row of ``frame`` is a distinct path, ``"email > paid_search > direct"`` (channels
    joined by ``sep``; spaces around names are dropped), with the number of journeys along
    it that converted (``conversions``), their total value (``value``; None for none) and
    the number that did not (``nulls``; None if only converting paths were kept). A row
    becomes up to two rows of :class:`Journeys`: its conversions (weight = the count, value
    = the mean value per conversion) and its non-conversions. ``channels`` defaults to the
    names found in the paths, sorted.

    Paths carry no touch times, so :func:`time_decay` refuses such journeys.
    """
    require_columns(frame, [c for c in (path, conversions, value, nulls) if c is not None], "the paths table")
    if not sep:
        raise ValueError("sep is the text between two channels of a path, e.g. ' > '; it cannot be empty.")
    converting, failing = _counts(frame, conversions), _counts(frame, nulls)
    totals = (np.zeros(len(frame)) if value is None
              else frame[value].to_numpy(dtype=np.float64, na_value=np.nan))
    if np.isnan(totals).any() or (totals < 0).any():
        raise ValueError(f"{value} is the total value of a path's conversions: >= 0, without missing values.")
    if ((totals > 0) & (converting == 0)).any():
        bad = np.flatnonzero((totals > 0) & (converting == 0))[:5].tolist()
        raise ValueError(f"row(s) {bad} have a {value} but no {conversions}; value comes only with conversions.")
    names = (frame[path].astype("string").reset_index(drop=True).str.split(sep, regex=False)
             .explode().str.strip())
    rows = names.index.to_numpy()
    empty = names.fillna("").eq("").to_numpy(dtype=bool)
    if empty.any():
        bad = pd.unique(rows[empty])[:5].tolist()
        raise ValueError(f"row(s) {bad} of the paths table have an empty path or an empty step; "
                         f"every path is channel names joined by {sep!r}.")
    vocabulary = _vocabulary(channels, observed=None if channels is not None else set(names))
    codes = _channel_codes(names.reset_index(drop=True), vocabulary, "the paths table",
                           "Pass channels=[...] naming every channel, or fix the paths.")
    lengths = np.bincount(rows, minlength=len(frame))
    row_offsets = np.concatenate([[0], np.cumsum(lengths)])

    # one row per (path, converted) with journeys: converting first, then the nulls
    keep = np.concatenate([np.flatnonzero(converting > 0), np.flatnonzero(failing > 0)])
    is_conversion = np.concatenate([np.ones((converting > 0).sum(), bool), np.zeros((failing > 0).sum(), bool)])
    order = np.lexsort((~is_conversion, keep))
    source, is_conversion = keep[order], is_conversion[order]
    weight = np.where(is_conversion, converting[source], failing[source])
    mean_value = np.where(is_conversion, totals[source] / np.maximum(converting[source], 1), 0.0)
    new_lengths = lengths[source]
    offsets = np.concatenate([[0], np.cumsum(new_lengths)])
    gather = np.repeat(row_offsets[source] - offsets[:-1], new_lengths) + np.arange(offsets[-1])
    return Journeys(channels=vocabulary, offsets=offsets, codes=codes[gather], converted=is_conversion,
                    value=mean_value, weight=weight, hours_before_conversion=None)


# -- the heuristics ---------------------------------------------------------------------------

def require_conversions(journeys: Journeys) -> None:
    """Raise a ValueError when no journey converted: there is nothing to share out."""
    if not isinstance(journeys, Journeys):
        raise TypeError(f"expected Journeys (from journeys_from_touches or journeys_from_paths), "
                        f"got {type(journeys).__name__}.")
    if journeys.total_conversions == 0:
        raise ValueError("no journey converted, so there are no conversions to attribute; check the outcomes' "
                         "converted column (or the paths' conversion counts), or pick a period with sales.")


def attribution_frame(channels: Sequence[str], conversions, value) -> pd.DataFrame:
    """The models' common result: one row per channel with its conversions, value and share."""
    conversions, value = np.asarray(conversions, dtype=np.float64), np.asarray(value, dtype=np.float64)
    return pd.DataFrame({"channel": list(channels), "attributed_conversions": conversions,
                         "attributed_value": value, "share": conversions / conversions.sum()})


def _converting_touches(journeys: Journeys):
    """Touches of the converting journeys: (mask over touches, journey row, position, journey length)."""
    journey = journeys.journey_of_touch
    mask = journeys.converted[journey]
    journey = journey[mask]
    return mask, journey, journeys.position[mask], journeys.lengths[journey]


def _credit(journeys: Journeys, mask: np.ndarray, journey: np.ndarray, fraction: np.ndarray) -> pd.DataFrame:
    """Give each touch ``fraction`` of its journey's conversions and value; add up by channel."""
    codes, n = journeys.codes[mask], len(journeys.channels)
    conversions = np.bincount(codes, weights=fraction * journeys.conversions[journey], minlength=n)
    value = np.bincount(codes, weights=fraction * journeys.total_value[journey], minlength=n)
    return attribution_frame(journeys.channels, conversions, value)


def _end_touch(journeys: Journeys, last: bool) -> pd.DataFrame:
    require_conversions(journeys)
    rows = np.flatnonzero(journeys.converted)
    codes = journeys.codes[journeys.offsets[rows + 1] - 1 if last else journeys.offsets[rows]]
    n = len(journeys.channels)
    return attribution_frame(journeys.channels,
                             np.bincount(codes, weights=journeys.conversions[rows], minlength=n),
                             np.bincount(codes, weights=journeys.total_value[rows], minlength=n))


def last_click(journeys: Journeys) -> pd.DataFrame:
    """Each conversion (and its value) to the journey's last touch."""
    return _end_touch(journeys, last=True)


def first_click(journeys: Journeys) -> pd.DataFrame:
    """Each conversion (and its value) to the journey's first touch."""
    return _end_touch(journeys, last=False)


def linear(journeys: Journeys) -> pd.DataFrame:
    """Each conversion shared equally over the journey's touches (a repeated channel gets a share per touch)."""
    require_conversions(journeys)
    mask, journey, _, length = _converting_touches(journeys)
    return _credit(journeys, mask, journey, 1.0 / length)


def position_based(journeys: Journeys, first: float = 0.4, last: float = 0.4) -> pd.DataFrame:
    """U-shaped credit: ``first`` to the first touch, ``last`` to the last, the rest spread
    equally over the touches in between.

    A one-touch journey gives its touch everything; a two-touch journey has no middle, so
    its two touches share in proportion ``first : last`` (half each by default).
    """
    require_conversions(journeys)
    if first < 0 or last < 0 or first + last > 1 or first + last == 0:
        raise ValueError(f"first and last are shares >= 0 with 0 < first + last <= 1, got {first} and {last}.")
    mask, journey, position, length = _converting_touches(journeys)
    is_first, is_last = position == 0, position == length - 1
    middle = (1.0 - first - last) / np.maximum(length - 2, 1)
    fraction = np.select([length == 1, (length == 2) & is_first, (length == 2) & is_last, is_first, is_last],
                         [1.0, first / (first + last), last / (first + last), first, last], default=middle)
    return _credit(journeys, mask, journey, fraction)


def time_decay(journeys: Journeys, half_life_hours: float = DEFAULT_HALF_LIFE_HOURS) -> pd.DataFrame:
    """Credit halving every ``half_life_hours`` before the conversion (default 7 days).

    Touch weights ``2 ** (-hours_before_conversion / half_life_hours)`` are normalised
    within each journey (computed relative to the journey's latest touch, which gives the
    same ratios without underflow for touches months old).
    """
    require_conversions(journeys)
    if journeys.hours_before_conversion is None:
        raise ValueError("time decay needs each touch's time before the conversion, and these journeys have none "
                         "(aggregated paths carry no times). Build them with journeys_from_touches, or use a model "
                         "without times: last_click, first_click, linear, position_based, markov or shapley.")
    if not np.isfinite(half_life_hours) or half_life_hours <= 0:
        raise ValueError(f"half_life_hours is a positive number of hours, got {half_life_hours!r}.")
    mask, journey, _, _ = _converting_touches(journeys)
    hours = journeys.hours_before_conversion[mask]
    starts = np.flatnonzero(np.r_[True, journey[1:] != journey[:-1]])
    latest = np.minimum.reduceat(hours, starts)
    within = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(hours)]))
    weight = np.exp2(-(hours - latest[within]) / half_life_hours)
    total = np.add.reduceat(weight, starts)
    return _credit(journeys, mask, journey, weight / total[within])


# -- every model side by side, and against the truth --------------------------------------------

def model_functions() -> dict[str, Callable[[Journeys], pd.DataFrame]]:
    """Every model by name, each taking only :class:`Journeys` (defaults for the rest)."""
    from cbec.modules.independent_station import markov, shapley

    return {"last_click": last_click, "first_click": first_click, "linear": linear,
            "position_based": position_based, "time_decay": time_decay,
            "markov": markov.markov, "shapley": shapley.shapley}


def compare_models(journeys: Journeys,
                   models: Sequence[str] | Mapping[str, Callable[[Journeys], pd.DataFrame]] | None = None
                   ) -> pd.DataFrame:
    """Each model's share of the conversions per channel: a channel x model table.

    ``models`` names models of :data:`MODELS`, or maps column names to functions of
    ``journeys`` returning an attribution frame (e.g. ``{"decay_1d": functools.partial(
    time_decay, half_life_hours=24)}``). By default every model, less ``time_decay`` when
    the journeys have no touch times.
    """
    available = model_functions()
    if models is None:
        models = [m for m in MODELS if m != "time_decay" or journeys.hours_before_conversion is not None]
    if not isinstance(models, Mapping):
        unknown = [m for m in models if m not in available]
        if unknown:
            raise ValueError(f"unknown model(s) {unknown}; the models are {MODELS} (or pass a dict of functions).")
        models = {m: available[m] for m in models}
    if not models:
        raise ValueError(f"name at least one model to compare, from {MODELS}.")
    shares = {name: model(journeys).set_index("channel")["share"] for name, model in models.items()}
    table = pd.DataFrame(shares)
    table.index.name = "channel"
    table.columns.name = "model"
    return table


def score_against_truth(comparison: pd.DataFrame, true_shares: pd.Series) -> pd.DataFrame:
    """Rank the models of :func:`compare_models` by how close their shares are to the truth.

    ``true_shares`` is indexed by channel, non-negative and sums to 1 (divide incremental
    conversions by their total first). Per model: ``distance``, the total absolute
    difference over two (the share of conversions credited to the wrong channels, 0 to 1),
    ``rank_correlation`` (Spearman, do the channels come in the right order; NaN if a
    model gives every channel the same share), and ``max_abs_error``. Best (smallest
    distance) first.
    """
    if not isinstance(true_shares, pd.Series):
        raise TypeError("true_shares must be a pandas Series of shares indexed by channel.")
    truth = true_shares.astype(np.float64)
    missing, extra = sorted(set(comparison.index) - set(truth.index)), sorted(set(truth.index) - set(comparison.index))
    if missing or extra:
        raise ValueError(f"true_shares and the comparison must name the same channels; missing from true_shares: "
                         f"{missing}, not in the comparison: {extra}.")
    if truth.isna().any() or (truth < 0).any() or not np.isclose(truth.sum(), 1.0, atol=1e-6):
        raise ValueError(f"true_shares must be shares: >= 0 and summing to 1 (they sum to {truth.sum():.6g}); "
                         "pass true / true.sum().")
    truth = truth.reindex(comparison.index)
    rows = []
    for model in comparison.columns:
        shares = comparison[model].astype(np.float64)
        error = (shares - truth).abs()
        correlation = (np.nan if shares.nunique() < 2 or truth.nunique() < 2
                       else stats.spearmanr(shares, truth).statistic)
        rows.append({"model": model, "distance": error.sum() / 2, "rank_correlation": correlation,
                     "max_abs_error": error.max()})
    table = pd.DataFrame(rows).sort_values(["distance", "rank_correlation"], ascending=[True, False],
                                           kind="stable").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


# -- looking at the journeys ------------------------------------------------------------------------

def paths_from_journeys(journeys: Journeys, sep: str = " > ") -> pd.DataFrame:
    """The journeys aggregated by path, in ChannelAttribution's format (the inverse of :func:`journeys_from_paths`).

    One row per distinct path (channel names joined by ``sep``): ``path``, ``total_conversions``,
    ``total_conversion_value``, ``total_null`` and ``journeys`` (their sum), most journeys first.
    Touch times are dropped; untouched journeys have no path and are not rows.
    """
    if not isinstance(journeys, Journeys):
        raise TypeError(f"expected Journeys (from journeys_from_touches or journeys_from_paths), "
                        f"got {type(journeys).__name__}.")
    if not sep:
        raise ValueError("sep is the text between two channels of a path, e.g. ' > '; it cannot be empty.")
    names = pd.Series(np.asarray(journeys.channels, dtype=object)[journeys.codes])
    path = names.groupby(journeys.journey_of_touch, sort=True).agg(sep.join).to_numpy()
    table = pd.DataFrame({"path": path, "total_conversions": journeys.conversions,
                          "total_conversion_value": np.where(journeys.converted, journeys.total_value, 0.0),
                          "total_null": np.where(journeys.converted, 0, journeys.weight).astype(np.float64)})
    table = table.groupby("path", as_index=False, sort=True).sum()
    for column in ("total_conversions", "total_null"):
        table[column] = table[column].round().astype(np.int64)
    table["journeys"] = table["total_conversions"] + table["total_null"]
    return table.sort_values(["journeys", "total_conversions", "path"], ascending=[False, False, True],
                             kind="stable").reset_index(drop=True)


def first_and_last_touch(journeys: Journeys) -> pd.DataFrame:
    """Converting journeys counted by their first touch's channel (rows) and last touch's (columns).

    The diagonal holds the journeys that began and ended on the same channel (one-touch journeys
    among them); a column's total is what last click credits to that channel, a row's total what
    first click credits.
    """
    require_conversions(journeys)
    rows = np.flatnonzero(journeys.converted)
    first = journeys.codes[journeys.offsets[rows]]
    last = journeys.codes[journeys.offsets[rows + 1] - 1]
    n = len(journeys.channels)
    counts = np.bincount(first * n + last, weights=journeys.conversions[rows], minlength=n * n).reshape(n, n)
    return pd.DataFrame(counts, index=pd.Index(journeys.channels, name="first touch"),
                        columns=pd.Index(journeys.channels, name="last touch"))
