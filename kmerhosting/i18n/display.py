"""Values as a person reads them, in the visitor's language: the one display layer (DESIGN.md, "Showing
values").

State, core, mails and exports keep values (integers of XAF, aware UTC datetimes, enum values, keys);
this module turns each into text with Babel's CLDR data for `fr_CM` and `en_CM`. Every space that must
not break (thousands, before a unit, inside a date) is a no-break space, so "40 500 FCFA" never wraps
into "40 500 / FCFA". Nothing here imports Reflex.
"""

from __future__ import annotations

import re
from datetime import date as Date
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time
from babel.numbers import format_decimal
from babel.units import format_unit

from ..config import get_settings
from . import normalize_language, translate

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
LOCALES = {"fr": "fr_CM", "en": "en_CM"}
CURRENCY = "FCFA"  # CLDR's symbol for XAF in both locales


def locale_of(lang: str | None) -> str:
    return LOCALES[normalize_language(lang)]


@lru_cache(maxsize=4)
def _locale(lang: str) -> Locale:
    return Locale.parse(locale_of(lang))


def colon(lang: str | None = "fr") -> str:
    """The colon between a label and its value: French puts a no-break space before it."""
    return f"{NBSP}: " if normalize_language(lang) == "fr" else ": "


def _glue(text: str) -> str:
    """Every ordinary space of a formatted value becomes a no-break space."""
    return text.replace(" ", NBSP)


# --- numbers and money ------------------------------------------------------------------------------


def number(value: int, lang: str | None = "fr") -> str:
    """12500 -> "12 500" (fr, narrow no-break space) / "12,500" (en)."""
    return format_decimal(value, locale=locale_of(lang))


def money(amount: int, lang: str | None = "fr", signed: bool = False) -> str:
    """12500 -> "12 500 FCFA" / "12,500 FCFA"; `signed` writes "+" before a credit. Integers only: XAF
    has no minor unit."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("money is an integer number of XAF")
    sign = "-" if amount < 0 else ("+" if signed and amount > 0 else "")
    return f"{sign}{number(abs(amount), lang)}{NBSP}{CURRENCY}"


def percent(ratio: float, lang: str | None = "fr", decimals: int = 1) -> str:
    """1.0 -> "100,0 %" (fr) / "100.0%" (en): a share, with `decimals` digits."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    digits = format_decimal(ratio * 100, format=pattern, locale=locale_of(lang))
    return f"{digits}{NBSP}%" if normalize_language(lang) == "fr" else f"{digits}%"


def discount(percent_off: int, lang: str | None = "fr") -> str:
    """5 -> "-5 %" (fr) / "-5%" (en): a price reduction in whole percent, the same on every page."""
    return "-" + percent(percent_off / 100, lang, decimals=0)


# --- dates and times (shown in the shop's time zone, Africa/Douala) -----------------------------------


def local_time(moment: datetime) -> datetime:
    """A stored moment (UTC; a naive one read back from SQLite is UTC too) in the shop's time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(get_settings().timezone))


def date(moment: datetime | Date | None, lang: str | None = "fr") -> str:
    """A calendar day: "3 nov. 2026" (fr) / "3 Nov 2026" (en), never broken across lines."""
    if moment is None:
        return ""
    day = local_time(moment).date() if isinstance(moment, datetime) else moment
    return _glue(_babel_date(day, "medium", locale=locale_of(lang)))


def datetime_(moment: datetime | None, lang: str | None = "fr") -> str:
    """"3 nov. 2026, 14:30" in Douala time."""
    if moment is None:
        return ""
    local = local_time(moment)
    return f"{date(local, lang)}, {_babel_time(local, 'HH:mm', locale=locale_of(lang))}"


def iso_date(moment: datetime | None) -> str:
    """The local calendar day as ISO 8601 (for machines: CSV)."""
    return local_time(moment).date().isoformat() if moment is not None else ""


# --- durations and counts ---------------------------------------------------------------------------


def _unit(n: int, unit: str, lang: str | None) -> str:
    return _glue(format_unit(n, unit, locale=locale_of(lang)))


def months(n: int, lang: str | None = "fr") -> str:
    """12 -> "12 mois" / "12 months"; 1 -> "1 mois" / "1 month"."""
    return _unit(n, "duration-month", lang)


def years(n: int, lang: str | None = "fr") -> str:
    """1 -> "1 an" / "1 year"; 2 -> "2 ans" / "2 years"."""
    return _unit(n, "duration-year", lang)


def days(n: int, lang: str | None = "fr") -> str:
    """1 -> "1 jour" / "1 day"; 365 -> "365 jours" / "365 days"."""
    return _unit(n, "duration-day", lang)


def size(megabytes: int, lang: str | None = "fr") -> str:
    """A size given in MiB, as the panels report it: 512 -> "512 Mo" / "512 MB"; 1229 -> "1,2 Go" /
    "1.2 GB"; 10240 -> "10 Go"; from 1024 Go on, in To / TB. One decimal at most, never broken."""
    value, unit = float(max(int(megabytes), 0)), "digital-megabyte"
    for bigger in ("digital-gigabyte", "digital-terabyte"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    pattern = "#,##0" if unit == "digital-megabyte" else "#,##0.#"
    return _glue(format_unit(value, unit, length="short", format=pattern, locale=locale_of(lang)))


def usage(used_mb: int | None, limit_mb: int | None, lang: str | None = "fr") -> str:
    """"1,2 Go sur 10 Go" / "1.2 GB of 10 GB"; no limit: "1,2 Go sur illimité"; nothing measured: ""."""
    if used_mb is None:
        return ""
    limit = size(limit_mb, lang) if limit_mb is not None else translate("panel.unlimited", lang)
    return translate("panel.used_of", lang, used=size(used_mb, lang), limit=limit)


def plural_category(n: int, lang: str | None = "fr") -> str:
    """CLDR's category of `n`: French says "0 jour" and "1 jour" (one), English "0 days" (other)."""
    return _locale(normalize_language(lang)).plural_form(abs(n))


def count(key: str, n: int, lang: str | None = "fr") -> str:
    """A counted phrase from the catalogue: `<key>_one` for CLDR's "one", else `<key>`."""
    one = plural_category(n, lang) == "one"
    return translate(f"{key}_one" if one else key, lang, n=number(n, lang))


def expiry(days_left: int, expired: bool, lang: str | None = "fr") -> str:
    """Where an expiry stands, from the one rule of `core.expiry.days_left` (calendar days in the shop's
    time zone), the same for hosting services and domains: "Expire dans 1 jour" on the last day before,
    "Expire aujourd'hui" on the day itself until the moment passes, then "Expiré aujourd'hui" /
    "Expiré depuis 3 jours"."""
    if expired:
        if days_left >= 0:
            return translate("display.expired_today", lang)
        return translate("display.expired_since", lang, days=days(-days_left, lang))
    if days_left <= 0:
        return translate("display.expires_today", lang)
    return translate("display.expires_in", lang, days=days(days_left, lang))


def phone(number: str) -> str:
    """A Cameroonian number as people write it: "237677123456" -> "+237 6 77 12 34 56" (no-break spaces, so
    it never wraps); anything else stays as it is."""
    digits = (number or "").lstrip("+")
    if len(digits) == 12 and digits.startswith("237") and digits.isdigit():
        local = digits[3:]
        return NBSP.join(("+237", local[0], local[1:3], local[3:5], local[5:7], local[7:9]))
    return number or ""


# --- enum values and references -------------------------------------------------------------------

# Enum groups and the catalogue prefix of their labels (`<prefix><value>`).
LABELS = {
    "service_status": "dashboard.status_",
    "transaction_kind": "dashboard.kind_",
    "payment_method": "dashboard.method_",
    "request_status": "display.request_status_",
    "mail_kind": "display.mail_kind_",
    "mail_status": "display.mail_status_",
    "registrar_status": "display.registrar_status_",
    "user_status": "display.user_status_",
    "role": "display.role_",
    "audit_action": "display.audit_",
    "payment_status": "display.payment_status_",
    "operator": "display.operator_",
    "gateway": "display.gateway_",
}


def label(group: str, value: str, lang: str | None = "fr") -> str:
    """An enum value in words ("purchase" -> "Achat" / "Purchase"); an unknown value gets a readable
    fallback, never its code."""
    key = LABELS[group] + str(value)
    text = translate(key, lang)
    if text == key:
        return str(value).replace("_", " ").replace(".", " ").capitalize()
    return text


def label_of(group: str, value: str) -> bool:
    """Whether the catalogue has a label for this value (a test checks every enum has one)."""
    key = LABELS[group] + str(value)
    return translate(key, "fr") != key


_REFERENCE = re.compile(r"^(order|request|admin|domain-renew|payment):(\d+)$|^REN-(\d+)$")
# Where a customer finds what a reference names.
_REFERENCE_LINKS = {"order": "/dashboard/services", "renewal": "/dashboard/services",
                    "request": "/dashboard/billing", "domain-renew": "/dashboard/domains",
                    "payment": "/dashboard/billing"}


def reference(ref: str, lang: str | None = "fr") -> tuple[str, str]:
    """A ledger reference as (words, link or ""): "order:12" -> ("Commande n° 12", "/dashboard/services");
    a payment reference the customer typed (a Mobile Money id) is theirs and stays as it is."""
    match = _REFERENCE.match(ref or "")
    if not match:
        return ref or "", ""
    kind, n = (match.group(1), match.group(2)) if match.group(1) else ("renewal", match.group(3))
    text = translate(f"display.ref_{kind.replace('-', '_')}", lang, n=n)
    return text, _REFERENCE_LINKS.get(kind, "")


_DESCRIPTION_DURATION = re.compile(r"\(?\b(\d+) ?([my])\)?(?=\s|$)")


def description(text: str, lang: str | None = "fr") -> str:
    """A ledger description written by core ("Starter 12m shop.cm", "shop.cm 1y", "Starter · shop.cm · 12")
    with its durations in words."""
    text = text or ""
    renewal = re.match(r"^(.*) · (.*) · (\d+)$", text)
    if renewal:
        return f"{renewal.group(1)} · {renewal.group(2)} · {months(int(renewal.group(3)), lang)}"
    domain_renewal = re.match(r"^Domain renewal (\S+) \((\d+) y\)$", text)
    if domain_renewal:
        return translate("display.desc_domain_renewal", lang, domain=domain_renewal.group(1),
                         duration=years(int(domain_renewal.group(2)), lang))
    refund = re.match(r"^Refund: renewal of (\S+) not done$", text) or re.match(r"^refund (\S+)$", text)
    if refund:
        key = "display.desc_refund_renewal" if text.startswith("Refund") else "display.desc_refund"
        return translate(key, lang, domain=refund.group(1))
    return _DESCRIPTION_DURATION.sub(
        lambda m: (months if m.group(2) == "m" else years)(int(m.group(1)), lang), text)


def title(page_key: str, lang: str | None = "fr") -> str:
    """A page's browser title: "Mes services · KmerHosting"."""
    return f"{translate(page_key, lang)} · KmerHosting"


def period(label: str, lang: str | None = "fr") -> str:
    """A report's period label ("2026-11-03", "2026-11" or "2026") as a person reads it: "3 nov.",
    "nov. 2026", "2026"."""
    parts = str(label).split("-")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        return str(label)
    if len(numbers) == 3:
        return _glue(_babel_date(Date(*numbers), "d MMM", locale=locale_of(lang)))
    if len(numbers) == 2:
        return _glue(_babel_date(Date(numbers[0], numbers[1], 1), "MMM y", locale=locale_of(lang)))
    return str(label)


def chart_ticks(highest: int, count: int = 4) -> list[int]:
    """Round values for a money axis from 0 to at least `highest` (the axis labels come from `money`)."""
    if highest <= 0:
        return [0]
    raw = highest / count
    magnitude = 10 ** (len(str(int(raw))) - 1)
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = int(step) or 1
    return [step * i for i in range(count + 1) if step * (i - 1) < highest]


# --- the audit trail --------------------------------------------------------------------------------

_MONEY_FIELDS = {"credits", "amount", "balance", "monthly_price", "price"}
# Which enum group words a "status" of each target type.
_STATUS_GROUPS = {"user": "user_status", "service": "service_status", "credit_request": "request_status",
                  "notification": "mail_status", "payment": "payment_status"}


def _field_value(field: str, value, target_type: str, lang: str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return translate("display.yes" if value else "display.no", lang)
    if field in _MONEY_FIELDS and isinstance(value, int):
        return money(value, lang)
    if isinstance(value, int):
        return number(value, lang)
    if field == "status" and target_type in _STATUS_GROUPS:
        return label(_STATUS_GROUPS[target_type], value, lang)
    if field == "role":
        return label("role", value, lang)
    if field == "discounts" and isinstance(value, dict):
        return ", ".join(f"{months(int(m), lang)}{colon(lang)}{discount(int(p), lang)}"
                         for m, p in sorted(value.items(), key=lambda kv: int(kv[0])) if str(m).isdigit()) or "—"
    if isinstance(value, (dict, list)):
        return "—" if not value else str(len(value))
    return str(value)


def field_name(field: str, lang: str | None = "fr") -> str:
    key = f"display.field_{field}"
    text = translate(key, lang)
    return text if text != key else field.replace("_", " ").capitalize()


def changes(before: dict | None, after: dict | None, target_type: str = "", lang: str | None = "fr") -> list[str]:
    """An audit row's before/after as a readable list: "Crédits : 5 000 FCFA → 7 500 FCFA"; a field that
    did not change is left out, one only before or after shows alone."""
    before, after = before or {}, after or {}
    lines = []
    for field in [*before, *(f for f in after if f not in before)]:
        old, new = before.get(field), after.get(field)
        if field in before and field in after and old == new:
            continue
        name = field_name(field, lang)
        if field in before and field in after:
            lines.append(f"{name}{colon(lang)}{_field_value(field, old, target_type, lang)} → "
                         f"{_field_value(field, new, target_type, lang)}")
        else:
            lines.append(f"{name}{colon(lang)}{_field_value(field, old if field in before else new, target_type, lang)}")
    return lines


def audit_sentence(actor: str, action: str, target: str, lang: str | None = "fr") -> str:
    """"Awa Admin a bloqué le compte Jean Mbarga (jean@example.cm)"."""
    who = actor or translate("display.system", lang)
    return " ".join(part for part in (who, label("audit_action", action, lang).lower(), target) if part)
