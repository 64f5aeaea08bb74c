"""Checkout: server-side prices, charge once, never below zero, registrar failures refunded."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from kmerhosting.config import get_settings
from kmerhosting.core import cart, checkout
from kmerhosting.core.accounts import AccountBlocked, EmailNotVerified
from kmerhosting.core.calendar_months import add_months
from kmerhosting.core.errors import InsufficientCredits, InvalidInput
from kmerhosting.core.ledger import ledger_sum
from kmerhosting.core.pricing import duration_price
from kmerhosting.i18n import display
from kmerhosting.integrations.registrar import RegistrarError, RegistrarTimeout
from kmerhosting.integrations.registrar.factory import set_registrar_override
from kmerhosting.models import (
    CartItem,
    DomainPurchase,
    Job,
    NotificationLog,
    Order,
    OrderStatus,
    OutboxMessage,
    Pack,
    RegistrarStatus,
    Service,
    Transaction,
    User,
    UserStatus,
)

from .factories import make_pack, make_user, run_jobs


@pytest.fixture(autouse=True)
def fresh_sandbox():
    """The sandbox registrar remembers registrations per process: each test starts with a new one."""
    from kmerhosting.integrations.registrar.sandbox import SandboxRegistrar

    set_registrar_override(SandboxRegistrar())
    yield
    set_registrar_override(None)


def key() -> str:
    return uuid.uuid4().hex


def factory(engine):
    return lambda: Session(engine, expire_on_commit=False)


def fill_cart(session, user, pack, months=12, domain=None, own=None, years=1):
    item = cart.add_pack(session, user_id=user.id, visitor_key=None, pack_id=pack.id, months=months)
    if own:
        cart.choose_own_domain(session, user_id=user.id, visitor_key=None, item_id=item.id, domain=own)
    else:
        cart.choose_new_domain(session, user_id=user.id, visitor_key=None, item_id=item.id,
                               domain=domain or f"site{uuid.uuid4().hex[:8]}.cm", years=years)
    session.commit()
    return item


def settled(engine, user_id, result):
    """The order once the worker has run what the checkout queued (domain registrations, mail)."""
    run_jobs()
    with Session(engine) as s:
        return checkout.get_order(s, user_id, result.order_id)


def fresh_user(engine, user_id) -> User:
    with Session(engine) as s:
        return s.get(User, user_id)


def charges(engine, user_id):
    with Session(engine) as s:
        return list(s.exec(select(Transaction).where(Transaction.user_id == user_id, Transaction.amount < 0)))


def test_add_months_uses_calendar_months():
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2027, 12, 15, tzinfo=UTC), 36) == datetime(2030, 12, 15, tzinfo=UTC)
    assert add_months(datetime(2028, 2, 29, tzinfo=UTC), 12) == datetime(2029, 2, 28, tzinfo=UTC)


def test_preview_shows_every_line_total_and_balance_after(session):
    user = make_user(session, credits=200_000)
    pack = make_pack(session, monthly_price=5000)
    fill_cart(session, user, pack, months=12, domain="monsite.cm", years=2)
    cart.add_domain_item(session, user_id=user.id, visitor_key=None, domain="autre.com", years=1)
    session.commit()
    preview = checkout.checkout_preview(session, user.id)
    hosting = duration_price(5000, 12).price
    assert [(l.kind, l.hosting_price, l.domain_price) for l in preview.lines] == \
        [("hosting", hosting, 30000), ("domain", 0, 9000)]
    assert preview.total == hosting + 39000
    assert (preview.balance, preview.balance_after, preview.missing, preview.can_pay) == \
        (200_000, 200_000 - preview.total, 0, True)


def test_pay_creates_service_domain_ledger_rows_and_empties_the_cart(engine, session):
    user = make_user(session, credits=200_000)
    pack = make_pack(session, monthly_price=5000)
    fill_cart(session, user, pack, months=12, domain="boutique.cm")
    total = checkout.checkout_preview(session, user.id).total
    result = checkout.pay(factory(engine), user.id, key(), total)
    # Paid at once; the domain is bought by the worker: the order says so until it is done.
    assert result.status == OrderStatus.pending and result.charged == total and result.refunded == 0
    assert result.message == "registering:boutique.cm"
    session.expire_all()
    assert session.exec(select(DomainPurchase)).one().registrar_status == RegistrarStatus.pending
    [job] = session.exec(select(Job)).all()
    assert job.kind == checkout.REGISTER_JOB and job.status == "queued"
    result = settled(engine, user.id, result)
    assert result.status == OrderStatus.paid and result.message == ""
    session.expire_all()
    service = session.exec(select(Service).where(Service.user_id == user.id)).one()
    assert service.domain == "boutique.cm" and service.order_id == result.order_id
    assert service.status == get_settings().new_service_status
    assert service.expires_at.replace(tzinfo=UTC) == add_months(service.starts_at.replace(tzinfo=UTC), 12)
    purchase = session.exec(select(DomainPurchase)).one()
    assert (purchase.registrar_status, purchase.service_id, purchase.price) == (RegistrarStatus.registered,
                                                                                service.id, 15000)
    rows = session.exec(select(Transaction).where(Transaction.order_id == result.order_id)
                        .order_by(Transaction.id)).all()
    assert [(r.kind, r.amount) for r in rows] == [("purchase", -duration_price(5000, 12).price),
                                                   ("domain", -15000)]
    assert session.exec(select(CartItem)).all() == []
    assert fresh_user(engine, user.id).credits == 200_000 - total == ledger_sum(session, user.id)


def test_new_service_status_follows_configuration(engine, session, configure):
    configure(NEW_SERVICE_STATUS="active")
    user = make_user(session, credits=100_000)
    fill_cart(session, user, make_pack(session), own="mien.cm")
    checkout.pay(factory(engine), user.id, key(), checkout.checkout_preview(session, user.id).total)
    session.expire_all()
    assert session.exec(select(Service)).one().status == "active"


def test_confirmation_mail_goes_out_with_every_line_and_the_balance(engine, session):
    user = make_user(session, credits=100_000)
    fill_cart(session, user, make_pack(session), own="mien.cm")
    result = checkout.pay(factory(engine), user.id, key(), checkout.checkout_preview(session, user.id).total)
    run_jobs()
    session.expire_all()
    log = session.exec(select(NotificationLog).where(NotificationLog.user_id == user.id)).one()
    assert log.kind == "purchase_confirmation" and log.payload["context"]["order_id"] == result.order_id
    assert log.status == "sent", log.error
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.notification_id == log.id)).one()
    balance = session.get(User, user.id).credits
    assert display.money(balance, "fr") in mail.text_body and "mien.cm" in mail.text_body


def test_a_mail_failure_does_not_break_checkout(engine, session):
    from kmerhosting.integrations.mail import MailError
    from kmerhosting.integrations.mail.backends import set_backend_override

    class Down:
        name = "down"

        def send(self, message, notification_id=None):
            raise MailError("provider down")

    user = make_user(session, credits=100_000)
    fill_cart(session, user, make_pack(session), own="mien.cm")
    set_backend_override(Down())
    try:
        result = checkout.pay(factory(engine), user.id, key(), checkout.checkout_preview(session, user.id).total)
        run_jobs()
    finally:
        set_backend_override(None)
    session.expire_all()
    assert result.status == OrderStatus.paid
    log = session.exec(select(NotificationLog).where(NotificationLog.user_id == user.id)).one()
    assert log.status == "failed" and "provider down" in log.error


def test_paying_twice_with_the_same_key_charges_once_and_replays_the_result(engine, session):
    user = make_user(session, credits=100_000)
    fill_cart(session, user, make_pack(session), domain="unefois.cm")
    total = checkout.checkout_preview(session, user.id).total
    k = key()
    first = checkout.pay(factory(engine), user.id, k, total)
    again = checkout.pay(factory(engine), user.id, k, total)
    assert again.replayed and again.order_id == first.order_id and again.charged == first.charged
    assert len(charges(engine, user.id)) == 2  # hosting + domain, once
    with pytest.raises(InvalidInput) as err:  # a second tab (another key): the cart is already paid
        checkout.pay(factory(engine), user.id, key(), total)
    assert err.value.key == "shop.error.cart_empty"


def test_someone_elses_idempotency_key_does_not_return_their_order(engine, session):
    alice = make_user(session, credits=100_000)
    bob = make_user(session, credits=100_000)
    fill_cart(session, alice, make_pack(session), own="alice.cm")
    k = key()
    checkout.pay(factory(engine), alice.id, k, checkout.checkout_preview(session, alice.id).total)
    with pytest.raises(InvalidInput):
        checkout.pay(factory(engine), bob.id, k, 0)


def _run_threads(n, target):
    barrier = threading.Barrier(n)
    outcomes = []
    lock = threading.Lock()

    def run(i):
        barrier.wait()
        try:
            value = target(i)
        except Exception as exc:  # noqa: BLE001
            value = exc
        with lock:
            outcomes.append(value)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_twenty_concurrent_pays_of_the_same_cart_charge_once(engine, session):
    user = make_user(session, credits=1_000_000)
    fill_cart(session, user, make_pack(session, monthly_price=5000), domain="concurrent.cm")
    total = checkout.checkout_preview(session, user.id).total
    shared = key()
    outcomes = _run_threads(20, lambda i: checkout.pay(factory(engine), user.id,
                                                       shared if i % 2 else key(), total))
    orders = {o.order_id for o in outcomes if isinstance(o, checkout.CheckoutResult)}
    refusals = [o for o in outcomes if not isinstance(o, checkout.CheckoutResult)]
    assert len(orders) == 1, outcomes
    assert all(isinstance(o, InvalidInput) and o.key == "shop.error.cart_empty" for o in refusals), refusals
    assert sum(-t.amount for t in charges(engine, user.id)) == total
    with Session(engine) as s:
        assert len(s.exec(select(Service)).all()) == 1
        assert len(s.exec(select(DomainPurchase)).all()) == 1
        assert ledger_sum(s, user.id) == s.get(User, user.id).credits == 1_000_000 - total


def test_twenty_concurrent_checkouts_of_different_carts_never_go_below_zero(engine, session):
    """One user, 20 tabs each paying a different cart (one line each) with a balance for only 7."""
    user = make_user(session, credits=0)
    pack = make_pack(session, monthly_price=1000)
    price = duration_price(1000, 1).price
    from kmerhosting.core.ledger import add_credits

    add_credits(session, user.id, price * 7)
    session.commit()
    items = []
    for i in range(20):
        items.append(cart.add_pack(session, user_id=user.id, visitor_key=None, pack_id=pack.id, months=1))
    session.commit()
    for i, item in enumerate(items):
        cart.choose_own_domain(session, user_id=user.id, visitor_key=None, item_id=item.id, domain=f"own{i}.cm")
    session.commit()
    # Each tab confirmed a different cart (one line each): pay() charges exactly the confirmed lines.
    outcomes = _run_threads(20, lambda i: _pay_single_line(engine, user.id, items[i].id, price))
    paid = [o for o in outcomes if isinstance(o, checkout.CheckoutResult)]
    with Session(engine) as s:
        balance = s.get(User, user.id).credits
        assert balance >= 0
        assert ledger_sum(s, user.id) == balance
        assert len(s.exec(select(Service)).all()) == len(paid)
        assert balance == price * 7 - price * len(paid)
    assert len(paid) == 7
    assert sum(isinstance(o, InsufficientCredits) for o in outcomes) == 13, outcomes


def _pay_single_line(engine, user_id, item_id, price):
    return checkout.pay(factory(engine), user_id, key(), price, item_ids=[item_id])


def test_pack_price_changed_or_deactivated_is_shown_and_pay_refuses(engine, session):
    user = make_user(session, credits=500_000)
    cheap = make_pack(session, monthly_price=2000)
    gone = make_pack(session, monthly_price=3000)
    fill_cart(session, user, cheap, own="a.cm")
    fill_cart(session, user, gone, own="b.cm")
    old_total = checkout.checkout_preview(session, user.id).total
    session.get(Pack, cheap.id).monthly_price = 2600
    session.get(Pack, gone.id).is_active = False
    session.commit()
    preview = checkout.checkout_preview(session, user.id)
    assert [l.problem for l in preview.lines] == [checkout.PRICE_CHANGED, checkout.PACK_UNAVAILABLE]
    assert preview.lines[0].hosting_price == duration_price(2600, 12).price != preview.lines[0].quoted_hosting
    assert not preview.can_pay
    for total in (old_total, preview.total):
        with pytest.raises(checkout.CheckoutChanged):
            checkout.pay(factory(engine), user.id, key(), total)
    assert charges(engine, user.id) == [] and session.exec(select(Order)).all() == []
    # The customer removes the deactivated line and accepts the new price: now it can pay, at the new price.
    cart.remove_item(session, user_id=user.id, visitor_key=None, item_id=preview.lines[1].item_id)
    checkout.accept_new_prices(session, user.id)
    session.commit()
    preview = checkout.checkout_preview(session, user.id)
    assert preview.can_pay and preview.total == duration_price(2600, 12).price
    with pytest.raises(checkout.CheckoutChanged):  # a total from the browser is never charged
        checkout.pay(factory(engine), user.id, key(), 1)
    result = checkout.pay(factory(engine), user.id, key(), preview.total)
    assert result.charged == duration_price(2600, 12).price


def test_not_enough_credits_says_how_much_is_missing_and_changes_nothing(engine, session):
    user = make_user(session, credits=1000)
    fill_cart(session, user, make_pack(session, monthly_price=2500), own="pauvre.cm", months=1)
    preview = checkout.checkout_preview(session, user.id)
    assert preview.missing == 1500 and not preview.can_pay
    with pytest.raises(InsufficientCredits) as err:
        checkout.pay(factory(engine), user.id, key(), preview.total)
    assert err.value.missing == 1500 and "1\u202f500\xa0FCFA" in err.value.message("fr")
    assert charges(engine, user.id) == [] and len(session.exec(select(CartItem)).all()) == 1


def test_unverified_or_blocked_users_cannot_pay(engine, session):
    unverified = make_user(session, credits=100_000, verified=False)
    blocked = make_user(session, credits=100_000, status=UserStatus.blocked)
    pack = make_pack(session)
    for user in (unverified, blocked):
        fill_cart(session, user, pack, own=f"u{user.id}.cm")
    with pytest.raises(EmailNotVerified) as err:
        checkout.pay(factory(engine), unverified.id, key(), checkout.checkout_preview(session, unverified.id).total)
    assert "e-mail" in err.value.message("fr")
    with pytest.raises(AccountBlocked):
        checkout.pay(factory(engine), blocked.id, key(), checkout.checkout_preview(session, blocked.id).total)
    assert session.exec(select(Order)).all() == []


def test_empty_cart_or_bad_key_is_refused(engine, session):
    user = make_user(session, credits=100_000)
    with pytest.raises(InvalidInput) as err:
        checkout.pay(factory(engine), user.id, key(), 0)
    assert err.value.key == "shop.error.cart_empty"
    for bad in ("", "short", None, 123, "x" * 65):
        with pytest.raises(InvalidInput):
            checkout.pay(factory(engine), user.id, bad, 0)


def test_line_without_domain_blocks_payment(engine, session):
    user = make_user(session, credits=100_000)
    cart.add_pack(session, user_id=user.id, visitor_key=None, pack_id=make_pack(session).id, months=12)
    session.commit()
    preview = checkout.checkout_preview(session, user.id)
    assert preview.lines[0].problem == checkout.DOMAIN_MISSING and not preview.can_pay
    with pytest.raises(checkout.CheckoutChanged):
        checkout.pay(factory(engine), user.id, key(), preview.total)


# --- registrar failures -------------------------------------------------------------------------


class FailingRegistrar:
    name = "test"
    is_test = True

    def __init__(self, error):
        self.error = error
        self.calls = []

    def check(self, domains):
        from kmerhosting.integrations.registrar import Availability

        return [Availability(domain=d, available=True, price=10.0, currency="USD") for d in domains]

    def register(self, domain, years, contact, nameservers):
        self.calls.append(domain)
        raise self.error

    def renew(self, domain, years):
        raise self.error

    def details(self, domain):
        return None


@pytest.fixture
def registrar_override():
    yield set_registrar_override
    set_registrar_override(None)


def test_registrar_refusal_refunds_the_domain_and_keeps_the_hosting(engine, session):
    """The sandbox refuses names starting with "taken" at registration time (a race with another buyer)."""
    user = make_user(session, credits=200_000)
    pack = make_pack(session, monthly_price=5000)
    item = fill_cart(session, user, pack, own="placeholder.cm")
    # The domain was free when chosen, then someone else registered it: simulate by writing it directly.
    row = session.get(CartItem, item.id)
    row.domain, row.domain_mode, row.domain_quoted_price = "takenlater.cm", "register", 15000
    session.commit()
    total = checkout.checkout_preview(session, user.id).total
    result = settled(engine, user.id, checkout.pay(factory(engine), user.id, key(), total))
    hosting = duration_price(5000, 12).price
    assert (result.status, result.charged, result.refunded) == (OrderStatus.partial, total, 15000)
    assert result.balance == 200_000 - hosting
    assert "failed:takenlater.cm" in result.message
    assert any("takenlater.cm" in m and "recrédité" in m for m in checkout.order_messages(result.message, "fr",
                                                                                        result.refunded))
    session.expire_all()
    purchase = session.exec(select(DomainPurchase)).one()
    assert purchase.registrar_status == RegistrarStatus.failed
    refund = session.exec(select(Transaction).where(Transaction.kind == "refund")).one()
    assert (refund.amount, refund.order_id) == (15000, result.order_id)
    assert ledger_sum(session, user.id) == fresh_user(engine, user.id).credits
    # Retry: the hosting stays and the customer points it at another domain, bought as a domain line.
    service = session.exec(select(Service)).one()
    checkout.change_service_domain(session, user.id, service.id, "autrechoix.cm")
    cart.add_domain_item(session, user_id=user.id, visitor_key=None, domain="autrechoix.cm", years=1)
    session.commit()
    retry = checkout.pay(factory(engine), user.id, key(), checkout.checkout_preview(session, user.id).total)
    assert settled(engine, user.id, retry).status == OrderStatus.paid
    session.expire_all()
    new_purchase = session.exec(select(DomainPurchase).where(DomainPurchase.domain == "autrechoix.cm")).one()
    assert new_purchase.service_id == service.id and new_purchase.registrar_status == RegistrarStatus.registered


def test_registrar_error_on_a_domain_only_order_fails_it_and_refunds_everything(engine, session,
                                                                                  registrar_override):
    user = make_user(session, credits=50_000)
    registrar = FailingRegistrar(RegistrarError("reseller balance", code=350))
    registrar_override(registrar)
    cart.add_domain_item(session, user_id=user.id, visitor_key=None, domain="rate.cm", years=1)
    session.commit()
    result = checkout.pay(factory(engine), user.id, key(), checkout.checkout_preview(session, user.id).total)
    result = settled(engine, user.id, result)
    assert (result.status, result.refunded, result.balance) == (OrderStatus.failed, 15000, 50_000)
    assert registrar.calls == ["rate.cm"]
    with Session(engine) as s:
        assert ledger_sum(s, user.id) == 50_000


def test_registrar_timeout_leaves_the_domain_unknown_and_unrefunded(engine, session, registrar_override):
    user = make_user(session, credits=50_000)
    registrar = FailingRegistrar(RegistrarTimeout("no answer"))
    registrar_override(registrar)
    cart.add_domain_item(session, user_id=user.id, visitor_key=None, domain="lent.cm", years=1)
    session.commit()
    k = key()
    result = checkout.pay(factory(engine), user.id, k, checkout.checkout_preview(session, user.id).total)
    result = settled(engine, user.id, result)
    assert (result.status, result.refunded, result.balance) == (OrderStatus.pending, 0, 35_000)
    assert "unknown:lent.cm" in result.message
    again = checkout.pay(factory(engine), user.id, k, 15000)  # a replay never sends it to the registrar again
    run_jobs()  # the registration job waits for its back-off before asking the registrar again
    assert again.replayed and again.status == OrderStatus.pending and registrar.calls == ["lent.cm"]
    with Session(engine) as s:
        purchase = s.exec(select(DomainPurchase)).one()
        assert purchase.registrar_status == RegistrarStatus.unknown
        assert ledger_sum(s, user.id) == 35_000
        # Reconciliation (core.domains) later finds it registered; the order follows.
        purchase.registrar_status = RegistrarStatus.registered
        s.add(purchase)
        s.commit()
    checkout.refresh_order_status(factory(engine), result.order_id)
    with Session(engine) as s:
        order = s.get(Order, result.order_id)
        assert (order.status, order.message) == (OrderStatus.paid, "")


def test_get_order_is_private(engine, session):
    alice, bob = make_user(session, credits=100_000), make_user(session)
    fill_cart(session, alice, make_pack(session), own="prive.cm")
    result = checkout.pay(factory(engine), alice.id, key(), checkout.checkout_preview(session, alice.id).total)
    assert checkout.get_order(session, alice.id, result.order_id).order_id == result.order_id
    with pytest.raises(InvalidInput):
        checkout.get_order(session, bob.id, result.order_id)


# --- one live hosting service per domain ------------------------------------------------------------


def test_two_buyers_of_one_own_domain_get_one_service(engine, session):
    """Eight customers pay at the same moment for hosting on the same domain "they own": the database
    lets one service be live on it; the others are charged nothing and told why."""
    pack = make_pack(session, monthly_price=2000)
    buyers = [make_user(session, credits=100_000) for _ in range(8)]
    for buyer in buyers:
        fill_cart(session, buyer, pack, own="contested.cm")
    totals = [checkout.checkout_preview(session, b.id).total for b in buyers]

    outcomes = _run_threads(8, lambda i: checkout.pay(factory(engine), buyers[i].id, key(), totals[i]))

    paid = [o for o in outcomes if isinstance(o, checkout.CheckoutResult)]
    refused = [o for o in outcomes if not isinstance(o, checkout.CheckoutResult)]
    assert len(paid) == 1, outcomes
    assert all(isinstance(o, InvalidInput) and o.key == "shop.error.domain_hosted" for o in refused), refused
    assert "contested.cm" in refused[0].message("fr")
    with Session(engine) as s:
        services = s.exec(select(Service)).all()
        assert len(services) == 1 and services[0].live_domain == "contested.cm"
        winner = services[0].user_id
        for buyer in buyers:
            credits = s.get(User, buyer.id).credits
            assert credits == ledger_sum(s, buyer.id)
            if buyer.id == winner:
                assert credits == 100_000 - totals[0]
            else:  # nothing charged, the cart line is still there to change
                assert credits == 100_000
                assert s.exec(select(CartItem).where(CartItem.user_id == buyer.id)).one().domain == "contested.cm"
        assert len(s.exec(select(Order)).all()) == 1


def test_the_database_refuses_a_second_live_service_on_a_domain(engine, session):
    from sqlalchemy.exc import IntegrityError

    from .factories import make_service

    pack = make_pack(session)
    first = make_service(session, make_user(session), pack, domain="twice.cm")
    with pytest.raises(IntegrityError):
        make_service(session, make_user(session), pack, domain="twice.cm")
    session.rollback()
    # Cancelled services hold no domain: the domain can be sold again, and cancelled twice.
    from kmerhosting.core.admin import services as admin_services

    admin = make_user(session, role="admin")
    admin_services.set_status(session, admin.id, first.id, "cancelled")
    session.commit()
    assert session.get(Service, first.id).live_domain is None
    again = make_service(session, make_user(session), pack, domain="twice.cm")
    assert again.live_domain == "twice.cm"
    admin_services.set_status(session, admin.id, again.id, "cancelled")
    session.commit()
    assert len(session.exec(select(Service).where(Service.domain == "twice.cm")).all()) == 2


# --- changing a service's domain ------------------------------------------------------------------


def test_a_live_own_domain_service_cannot_be_repointed(engine, session):
    """Repointing a live service at a domain nobody hosts here yet would squat it."""
    user = make_user(session, credits=100_000)
    fill_cart(session, user, make_pack(session), own="mine.cm")
    checkout.pay(factory(engine), user.id, key(), checkout.checkout_preview(session, user.id).total)
    service = session.exec(select(Service)).one()
    with pytest.raises(InvalidInput) as refused:
        checkout.change_service_domain(session, user.id, service.id, "someone-elses.cm")
    assert refused.value.key == "shop.error.domain_not_changeable"
    session.rollback()
    session.expire_all()
    assert session.get(Service, service.id).domain == "mine.cm"


def test_only_the_owner_of_a_service_waiting_for_a_domain_may_change_it_once(engine, session,
                                                                          registrar_override):
    from kmerhosting.integrations.registrar import RegistrarDomainTaken

    user, other = make_user(session, credits=100_000), make_user(session)
    fill_cart(session, user, make_pack(session), domain="refused.cm")
    registrar_override(FailingRegistrar(RegistrarDomainTaken("exists", code=2302)))
    checkout.pay(factory(engine), user.id, key(), checkout.checkout_preview(session, user.id).total)
    run_jobs()  # the registration is refused
    service = session.exec(select(Service)).one()

    with pytest.raises(InvalidInput):  # someone else's service: not found, whatever its state
        checkout.change_service_domain(session, other.id, service.id, "grab.cm")
    session.rollback()
    checkout.change_service_domain(session, user.id, service.id, "deja-a-moi.cm")
    session.commit()
    assert session.get(Service, service.id).live_domain == "deja-a-moi.cm"
    with pytest.raises(InvalidInput) as again:  # it has its domain now: no more changes
        checkout.change_service_domain(session, user.id, service.id, "another.cm")
    assert again.value.key == "shop.error.domain_not_changeable"
    session.rollback()
    session.expire_all()
    assert session.get(Service, service.id).domain == "deja-a-moi.cm"
