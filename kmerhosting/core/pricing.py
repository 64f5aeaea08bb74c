"""Hosting prices by duration.

Rule (stated once, used everywhere): the price of N months is
    monthly_price × N × (100 − discount%) / 100, rounded half up to the franc,
computed in integers. The discount for a duration is the pack's own when it sets one,
else the configured default (DURATION_DISCOUNTS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..config import DURATIONS, get_settings
from .errors import InvalidDuration


@dataclass(frozen=True)
class DurationPrice:
    months: int
    discount_percent: int
    price: int  # XAF for the whole duration
    monthly_equivalent: int  # price / months, rounded half up
    saving: int  # against paying the monthly price N times


def discount_for(months: int, pack_discounts: Mapping | None = None,
                 default_discounts: Mapping[int, int] | None = None) -> int:
    if months not in DURATIONS:
        raise InvalidDuration(months)
    if pack_discounts:
        value = pack_discounts.get(str(months), pack_discounts.get(months))
        if value is not None:
            return int(value)
    defaults = default_discounts if default_discounts is not None else get_settings().duration_discounts
    return int(defaults.get(months, 0))


def _round_half_up_div(numerator: int, denominator: int) -> int:
    return (numerator * 2 + denominator) // (denominator * 2)


def price_for(monthly_price: int, months: int, discount_percent: int) -> int:
    if months not in DURATIONS:
        raise InvalidDuration(months)
    if not 0 <= discount_percent < 100:
        raise ValueError("discount must be in [0, 100)")
    return _round_half_up_div(monthly_price * months * (100 - discount_percent), 100)


def duration_price(monthly_price: int, months: int, pack_discounts: Mapping | None = None,
                   default_discounts: Mapping[int, int] | None = None) -> DurationPrice:
    pct = discount_for(months, pack_discounts, default_discounts)
    price = price_for(monthly_price, months, pct)
    return DurationPrice(months=months, discount_percent=pct, price=price,
                         monthly_equivalent=_round_half_up_div(price, months),
                         saving=monthly_price * months - price)


def pack_prices(pack, default_discounts: Mapping[int, int] | None = None) -> list[DurationPrice]:
    """Every offered duration of a pack, shortest first."""
    return [duration_price(pack.monthly_price, m, pack.discounts, default_discounts) for m in DURATIONS]
