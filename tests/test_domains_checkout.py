"""The checkout and the registration job together, through the real DNA client and the fake DNA server:
a register whose answer was lost is settled by the job's next attempt, bought once, paid once,
refunded at most once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from kmerhosting.core import cart, checkout
from kmerhosting.core.ledger import ledger_sum
from kmerhosting.integrations.registrar.factory import set_registrar_override
from kmerhosting.models import (DomainPurchase, Job, JobStatus, NotificationLog, Order, RegistrarStatus, Transaction,
                                TransactionKind, User, utcnow)

from .factories import make_user, run_jobs
from .fake_dna import dna_registrar, fake_dna  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def registrar_is_dna(dna_registrar):
    set_registrar_override(dna_registrar)
    yield
    set_registrar_override(None)


def _checkout_domain(session, user, domain):
    cart.add_domain_item(session, user_id=user.id, visitor_key=None, domain=domain, years=1)
    session.commit()
    total = checkout.checkout_preview(session, user.id).total
    result = checkout.pay(session, user.id, f"key-{domain}-0123456789", total)
    run_jobs()  # the worker's first attempt
    session.expire_all()
    purchase = session.exec(select(DomainPurchase).where(DomainPurchase.order_id == result.order_id)).one()
    return result, purchase


def _next_attempt(session) -> None:
    session.execute(sa.update(Job).where(Job.status == JobStatus.queued).values(run_after=utcnow()))
    session.commit()
    run_jobs()
    session.expire_all()


def _consistent(session, user_id) -> int:
    session.expire_all()
    credits = session.get(User, user_id).credits
    assert credits == ledger_sum(session, user_id)
    return credits


def test_a_register_whose_answer_was_lost_is_found_bought_by_the_next_attempt(session, fake_dna):
    user = make_user(session, credits=20000)
    fake_dna.hang("RegisterWithContactInfo", seconds=2, apply=True)

    result, purchase = _checkout_domain(session, user, "caisse.cm")
    assert purchase.registrar_status == RegistrarStatus.unknown
    assert session.get(Order, result.order_id).message == "unknown:caisse.cm"  # "being checked"

    _next_attempt(session)

    assert session.get(DomainPurchase, purchase.id).registrar_status == RegistrarStatus.registered
    assert len(fake_dna.calls("RegisterWithContactInfo")) == 1  # asked, never bought twice
    assert _consistent(session, user.id) == 20000 - result.charged
    order = session.get(Order, result.order_id)
    assert order.status == "paid" and order.refunded == 0
    mail = session.exec(select(NotificationLog).where(NotificationLog.kind == "purchase_confirmation")).one()
    assert mail.status == "sent" and mail.notice_key == f"order:{order.id}:confirmation"


def test_a_register_that_did_not_happen_and_is_refused_on_retry_is_refunded_once(session, fake_dna):
    user = make_user(session, credits=20000)
    fake_dna.hang("RegisterWithContactInfo", seconds=2, apply=False)

    result, purchase = _checkout_domain(session, user, "nonachete.cm")
    fake_dna.insufficient_balance("RegisterWithContactInfo")
    _next_attempt(session)
    _next_attempt(session)

    assert session.get(DomainPurchase, purchase.id).registrar_status == RegistrarStatus.failed
    assert "nonachete.cm" not in fake_dna.domains
    assert _consistent(session, user.id) == 20000
    refunds = session.exec(select(Transaction).where(Transaction.user_id == user.id,
                                                     Transaction.kind == TransactionKind.refund)).all()
    assert len(refunds) == 1
    order = session.get(Order, result.order_id)
    assert order.status == "failed" and order.refunded == result.charged
    assert session.exec(select(Job).where(Job.kind == checkout.REGISTER_JOB)).one().status == JobStatus.done


def test_two_domains_of_one_order_settled_by_two_attempts_leave_the_order_paid(session, fake_dna):
    user = make_user(session, credits=50000)
    for domain in ("un-de-deux.cm", "deux-de-deux.cm"):
        cart.add_domain_item(session, user_id=user.id, visitor_key=None, domain=domain, years=1)
    session.commit()
    fake_dna.hang("RegisterWithContactInfo", seconds=2, apply=True)
    result = checkout.pay(session, user.id, "key-two-domains-0123456789", checkout.checkout_preview(session, user.id).total)
    run_jobs()
    session.expire_all()
    assert session.get(Order, result.order_id).status == "pending"
    _next_attempt(session)
    order = session.get(Order, result.order_id)
    assert order.status == "paid" and order.message == ""
    assert len(session.exec(select(NotificationLog).where(NotificationLog.kind == "purchase_confirmation")).all()) == 1
