"""What the dashboard pages show, as plain rows in both languages (the language switch is instant)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from ..config import LANGUAGES
from ..core.calendar_months import add_months
from ..core.renewals import ExpiryInfo, expiry_info, held_by_admin
from ..i18n import translate
from ..i18n.format import format_date, format_datetime, format_months, format_xaf
from ..models import CONTROL_PANEL_LABELS, CreditRequest, Pack, Service, ServiceStatus, Transaction


def both(fn, *args, **kwargs) -> tuple[str, str]:
    """(French, English) of a formatter that takes the language last."""
    return tuple(fn(*args, lang, **kwargs) for lang in LANGUAGES)


def both_t(key: str, **params) -> tuple[str, str]:
    return tuple(translate(key, lang, **params) for lang in LANGUAGES)


@dataclasses.dataclass
class ServiceRow:
    id: int = 0
    domain: str = ""
    pack: str = ""
    panel: str = ""
    panel_url: str = ""
    status: str = ""
    status_fr: str = ""
    status_en: str = ""
    expires_fr: str = ""
    expires_en: str = ""
    days_fr: str = ""
    days_en: str = ""
    # "" (no alert), "expired", or a Radix colour for the reminder threshold reached
    alert: str = ""
    renewable: bool = False
    # Why the service is held, when the customer can't lift it by paying (an admin's suspension).
    note_fr: str = ""
    note_en: str = ""


@dataclasses.dataclass
class RenewOption:
    months: int = 0
    label_fr: str = ""
    label_en: str = ""
    price: int = 0
    price_fr: str = ""
    price_en: str = ""
    discount: int = 0
    new_expiry_fr: str = ""
    new_expiry_en: str = ""
    confirm_fr: str = ""  # the pay button's words for this duration
    confirm_en: str = ""
    affordable: bool = False


@dataclasses.dataclass
class LedgerRow:
    id: int = 0
    date_fr: str = ""
    date_en: str = ""
    kind_fr: str = ""
    kind_en: str = ""
    amount_fr: str = ""
    amount_en: str = ""
    is_credit: bool = False
    balance_fr: str = ""
    balance_en: str = ""
    reference: str = ""


@dataclasses.dataclass
class RequestRow:
    id: int = 0
    date_fr: str = ""
    date_en: str = ""
    amount_fr: str = ""
    amount_en: str = ""
    method_fr: str = ""
    method_en: str = ""
    reference: str = ""
    status: str = ""
    status_fr: str = ""
    status_en: str = ""
    note: str = ""
    pending: bool = False


# Most urgent last: the colour of the badge deepens as the expiry nears.
ALERT_COLOURS = ("yellow", "amber", "orange", "red")


def alert_colour(info: ExpiryInfo, thresholds: int) -> str:
    if info.expired:
        return "expired"
    if info.alert_days is None:
        return ""
    # urgency runs 1..thresholds; map it onto the last colours so the nearest threshold is red
    return ALERT_COLOURS[max(0, len(ALERT_COLOURS) - 1 - (thresholds - info.urgency))]


def days_text(info: ExpiryInfo) -> tuple[str, str]:
    if info.expired:
        if info.days_left >= 0:
            return both_t("dashboard.expired_today")
        return both_t("dashboard.expired_since", n=-info.days_left)
    if info.days_left == 0:
        return both_t("dashboard.expires_today")
    return both_t("dashboard.days_left", n=info.days_left)


def service_row(service: Service, pack: Pack, thresholds: tuple[int, ...], now: datetime) -> ServiceRow:
    status = service.status
    info = expiry_info(service.expires_at, now, thresholds)
    if info.expired and status == ServiceStatus.active:
        status = ServiceStatus.expired  # the notifier may not have run yet: show the truth
    held = held_by_admin(service)
    status_fr, status_en = both_t("dashboard.status_suspended_admin" if held else f"dashboard.status_{status}")
    note_fr, note_en = both_t("dashboard.suspended_admin_note") if held else ("", "")
    expires_fr, expires_en = both(format_date, service.expires_at)
    days_fr, days_en = days_text(info) if status != ServiceStatus.cancelled else ("", "")
    return ServiceRow(
        id=service.id, domain=service.domain, pack=pack.name,
        panel=CONTROL_PANEL_LABELS.get(service.control_panel, service.control_panel),
        panel_url=service.panel_url if service.panel_url.startswith(("https://", "http://")) else "",
        status=status, status_fr=status_fr, status_en=status_en, expires_fr=expires_fr, expires_en=expires_en,
        days_fr=days_fr, days_en=days_en,
        alert=alert_colour(info, len(thresholds)) if status != ServiceStatus.cancelled else "",
        renewable=status != ServiceStatus.cancelled, note_fr=note_fr, note_en=note_en,
    )


def renew_option(price, expires_at: datetime, now: datetime, balance: int) -> RenewOption:
    new_expiry = add_months(max(now, expires_at), price.months)
    label_fr, label_en = both(format_months, price.months)
    price_fr, price_en = both(format_xaf, price.price)
    new_fr, new_en = (translate("dashboard.renew_until", lang, date=format_date(new_expiry, lang))
                      for lang in LANGUAGES)
    confirm_fr, confirm_en = (translate("dashboard.renew_confirm", lang, price=format_xaf(price.price, lang))
                              for lang in LANGUAGES)
    return RenewOption(months=price.months, label_fr=label_fr, label_en=label_en, price=price.price,
                       price_fr=price_fr, price_en=price_en, discount=price.discount_percent,
                       new_expiry_fr=new_fr, new_expiry_en=new_en,
                       confirm_fr=confirm_fr, confirm_en=confirm_en,
                       affordable=price.price <= balance)


def ledger_row(row: Transaction) -> LedgerRow:
    date_fr, date_en = both(format_datetime, row.created_at)
    kind_fr, kind_en = both_t(f"dashboard.kind_{row.kind}")
    amount_fr, amount_en = both(format_xaf, row.amount)
    if row.amount > 0:
        amount_fr, amount_en = "+" + amount_fr, "+" + amount_en
    balance_fr, balance_en = both(format_xaf, row.balance_after)
    return LedgerRow(id=row.id, date_fr=date_fr, date_en=date_en, kind_fr=kind_fr, kind_en=kind_en,
                     amount_fr=amount_fr, amount_en=amount_en, is_credit=row.amount > 0,
                     balance_fr=balance_fr, balance_en=balance_en, reference=row.reference)


REQUEST_STATUS_KEYS = {"pending": "dashboard.request_pending", "approved": "dashboard.request_approved",
                       "rejected": "dashboard.request_rejected", "cancelled": "dashboard.request_cancelled_status"}


def request_row(req: CreditRequest) -> RequestRow:
    date_fr, date_en = both(format_datetime, req.created_at)
    amount_fr, amount_en = both(format_xaf, req.amount)
    method_fr, method_en = both_t(f"dashboard.method_{req.payment_method}")
    status_fr, status_en = both_t(REQUEST_STATUS_KEYS.get(req.status, req.status))
    return RequestRow(id=req.id, date_fr=date_fr, date_en=date_en, amount_fr=amount_fr, amount_en=amount_en,
                      method_fr=method_fr, method_en=method_en, reference=req.payment_reference,
                      status=req.status, status_fr=status_fr, status_en=status_en, note=req.note,
                      pending=req.status == "pending")
