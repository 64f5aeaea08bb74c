"""Small builders for test data (plain SQLModel rows, committed)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlmodel import Session

from kmerhosting.core.passwords import hash_password
from kmerhosting.models import Pack, Payment, PaymentEvent, PaymentStatus, Role, Service, ServiceStatus, User, utcnow

_seq = itertools.count(1)
_FAST_HASH = hash_password("password-123", rounds=4)  # tests don't need slow hashes


def make_user(session: Session, *, email: str | None = None, role: str = Role.customer,
              verified: bool = True, credits: int = 0, **fields) -> User:
    n = next(_seq)
    user = User(email=email or f"user{n}@example.cm", name=f"User {n}", password_hash=_FAST_HASH,
                role=role, email_verified_at=utcnow() if verified else None, **fields)
    session.add(user)
    session.commit()
    if credits:
        from kmerhosting.core.ledger import add_credits  # noqa: PLC0415

        add_credits(session, user.id, credits, reference="test-seed", actor_id=None)
        session.commit()
        session.refresh(user)
    return user


def make_pack(session: Session, *, monthly_price: int = 2500, slug: str | None = None, **fields) -> Pack:
    n = next(_seq)
    pack = Pack(name=fields.pop("name", f"Pack {n}"), slug=slug or f"pack-{n}", monthly_price=monthly_price,
                **fields)
    session.add(pack)
    session.commit()
    return pack


def make_service(session: Session, user: User, pack: Pack, *, days_left: int = 365,
                 status: str = ServiceStatus.active, domain: str | None = None, **fields) -> Service:
    now = utcnow()
    service = Service(user_id=user.id, pack_id=pack.id, domain=domain or f"site{next(_seq)}.cm",
                      control_panel=pack.control_panel, status=status, duration_months=12,
                      price_paid=pack.monthly_price * 12, starts_at=now - timedelta(days=365 - days_left),
                      expires_at=now + timedelta(days=days_left), **fields)
    session.add(service)
    session.commit()
    return service


def make_payment(session: Session, user: User, *, amount: int = 5000, operator: str = "mtn",
                 phone: str = "237677123456", status: str = PaymentStatus.pending, gateway: str = "sandbox",
                 reference: str | None = None, events: list[dict] | None = None, minutes_ago: int = 0,
                 **fields) -> Payment:
    """A Mobile Money payment as core leaves it, written directly; `events` adds its timeline
    (dicts of PaymentEvent fields, oldest first)."""
    created = utcnow() - timedelta(minutes=minutes_ago)
    payment = Payment(user_id=user.id, reference=reference or f"KHTEST{next(_seq):08d}", gateway=gateway,
                      operator=operator, phone=phone, amount=amount, currency="XAF", status=status,
                      deadline_at=created + timedelta(minutes=10), created_at=created, **fields)
    session.add(payment)
    session.flush()
    for event in events or []:
        session.add(PaymentEvent(payment_id=payment.id, **event))
    session.commit()
    return payment


def run_jobs() -> int:
    """Run every job due now, as `jobs/worker.py --once` would (a domain bought, a mail sent...)."""
    from kmerhosting.core import jobs

    return jobs.run_until_idle("tests")


def in_language(state, lang: str):
    """Switch a page state's language as the browser's switch does: its computed texts follow."""
    state.lang = lang
    state._reword()  # what set_language does for every page state of the tab that has worded its values
    state._mark_dirty_computed_vars()
    return state
