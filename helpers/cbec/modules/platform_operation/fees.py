"""Marketplace fee schedules as versioned data: load, validate and look up.

Each schedule is a YAML file in ``fee_schedules/`` (shipped with the package and found
through :mod:`importlib.resources`). A file holds the marketplace, its currency, a version
and effective date, where the numbers come from, referral rates by category (with a
per-item minimum and a fixed fee per unit), and -- for marketplaces with a fulfilment
programme -- size tiers with their fee bands and monthly storage fees.

>>> schedule = load_schedule("amazon_us")
>>> schedule.referral_rate("toys_and_games").rate
0.15

Every problem in a file is reported as ``<file>: <field>: <what is wrong>; <what to do>``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

SCHEMA_VERSION = 1
SCHEDULE_SUFFIX = ".yaml"


class FeeScheduleError(ValueError):
    """A fee-schedule file is missing, unreadable or holds an invalid value."""


@dataclass(frozen=True)
class ReferralRate:
    """Referral (final value) fee of one category: ``max(rate x amount, minimum) + fixed_fee``."""

    category: str
    rate: float
    minimum: float
    fixed_fee: float


@dataclass(frozen=True)
class WeightBand:
    """Fulfilment fee of the units whose shipping weight is at most ``up_to_lb``."""

    up_to_lb: float
    fee: float


@dataclass(frozen=True)
class SizeTier:
    """One size tier: limits on the sorted sides and the shipping weight, and its fees.

    A limit of ``None`` means the tier has no limit on that measure.
    """

    name: str
    max_longest_in: float | None
    max_median_in: float | None
    max_shortest_in: float | None
    max_length_plus_girth_in: float | None
    max_weight_lb: float | None
    storage_class: str
    fee_bands: tuple[WeightBand, ...]
    per_lb_above_last_band: float | None


@dataclass(frozen=True)
class StorageRate:
    """Monthly storage fee per cubic foot of one storage class."""

    storage_class: str
    off_peak: float
    peak: float


@dataclass(frozen=True)
class FeeSchedule:
    """One marketplace's fees, as read from its YAML file."""

    name: str
    marketplace: str
    platform: str
    currency: str
    version: str
    effective_date: dt.date
    source: str
    path: str
    referral: Mapping[str, ReferralRate]
    dimensional_weight_divisor: float | None
    size_tiers: tuple[SizeTier, ...]
    storage: Mapping[str, StorageRate]
    peak_months: tuple[int, ...]

    @property
    def has_fulfilment(self) -> bool:
        """Whether the marketplace runs a fulfilment programme (size tiers and fees)."""
        return bool(self.size_tiers)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self.referral)

    def referral_rate(self, category: str) -> ReferralRate:
        """The referral rate of ``category``; an unknown category names the known ones."""
        try:
            return self.referral[category]
        except KeyError:
            raise KeyError(
                f"{self.name}: no referral rate for category {category!r}; use one of "
                f"{sorted(self.referral)} (everything_else covers the rest)") from None

    def tier(self, name: str) -> SizeTier:
        """The size tier called ``name``."""
        self.require_fulfilment()
        for tier in self.size_tiers:
            if tier.name == name:
                return tier
        raise KeyError(f"{self.name}: no size tier {name!r}; the tiers are "
                       f"{[t.name for t in self.size_tiers]}")

    def require_fulfilment(self) -> None:
        """Raise a helpful error if this marketplace has no fulfilment programme."""
        if not self.has_fulfilment:
            raise FeeScheduleError(
                f"{self.name} ({self.marketplace}) has no marketplace fulfilment programme, so it "
                "has no size tiers, fulfilment or storage fees; use your own shipping cost "
                "instead, or a schedule such as 'amazon_us'.")


def _schedule_folder():
    return resources.files("cbec.modules.platform_operation").joinpath("fee_schedules")


def schedules() -> list[str]:
    """Names of the schedules shipped with the package, e.g. ``['amazon_us', 'ebay_us']``."""
    return sorted(entry.name.removesuffix(SCHEDULE_SUFFIX) for entry in _schedule_folder().iterdir()
                  if entry.name.endswith(SCHEDULE_SUFFIX))


@lru_cache(maxsize=None)
def _load_shipped(name: str) -> FeeSchedule:
    entry = _schedule_folder().joinpath(name + SCHEDULE_SUFFIX)
    if not entry.is_file():
        raise FeeScheduleError(f"No fee schedule called {name!r}; the shipped schedules are "
                               f"{schedules()}, or pass the path of your own YAML file.")
    return parse_schedule(_read_yaml(entry.read_text(encoding="utf-8"), entry.name), name=name,
                          path=entry.name)


def load_schedule(name_or_path: str | Path) -> FeeSchedule:
    """Load and validate a schedule by name (``"amazon_us"``) or from a YAML file path."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith((".yaml", ".yml")):
        path = Path(name_or_path)
        if not path.is_file():
            raise FeeScheduleError(f"{path}: file not found; check the path, or load a shipped "
                                   f"schedule by name ({schedules()}).")
        return parse_schedule(_read_yaml(path.read_text(encoding="utf-8"), str(path)),
                              name=path.stem, path=str(path))
    return _load_shipped(text)


def _read_yaml(text: str, label: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise FeeScheduleError(f"{label}: not valid YAML ({error}); fix the syntax, e.g. the "
                               "indentation or a missing colon.") from None


class _Checker:
    """Reads fields from the parsed YAML, raising errors that name the file and the field."""

    def __init__(self, label: str):
        self.label = label

    def fail(self, field: str, problem: str, fix: str):
        raise FeeScheduleError(f"{self.label}: {field}: {problem}; {fix}.")

    def mapping(self, value, field: str) -> Mapping:
        if not isinstance(value, Mapping):
            self.fail(field, f"expected a mapping of keys to values, found {type(value).__name__}",
                      "indent the entries under it as `key: value` lines")
        return value

    def get(self, container: Mapping, key: str, where: str, *, optional: bool = False):
        field = f"{where}.{key}" if where else key
        if key not in container:
            if optional:
                return None
            self.fail(field, "missing", f"add `{key}:` to the file (see amazon_us.yaml for an example)")
        return container[key]

    def text(self, container, key, where="") -> str:
        value = self.get(container, key, where)
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{where}.{key}".lstrip("."), f"{value!r} is not a non-empty text", "write it as text")
        return value.strip()

    def number(self, container, key, where, *, low=0.0, high=math.inf, allow_none=False,
               what="a number >= 0") -> float | None:
        field = f"{where}.{key}"
        value = self.get(container, key, where)
        if value is None and allow_none:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            hint = ("write the percentage as a fraction, e.g. 0.15 for 15%" if high == 1
                    else f"write {what}" + (" or null for no limit" if allow_none else ""))
            self.fail(field, f"{value!r} is not {what}", hint)
        return float(value)


def parse_schedule(data: Any, *, name: str, path: str = "<memory>") -> FeeSchedule:
    """Validate parsed YAML (a dict) and build a :class:`FeeSchedule`; ``path`` labels errors."""
    check = _Checker(path)
    check.mapping(data, "(top level)")
    schema = check.get(data, "schema", "")
    if schema != SCHEMA_VERSION:
        check.fail("schema", f"{schema!r} is not a supported schema version",
                   f"write `schema: {SCHEMA_VERSION}` and the fields that version expects")
    currency = check.text(data, "currency")
    if len(currency) != 3 or not currency.isupper():
        check.fail("currency", f"{currency!r} is not an ISO 4217 code", "write three capital letters, e.g. USD")
    effective = check.get(data, "effective_date", "")
    try:
        effective = effective if isinstance(effective, dt.date) else dt.date.fromisoformat(str(effective))
    except ValueError:
        check.fail("effective_date", f"{effective!r} is not a date", "write it as YYYY-MM-DD, e.g. 2024-02-01")

    referral = _parse_referral(check, check.mapping(check.get(data, "referral", ""), "referral"))
    fulfilment = check.get(data, "fulfilment", "")
    storage = check.get(data, "storage", "")
    if (fulfilment is None) != (storage is None):
        check.fail("fulfilment" if fulfilment is None else "storage", "given without the other",
                   "give both fulfilment and storage, or set both to null for a marketplace "
                   "without a fulfilment programme")
    divisor, tiers = (None, ()) if fulfilment is None else _parse_fulfilment(check, check.mapping(fulfilment, "fulfilment"))
    rates, peak = ({}, ()) if storage is None else _parse_storage(check, check.mapping(storage, "storage"))
    for tier in tiers:
        if tier.storage_class not in rates:
            check.fail(f"fulfilment.size_tiers.{tier.name}.storage_class",
                       f"{tier.storage_class!r} has no storage rate",
                       f"use one of {sorted(rates)} or add it under storage.per_cubic_foot_month")
    return FeeSchedule(
        name=name, marketplace=check.text(data, "marketplace"), platform=check.text(data, "platform"),
        currency=currency, version=str(check.get(data, "version", "")), effective_date=effective,
        source=check.text(data, "source"), path=path, referral=MappingProxyType(referral),
        dimensional_weight_divisor=divisor, size_tiers=tiers, storage=MappingProxyType(rates),
        peak_months=peak)


def _parse_referral(check: _Checker, section: Mapping) -> dict[str, ReferralRate]:
    fixed = check.number(section, "fixed_fee_per_unit", "referral")
    categories = check.mapping(check.get(section, "categories", "referral"), "referral.categories")
    if not categories:
        check.fail("referral.categories", "empty", "list at least one category with its rate and minimum")
    rates = {}
    for category, entry in categories.items():
        where = f"referral.categories.{category}"
        entry = check.mapping(entry, where)
        rates[str(category)] = ReferralRate(
            str(category), check.number(entry, "rate", where, high=1, what="a fraction between 0 and 1"),
            check.number(entry, "minimum", where), fixed)
    return rates


def _parse_fulfilment(check: _Checker, section: Mapping) -> tuple[float, tuple[SizeTier, ...]]:
    divisor = check.number(section, "dimensional_weight_divisor", "fulfilment", low=1, what="a number >= 1")
    entries = check.get(section, "size_tiers", "fulfilment")
    if not isinstance(entries, list) or not entries:
        check.fail("fulfilment.size_tiers", "not a non-empty list",
                   "list the tiers from smallest to largest, each starting with `- name:`")
    tiers = []
    for position, entry in enumerate(entries):
        entry = check.mapping(entry, f"fulfilment.size_tiers[{position}]")
        tier_name = check.text(entry, "name", f"fulfilment.size_tiers[{position}]")
        where = f"fulfilment.size_tiers.{tier_name}"
        limits = {key: check.number(entry, key, where, allow_none=True, low=1e-9, what="a positive number")
                  for key in ("max_longest_in", "max_median_in", "max_shortest_in",
                              "max_length_plus_girth_in", "max_weight_lb")}
        bands_raw = check.get(entry, "fee_bands", where)
        if not isinstance(bands_raw, list) or not bands_raw:
            check.fail(f"{where}.fee_bands", "not a non-empty list",
                       "list the weight bands as `- {up_to_lb: 0.5, fee: 3.40}`, lightest first")
        bands = []
        for i, raw in enumerate(bands_raw):
            band_where = f"{where}.fee_bands[{i}]"
            raw = check.mapping(raw, band_where)
            bands.append(WeightBand(check.number(raw, "up_to_lb", band_where, low=1e-9, what="a positive number"),
                                    check.number(raw, "fee", band_where)))
        bands = tuple(bands)
        for lighter, heavier in zip(bands, bands[1:]):
            if not heavier.up_to_lb > lighter.up_to_lb:
                check.fail(f"{where}.fee_bands", f"up_to_lb {heavier.up_to_lb} follows {lighter.up_to_lb}",
                           "list the bands lightest first with strictly increasing up_to_lb")
            if heavier.fee < lighter.fee:
                check.fail(f"{where}.fee_bands", f"the fee falls from {lighter.fee} to {heavier.fee}",
                           "check the fees: a heavier band never costs less")
        tiers.append(SizeTier(name=tier_name, **limits, storage_class=check.text(entry, "storage_class", where),
                              fee_bands=bands,
                              per_lb_above_last_band=check.number(entry, "per_lb_above_last_band", where,
                                                                  allow_none=True)))
    names = [tier.name for tier in tiers]
    if len(set(names)) != len(names):
        check.fail("fulfilment.size_tiers", f"repeated tier names {names}", "give each tier its own name")
    return divisor, tuple(tiers)


def _parse_storage(check: _Checker, section: Mapping) -> tuple[dict[str, StorageRate], tuple[int, ...]]:
    peak = check.get(section, "peak_months", "storage")
    if (not isinstance(peak, list) or not all(isinstance(m, int) and 1 <= m <= 12 for m in peak)):
        check.fail("storage.peak_months", f"{peak!r} is not a list of month numbers",
                   "write the months as numbers 1-12, e.g. [10, 11, 12] for October-December")
    table = check.mapping(check.get(section, "per_cubic_foot_month", "storage"), "storage.per_cubic_foot_month")
    rates = {}
    for storage_class, entry in table.items():
        where = f"storage.per_cubic_foot_month.{storage_class}"
        entry = check.mapping(entry, where)
        rates[str(storage_class)] = StorageRate(str(storage_class), check.number(entry, "off_peak", where),
                                                check.number(entry, "peak", where))
    return rates, tuple(peak)
