"""Renewing a domain: paid at the click, carried out by the worker's job, through the real DNA client
and the fake DNA server, on SQLite and MariaDB. Never charged twice, never lost, never refunded
without the registrar saying the renewal did not happen."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from kmerhosting.core import domain_renewals, jobs
from kmerhosting.core.domain_renewals import RenewalQuote, carry_out_renewal, renew_domain
from kmerhosting.core.errors import InsufficientCredits, InvalidInput, NotFound
from kmerhosting.integrations.registrar.factory import set_registrar_override
from kmerhosting.models import (DomainPurchase, DomainRenewal, Job, JobStatus, NotificationLog, Order,
                                RenewalStatus, Transaction, TransactionKind, utcnow)

from .factories import make_user, run_jobs
from .fake_dna import dna_registrar, fake_dna  # noqa: F401  (fixtures)
from .test_domains_core import _buy, _consistent, _refunds


@pytest.fixture(autouse=True)
def registrar_is_dna(dna_registrar):
    """The worker's jobs use the shop's registrar: here, the DNA client on the fake DNA server."""
    set_registrar_override(dna_registrar)
    yield
    set_registrar_override(None)


def due_now(session) -> None:
    """Jobs waiting for their back-off become due (as if the worker came back later)."""
    session.execute(sa.update(Job).where(Job.status == JobStatus.queued).values(run_after=utcnow()))
    session.commit()


def renewal_of(session, purchase) -> DomainRenewal:
    session.expire_all()
    return session.exec(select(DomainRenewal).where(DomainRenewal.purchase_id == purchase.id)
                        .order_by(DomainRenewal.id.desc())).first()


def test_renewing_debits_at_once_and_the_worker_moves_the_expiry(session, fake_dna, dna_registrar):
    user = make_user(session, credits=50000)
    purchase = _buy(session, dna_registrar, user, "renouvele.cm")
    before = fake_dna.domains["renouvele.cm"].expires_at

    renewal = renew_domain(session, user.id, purchase.id, 2)

    assert renewal.status == RenewalStatus.pending and fake_dna.calls("Renew") == []  # nothing waits on DNA
    assert _consistent(session, user.id) == 50000 - 15000 - 30000
    debit = session.exec(select(Transaction).where(Transaction.reference == f"domain-renew:{renewal.id}")).one()
    assert debit.kind == TransactionKind.domain and debit.amount == -30000

    run_jobs()

    renewal = renewal_of(session, purchase)
    assert renewal.status == RenewalStatus.done
    assert fake_dna.domains["renouvele.cm"].expires_at - before == timedelta(days=730)
    assert domain_renewals.as_utc(session.get(DomainPurchase, purchase.id).expires_at) == \
        fake_dna.domains["renouvele.cm"].expires_at
    assert len(fake_dna.calls("Renew")) == 1 and fake_dna.violations == []
    mail = session.exec(select(NotificationLog).where(NotificationLog.kind == "renewal_confirmation")).one()
    assert mail.status == "sent" and mail.payload["context"]["kind"] == "domain"
    assert _consistent(session, user.id) == 5000


def test_renewing_without_enough_credits_changes_nothing(session, fake_dna, dna_registrar):
    user = make_user(session, credits=20000)
    purchase = _buy(session, dna_registrar, user, "pauvre.cm")
    with pytest.raises(InsufficientCredits) as caught:
        renew_domain(session, user.id, purchase.id, 1)
    assert "10\u202f000\xa0FCFA" in caught.value.message("fr")
    session.rollback()
    assert session.exec(select(DomainRenewal)).all() == [] and session.exec(select(Job)).all() == []
    assert _consistent(session, user.id) == 5000


def test_a_customer_cannot_renew_someone_elses_domain(session, fake_dna, dna_registrar):
    owner = make_user(session, credits=20000)
    other = make_user(session, credits=100000)
    purchase = _buy(session, dna_registrar, owner, "proprio.cm")
    for purchase_id in (purchase.id, purchase.id + 999, "1", 2**63, -1, None):
        with pytest.raises(NotFound):
            renew_domain(session, other.id, purchase_id, 1)
        session.rollback()
    assert _consistent(session, other.id) == 100000 and session.exec(select(DomainRenewal)).all() == []


def test_an_unverified_customer_cannot_renew(session, fake_dna, dna_registrar):
    user = make_user(session, credits=40000)
    purchase = _buy(session, dna_registrar, user, "verifie.cm")
    user.email_verified_at = None
    session.add(user)
    session.commit()
    with pytest.raises(InvalidInput) as caught:
        renew_domain(session, user.id, purchase.id, 1)
    assert caught.value.key == "domains.error_verify_email"
    session.rollback()
    assert _consistent(session, user.id) == 25000


def test_a_second_click_while_a_renewal_is_under_way_is_refused(session, fake_dna, dna_registrar):
    user = make_user(session, credits=60000)
    purchase = _buy(session, dna_registrar, user, "double.cm")
    renew_domain(session, user.id, purchase.id, 1)
    with pytest.raises(InvalidInput) as caught:
        renew_domain(session, user.id, purchase.id, 1)
    assert caught.value.key == "domains.error_renew_in_progress"
    session.rollback()
    assert _consistent(session, user.id) == 30000
    run_jobs()
    assert len(fake_dna.calls("Renew")) == 1
    renew_domain(session, user.id, purchase.id, 1)  # once settled, the customer may renew again
    assert _consistent(session, user.id) == 15000


FAILURES = [
    ("error", lambda fake: fake.fail("Renew", 530, "Invalid period"),
     "a refusé la demande (code 530). Vos crédits ont été remboursés", "refused the request (code 530)"),
    ("throttle", lambda fake: fake.throttle("Renew"), "trop de demandes. Vos crédits ont été remboursés",
     "too many requests"),
    ("balance", lambda fake: fake.insufficient_balance("Renew"), "momentanément indisponible. Vos crédits",
     "temporarily unavailable"),
]


@pytest.mark.parametrize("name,arrange,fr,en", FAILURES, ids=[f[0] for f in FAILURES])
def test_a_refused_renewal_is_refunded_once_with_a_clear_message(session, fake_dna, dna_registrar, name, arrange,
                                                                 fr, en):
    user = make_user(session, credits=40000)
    purchase = _buy(session, dna_registrar, user, f"echec-{name}.cm")
    before = fake_dna.domains[purchase.domain].expires_at
    arrange(fake_dna)

    renew_domain(session, user.id, purchase.id, 1)
    run_jobs()

    renewal = renewal_of(session, purchase)
    assert renewal.status == RenewalStatus.failed
    assert fr in domain_renewals.failure_message(renewal, "fr") and en in domain_renewals.failure_message(renewal, "en")
    assert _consistent(session, user.id) == 25000 and len(_refunds(session, user.id)) == 1
    assert domain_renewals.as_utc(session.get(DomainPurchase, purchase.id).expires_at) == before
    assert len(fake_dna.calls("Renew")) == 1  # a refusal is never retried
    order = session.get(Order, purchase.order_id)
    assert order.refunded == 0 and order.status == "paid"  # the first purchase's order is not touched


def test_a_renewal_that_timed_out_but_happened_is_kept_without_renewing_again(session, fake_dna, dna_registrar):
    user = make_user(session, credits=40000)
    purchase = _buy(session, dna_registrar, user, "tardif.cm")
    fake_dna.hang("Renew", seconds=2, apply=True)

    renew_domain(session, user.id, purchase.id, 1)
    run_jobs()
    assert renewal_of(session, purchase).status == RenewalStatus.sent  # the answer was lost: unknown

    due_now(session)
    run_jobs()

    renewal = renewal_of(session, purchase)
    assert renewal.status == RenewalStatus.done
    assert domain_renewals.as_utc(renewal.expires_at) == fake_dna.domains["tardif.cm"].expires_at
    assert [r.operation for r in fake_dna.requests][-2:] == ["Renew", "GetDetails"]  # asked, not resent
    assert _consistent(session, user.id) == 10000 and _refunds(session, user.id) == []


def test_a_renewal_that_timed_out_and_did_not_happen_is_sent_once_more(session, fake_dna, dna_registrar):
    user = make_user(session, credits=40000)
    purchase = _buy(session, dna_registrar, user, "relance.cm")
    before = fake_dna.domains["relance.cm"].expires_at
    fake_dna.hang("Renew", seconds=2, apply=False)

    renew_domain(session, user.id, purchase.id, 1)
    run_jobs()
    due_now(session)
    run_jobs()

    assert renewal_of(session, purchase).status == RenewalStatus.done
    assert fake_dna.domains["relance.cm"].expires_at - before == timedelta(days=365)  # renewed once
    assert [r.operation for r in fake_dna.requests][-3:] == ["Renew", "GetDetails", "Renew"]
    assert _consistent(session, user.id) == 10000 and _refunds(session, user.id) == []


def test_a_registrar_that_never_shows_the_renewal_refunds_only_on_the_last_attempt(session, fake_dna,
                                                                                   dna_registrar):
    user = make_user(session, credits=40000)
    purchase = _buy(session, dna_registrar, user, "jamais.cm")
    fake_dna.hang("Renew", seconds=2, apply=False, times=2)

    renew_domain(session, user.id, purchase.id, 1)
    for _ in range(3):  # Renew lost, details + Renew lost again, details: still nothing
        run_jobs()
        due_now(session)
    assert renewal_of(session, purchase).status == RenewalStatus.sent and _refunds(session, user.id) == []
    assert len(fake_dna.calls("Renew")) == 2  # the first and one more, never a third

    session.execute(sa.update(Job).values(attempts=Job.max_attempts - 1))  # the job's last round
    session.commit()
    run_jobs()

    assert renewal_of(session, purchase).status == RenewalStatus.failed
    assert len(_refunds(session, user.id)) == 1 and _consistent(session, user.id) == 25000
    assert len(fake_dna.calls("Renew")) == 2


def test_when_the_registrar_cannot_answer_nothing_is_decided_even_at_the_end(session, fake_dna, dna_registrar):
    user = make_user(session, credits=40000)
    purchase = _buy(session, dna_registrar, user, "muet.cm")
    fake_dna.hang("Renew", seconds=2, apply=False)
    renew_domain(session, user.id, purchase.id, 1)
    run_jobs()
    fake_dna.throttle("GetDetails", times=100)
    session.execute(sa.update(Job).values(attempts=Job.max_attempts - 1, run_after=utcnow()))
    session.commit()

    run_jobs()

    assert renewal_of(session, purchase).status == RenewalStatus.sent  # unknown stays unknown
    job = session.exec(select(Job).where(Job.kind == domain_renewals.RENEW_JOB)).one()
    assert job.status == JobStatus.failed and "waiting for the registrar" in job.last_error  # for an admin
    assert _refunds(session, user.id) == [] and _consistent(session, user.id) == 10000


def test_without_an_expiry_on_record_the_registrars_is_taken_before_renewing(session, fake_dna, dna_registrar):
    user = make_user(session, credits=40000)
    purchase = _buy(session, dna_registrar, user, "sansdate.cm")
    purchase.expires_at = None
    session.add(purchase)
    session.commit()
    fake_dna.hang("Renew", seconds=2, apply=True)

    renew_domain(session, user.id, purchase.id, 1)
    run_jobs()
    due_now(session)
    run_jobs()

    renewal = renewal_of(session, purchase)
    assert renewal.status == RenewalStatus.done and renewal.previous_expires_at is not None
    assert [r.operation for r in fake_dna.requests][-3:] == ["GetDetails", "Renew", "GetDetails"]
    assert len(fake_dna.calls("Renew")) == 1
    assert _consistent(session, user.id) == 10000 and _refunds(session, user.id) == []


def test_a_worker_that_died_after_marking_the_renewal_sent_is_taken_over(session, fake_dna, dna_registrar):
    """The crash window: `sent` is written, then the process dies (Renew sent or not). The next attempt
    asks the registrar before anything else."""
    user = make_user(session, credits=40000)
    purchase = _buy(session, dna_registrar, user, "crash.cm")
    renewal = renew_domain(session, user.id, purchase.id, 1)
    mark = domain_renewals.as_utc(purchase.expires_at)
    assert domain_renewals._mark_sent(renewal.id, RenewalStatus.pending, mark=mark)
    dna_registrar.renew("crash.cm", 1)  # the Renew that went out before the crash

    assert carry_out_renewal(renewal.id, dna_registrar) == RenewalStatus.done
    assert len(fake_dna.calls("Renew")) == 1 and _consistent(session, user.id) == 10000


def test_api_pricing_charges_the_registrars_fresh_quote_and_refuses_a_stale_one(session, fake_dna, dna_registrar,
                                                                                configure):
    configure(DOMAIN_PRICING="api", DOMAIN_API_RATE_XAF="610", DOMAIN_API_MARGIN_PERCENT="20",
              DOMAIN_QUOTE_MINUTES="30")
    user = make_user(session, credits=60000)
    purchase = _buy(session, dna_registrar, user, "cotation.cm")

    with pytest.raises(InvalidInput) as caught:
        renew_domain(session, user.id, purchase.id, 1)  # no quote: never the fixed table's price
    assert caught.value.key == "domains.error_price_stale"
    session.rollback()
    quote = domain_renewals.quote_renewal(user.id, purchase.id, 1, dna_registrar)
    assert quote.price == 18300  # 25 USD x 610 x 1.2
    old = RenewalQuote(purchase.id, 1, quote.price, utcnow() - timedelta(minutes=31))
    with pytest.raises(InvalidInput):
        renew_domain(session, user.id, purchase.id, 1, old)
    session.rollback()
    with pytest.raises(InvalidInput):
        renew_domain(session, user.id, purchase.id, 2, quote)  # quoted for another period
    session.rollback()

    renewal = renew_domain(session, user.id, purchase.id, 1, quote)

    assert renewal.price == 18300 and _consistent(session, user.id) == 60000 - 15000 - 18300
    assert jobs.job_for(session, f"{domain_renewals.RENEW_JOB}:{renewal.id}") is not None
