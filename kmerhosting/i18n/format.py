"""Money, dates and durations as a customer in Cameroon reads them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ..config import get_settings
from . import normalize_language, translate

NARROW_NBSP = "\u202f"  # French thousands separator


def format_xaf(amount: int, lang: str = "fr") -> str:
    """12500 -> "12 500 FCFA" (fr) / "12,500 XAF" (en). Integers only: XAF has no minor unit."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("money is an integer number of XAF")
    sign = "-" if amount < 0 else ""
    digits = f"{abs(amount):,}"
    if normalize_language(lang) == "fr":
        return sign + digits.replace(",", NARROW_NBSP) + " FCFA"
    return f"{sign}{digits} XAF"


def local_time(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(get_settings().timezone))


def format_date(moment: datetime | None, lang: str = "fr") -> str:
    if moment is None:
        return ""
    local = local_time(moment)
    return local.strftime("%d/%m/%Y") if normalize_language(lang) == "fr" else local.strftime("%Y-%m-%d")


def format_datetime(moment: datetime | None, lang: str = "fr") -> str:
    if moment is None:
        return ""
    local = local_time(moment)
    if normalize_language(lang) == "fr":
        return local.strftime("%d/%m/%Y %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def format_months(months: int, lang: str = "fr") -> str:
    return translate("common.months_one" if months == 1 else "common.months_many", lang, n=months)
