"""Unit economics of a marketplace listing: fees, landed cost, contribution, break-evens.

The formulas, per unit sold:

- referral fee = max(rate x (price + shipping charged), minimum) + fixed fee
- dimensional weight = L x W x H / 139 (inches -> pounds); shipping weight = max(unit, dimensional)
- size tier: the first tier whose limits the sorted sides and the shipping weight fit
- fulfilment fee: the tier's weight band (plus a per-pound charge above the last band)
- storage = cubic feet (L x W x H / 1728) x rate per cubic foot per month (peak Oct-Dec)
- landed cost: CIF = goods + freight + insurance; duty = CIF x duty rate;
  import VAT = (CIF + duty) x VAT rate; converted to the marketplace currency
- contribution = price - referral - fulfilment - landed cost - storage - ad cost
- break-even ACoS = margin before advertising / price
- target ACoS = break-even ACoS - target net margin (as a share of price); both per
  product in :func:`acos_targets`
- volume a price change needs to keep total contribution = old margin / new margin - 1

Fee functions take numbers, numpy arrays or pandas Series; a Series in gives a Series
out with the same index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cbec.modules.platform_operation.fees import FeeSchedule

CUBIC_INCHES_PER_CUBIC_FOOT = 1728.0
EU_IOSS_LIMIT_EUR = 150.0


def _series_index(*values):
    """The index of the first pandas Series among ``values`` (None if there is none)."""
    for value in values:
        if isinstance(value, pd.Series):
            return value.index
    return None


def _shape_like(result, *inputs):
    """Give ``result`` the form of the inputs: Series (same index), array or plain number."""
    index = _series_index(*inputs)
    if index is not None:
        return pd.Series(np.asarray(result), index=index)
    result = np.asarray(result)
    return result.item() if result.ndim == 0 else result


def _numbers(value, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if np.isnan(array).any():
        raise ValueError(f"{name} has missing values; fill or drop them before computing fees.")
    return array


def referral_fee(price, category, schedule: FeeSchedule, shipping=0.0):
    """Referral fee per unit: ``max(rate x (price + shipping), minimum) + fixed fee``.

    ``category`` is one category name or one per price (array or Series).

    >>> from cbec.modules.platform_operation.fees import load_schedule
    >>> referral_fee(20.0, "toys_and_games", load_schedule("amazon_us"))   # 15% of 20
    3.0
    """
    amount = _numbers(price, "price") + _numbers(shipping, "shipping")
    if np.any(amount < 0):
        raise ValueError("price + shipping must be >= 0; check for negative prices.")
    if isinstance(category, str):
        entry = schedule.referral_rate(category)
        rate, minimum, fixed = entry.rate, entry.minimum, entry.fixed_fee
    else:
        names = pd.Series(np.asarray(category, dtype=object))
        for unknown in names[~names.isin(list(schedule.referral))].unique()[:1]:
            schedule.referral_rate(unknown)  # raises with the list of known categories
        rate = names.map({k: v.rate for k, v in schedule.referral.items()}).to_numpy(float)
        minimum = names.map({k: v.minimum for k, v in schedule.referral.items()}).to_numpy(float)
        fixed = names.map({k: v.fixed_fee for k, v in schedule.referral.items()}).to_numpy(float)
    fee = np.maximum(rate * amount, minimum) + fixed
    return _shape_like(np.round(fee, 2), price, shipping, category)


def dimensional_weight(length_in, width_in, height_in, divisor: float = 139.0):
    """Dimensional weight in pounds: ``L x W x H / divisor`` (inches; 139 by default)."""
    volume = _numbers(length_in, "length") * _numbers(width_in, "width") * _numbers(height_in, "height")
    return _shape_like(volume / divisor, length_in, width_in, height_in)


def shipping_weight(unit_weight_lb, length_in, width_in, height_in, divisor: float = 139.0):
    """Shipping weight in pounds: ``max(unit weight, dimensional weight)``."""
    dim = np.asarray(dimensional_weight(length_in, width_in, height_in, divisor), dtype=float)
    return _shape_like(np.maximum(_numbers(unit_weight_lb, "unit weight"), dim),
                       unit_weight_lb, length_in, width_in, height_in)


def size_tier(length_in, width_in, height_in, unit_weight_lb, schedule: FeeSchedule):
    """Size tier from the sides (inches) and the shipping weight (pounds).

    Sides are sorted (longest, median, shortest) before comparing with the tier's limits,
    so the order you give them in does not matter. Limits are inclusive.
    """
    schedule.require_fulfilment()
    sides = np.stack(np.broadcast_arrays(_numbers(length_in, "length"), _numbers(width_in, "width"),
                                         _numbers(height_in, "height")), axis=-1)
    sides = -np.sort(-sides, axis=-1)
    longest, median, shortest = sides[..., 0], sides[..., 1], sides[..., 2]
    weight = np.asarray(shipping_weight(unit_weight_lb, longest, median, shortest,
                                        schedule.dimensional_weight_divisor), dtype=float)
    girth_plus_length = longest + 2 * (median + shortest)
    tier = np.full(longest.shape, None, dtype=object)
    for spec in schedule.size_tiers:
        fits = tier == None  # noqa: E711 -- elementwise test on an object array
        for measure, limit in ((longest, spec.max_longest_in), (median, spec.max_median_in),
                               (shortest, spec.max_shortest_in), (girth_plus_length, spec.max_length_plus_girth_in),
                               (weight, spec.max_weight_lb)):
            if limit is not None:
                fits &= measure <= limit + 1e-9
        tier[fits] = spec.name
    if (tier == None).any():  # noqa: E711
        where = np.flatnonzero(np.ravel(tier == None))[:3]  # noqa: E711
        raise ValueError(f"{schedule.name}: no size tier fits item(s) at position {where.tolist()} "
                         f"(too long or heavier than the largest tier, {schedule.size_tiers[-1].name}); "
                         "check the units (inches and pounds) or ship the item yourself.")
    return _shape_like(tier, length_in, width_in, height_in, unit_weight_lb)


def fulfilment_fee(tier, shipping_weight_lb, schedule: FeeSchedule):
    """Fulfilment fee per unit: the tier's first weight band that holds the shipping weight.

    Above the last band, the tier's per-pound charge applies to each pound or part of a pound.
    """
    schedule.require_fulfilment()
    weight = _numbers(shipping_weight_lb, "shipping weight")
    tiers = np.broadcast_to(np.asarray(tier, dtype=object), weight.shape)
    fee = np.full(weight.shape, np.nan)
    for spec in schedule.size_tiers:
        mask = tiers == spec.name
        if not mask.any():
            continue
        limits = np.array([band.up_to_lb for band in spec.fee_bands])
        fees = np.array([band.fee for band in spec.fee_bands])
        band = np.searchsorted(limits, weight[mask] - 1e-9, side="left")
        above = band == len(limits)
        if above.any() and spec.per_lb_above_last_band is None:
            raise ValueError(f"{schedule.name}: shipping weight {weight[mask][above].max():g} lb is above the "
                             f"heaviest {spec.name} band ({limits[-1]:g} lb); find the tier with size_tier() "
                             "from the dimensions and the weight.")
        extra_lb = np.ceil(np.maximum(weight[mask] - limits[-1], 0) - 1e-9)
        fee[mask] = np.where(above, fees[-1] + extra_lb * (spec.per_lb_above_last_band or 0.0),
                             fees[np.minimum(band, len(fees) - 1)])
    if np.isnan(fee).any():
        unknown = sorted(set(np.asarray(tiers)[np.isnan(fee)].tolist()), key=str)
        schedule.tier(str(unknown[0]))  # raises with the list of tier names
    return _shape_like(np.round(fee, 2), tier, shipping_weight_lb)


def storage_fee(length_in, width_in, height_in, tier, month, schedule: FeeSchedule):
    """Storage fee per unit for one month: cubic feet x the tier's storage rate.

    ``month`` is a month number (1-12) or a date; the peak rate applies in the schedule's
    peak months (October-December).
    """
    schedule.require_fulfilment()
    months = pd.DatetimeIndex(np.atleast_1d(month)).month if not np.issubdtype(
        np.asarray(month).dtype, np.number) else np.atleast_1d(np.asarray(month, dtype=int))
    if np.any((months < 1) | (months > 12)):
        raise ValueError("month must be 1-12 (or a date).")
    cubic_feet = (_numbers(length_in, "length") * _numbers(width_in, "width") * _numbers(height_in, "height")
                  / CUBIC_INCHES_PER_CUBIC_FOOT)
    tiers = np.asarray(tier, dtype=object)
    storage_class = np.vectorize(lambda name: schedule.tier(name).storage_class, otypes=[object])(tiers)
    peak = np.isin(months, schedule.peak_months).reshape(np.shape(month))
    rate = np.where(peak,
                    np.vectorize(lambda c: schedule.storage[c].peak, otypes=[float])(storage_class),
                    np.vectorize(lambda c: schedule.storage[c].off_peak, otypes=[float])(storage_class))
    return _shape_like(np.round(cubic_feet * rate, 4), length_in, width_in, height_in, tier, month)


def fee_table(products: pd.DataFrame, schedule: FeeSchedule, *, price_column: str = "price") -> pd.DataFrame:
    """Add shipping weight, size tier, referral and fulfilment fees to a products table.

    Needs columns ``length_in, width_in, height_in, unit_weight_lb, category`` and ``price_column``.
    """
    needed = ["length_in", "width_in", "height_in", "unit_weight_lb", "category", price_column]
    missing = [c for c in needed if c not in products]
    if missing:
        raise KeyError(f"products lacks column(s) {missing}; it needs {needed}.")
    out = products.copy()
    sides = (out["length_in"], out["width_in"], out["height_in"])
    out["shipping_weight_lb"] = shipping_weight(out["unit_weight_lb"], *sides, schedule.dimensional_weight_divisor)
    out["size_tier"] = size_tier(*sides, out["unit_weight_lb"], schedule)
    out["referral_fee"] = referral_fee(out[price_column], out["category"], schedule)
    out["fulfilment_fee"] = fulfilment_fee(out["size_tier"], out["shipping_weight_lb"], schedule)
    return out


@dataclass(frozen=True)
class LandedCost:
    """Landed cost of one unit, each component in the marketplace currency."""

    goods: float
    freight: float
    insurance: float
    cif: float
    duty: float
    import_vat: float
    total: float
    vat_reclaimed: bool


def landed_cost(supplier_price: float, *, freight: float, fx_rate: float, duty_rate: float,
                vat_rate: float = 0.0, insurance_rate: float = 0.005,
                vat_reclaimable: bool = False) -> LandedCost:
    """Landed cost per unit in the marketplace currency.

    ``supplier_price`` and ``freight`` (per unit) are in the supplier's currency and
    ``fx_rate`` is marketplace currency per unit of it (e.g. 0.14 USD per CNY). Insurance
    is ``insurance_rate`` x (goods + freight), usually 0.2%-2%. CIF = goods + freight +
    insurance; duty = CIF x duty rate; import VAT = (CIF + duty) x VAT rate (EU 17%-27%,
    UK 20%). A VAT-registered importer usually reclaims import VAT: then
    ``vat_reclaimable=True`` leaves it out of ``total`` (it is still reported).
    """
    for name, value, high in (("supplier_price", supplier_price, math.inf), ("freight", freight, math.inf),
                              ("duty_rate", duty_rate, 1), ("vat_rate", vat_rate, 1),
                              ("insurance_rate", insurance_rate, 0.1)):
        if not 0 <= value <= high:
            raise ValueError(f"{name}={value!r} must be between 0 and {high}"
                             + ("; write rates as fractions, e.g. 0.2 for 20%." if high <= 1 else "."))
    if not fx_rate > 0:
        raise ValueError(f"fx_rate={fx_rate!r} must be > 0: marketplace currency per unit of the supplier's.")
    goods = supplier_price * fx_rate
    freight_local = freight * fx_rate
    insurance = insurance_rate * (goods + freight_local)
    cif = goods + freight_local + insurance
    duty = cif * duty_rate
    vat = (cif + duty) * vat_rate
    total = cif + duty + (0.0 if vat_reclaimable else vat)
    return LandedCost(*(round(v, 4) for v in (goods, freight_local, insurance, cif, duty, vat, total)),
                      vat_reclaimed=vat_reclaimable)


def ioss_applies(consignment_value_eur: float) -> bool:
    """Whether an EU consignment can use IOSS: intrinsic value of 150 EUR or less.

    Since 1 July 2021 every import into the EU bears VAT (the 22 EUR exemption ended);
    IOSS lets the seller or marketplace collect it at the sale for consignments up to 150 EUR.
    """
    return 0 <= consignment_value_eur <= EU_IOSS_LIMIT_EUR


def contribution_per_unit(price, referral, fulfilment, landed, ad_cost_per_unit=0.0, storage_per_unit=0.0):
    """Net proceeds per unit: price - referral - fulfilment - landed cost - ad cost - storage."""
    return price - referral - fulfilment - landed - ad_cost_per_unit - storage_per_unit


@dataclass(frozen=True)
class UnitEconomics:
    """One unit's money, from price down to contribution."""

    price: float
    referral_fee: float
    fulfilment_fee: float
    landed_cost: float
    storage_per_unit: float
    margin_before_advertising: float
    ad_cost_per_unit: float
    contribution: float
    break_even_acos: float


def unit_economics(price: float, *, category: str, landed: float, fulfilment: float, schedule: FeeSchedule,
                   shipping: float = 0.0, ad_cost_per_unit: float = 0.0,
                   storage_per_unit: float = 0.0) -> UnitEconomics:
    """The per-unit breakdown of one listing (referral fee from the schedule)."""
    referral = referral_fee(price, category, schedule, shipping)
    before_ads = contribution_per_unit(price, referral, fulfilment, landed, 0.0, storage_per_unit)
    return UnitEconomics(price, referral, fulfilment, landed, storage_per_unit, round(before_ads, 4),
                         ad_cost_per_unit, round(before_ads - ad_cost_per_unit, 4),
                         break_even_acos(before_ads, price))


def break_even_price(unit_costs: float, category: str, schedule: FeeSchedule, shipping: float = 0.0) -> float:
    """The price at which contribution is zero.

    ``unit_costs`` are all per-unit costs other than the referral fee (fulfilment, landed
    cost, storage, ad cost per unit). Contribution rises with price, so there is one root:
    where the minimum binds, ``p = costs + fixed + minimum``; where the percentage binds,
    ``p = (costs + fixed + rate x shipping) / (1 - rate)``.
    """
    entry = schedule.referral_rate(category)
    if unit_costs < 0:
        raise ValueError("unit_costs must be >= 0: add up fulfilment, landed cost, storage and ads.")
    at_minimum = unit_costs + entry.fixed_fee + entry.minimum
    if entry.rate * (at_minimum + shipping) <= entry.minimum:
        return at_minimum
    return (unit_costs + entry.fixed_fee + entry.rate * shipping) / (1 - entry.rate)


def break_even_acos(margin_before_advertising, price):
    """The ACoS at which advertising eats the whole margin: margin before ads / price."""
    return margin_before_advertising / price


def target_acos(margin_before_advertising, price, target_net_margin: float):
    """The ACoS that leaves ``target_net_margin`` (share of price): break-even ACoS - target."""
    if not 0 <= target_net_margin < 1:
        raise ValueError("target_net_margin is a share of price, e.g. 0.10 for 10%.")
    return break_even_acos(margin_before_advertising, price) - target_net_margin


def acos_targets(products: pd.DataFrame, schedule: FeeSchedule, *, target_net_margin: float,
                 cost_column: str = "unit_cost") -> pd.DataFrame:
    """Per product: margin before advertising, break-even ACoS and target ACoS.

    The margin is price - referral fee - fulfilment fee - ``cost_column`` (the landed cost
    of a unit); ``products`` needs the columns of :func:`fee_table` and ``cost_column``.
    """
    if cost_column not in products:
        raise KeyError(f"products lacks the cost column {cost_column!r}; pass cost_column= to name "
                       "the landed cost per unit.")
    table = fee_table(products, schedule)
    margin = table["price"] - table["referral_fee"] - table["fulfilment_fee"] - table[cost_column]
    out = table.assign(margin_before_advertising=margin.round(4))
    out["break_even_acos"] = break_even_acos(margin, table["price"])
    out["target_acos"] = target_acos(margin, table["price"], target_net_margin)
    return out


def required_volume_increase(old_margin: float, new_margin: float) -> float:
    """Extra volume (share) that keeps total contribution: ``old margin / new margin - 1``."""
    if new_margin <= 0:
        raise ValueError(f"the new margin per unit is {new_margin:g} <= 0: no extra volume can make up for it; "
                         "cut the price less or lower the costs first.")
    return old_margin / new_margin - 1


def price_cut_volume_increase(price: float, cut: float, *, category: str, unit_costs: float,
                              schedule: FeeSchedule, shipping: float = 0.0) -> float:
    """Extra volume a price cut of ``cut`` (e.g. 0.10) needs, with the referral fee recomputed.

    ``unit_costs`` are the per-unit costs other than the referral fee.
    """
    if not 0 <= cut < 1:
        raise ValueError("cut is a share of the price, e.g. 0.10 for a 10% cut.")
    new_price = price * (1 - cut)
    old = price - referral_fee(price, category, schedule, shipping) - unit_costs
    new = new_price - referral_fee(new_price, category, schedule, shipping) - unit_costs
    return required_volume_increase(old, new)


def weekly_units_from_sales_rank(rank):
    """Rough units per week from a best-seller rank: ``ln(units) = 10.526 - 0.87 ln(rank)``.

    A published fit for one category and period; use it to compare orders of magnitude.
    """
    ranks = _numbers(rank, "rank")
    if np.any(ranks < 1):
        raise ValueError("sales ranks start at 1.")
    return _shape_like(np.exp(10.526 - 0.87 * np.log(ranks)), rank)
