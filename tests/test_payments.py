"""Mobile Money top-ups in core (core/payments.py) with the sandbox gateway: input, the payment's life
through the worker's jobs, crediting once, expiry, and manual requests refusing a used reference.
The gateways' own wire protocols (Notch Pay, Campay) are tested in test_payment_clients.py and, through
this module, in test_payments_exactly_once.py."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from kmerhosting.core import credit_requests, jobs, ledger, payments
from kmerhosting.core.errors import InvalidInput, NotAuthorized
from kmerhosting.models import (Job, NotificationLog, Payment, PaymentEvent, PaymentStatus, Transaction,
                                UserStatus, utcnow)

from .factories import make_user


@pytest.fixture
def sandbox(sandbox_gateway):
    return sandbox_gateway


def run_jobs(later: timedelta = timedelta(0), most: int = 20) -> int:
    """Run due jobs as a worker would `later` from now (a poll that asks again is due again then)."""
    count = 0
    while count < most and jobs.run_one("tests", now=utcnow() + later):
        count += 1
    return count


def _payment(session, payment_id) -> Payment:
    return session.exec(select(Payment).where(Payment.id == payment_id)
                        .execution_options(populate_existing=True)).one()


@pytest.mark.parametrize("raw", ["677123456", "6 77 12 34 56", "+237 677 12 34 56", "00237677123456",
                                 "237-677-12-34-56", "(+237) 677.12.34.56", "6\u00a077\u202f12 34 56"])
def test_cameroonian_numbers_are_read_in_every_usual_form(raw):
    assert payments.parse_phone(raw) == "237677123456"


@pytest.mark.parametrize("raw", ["", "12345", "77123456", "2376771234567", "577123456", "+33612345678",
                                 "677 12 34 5x", None, 677123456])
def test_a_number_that_is_not_a_cameroonian_mobile_is_refused(raw):
    with pytest.raises(InvalidInput) as err:
        payments.parse_phone(raw)
    assert err.value.key == "payment.error.phone"


def test_the_operator_is_known_from_the_prefix():
    assert payments.operator_of("237677123456") == "mtn" and payments.operator_of("237650123456") == "mtn"
    assert payments.operator_of("237699123456") == "orange" and payments.operator_of("237656019261") == "orange"
    assert payments.operator_of("237662123456") == ""


@pytest.mark.parametrize("amount, key", [("100", "payment.error.amount_range"), (2_000_000, "payment.error.amount_range"),
                                         ("12.5", "error.amount_not_integer"), (True, "error.amount_not_integer"),
                                         ("abc", "error.amount_not_integer"), (-5000, "payment.error.amount_range")])
def test_bad_input_writes_nothing(session, sandbox, amount, key):
    user = make_user(session)
    with pytest.raises(InvalidInput) as err:
        payments.start_topup(session, user.id, amount, "mtn", "677123456")
    assert err.value.key == key
    assert session.exec(select(Payment)).all() == [] and session.exec(select(Job)).all() == []


def test_a_limit_message_shows_money_in_the_reader_language(session, sandbox):
    user = make_user(session)
    with pytest.raises(InvalidInput) as err:
        payments.start_topup(session, user.id, "100", "mtn", "677123456")
    assert err.value.message("fr") == "Le montant doit être compris entre 500\u00a0FCFA et 1\u202f000\u202f000\u00a0FCFA."
    assert err.value.message("en") == "The amount must be between 500\u00a0FCFA and 1,000,000\u00a0FCFA."


def test_an_mtn_number_with_orange_chosen_is_caught(session, sandbox):
    user = make_user(session)
    with pytest.raises(InvalidInput) as err:
        payments.start_topup(session, user.id, 5000, "orange", "677123456")
    assert err.value.key == "payment.error.operator_mismatch"


def test_a_blocked_customer_cannot_start_a_payment(session, sandbox):
    user = make_user(session, status=UserStatus.blocked)
    with pytest.raises(NotAuthorized):
        payments.start_topup(session, user.id, 5000, "mtn", "677123456")


def test_a_top_up_goes_from_the_phone_to_the_balance_once(session, sandbox):
    user = make_user(session, credits=1000)
    payment = payments.start_topup(session, user.id, "25 000", "mtn", "6 77 12 34 56", lang="en")
    assert (payment.status, payment.amount, payment.phone, payment.gateway) == ("created", 25000, "237677123456",
                                                                                "sandbox")
    assert payment.reference.startswith("KH") and len(payment.reference) == 22
    assert run_jobs() == 1  # the start job: the phone is asked
    payment = _payment(session, payment.id)
    assert payment.status == PaymentStatus.pending and payment.ussd_code == "*126#"
    assert payment.gateway_reference and ledger.balance(session, user.id) == 1000
    run_jobs(timedelta(seconds=10))  # the poll job: the sandbox says complete
    payment = _payment(session, payment.id)
    assert payment.status == PaymentStatus.complete and payment.transaction_id
    session.expire_all()
    assert ledger.balance(session, user.id) == 26000 == ledger.ledger_sum(session, user.id)
    row = session.get(Transaction, payment.transaction_id)
    assert (row.kind, row.amount, row.reference, row.payment_key) == (
        "credit", 25000, f"payment:{payment.id}", f"sandbox:{payment.gateway_reference}")
    mail = session.exec(select(NotificationLog).where(NotificationLog.kind == "payment_received")).one()
    assert mail.language == "en" and mail.status == "sent"
    # Asked again (a webhook, an admin's "check now", a late poll): nothing moves.
    for source in ("webhook", "check", "poll"):
        assert payments.check_payment(payment.id, source=source) == PaymentStatus.complete
    session.expire_all()
    assert ledger.balance(session, user.id) == 26000
    assert len(session.exec(select(Transaction).where(Transaction.payment_key.is_not(None))).all()) == 1
    timeline = [e.source for e in session.exec(select(PaymentEvent).where(PaymentEvent.payment_id == payment.id))]
    assert timeline[:2] == ["start", "start"] and "poll" in timeline


@pytest.mark.parametrize("ending, status", [("00", PaymentStatus.failed), ("01", PaymentStatus.canceled)])
def test_a_refused_or_cancelled_payment_credits_nothing(session, sandbox, ending, status):
    user = make_user(session)
    payment = payments.start_topup(session, user.id, 5000, "orange", f"6990000{ending}")
    run_jobs()
    run_jobs(timedelta(seconds=10))
    payment = _payment(session, payment.id)
    assert payment.status == status and payment.reason and payment.transaction_id is None
    session.expire_all()
    assert ledger.balance(session, user.id) == 0
    assert session.exec(select(NotificationLog).where(NotificationLog.kind == "payment_received")).all() == []


def test_a_payment_nobody_confirms_expires_at_its_deadline_and_is_still_credited_if_it_completes_later(
        session, sandbox, configure):
    configure(PAYMENT_DEADLINE_MINUTES=2)
    user = make_user(session)
    payment = payments.start_topup(session, user.id, 5000, "mtn", "677000099")
    run_jobs()
    assert run_jobs(timedelta(seconds=10), most=3) == 3
    assert _payment(session, payment.id).status == PaymentStatus.pending  # still waiting: polled again
    assert payments.poll_once(payment.id) == (PaymentStatus.pending, True)
    session.execute(Payment.__table__.update().where(Payment.id == payment.id)
                    .values(deadline_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert payments.poll_once(payment.id) == (PaymentStatus.expired, False)
    session.expire_all()
    assert ledger.balance(session, user.id) == 0
    # The operator confirms late (the money was taken): it must arrive all the same.
    from kmerhosting.integrations import payments as gw

    late = gw.GatewayStatus(reference=payment.reference, gateway_reference=_payment(session, payment.id)
                            .gateway_reference, status=gw.COMPLETE, amount=5000, currency="XAF")
    assert payments.settle(payment.id, late, source="webhook") == PaymentStatus.complete
    session.expire_all()
    assert ledger.balance(session, user.id) == 5000


def test_a_complete_answer_with_another_amount_or_currency_credits_nothing_and_is_flagged(session, sandbox):
    from kmerhosting.integrations import payments as gw

    user = make_user(session)
    for amount, currency in ((4000, "XAF"), (5000, "EUR")):
        payment = payments.start_topup(session, user.id, 5000, "mtn", "677123456")
        run_jobs()
        answer = gw.GatewayStatus(reference=payment.reference, gateway_reference=f"g-{amount}-{currency}",
                                  status=gw.COMPLETE, amount=amount, currency=currency)
        assert payments.settle(payment.id, answer, source="webhook") == PaymentStatus.flagged
        payment = _payment(session, payment.id)
        assert payment.received_amount == amount and payment.received_currency == currency
        assert str(amount) in payment.reason and payment.transaction_id is None
        # A later correct-looking answer does not credit a flagged payment: an admin decides.
        good = gw.GatewayStatus(reference=payment.reference, gateway_reference="g", status=gw.COMPLETE,
                                amount=5000, currency="XAF")
        assert payments.settle(payment.id, good, source="poll") == PaymentStatus.flagged
    session.expire_all()
    assert ledger.balance(session, user.id) == 0


def test_a_customer_cannot_ring_their_phone_more_than_three_times_at_once(session, sandbox):
    user = make_user(session)
    for _ in range(payments.MAX_OPEN):
        payments.start_topup(session, user.id, 5000, "mtn", "677000099")
    with pytest.raises(InvalidInput) as err:
        payments.start_topup(session, user.id, 5000, "mtn", "677000099")
    assert err.value.key == "payment.error.too_many_open" and len(session.exec(select(Payment)).all()) == 3


def test_the_same_answer_twenty_times_at_once_credits_once(engine, session, sandbox):
    """Webhooks, the poller and an admin's check racing on one completed payment (SQLite and MariaDB)."""
    user = make_user(session, credits=700)
    payment = payments.start_topup(session, user.id, 10000, "mtn", "677123456")
    run_jobs()
    barrier = threading.Barrier(20)
    results, errors = [], []

    def check():
        try:
            barrier.wait()
            results.append(payments.check_payment(payment.id, source="webhook"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=check) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and set(results) == {PaymentStatus.complete}
    session.expire_all()
    credits = session.exec(select(Transaction).where(Transaction.reference == f"payment:{payment.id}")).all()
    assert len(credits) == 1
    assert ledger.balance(session, user.id) == 10700 == ledger.ledger_sum(session, user.id)
    assert len(session.exec(select(NotificationLog).where(NotificationLog.kind == "payment_received")).all()) == 1


def test_a_second_credit_for_one_gateway_payment_is_refused_by_the_database(session, sandbox):
    """Even a code path that forgot the payment's status cannot post the same gateway payment twice."""
    from sqlalchemy.exc import IntegrityError

    user = make_user(session)
    for n in range(2):
        row = ledger.post(session, user.id, 5000, "credit", reference="payment:1")
        row.payment_key = "notchpay:trx.123"
        session.add(row)
        if n == 0:
            session.commit()
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert ledger.balance(session, user.id) == 5000


def test_a_manual_request_refuses_a_payment_reference_already_used(session, sandbox):
    user, other = make_user(session), make_user(session)
    credit_requests.create_request(session, user.id, 5000, "mtn_momo", "MP240101.1234.A12345")
    with pytest.raises(InvalidInput) as err:  # the same reference, by anyone, in any case
        credit_requests.create_request(session, other.id, 5000, "mtn_momo", "mp240101.1234.a12345 ")
    assert err.value.key == "dashboard.credit_reference_used"
    payment = payments.start_topup(session, user.id, 5000, "mtn", "677123456")
    run_jobs()
    payments.check_payment(payment.id, source="check")
    paid = _payment(session, payment.id)
    with pytest.raises(InvalidInput):  # a gateway payment already credited cannot be claimed by hand
        credit_requests.create_request(session, user.id, 5000, "mtn_momo", paid.gateway_reference[:100])
    # A rejected or cancelled request frees its reference (a typo corrected).
    mine = credit_requests.list_requests(session, user.id)[0]
    credit_requests.cancel_request(session, user.id, mine.id)
    credit_requests.create_request(session, other.id, 5000, "mtn_momo", "MP240101.1234.A12345")
