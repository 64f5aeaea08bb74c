"""Mobile Money top-ups credit exactly once, through the real gateway clients on the fake Notch Pay and
Campay servers and the shop's real webhook route (`/api/payments/...`, the Starlette app mounted beside
Reflex), on SQLite and MariaDB: the same webhook 20 times at once, webhooks racing the poller and two
workers, forged and replayed webhooks, a "complete" with another amount, lost answers on start."""

from __future__ import annotations

import threading
import warnings
from datetime import timedelta

import pytest
from sqlmodel import select

with warnings.catch_warnings():  # Starlette's test client still works on httpx (it suggests httpx2)
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from kmerhosting.api import api
from kmerhosting.core import jobs, ledger, payments
from kmerhosting.integrations.payments.factory import set_gateway_override
from kmerhosting.models import NotificationLog, Payment, PaymentEvent, PaymentStatus, Transaction, utcnow

from .factories import make_user
from .fake_campay import campay_client, fake_campay_fixture  # noqa: F401  (fixture)
from .fake_notchpay import fake_notchpay_fixture, notchpay_client  # noqa: F401  (fixture)

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")


@pytest.fixture
def notchpay(fake_notchpay, configure):  # noqa: F811
    configure(PAYMENT_GATEWAY="notchpay", NOTCHPAY_PUBLIC_KEY=fake_notchpay.public_key,
              NOTCHPAY_WEBHOOK_HASH=fake_notchpay.webhook_hash, NOTCHPAY_ENDPOINT=fake_notchpay.url)
    gateway = notchpay_client(fake_notchpay)
    set_gateway_override(gateway)
    yield fake_notchpay
    set_gateway_override(None)
    gateway.close()


@pytest.fixture
def campay(fake_campay, configure):  # noqa: F811
    configure(PAYMENT_GATEWAY="campay", CAMPAY_USERNAME=fake_campay.username, CAMPAY_PASSWORD=fake_campay.password,
              CAMPAY_WEBHOOK_KEY=fake_campay.webhook_key, CAMPAY_ENDPOINT=fake_campay.url)
    gateway = campay_client(fake_campay)
    set_gateway_override(gateway)
    yield fake_campay
    set_gateway_override(None)
    gateway.close()


def run_jobs(later: timedelta = timedelta(0), most: int = 10) -> int:
    count = 0
    while count < most and jobs.run_one("tests", now=utcnow() + later):
        count += 1
    return count


def started(session, user, amount=25000, operator="mtn", phone="677123456") -> Payment:
    payment = payments.start_topup(session, user.id, amount, operator, phone)
    run_jobs()
    return _fresh(session, payment.id)


def _fresh(session, payment_id) -> Payment:
    return session.exec(select(Payment).where(Payment.id == payment_id)
                        .execution_options(populate_existing=True)).one()


def credits_for(session, payment) -> list[Transaction]:
    session.expire_all()
    return session.exec(select(Transaction).where(Transaction.reference == f"payment:{payment.id}")).all()


def assert_books_balance(session, user_id):
    session.expire_all()
    assert ledger.balance(session, user_id) == ledger.ledger_sum(session, user_id)


def post_notch(body: bytes, signature: str | None):
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["x-notch-signature"] = signature
    with TestClient(api) as client:
        return client.post("/api/payments/notchpay", content=body, headers=headers)


def at_once(n: int, work) -> list:
    barrier, results, errors = threading.Barrier(n), [], []

    def run(i):
        try:
            barrier.wait()
            results.append(work(i))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


# --- Notch Pay -----------------------------------------------------------------------------------------


def test_notchpay_start_asks_the_phone_once_and_a_signed_webhook_credits_once(engine, session, notchpay):
    user = make_user(session, credits=500)
    payment = started(session, user)
    assert payment.status == PaymentStatus.pending and payment.gateway_reference
    assert payment.ussd_code == "*126#" and notchpay.charges(payment.reference) == 1
    charge = notchpay.calls("charge")[0]
    assert charge.json == {"channel": "cm.mtn", "data": {"phone": "237677123456"}}
    assert notchpay.violations == []

    notchpay.complete(payment.reference)
    body, signature = notchpay.webhook(payment.reference)
    answers = at_once(20, lambda _: post_notch(body, signature))
    assert {a.status_code for a in answers} == {200}
    assert [t.amount for t in credits_for(session, payment)] == [25000]
    assert ledger.balance(session, user.id) == 25500
    assert_books_balance(session, user.id)
    assert _fresh(session, payment.id).status == PaymentStatus.complete
    mails = session.exec(select(NotificationLog).where(NotificationLog.kind == "payment_received")).all()
    assert len(mails) == 1
    webhooks = session.exec(select(PaymentEvent).where(PaymentEvent.payment_id == payment.id,
                                                       PaymentEvent.source == "webhook")).all()
    # Each delivery is on the payment's timeline, and the one status answer that credited it.
    assert len([e for e in webhooks if "event" in e.detail]) == 20
    assert [e.status for e in webhooks if "event" not in e.detail] == ["complete"]


def test_webhooks_the_poller_and_two_workers_racing_credit_once(engine, session, notchpay):
    user = make_user(session)
    payment = started(session, user, amount=10000)
    notchpay.complete(payment.reference)
    body, signature = notchpay.webhook(payment.reference)

    def work(i):
        if i < 6:
            return post_notch(body, signature).status_code
        if i < 8:  # two workers taking the poll job (only one can hold it)
            return jobs.run_one(f"worker-{i}", now=utcnow() + timedelta(minutes=1))
        return payments.poll_once(payment.id)

    at_once(12, work)
    assert [t.amount for t in credits_for(session, payment)] == [10000]
    assert ledger.balance(session, user.id) == 10000
    assert_books_balance(session, user.id)


def test_a_webhook_is_only_a_hint_the_gateway_status_decides(engine, session, notchpay):
    user = make_user(session)
    payment = started(session, user)
    # Signed, but it claims complete while the gateway says pending: nothing moves.
    body, signature = notchpay.webhook(payment.reference, status="complete")
    assert post_notch(body, signature).status_code == 200
    assert credits_for(session, payment) == [] and _fresh(session, payment.id).status == PaymentStatus.pending
    # Out of order: a "failed" webhook arrives after the customer paid: the gateway says complete.
    notchpay.complete(payment.reference)
    body, signature = notchpay.webhook(payment.reference, status="failed")
    assert post_notch(body, signature).json() == {"status": "complete"}
    assert [t.amount for t in credits_for(session, payment)] == [25000]


def test_a_forged_or_altered_webhook_credits_nothing(engine, session, notchpay):
    user = make_user(session)
    payment = started(session, user)
    notchpay.complete(payment.reference)
    body, signature = notchpay.webhook(payment.reference)
    forged_body, forged_signature = notchpay.webhook(payment.reference, key="guessed-key")
    altered = body.replace(b'"amount": 25000', b'"amount": 2500000')
    assert altered != body
    for sent, sig in ((forged_body, forged_signature), (body, None), (altered, signature), (body, signature.upper()[:-1])):
        answer = post_notch(sent, sig)
        assert answer.status_code == 401
    assert credits_for(session, payment) == []
    assert session.exec(select(PaymentEvent).where(PaymentEvent.source == "webhook")).all() == []
    assert post_notch(b"not json", None).status_code == 401
    with TestClient(api) as client:  # the sandbox and unknown gateways take no webhooks
        assert client.post("/api/payments/sandbox", content=body).status_code == 404
        assert client.post("/api/payments/paypal", content=body).status_code == 404
        assert client.post("/api/payments/notchpay", content=b"x" * 70000).status_code == 413


def test_a_complete_status_with_another_amount_or_currency_is_flagged_and_credits_nothing(engine, session, notchpay):
    user = make_user(session)
    for amount, currency in ((2500, None), (None, "EUR")):
        payment = started(session, user)
        notchpay.complete(payment.reference, amount=amount, currency=currency)
        body, signature = notchpay.webhook(payment.reference)
        assert post_notch(body, signature).json() == {"status": "flagged"}
        flagged = _fresh(session, payment.id)
        assert flagged.status == PaymentStatus.flagged and flagged.transaction_id is None
        assert credits_for(session, payment) == []
    assert ledger.balance(session, user.id) == 0


def test_a_timeout_on_initialize_never_creates_a_second_charge(engine, session, notchpay):
    user = make_user(session)
    payment = payments.start_topup(session, user.id, 5000, "orange", "699123456")
    notchpay.hang("initialize", seconds=1.5, apply=True)  # created at Notch, the answer is lost
    assert run_jobs() == 1
    assert _fresh(session, payment.id).status == PaymentStatus.created  # not known yet: tried again
    assert run_jobs(timedelta(minutes=1), most=1) == 1  # the start again, with the same reference
    payment = _fresh(session, payment.id)
    assert payment.status == PaymentStatus.pending
    assert len(notchpay.calls("initialize")) == 1 and notchpay.charges(payment.reference) == 1
    assert notchpay.calls("charge")[0].json["channel"] == "cm.orange"


def test_a_refused_number_fails_the_payment_with_the_gateway_words(engine, session, notchpay):
    user = make_user(session)
    notchpay.http_error("charge", 422, "The phone number is not a valid Orange Money number")
    payment = started(session, user, operator="orange", phone="699123456")
    assert payment.status == PaymentStatus.failed and "not a valid" in payment.reason


def test_the_poller_finishes_a_payment_without_any_webhook_and_expires_one_nobody_confirms(
        engine, session, notchpay):
    user = make_user(session)
    paid, forgotten = started(session, user), started(session, user, amount=7000)
    notchpay.complete(paid.reference)
    run_jobs(timedelta(minutes=1), most=4)
    assert _fresh(session, paid.id).status == PaymentStatus.complete
    session.execute(Payment.__table__.update().where(Payment.id == forgotten.id)
                    .values(deadline_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    notchpay.hang("retrieve", seconds=1.5)  # and the gateway does not answer at the deadline
    assert payments.poll_once(forgotten.id) == (PaymentStatus.expired, False)
    session.expire_all()
    assert ledger.balance(session, user.id) == 25000


# --- Campay --------------------------------------------------------------------------------------------


def get_campay(query: dict):
    with TestClient(api) as client:
        return client.get("/api/payments/campay", params=query)


def test_campay_collect_and_a_signed_callback_credit_once(engine, session, campay):
    user = make_user(session)
    payment = started(session, user, amount=15000, operator="orange", phone="699123456")
    assert payment.status == PaymentStatus.pending and payment.gateway_reference
    assert campay.calls("collect")[0].json["from"] == "237699123456"
    campay.complete(payment.gateway_reference)
    query = campay.callback_query(payment.gateway_reference)
    answers = at_once(20, lambda _: get_campay(query))
    assert {a.status_code for a in answers} == {200}
    assert [t.amount for t in credits_for(session, payment)] == [15000]
    assert_books_balance(session, user.id)
    for signature in ("bad", "none", "alg_none", "hs512", "expired", "garbled"):
        assert get_campay(campay.callback_query(payment.gateway_reference, signature=signature)).status_code == 401


def test_campay_collect_whose_answer_was_lost_is_not_pushed_twice_and_the_callback_finishes_it(
        engine, session, campay):
    user = make_user(session)
    payment = payments.start_topup(session, user.id, 6000, "mtn", "677123456")
    campay.hang("collect", seconds=1.5, apply=True)  # the phone rang; our worker never heard back
    run_jobs()
    payment = _fresh(session, payment.id)
    assert payment.status == PaymentStatus.pending and payment.gateway_reference is None
    run_jobs(timedelta(minutes=1), most=3)
    assert len(campay.calls("collect")) == 1
    (campay_reference,) = [r for r in campay.transactions]
    campay.complete(campay_reference)
    assert get_campay(campay.callback_query(campay_reference)).json() == {"status": "complete"}
    payment = _fresh(session, payment.id)
    assert payment.gateway_reference == campay_reference
    assert [t.amount for t in credits_for(session, payment)] == [6000]
