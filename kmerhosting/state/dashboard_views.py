"""What the dashboard pages show.

Two kinds of rows: `*Values` keep what core returned (integers, datetimes, enum values) in the page
state's backend-only vars; the page's computed vars turn them into `*Row`s of text in the visitor's
language with `i18n.display`, so only one language travels to the browser and a language switch is
one recomputation, not a reload.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from ..core.calendar_months import add_months
from ..core.renewals import ExpiryInfo, expiry_info, held_by_admin
from ..i18n import display, translate
from ..models import CONTROL_PANEL_LABELS, AccountStatus, CreditRequest, Pack, Service, ServiceStatus, Transaction


@dataclasses.dataclass
class ServiceValues:
    id: int = 0
    domain: str = ""
    pack: str = ""
    panel: str = ""
    panel_url: str = ""
    status: str = ""
    held: bool = False  # suspended by an admin: the customer can't lift it by paying
    expires_at: datetime | None = None
    days_left: int = 0
    expired: bool = False
    alert: str = ""  # "" (no alert), "expired", or a Radix colour for the reminder threshold reached
    renewable: bool = False
    account: str = ""  # "" (none, or a panel made by hand), creating, created, failed, terminated
    can_open: bool = False  # its account exists on a server and the service is active: "Ouvrir cPanel"
    in_progress: bool = False  # being set up: the page follows it until it is ready
    disk_used_mb: int | None = None
    disk_limit_mb: int | None = None
    bandwidth_used_mb: int | None = None
    bandwidth_limit_mb: int | None = None


@dataclasses.dataclass
class ServiceRow:
    id: int = 0
    domain: str = ""
    pack: str = ""
    panel: str = ""
    panel_url: str = ""
    status: str = ""
    status_text: str = ""
    expires: str = ""
    days: str = ""
    alert: str = ""
    renewable: bool = False
    note: str = ""
    can_open: bool = False
    has_account: bool = False  # the account exists on a server: its panel password can be set
    disk: str = ""  # "1,2 Go sur 10 Go", "" until the worker has measured it
    bandwidth: str = ""


@dataclasses.dataclass
class RenewValues:
    months: int = 0
    price: int = 0
    discount: int = 0
    new_expiry: datetime | None = None
    affordable: bool = False


@dataclasses.dataclass
class RenewOption:
    months: int = 0
    label: str = ""
    price: int = 0
    price_text: str = ""
    discount: int = 0
    discount_text: str = ""
    new_expiry: str = ""
    confirm: str = ""  # the pay button's words for this duration
    affordable: bool = False


@dataclasses.dataclass
class LedgerRow:
    id: int = 0
    date: str = ""
    kind: str = ""
    amount: str = ""
    is_credit: bool = False
    balance: str = ""
    reference: str = ""
    link: str = ""


@dataclasses.dataclass
class RequestRow:
    id: int = 0
    date: str = ""
    amount: str = ""
    method: str = ""
    reference: str = ""
    status: str = ""
    status_text: str = ""
    note: str = ""
    pending: bool = False


@dataclasses.dataclass
class PaymentRow:
    id: int = 0
    date: str = ""
    amount: str = ""
    operator: str = ""
    phone: str = ""
    status: str = ""  # the value, for the badge's colour
    status_text: str = ""
    reference: str = ""


def payment_row(p, lang: str) -> PaymentRow:
    return PaymentRow(id=p.id, date=display.datetime_(p.created_at, lang), amount=display.money(p.amount, lang),
                      operator=display.label("operator", p.operator, lang), phone=display.phone(p.phone),
                      status=str(p.status), status_text=display.label("payment_status", p.status, lang),
                      reference=p.reference)


# Most urgent last: the colour of the badge deepens as the expiry nears.
ALERT_COLOURS = ("yellow", "amber", "orange", "red")


def alert_colour(info: ExpiryInfo, thresholds: int) -> str:
    if info.expired:
        return "expired"
    if info.alert_days is None:
        return ""
    # urgency runs 1..thresholds; map it onto the last colours so the nearest threshold is red
    return ALERT_COLOURS[max(0, len(ALERT_COLOURS) - 1 - (thresholds - info.urgency))]


def service_values(service: Service, pack: Pack, thresholds: tuple[int, ...], now: datetime) -> ServiceValues:
    status = service.status
    info = expiry_info(service.expires_at, now, thresholds)
    if info.expired and status == ServiceStatus.active:
        status = ServiceStatus.expired  # the notifier may not have run yet: show the truth
    live = status != ServiceStatus.cancelled
    account = service.account_status
    on_server = service.server_id is not None and bool(service.panel_username)
    # Never "Actif" before the account exists: while it is being created (or has failed) the badge says so.
    if status in (ServiceStatus.pending, ServiceStatus.active) and account in (AccountStatus.creating,
                                                                              AccountStatus.failed):
        status = account
    in_progress = status == AccountStatus.creating or status == ServiceStatus.pending
    created = on_server and account == AccountStatus.created
    return ServiceValues(
        id=service.id, domain=service.domain, pack=pack.name,
        panel=CONTROL_PANEL_LABELS.get(service.control_panel, service.control_panel),
        # The saved link is for a panel made by hand; an account on a server opens with a one-time link.
        panel_url=service.panel_url if service.panel_url.startswith(("https://", "http://"))
        and not created else "",
        status=str(status), held=held_by_admin(service), expires_at=service.expires_at,
        days_left=info.days_left, expired=info.expired,
        alert=alert_colour(info, len(thresholds)) if live else "", renewable=live,
        account=str(account), can_open=created and status == ServiceStatus.active, in_progress=in_progress,
        disk_used_mb=service.disk_used_mb if created else None,
        disk_limit_mb=service.disk_limit_mb if service.disk_limit_mb is not None else (pack.disk_gb or 0) * 1024
        or None,
        bandwidth_used_mb=service.bandwidth_used_mb if created else None,
        bandwidth_limit_mb=(pack.bandwidth_gb or 0) * 1024 or None,
    )


def service_row(v: ServiceValues, lang: str) -> ServiceRow:
    status_key = "dashboard.status_suspended_admin" if v.held else (
        f"panel.status_{v.status}" if v.status in (AccountStatus.creating, AccountStatus.failed)
        else f"dashboard.status_{v.status}")
    note = ""
    if v.held:
        note = translate("dashboard.suspended_admin_note", lang)
    elif v.status == AccountStatus.failed:
        note = translate("panel.failed_note", lang)
    elif v.status == AccountStatus.creating:
        note = translate("panel.creating_note", lang)
    return ServiceRow(
        id=v.id, domain=v.domain, pack=v.pack, panel=v.panel, panel_url=v.panel_url, status=v.status,
        status_text=translate(status_key, lang), expires=display.date(v.expires_at, lang),
        days=display.expiry(v.days_left, v.expired, lang) if v.status != ServiceStatus.cancelled else "",
        alert=v.alert, renewable=v.renewable, note=note, can_open=v.can_open,
        has_account=v.account == AccountStatus.created and v.status == ServiceStatus.active,
        disk=display.usage(v.disk_used_mb, v.disk_limit_mb, lang),
        bandwidth=display.usage(v.bandwidth_used_mb, v.bandwidth_limit_mb, lang),
    )


def renew_values(price, expires_at: datetime, now: datetime, balance: int) -> RenewValues:
    return RenewValues(months=price.months, price=price.price, discount=price.discount_percent,
                       new_expiry=add_months(max(now, expires_at), price.months), affordable=price.price <= balance)


def renew_option(v: RenewValues, lang: str) -> RenewOption:
    return RenewOption(
        months=v.months, label=display.months(v.months, lang), price=v.price,
        price_text=display.money(v.price, lang), discount=v.discount,
        discount_text=display.discount(v.discount, lang) if v.discount else "",
        new_expiry=translate("dashboard.renew_until", lang, date=display.date(v.new_expiry, lang)),
        confirm=translate("dashboard.renew_confirm", lang, price=display.money(v.price, lang)),
        affordable=v.affordable,
    )


def ledger_row(row: Transaction, lang: str) -> LedgerRow:
    reference, link = display.reference(row.reference, lang)
    return LedgerRow(id=row.id, date=display.datetime_(row.created_at, lang),
                     kind=display.label("transaction_kind", row.kind, lang),
                     amount=display.money(row.amount, lang, signed=True), is_credit=row.amount > 0,
                     balance=display.money(row.balance_after, lang), reference=reference, link=link)


def request_row(req: CreditRequest, lang: str) -> RequestRow:
    return RequestRow(id=req.id, date=display.datetime_(req.created_at, lang), amount=display.money(req.amount, lang),
                      method=display.label("payment_method", req.payment_method, lang),
                      reference=req.payment_reference, status=str(req.status),
                      status_text=display.label("request_status", req.status, lang), note=req.note,
                      pending=req.status == "pending")
