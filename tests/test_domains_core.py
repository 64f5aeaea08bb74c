"""Domain prices, search and reconciliation, through the real DNA client and the fake DNA
server, on SQLite and MariaDB."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from kmerhosting.config import get_settings
from kmerhosting.core import domains
from kmerhosting.core.domains import (
    customer_domains,
    domain_price_xaf,
    reconcile_purchase,
    search_offers,
)
from kmerhosting.core.errors import InvalidInput
from kmerhosting.core.ledger import ledger_sum, post
from kmerhosting.integrations.registrar import Availability, RegistrarTimeout
from kmerhosting.integrations.registrar.sandbox import SandboxRegistrar
from kmerhosting.models import DomainPurchase, Order, RegistrarStatus, Transaction, TransactionKind, User

from .factories import make_user
from .fake_dna import dna_registrar, fake_dna  # noqa: F401  (fixtures)

# --- prices -------------------------------------------------------------------------------------


def test_fixed_price_per_tld_times_years():
    assert domain_price_xaf("monsite.cm") == 15000
    assert domain_price_xaf("monsite.com", 3) == 27000


def test_api_price_is_exact_integer_xaf_rounded_up_to_100(configure):
    configure(DOMAIN_PRICING="api", DOMAIN_API_RATE_XAF="610", DOMAIN_API_MARGIN_PERCENT="20")
    # 25 × 610 × 1.2 = 18 300 exactly (a float computation made it 18 400)
    assert domain_price_xaf("a.cm", 1, Availability("a.cm", True, 25.0, "USD")) == 18300
    # 12.34 × 610 × 1.2 = 9 032.88 -> 9 100, per year
    assert domain_price_xaf("a.com", 2, Availability("a.com", True, 12.34, "USD")) == 18200
    with pytest.raises(InvalidInput):
        domain_price_xaf("a.com", 1, Availability("a.com", True, 300.0, "TRY"))
    # no registrar price: the fixed table
    assert domain_price_xaf("a.com", 1, Availability("a.com", True, None, "")) == 9000


@pytest.mark.parametrize("years", [0, 11, "2", True, 1.5])
def test_a_bad_period_is_refused(years):
    with pytest.raises(InvalidInput) as caught:
        domain_price_xaf("monsite.cm", years)
    assert caught.value.key == "error.domain_years"


def test_a_tld_the_shop_does_not_sell_is_refused():
    with pytest.raises(InvalidInput) as caught:
        domain_price_xaf("monsite.xyz")
    assert caught.value.message("fr") == "Nous ne vendons pas encore l'extension .xyz."


def test_search_offers_every_shop_tld_with_price(engine):
    offers = search_offers(SandboxRegistrar(), "  MonEntreprise ")
    assert [(o.domain, o.available, o.price_xaf) for o in offers] == [
        ("monentreprise.cm", True, 15000), ("monentreprise.com", True, 9000),
        ("monentreprise.net", True, 10000), ("monentreprise.org", True, 10000)]
    assert [o.available for o in search_offers(SandboxRegistrar(), "google")] == [False] * 4
    assert [o.domain for o in search_offers(SandboxRegistrar(), "https://www.exact.net/")] == ["exact.net"]


@pytest.mark.parametrize("query,key", [("mon site", "error.domain_syntax"), ("", "error.domain_syntax"),
                                       ("-bad", "error.domain_syntax"), ("site.xyz", "error.domain_tld_not_sold")])
def test_search_rejects_bad_names_clearly(engine, query, key):
    with pytest.raises(InvalidInput) as caught:
        search_offers(SandboxRegistrar(), query)
    assert caught.value.key == key


def test_search_through_the_dna_client(fake_dna, dna_registrar):
    fake_dna.add_domain("kmer.cm")
    offers = search_offers(dna_registrar, "kmer")
    assert [(o.domain, o.available) for o in offers] == [("kmer.cm", False), ("kmer.com", True),
                                                         ("kmer.net", True), ("kmer.org", True)]
    assert len(fake_dna.calls("CheckAvailability")) == 1 and fake_dna.violations == []


# --- helpers --------------------------------------------------------------------------------------


def _consistent(session, user_id) -> int:
    session.expire_all()
    user = session.get(User, user_id)
    assert user.credits == ledger_sum(session, user_id)
    return user.credits


def _buy(session, registrar, user, domain, years=1, price=15000) -> DomainPurchase:
    """What the checkout does for a domain line: debit, record, register; a timeout -> unknown."""
    order = Order(user_id=user.id, idempotency_key=f"k-{domain}", total=price, charged=price, status="paid")
    session.add(order)
    session.flush()
    post(session, user.id, -price, TransactionKind.domain, reference=f"order:{order.id}", order_id=order.id)
    purchase = DomainPurchase(user_id=user.id, order_id=order.id, domain=domain, years=years, price=price,
                              registrar=registrar.name)
    session.add(purchase)
    session.commit()
    try:
        info = registrar.register(domain, years, domains.contact_for(user), get_settings().domain_ns)
    except RegistrarTimeout as exc:
        purchase.registrar_status, purchase.error = RegistrarStatus.unknown, f"timeout: {exc}"
    else:
        purchase.registrar_status, purchase.registrar_id = RegistrarStatus.registered, info.registrar_id
        purchase.expires_at = info.expires_at
    session.add(purchase)
    session.commit()
    return purchase


def _refunds(session, user_id):
    return session.exec(select(Transaction).where(Transaction.user_id == user_id,
                                                  Transaction.kind == TransactionKind.refund)).all()


# --- reconciliation of a register that timed out -------------------------------------------------


def test_a_register_that_timed_out_but_happened_is_reconciled_without_buying_again(session, fake_dna,
                                                                                  dna_registrar):
    user = make_user(session, credits=20000)
    fake_dna.hang("RegisterWithContactInfo", seconds=2, apply=True)
    purchase = _buy(session, dna_registrar, user, "perdu.cm")
    assert purchase.registrar_status == RegistrarStatus.unknown

    settled = reconcile_purchase(session, purchase.id, dna_registrar)

    assert settled.registrar_status == RegistrarStatus.registered
    assert settled.registrar_id == fake_dna.domains["perdu.cm"].id
    assert domains._aware(settled.expires_at) == fake_dna.domains["perdu.cm"].expires_at
    assert len(fake_dna.calls("RegisterWithContactInfo")) == 1  # never bought twice
    assert _consistent(session, user.id) == 5000 and _refunds(session, user.id) == []


def test_a_register_that_did_not_happen_is_checked_then_retried_once(session, fake_dna, dna_registrar):
    user = make_user(session, credits=20000)
    fake_dna.hang("RegisterWithContactInfo", seconds=2, apply=False)
    purchase = _buy(session, dna_registrar, user, "retente.cm")

    settled = reconcile_purchase(session, purchase.id, dna_registrar)

    assert settled.registrar_status == RegistrarStatus.registered
    operations = [r.operation for r in fake_dna.requests]
    assert operations == ["RegisterWithContactInfo", "GetDetails", "RegisterWithContactInfo"]
    assert _consistent(session, user.id) == 5000 and _refunds(session, user.id) == []
    assert fake_dna.violations == []


def test_a_register_not_found_is_refunded_exactly_once(session, fake_dna, dna_registrar):
    user = make_user(session, credits=20000)
    fake_dna.hang("RegisterWithContactInfo", seconds=2, apply=False)
    purchase = _buy(session, dna_registrar, user, "rembourse.cm")

    settled = reconcile_purchase(session, purchase.id, dna_registrar, retry_register=False)
    again = reconcile_purchase(session, purchase.id, dna_registrar, retry_register=False)

    assert settled.registrar_status == again.registrar_status == RegistrarStatus.failed
    assert len(_refunds(session, user.id)) == 1
    assert _consistent(session, user.id) == 20000
    order = session.get(Order, purchase.order_id)
    assert order.refunded == 15000
    assert len(fake_dna.calls("RegisterWithContactInfo")) == 1


def test_a_refused_retry_is_refunded_never_both(session, fake_dna, dna_registrar):
    user = make_user(session, credits=20000)
    fake_dna.hang("RegisterWithContactInfo", seconds=2, apply=False)
    purchase = _buy(session, dna_registrar, user, "refus.cm")
    fake_dna.insufficient_balance("RegisterWithContactInfo")

    settled = reconcile_purchase(session, purchase.id, dna_registrar)

    assert settled.registrar_status == RegistrarStatus.failed
    assert "refus.cm" not in fake_dna.domains
    assert len(_refunds(session, user.id)) == 1 and _consistent(session, user.id) == 20000


def test_a_second_timeout_on_retry_stays_unknown_and_never_retries_again(session, fake_dna, dna_registrar):
    user = make_user(session, credits=20000)
    fake_dna.hang("RegisterWithContactInfo", seconds=2, apply=False, times=2)
    purchase = _buy(session, dna_registrar, user, "deuxfois.cm")

    first = reconcile_purchase(session, purchase.id, dna_registrar)
    assert first.registrar_status == RegistrarStatus.unknown and _refunds(session, user.id) == []
    second = reconcile_purchase(session, purchase.id, dna_registrar)  # details: not there, already retried

    assert second.registrar_status == RegistrarStatus.failed
    assert len(fake_dna.calls("RegisterWithContactInfo")) == 2  # the original and one retry, no more
    assert len(_refunds(session, user.id)) == 1 and _consistent(session, user.id) == 20000


def test_when_the_registrar_cannot_answer_nothing_is_decided(session, fake_dna, dna_registrar):
    user = make_user(session, credits=20000)
    fake_dna.hang("RegisterWithContactInfo", seconds=2, apply=False)
    purchase = _buy(session, dna_registrar, user, "muet.cm")
    fake_dna.throttle("GetDetails", times=5)

    settled = reconcile_purchase(session, purchase.id, dna_registrar)

    assert settled.registrar_status == RegistrarStatus.unknown
    assert len(fake_dna.calls("RegisterWithContactInfo")) == 1 and _refunds(session, user.id) == []
    assert _consistent(session, user.id) == 5000


def test_a_reconciliation_in_progress_elsewhere_is_left_alone(session, fake_dna, dna_registrar):
    """Two workers reconciling the same purchase: the second sees the first one's lease."""
    user = make_user(session, credits=20000)
    fake_dna.hang("RegisterWithContactInfo", seconds=2, apply=False)
    purchase = _buy(session, dna_registrar, user, "concurrent.cm")
    purchase.error, purchase.updated_at = domains._RECONCILING, domains.utcnow()
    session.add(purchase)
    session.commit()

    settled = reconcile_purchase(session, purchase.id, dna_registrar)

    assert settled.registrar_status == RegistrarStatus.unknown
    assert fake_dna.calls("GetDetails") == [] and len(fake_dna.calls("RegisterWithContactInfo")) == 1
    assert _refunds(session, user.id) == []
    # once the lease is stale (the worker died), the next run settles it
    settled.updated_at = domains.utcnow() - domains.LEASE - timedelta(minutes=1)
    session.add(settled)
    session.commit()
    assert reconcile_purchase(session, purchase.id, dna_registrar).registrar_status == RegistrarStatus.registered


def test_a_register_still_on_the_wire_is_not_reconciled_yet(session, fake_dna, dna_registrar):
    """The checkout marks a purchase unknown (no error) just before calling register: a reconcile
    run meanwhile must not retry it; once it is old (the checkout crashed), it is settled."""
    user = make_user(session, credits=20000)
    purchase = DomainPurchase(user_id=user.id, domain="envol.cm", price=15000,
                              registrar_status=RegistrarStatus.unknown, updated_at=domains.utcnow())
    session.add(purchase)
    session.commit()
    assert reconcile_purchase(session, purchase.id, dna_registrar).registrar_status == RegistrarStatus.unknown
    assert fake_dna.requests == []

    purchase.updated_at = domains.utcnow() - domains.LEASE - timedelta(minutes=1)
    session.add(purchase)
    session.commit()
    assert reconcile_purchase(session, purchase.id, dna_registrar).registrar_status == RegistrarStatus.registered
    assert [r.operation for r in fake_dna.requests] == ["GetDetails", "RegisterWithContactInfo"]


def test_a_scheduler_run_settles_every_unknown_purchase(session, fake_dna, dna_registrar):
    user = make_user(session, credits=50000)
    fake_dna.hang("RegisterWithContactInfo", seconds=2, apply=True)
    _buy(session, dna_registrar, user, "lot-un.cm")
    fake_dna.hang("RegisterWithContactInfo", seconds=2, apply=False)
    _buy(session, dna_registrar, user, "lot-deux.cm")
    _buy(session, dna_registrar, user, "lot-trois.cm")  # registered at once

    counts = domains.reconcile_unknown_purchases(session, dna_registrar, retry_register=False)

    assert counts == {"registered": 1, "failed": 1, "unknown": 0}
    assert _consistent(session, user.id) == 50000 - 2 * 15000
    assert domains.reconcile_unknown_purchases(session, dna_registrar) == {"registered": 0, "failed": 0,
                                                                           "unknown": 0}


def test_reconcile_leaves_settled_purchases_alone(session, fake_dna, dna_registrar):
    user = make_user(session, credits=20000)
    purchase = _buy(session, dna_registrar, user, "deja.cm")
    assert reconcile_purchase(session, purchase.id, dna_registrar).registrar_status == RegistrarStatus.registered
    assert fake_dna.calls("GetDetails") == [] and _refunds(session, user.id) == []


REGISTER_FAILURES = {
    "error": lambda fake: fake.fail("RegisterWithContactInfo", 530),
    "throttle": lambda fake: fake.throttle("RegisterWithContactInfo"),
    "balance": lambda fake: fake.insufficient_balance("RegisterWithContactInfo"),
}


@pytest.mark.parametrize("name", sorted(REGISTER_FAILURES))
def test_a_refused_register_gives_a_clear_message(session, fake_dna, dna_registrar, name):
    """The checkout maps register errors with registrar_failure(..., refunded=True)."""
    from kmerhosting.integrations.registrar import RegistrarError

    REGISTER_FAILURES[name](fake_dna)
    user = make_user(session)
    with pytest.raises(RegistrarError) as caught:
        dna_registrar.register("x.cm", 1, domains.contact_for(user), get_settings().domain_ns)
    error = domains.registrar_failure(caught.value, refunded=True)
    assert "Vos crédits ont été remboursés" in error.message("fr")
    assert "Your credits have been refunded" in error.message("en")


def test_a_taken_domain_is_domain_unavailable():
    from kmerhosting.core.errors import DomainUnavailable
    from kmerhosting.integrations.registrar import RegistrarDomainTaken

    assert isinstance(domains.registrar_failure(RegistrarDomainTaken("x", code=2302)), DomainUnavailable)


# --- the customer's list --------------------------------------------------------------------------


def test_customer_domains_lists_own_registered_and_pending_with_days_left(session, fake_dna, dna_registrar):
    user = make_user(session, credits=100000)
    other = make_user(session, credits=100000)
    _buy(session, dna_registrar, user, "mien.cm", years=2)
    fake_dna.hang("RegisterWithContactInfo", seconds=2, apply=False)
    _buy(session, dna_registrar, user, "attente.cm")
    failed = DomainPurchase(user_id=user.id, domain="rate.cm", price=1, registrar_status=RegistrarStatus.failed)
    session.add(failed)
    session.commit()
    _buy(session, dna_registrar, other, "autre.cm")

    rows = customer_domains(session, user.id)

    assert {r.domain for r in rows} == {"mien.cm", "attente.cm"}
    mine = next(r for r in rows if r.domain == "mien.cm")
    assert 728 <= mine.days_left <= 730 and mine.status == RegistrarStatus.registered
    assert next(r for r in rows if r.domain == "attente.cm").days_left is None


def test_domain_searches_are_limited_per_client(session):
    """Each search is a registrar call: one client gets DOMAIN_SEARCH_PER_CLIENT, others are not affected."""
    from kmerhosting.core import rate_limit
    from kmerhosting.core.errors import RateLimited
    from kmerhosting.integrations.registrar.sandbox import SandboxRegistrar

    registrar = SandboxRegistrar()
    for _ in range(rate_limit.DOMAIN_SEARCH_PER_CLIENT.max_events):
        domains.search_for_client(session, registrar, "boutique", "10.0.0.7")
    with pytest.raises(RateLimited):
        domains.search_for_client(session, registrar, "boutique", "10.0.0.7")
    assert [o.domain for o in domains.search_for_client(session, registrar, "boutique", "10.0.0.8")][0] == "boutique.cm"
