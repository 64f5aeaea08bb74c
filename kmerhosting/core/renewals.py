"""Renewing a hosting service: as safe as checkout.

One renewal = one Order row (its unique idempotency key makes a replayed click return the first
result), one `renewal` ledger row and the service's new expiry, written together under the user's
row lock. The price is always the pack's current price for the chosen duration, computed here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from ..config import DURATIONS, get_settings
from ..db import lock_service_row, lock_user
from ..models import (as_utc, Order, OrderStatus, Pack, Service, ServiceStatus, SuspendedBy, Transaction,
                      TransactionKind, User, utcnow)
from . import ledger, provisioning
from .args import or_none, parse_id, parse_int
from .calendar_months import add_months
from .calendar_months import days_left as calendar_days_left
from .errors import InsufficientCredits, InvalidDuration, InvalidInput, NotAuthorized, NotFound
from .pricing import duration_price

log = logging.getLogger(__name__)

RENEWABLE = {ServiceStatus.active, ServiceStatus.expired, ServiceStatus.suspended, ServiceStatus.pending}


@dataclass(frozen=True)
class RenewalResult:
    order_id: int
    service_id: int
    domain: str
    pack_name: str
    months: int
    amount: int
    expires_at: datetime
    balance: int
    replayed: bool = False  # True when the key had already been used: nothing was charged this time


def renewal_price(pack: Pack, months: int) -> int:
    return duration_price(pack.monthly_price, months, pack.discounts).price


def renew_service(session: Session, user_id: int, service_id, months, idempotency_key,
                  expected_price: int | None = None) -> RenewalResult:
    """Charge the current price of `months` and extend the service from max(now, expiry). Commits.

    Raises NotFound (missing or someone else's service), InvalidDuration, InvalidInput,
    InsufficientCredits, NotAuthorized (blocked user). Replaying a key returns the first result.
    `expected_price` is the price the customer saw: if the pack price changed since, nothing is charged.
    """
    months = _check_months(months)
    service_id = _check_id(service_id)
    key = _check_key(idempotency_key)

    user = lock_user(session, user_id)
    if user is None:
        raise NotFound()
    previous = session.exec(select(Order).where(Order.idempotency_key == key)).first()
    if previous is not None:
        return _replay(session, user_id, previous)
    _check_user(user)
    owner = session.exec(select(Service.user_id).where(Service.id == service_id)).first()
    if owner != user_id:
        raise NotFound()  # same answer for someone else's service: ids reveal nothing
    # Locked (after the user, the order an admin's status change follows too) and read fresh: an
    # admin's cancellation committed while this renewal waited is seen here, not overwritten below.
    service = lock_service_row(session, service_id)
    if service.status not in RENEWABLE:
        raise InvalidInput("dashboard.renew_not_renewable")
    pack = session.get(Pack, service.pack_id)
    price = renewal_price(pack, months)
    if expected_price is not None and expected_price != price:
        raise InvalidInput("dashboard.renew_price_changed")
    if user.credits < price:
        raise InsufficientCredits(missing=price - user.credits)

    now = utcnow()
    old_expiry = as_utc(service.expires_at)
    # Whole seconds: MariaDB's DATETIME keeps no fraction, and the replay must match what is stored.
    new_expiry = add_months(max(now, old_expiry), months).replace(microsecond=0)
    order = Order(user_id=user_id, idempotency_key=key, status=OrderStatus.paid, total=price, charged=price,
                  lines=[{"type": "renewal", "service_id": service.id, "domain": service.domain,
                          "pack": pack.name, "months": months, "price": price,
                          "previous_expires_at": old_expiry.isoformat(),
                          "expires_at": new_expiry.isoformat()}])
    session.add(order)
    session.flush()
    row = ledger.post(session, user_id, -price, TransactionKind.renewal, reference=f"REN-{order.id}",
                      description=f"{pack.name} · {service.domain} · {months}", order_id=order.id,
                      service_id=service.id)
    service.expires_at = new_expiry
    if service.status != ServiceStatus.pending and not held_by_admin(service):
        lifted = service.status == ServiceStatus.suspended
        # Never "active" before its hosting account exists: it waits as pending for the worker.
        service.status = ServiceStatus.pending if provisioning.awaiting_account(service) else ServiceStatus.active
        if lifted:
            provisioning.queue_unsuspend(session, service)  # the account follows, from the worker
    service.updated_at = now
    session.add(service)
    result = RenewalResult(order_id=order.id, service_id=service.id, domain=service.domain,
                           pack_name=pack.name, months=months, amount=price, expires_at=new_expiry,
                           balance=row.balance_after)
    _queue_renewal_mail(session, result, user)
    session.commit()
    return result


def held_by_admin(service: Service) -> bool:
    """Suspended by an admin: paying keeps the service, but only an admin lifts the suspension."""
    return service.status == ServiceStatus.suspended and service.suspended_by == SuspendedBy.admin


def _queue_renewal_mail(session: Session, result: RenewalResult, user: User) -> None:
    """The confirmation, in the renewal's own transaction (it can't be lost); the worker sends it."""
    from .mailer import send_later

    context = {"name": user.name, "kind": "service", "domain": result.domain, "pack": result.pack_name,
               "months": result.months, "amount": result.amount,
               "expires_on": result.expires_at.astimezone(ZoneInfo(get_settings().timezone)).date().isoformat(),
               "balance": result.balance}
    send_later(session, "renewal_confirmation", user.email, user.language, context, user_id=user.id,
               service_id=result.service_id)


def _replay(session: Session, user_id: int, order: Order) -> RenewalResult:
    line = (order.lines or [{}])[0]
    if order.user_id != user_id or line.get("type") != "renewal":
        raise InvalidInput("dashboard.renew_key_used")
    charge = session.exec(select(Transaction).where(Transaction.order_id == order.id)).first()
    return RenewalResult(order_id=order.id, service_id=line["service_id"], domain=line["domain"],
                         pack_name=line["pack"], months=line["months"], amount=line["price"],
                         expires_at=datetime.fromisoformat(line["expires_at"]),
                         balance=charge.balance_after if charge else 0, replayed=True)


def _check_user(user: User) -> None:
    if user.is_blocked:
        raise NotAuthorized()
    if user.email_verified_at is None:
        raise InvalidInput("dashboard.renew_unverified")


def _check_months(months) -> int:
    months = or_none(parse_int, months, min(DURATIONS), max(DURATIONS))
    if months not in DURATIONS:
        raise InvalidDuration(months)
    return months


def _check_id(value) -> int:
    return parse_id(value)  # NotFound for anything that can't be a row id


def _check_key(key) -> str:
    if not isinstance(key, str) or not 16 <= len(key) <= 64:
        raise InvalidInput("dashboard.renew_reopen")
    return key


# --- what the services page shows ----------------------------------------------------------------


@dataclass(frozen=True)
class ExpiryInfo:
    days_left: int  # whole local calendar days until the expiry date; negative once past
    expired: bool
    alert_days: int | None  # the reminder threshold the service is within (e.g. 30), None if none
    urgency: int  # 0 none, 1 first threshold reached ... len(thresholds) last one (most urgent)


def expiry_info(expires_at: datetime, now: datetime | None = None,
                thresholds: tuple[int, ...] | None = None) -> ExpiryInfo:
    """Days left and the alert level, with the reminder mail's thresholds (REMINDER_DAYS)."""
    now = as_utc(now or utcnow())
    expires_at = as_utc(expires_at)
    days_left = calendar_days_left(expires_at, now)
    expired = expires_at <= now
    ordered = sorted(thresholds or get_settings().reminder_days, reverse=True)  # 60, 30, 15, 5
    reached = [t for t in ordered if days_left <= t]
    alert = reached[-1] if reached and not expired else None
    return ExpiryInfo(days_left=days_left, expired=expired, alert_days=alert,
                      urgency=len(reached) if alert is not None else 0)


def customer_services(session: Session, user_id: int) -> list[tuple[Service, Pack]]:
    """Every service of the customer with its pack, soonest expiry first, cancelled ones last."""
    cancelled_last = sa.case((Service.status == ServiceStatus.cancelled, 1), else_=0)
    rows = session.exec(select(Service, Pack).join(Pack, Pack.id == Service.pack_id)
                        .where(Service.user_id == user_id)
                        .order_by(cancelled_last, Service.expires_at, Service.id)).all()
    return [(service, pack) for service, pack in rows]


def renewal_quotes(session: Session, user_id: int, service_id) -> tuple[Service, Pack, list]:
    """The renew dialog's choices: the current price of each duration for the customer's own service."""
    from .pricing import pack_prices

    service = session.get(Service, _check_id(service_id))
    if service is None or service.user_id != user_id:
        raise NotFound()
    if service.status not in RENEWABLE:
        raise InvalidInput("dashboard.renew_not_renewable")
    pack = session.get(Pack, service.pack_id)
    return service, pack, pack_prices(pack)
