"""Admin payments in core (core/admin/payments.py): the list and its filters, one payment's timeline, the CSV
in both languages, "check now" (queued once, audited, credits once at most) and the overview's counts.
SQLite and MariaDB."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlmodel import select

from kmerhosting.core import jobs
from kmerhosting.core.admin import payments as admin_payments
from kmerhosting.core.admin import stats
from kmerhosting.core.errors import InvalidInput, NotAuthorized, NotFound
from kmerhosting.integrations.payments import GatewayUnavailable
from kmerhosting.models import AuditLog, Job, Payment, PaymentEvent, Role, Transaction, User, utcnow

from .factories import make_payment, make_user


@pytest.fixture
def sandbox(sandbox_gateway):
    return sandbox_gateway


@pytest.fixture
def shop(session):
    admin = make_user(session, role=Role.admin, email="boss@kmerhosting.cm")
    alice = make_user(session, email="alice@example.cm")
    bob = make_user(session, email="bob@example.cm")
    bob.name = '=HYPERLINK("http://evil")'  # typed by the customer
    session.add(bob)
    session.commit()
    old = make_payment(session, alice, amount=2500, status="complete", reference="KHOLD0001", minutes_ago=60,
                       gateway_reference="NP-ABC-1", operator_reference="MP2401.1234", completed_at=utcnow())
    failed = make_payment(session, bob, amount=7000, operator="orange", phone="237699001100", status="failed",
                          gateway="notchpay", reference="KHFAIL0002", minutes_ago=30,
                          reason="-insufficient funds")
    flagged = make_payment(session, bob, amount=10000, status="flagged", gateway="campay", reference="KHFLAG0003",
                           minutes_ago=20, received_amount=100, received_currency="XAF",
                           reason="complete with 100 XAF, asked 10000 XAF")
    pending = make_payment(session, alice, amount=5000, status="pending", reference="KHPEND0004", minutes_ago=5,
                           events=[{"source": "start", "status": "created", "detail": {"amount": 5000}},
                                   {"source": "start", "status": "pending", "detail": {"sandbox": True}},
                                   {"source": "webhook", "status": "pending", "detail": {"event": "x"}}])
    created = make_payment(session, alice, amount=3000, status="created", reference="KHNEW0005")
    return admin, alice, bob, {"old": old, "failed": failed, "flagged": flagged, "pending": pending,
                               "created": created}


def refs(page) -> list[str]:
    return [p.reference for p, _ in page.rows]


def test_the_list_is_newest_first_with_the_customer_and_pages(session, shop):
    admin, alice, _, _ = shop
    page = admin_payments.list_payments(session, admin.id)
    assert refs(page) == ["KHNEW0005", "KHPEND0004", "KHFLAG0003", "KHFAIL0002", "KHOLD0001"]
    assert page.rows[0][1].email == alice.email
    first = admin_payments.list_payments(session, admin.id, page=1, per_page=2)
    third = admin_payments.list_payments(session, admin.id, page=3, per_page=2)
    assert (refs(first), refs(third), first.total, first.pages) == (["KHNEW0005", "KHPEND0004"], ["KHOLD0001"], 5, 3)


@pytest.mark.parametrize("filters, expected", [
    ({"status": "pending"}, ["KHPEND0004"]),
    ({"status": "open"}, ["KHNEW0005", "KHPEND0004"]),
    ({"status": "unsuccessful"}, ["KHFAIL0002"]),
    ({"status": "flagged"}, ["KHFLAG0003"]),
    ({"operator": "orange"}, ["KHFAIL0002"]),
    ({"gateway": "campay"}, ["KHFLAG0003"]),
    ({"gateway": "sandbox", "status": "complete"}, ["KHOLD0001"]),
    ({"search": "khpend"}, ["KHPEND0004"]),            # our reference, any case
    ({"search": "NP-ABC"}, ["KHOLD0001"]),             # the gateway's reference
    ({"search": "MP2401"}, ["KHOLD0001"]),             # the operator's reference
    ({"search": "6 99 00 11"}, ["KHFAIL0002"]),        # a number as people write it
    ({"search": "bob@EXAMPLE"}, ["KHFLAG0003", "KHFAIL0002"]),  # the customer's e-mail
    ({"search": "100%"}, []),                          # LIKE wildcards are plain text
    ({"search": "nobody"}, []),
])
def test_filters_and_search(session, shop, filters, expected):
    admin = shop[0]
    assert refs(admin_payments.list_payments(session, admin.id, **filters)) == expected


@pytest.mark.parametrize("filters", [{"status": "paid"}, {"operator": "moov"}, {"gateway": "paypal"},
                                     {"status": ["pending"]}, {"search": 12}])
def test_a_filter_outside_the_choices_is_refused(session, shop, filters):
    with pytest.raises(InvalidInput):
        admin_payments.list_payments(session, shop[0].id, **filters)


def test_one_payment_with_its_timeline_in_order(session, shop):
    admin, alice, _, p = shop
    found = admin_payments.payment_detail(session, admin.id, str(p["pending"].id))
    assert found["payment"].reference == "KHPEND0004" and found["user"].id == alice.id
    assert [(e.source, e.status) for e in found["events"]] == [("start", "created"), ("start", "pending"),
                                                                ("webhook", "pending")]
    assert found["check_waiting"] is False
    with pytest.raises(NotFound):
        admin_payments.payment_detail(session, admin.id, 999_999)


def test_customers_and_strangers_are_refused_and_nothing_is_written(session, shop):
    _, alice, _, p = shop
    before = (session.exec(select(Job)).all(), session.exec(select(AuditLog)).all())
    for actor in (alice.id, None, "1", True):
        for call in (lambda a: admin_payments.list_payments(session, a),
                     lambda a: admin_payments.payment_detail(session, a, p["pending"].id),
                     lambda a: admin_payments.payments_csv(session, a, "fr"),
                     lambda a: admin_payments.request_check(session, a, p["pending"].id),
                     lambda a: admin_payments.counts(session, a)):
            with pytest.raises(NotAuthorized):
                call(actor)
    session.commit()
    assert (session.exec(select(Job)).all(), session.exec(select(AuditLog)).all()) == before


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_iso_dates_integers_words_in_each_language_and_inert_formulas(session, shop):
    admin = shop[0]
    french = admin_payments.payments_csv(session, admin.id, "fr")
    english = admin_payments.payments_csv(session, admin.id, "en")
    assert french.splitlines()[0] == ",".join(admin_payments.CSV_HEADER)
    fr_rows, en_rows = rows_of(french), rows_of(english)
    assert [r["reference"] for r in fr_rows] == ["KHNEW0005", "KHPEND0004", "KHFLAG0003", "KHFAIL0002", "KHOLD0001"]
    failed = fr_rows[3]
    assert failed["amount_xaf"] == "7000" and failed["status"] == "failed" and failed["operator"] == "orange"
    assert failed["phone"] == "237699001100" and failed["gateway"] == "notchpay"
    assert failed["created_at"][:10].count("-") == 2 and failed["created_at"].endswith("+01:00")  # Douala
    assert (failed["status_label"], failed["operator_label"], failed["gateway_label"]) == \
        ("Refusé", "Orange Money", "Notch Pay")
    assert (en_rows[3]["status_label"], en_rows[2]["status_label"], en_rows[1]["status_label"]) == \
        ("Refused", "To be checked", "Waiting for confirmation")
    assert fr_rows[2]["received_amount"] == "100" and fr_rows[0]["received_amount"] == ""
    assert fr_rows[4]["completed_at"] and fr_rows[4]["operator_reference"] == "MP2401.1234"
    # What a customer or a gateway wrote never runs as a formula in a spreadsheet.
    assert failed["customer_name"] == "'=HYPERLINK(\"http://evil\")"
    assert failed["reason"] == "'-insufficient funds"
    only = rows_of(admin_payments.payments_csv(session, admin.id, "en", status="flagged"))
    assert [r["reference"] for r in only] == ["KHFLAG0003"]


def checks(session) -> list[Job]:
    return list(session.exec(select(Job).where(Job.kind == admin_payments.CHECK_JOB)
                             .execution_options(populate_existing=True)).all())


def test_check_now_is_queued_once_and_audited(session, shop):
    admin, _, _, p = shop
    job, asked = admin_payments.request_check(session, admin.id, p["pending"].id)
    session.commit()
    again, asked_again = admin_payments.request_check(session, admin.id, str(p["pending"].id))
    session.commit()
    assert asked and not asked_again and again.id == job.id and len(checks(session)) == 1
    assert job.payload == {"payment_id": p["pending"].id, "actor_id": admin.id}
    audit = session.exec(select(AuditLog).where(AuditLog.action == "payment.check")).all()
    assert [(a.actor_id, a.target_type, a.target_id, a.before) for a in audit] == \
        [(admin.id, "payment", p["pending"].id, {"status": "pending"})]
    assert admin_payments.check_waiting(session, p["pending"].id)


@pytest.mark.parametrize("status", ["complete", "failed", "canceled"])
def test_check_now_refuses_a_settled_payment(session, shop, status):
    admin, alice = shop[0], shop[1]
    payment = make_payment(session, alice, status=status)
    with pytest.raises(InvalidInput) as err:
        admin_payments.request_check(session, admin.id, payment.id)
    assert err.value.key == "admin.payments.error.final"
    with pytest.raises(NotFound):
        admin_payments.request_check(session, admin.id, 10**9)
    session.rollback()
    assert checks(session) == []


def paid_in_sandbox(session, sandbox, user, status="pending", **fields) -> Payment:
    payment = make_payment(session, user, status=status, **fields)
    started = sandbox.start(reference=payment.reference, amount=payment.amount, currency="XAF", operator="mtn",
                            phone=payment.phone)
    payment.gateway_reference = started.gateway_reference
    session.add(payment)
    session.commit()
    return payment


def run_due() -> int:
    count = 0
    while count < 20 and jobs.run_one("tests"):
        count += 1
    return count


def test_an_expired_payment_the_gateway_says_complete_is_credited_once_however_often_it_is_checked(
        session, shop, sandbox):
    admin, alice = shop[0], shop[1]
    payment = paid_in_sandbox(session, sandbox, alice, status="expired", amount=6000)
    admin_payments.request_check(session, admin.id, payment.id)
    admin_payments.request_check(session, admin.id, payment.id)
    session.commit()
    run_due()  # the check, then the receipt mail it queued
    assert [j.status for j in checks(session)] == ["done"]
    assert admin_payments.carry_out_check(payment.id) == "complete"  # a racing second check changes nothing
    session.expire_all()
    assert session.get(Payment, payment.id).status == "complete"
    assert session.get(User, alice.id).credits == 6000
    assert len(session.exec(select(Transaction).where(Transaction.user_id == alice.id)).all()) == 1
    sources = [e.source for e in session.exec(select(PaymentEvent).where(PaymentEvent.payment_id == payment.id))]
    assert sources == ["check"]
    with pytest.raises(InvalidInput):  # now settled: nothing left to check
        admin_payments.request_check(session, admin.id, payment.id)


def test_after_an_answer_a_new_check_can_be_asked(session, shop, sandbox):
    admin, _, _, p = shop
    first, _ = admin_payments.request_check(session, admin.id, p["created"].id)
    session.commit()
    run_due()  # the sandbox does not know this payment: "unknown to the gateway" goes on its timeline
    session.expire_all()
    events = session.exec(select(PaymentEvent).where(PaymentEvent.payment_id == p["created"].id)).all()
    assert [(e.source, e.note) for e in events] == [("check", "unknown to the gateway")]
    assert session.get(Payment, p["created"].id).status == "created"
    second, asked = admin_payments.request_check(session, admin.id, p["created"].id)
    session.commit()
    assert asked and second.id != first.id
    assert admin_payments.check_status(p["created"].id, first.id) == ("created", True)
    assert admin_payments.check_status(p["created"].id, second.id) == ("created", False)


def test_a_flagged_payment_is_only_looked_at(session, shop, sandbox):
    admin, alice = shop[0], shop[1]
    payment = paid_in_sandbox(session, sandbox, alice, status="flagged", amount=8000)
    admin_payments.request_check(session, admin.id, payment.id)
    session.commit()
    run_due()
    session.expire_all()
    assert session.get(Payment, payment.id).status == "flagged" and session.get(User, alice.id).credits == 0
    event = session.exec(select(PaymentEvent).where(PaymentEvent.payment_id == payment.id)).one()
    assert (event.source, event.status, event.detail) == ("check", "complete", {"sandbox": True, "status": "complete"})


def test_a_gateway_that_does_not_answer_is_written_on_the_timeline(session, shop, sandbox, monkeypatch):
    admin, _, _, p = shop

    def silent(*args, **kwargs):
        raise GatewayUnavailable("timed out")

    monkeypatch.setattr(sandbox, "status", silent)
    admin_payments.request_check(session, admin.id, p["pending"].id)
    session.commit()
    run_due()
    session.expire_all()
    last = session.exec(select(PaymentEvent).where(PaymentEvent.payment_id == p["pending"].id)
                        .order_by(PaymentEvent.id.desc())).first()
    assert (last.source, last.note, last.detail) == ("check", "no answer", {"error": "timed out"})
    assert session.get(Payment, p["pending"].id).status == "pending"


def test_the_overview_counts_open_failed_and_flagged_payments(session, shop):
    admin, alice = shop[0], shop[1]
    make_payment(session, alice, status="canceled")
    make_payment(session, alice, status="expired")
    make_payment(session, alice, status="failed", minutes_ago=8 * 24 * 60)  # older than a week
    expected = {"pending_payments": 2, "failed_payments": 3, "flagged_payments": 1}
    assert admin_payments.counts(session, admin.id) == expected
    figures = stats.overview(session, admin.id)
    assert {k: figures[k] for k in expected} == expected


def test_the_check_job_is_registered_for_the_worker():
    jobs._load_handlers()
    assert admin_payments.CHECK_JOB in jobs.HANDLERS
    assert jobs.HANDLERS[admin_payments.CHECK_JOB].max_attempts <= 5
    assert timedelta(seconds=1) <= jobs.HANDLERS[admin_payments.CHECK_JOB].backoff
