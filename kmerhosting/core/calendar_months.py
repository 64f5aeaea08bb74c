"""Durations in calendar months, counted in the shop's time zone.

A service bought or renewed on 31 January for one month ends on 28/29 February (the day is clamped
to the month's length). Counting in local time (Africa/Douala) keeps the date the customer reads the
same as the one we computed, whatever the UTC hour of the payment.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ..config import get_settings
from ..models.base import as_utc


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus `months` calendar months in the shop's time zone, returned in UTC."""
    local = as_utc(moment).astimezone(ZoneInfo(get_settings().timezone))
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(UTC)


def days_left(expires_at: datetime, now: datetime) -> int:
    """The one rule for days left, for hosting services and domains alike: calendar days between today
    and the expiry day in the shop's time zone. 1 on the last day before expiry, 0 on the day itself."""
    zone = ZoneInfo(get_settings().timezone)
    return (as_utc(expires_at).astimezone(zone).date() - as_utc(now).astimezone(zone).date()).days
