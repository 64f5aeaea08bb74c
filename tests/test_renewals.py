"""Renewing a service: price from the server, charge once per key, nobody renews someone else's service."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from kmerhosting.core import renewals
from kmerhosting.core.calendar_months import add_months
from kmerhosting.core.errors import (
    InsufficientCredits,
    InvalidDuration,
    InvalidInput,
    NotFound,
)
from kmerhosting.core.ledger import ledger_sum
from kmerhosting.core.pricing import duration_price
from kmerhosting.models import (
    NotificationLog,
    Order,
    Service,
    ServiceStatus,
    Transaction,
    TransactionKind,
    User,
    as_utc,
    utcnow,
)
from tests.factories import make_pack, make_service, make_user, run_jobs

KEY = "k" * 32


def key(n: int) -> str:
    return f"renew-key-{n:06d}-padding"


def test_add_months_is_calendar_months_in_local_time():
    # 31 Jan 12:00 in Douala + 1 month = 28 Feb (not 3 March), + 13 months = 29 Feb 2028.
    jan31 = datetime(2027, 1, 31, 11, 0, tzinfo=UTC)
    assert add_months(jan31, 1) == datetime(2027, 2, 28, 11, 0, tzinfo=UTC)
    assert add_months(jan31, 13) == datetime(2028, 2, 29, 11, 0, tzinfo=UTC)
    assert add_months(jan31, 36) == datetime(2030, 1, 31, 11, 0, tzinfo=UTC)


def test_renewal_charges_the_current_price_and_extends_from_the_expiry(session):
    user = make_user(session, credits=100_000)
    pack = make_pack(session, monthly_price=3000)
    service = make_service(session, user, pack, days_left=20)
    old_expiry = service.expires_at

    result = renewals.renew_service(session, user.id, service.id, 12, KEY)

    price = duration_price(3000, 12).price
    assert result.amount == price and result.balance == 100_000 - price and not result.replayed
    session.refresh(service)
    assert service.expires_at == add_months(old_expiry, 12).replace(microsecond=0)  # early renewal loses no day
    assert service.status == ServiceStatus.active
    row = session.exec(select(Transaction).where(Transaction.kind == TransactionKind.renewal)).one()
    assert row.amount == -price and row.service_id == service.id and row.reference == f"REN-{result.order_id}"
    assert row.order_id == result.order_id
    assert ledger_sum(session, user.id) == session.get(User, user.id).credits == 100_000 - price


def test_renewal_price_follows_a_pack_price_change(session):
    user = make_user(session, credits=200_000)
    pack = make_pack(session, monthly_price=2000, discounts={"3": 0})
    service = make_service(session, user, pack)
    pack.monthly_price = 5000  # the admin raises the price after the purchase
    session.add(pack)
    session.commit()

    result = renewals.renew_service(session, user.id, service.id, 3, KEY)

    assert result.amount == 15_000
    assert session.get(User, user.id).credits == 200_000 - 15_000


def test_an_expired_service_comes_back_active_from_today(session):
    user = make_user(session, credits=50_000)
    pack = make_pack(session, monthly_price=1000)
    service = make_service(session, user, pack, days_left=-40, status=ServiceStatus.expired)
    before = utcnow()

    result = renewals.renew_service(session, user.id, service.id, 1, KEY)

    session.refresh(service)
    assert service.status == ServiceStatus.active
    assert add_months(before, 1) - timedelta(seconds=1) <= result.expires_at
    assert result.expires_at <= add_months(utcnow(), 1)


@pytest.mark.parametrize("status,after", [(ServiceStatus.suspended, ServiceStatus.active),
                                          (ServiceStatus.pending, ServiceStatus.pending)])
def test_suspended_comes_back_active_and_pending_stays_pending(session, status, after):
    user = make_user(session, credits=50_000)
    service = make_service(session, user, make_pack(session, monthly_price=1000), status=status)
    renewals.renew_service(session, user.id, service.id, 1, KEY)
    session.refresh(service)
    assert service.status == after


def test_a_cancelled_service_cannot_be_renewed(session):
    user = make_user(session, credits=50_000)
    service = make_service(session, user, make_pack(session), status=ServiceStatus.cancelled)
    with pytest.raises(InvalidInput) as err:
        renewals.renew_service(session, user.id, service.id, 1, KEY)
    assert err.value.key == "dashboard.renew_not_renewable"
    assert session.get(User, user.id).credits == 50_000
    assert session.exec(select(Order)).all() == []


def test_not_enough_credits_changes_nothing(session):
    user = make_user(session, credits=1000)
    service = make_service(session, user, make_pack(session, monthly_price=2500))
    session.refresh(service)
    expiry = service.expires_at
    with pytest.raises(InsufficientCredits) as err:
        renewals.renew_service(session, user.id, service.id, 1, KEY)
    assert err.value.missing == 1500
    session.rollback()
    assert session.get(Service, service.id).expires_at == expiry
    assert session.exec(select(Order)).all() == [] and ledger_sum(session, user.id) == 1000


@pytest.mark.parametrize("months", [0, 2, 48, -12, "abc", 12.0, True, None])
def test_only_offered_durations_are_accepted(session, months):
    user = make_user(session, credits=500_000)
    service = make_service(session, user, make_pack(session))
    with pytest.raises(InvalidDuration):
        renewals.renew_service(session, user.id, service.id, months, KEY)
    assert session.get(User, user.id).credits == 500_000


@pytest.mark.parametrize("bad_key", ["", "short", None, 123, "x" * 65])
def test_a_renewal_needs_a_server_made_key(session, bad_key):
    user = make_user(session, credits=500_000)
    service = make_service(session, user, make_pack(session))
    with pytest.raises(InvalidInput):
        renewals.renew_service(session, user.id, service.id, 1, bad_key)


def test_nobody_renews_someone_elses_service_whatever_id_is_sent(session):
    owner = make_user(session, credits=100_000)
    thief = make_user(session, credits=100_000)
    service = make_service(session, owner, make_pack(session))
    session.refresh(service)
    expiry = service.expires_at
    for service_id in (service.id, str(service.id), 999_999, -1, 0, "1 OR 1=1", None, [service.id], True):
        with pytest.raises(NotFound) as err:
            renewals.renew_service(session, thief.id, service_id, 1, key(hash(str(service_id)) % 10**6))
        assert err.value.message("en") == NotFound().message("en")  # same words as a missing service
        session.rollback()
    assert session.get(Service, service.id).expires_at == expiry
    assert session.get(User, thief.id).credits == 100_000 and session.get(User, owner.id).credits == 100_000
    assert session.exec(select(Order)).all() == []


def test_replaying_a_key_returns_the_first_result_without_charging_again(session):
    user = make_user(session, credits=100_000)
    service = make_service(session, user, make_pack(session, monthly_price=1000))
    first = renewals.renew_service(session, user.id, service.id, 1, KEY)
    again = renewals.renew_service(session, user.id, service.id, 12, KEY)  # even with other arguments
    assert again.replayed and again.order_id == first.order_id and again.amount == first.amount
    assert again.expires_at == first.expires_at and again.balance == first.balance
    assert session.get(User, user.id).credits == 99_000
    assert len(session.exec(select(Transaction).where(Transaction.kind == "renewal")).all()) == 1


def test_another_customers_key_is_refused(session):
    a = make_user(session, credits=100_000)
    b = make_user(session, credits=100_000)
    renewals.renew_service(session, a.id, make_service(session, a, make_pack(session)).id, 1, KEY)
    with pytest.raises(InvalidInput):
        renewals.renew_service(session, b.id, make_service(session, b, make_pack(session)).id, 1, KEY)
    assert session.get(User, b.id).credits == 100_000


def test_the_renewal_sends_a_confirmation_mail(session):
    user = make_user(session, credits=100_000, language="en")
    service = make_service(session, user, make_pack(session, monthly_price=1000, name="Starter"))
    result = renewals.renew_service(session, user.id, service.id, 6, KEY)
    mail = session.exec(select(NotificationLog).where(NotificationLog.kind == "renewal_confirmation")).one()
    assert mail.recipient == user.email and mail.service_id == service.id and mail.language == "en"
    ctx = mail.payload["context"]
    assert ctx["kind"] == "service" and ctx["domain"] == service.domain and ctx["pack"] == "Starter"
    assert ctx["months"] == 6 and ctx["amount"] == result.amount and ctx["balance"] == result.balance
    assert ctx["expires_on"] == result.expires_at.astimezone(renewals.ZoneInfo("Africa/Douala")).date().isoformat()


def test_expiry_info_uses_the_reminder_thresholds(configure):
    now = datetime(2027, 6, 1, 10, 0, tzinfo=UTC)
    info = lambda days, **kw: renewals.expiry_info(now + timedelta(days=days), now, **kw)  # noqa: E731
    assert info(90).alert_days is None and info(90).days_left == 90
    assert info(60).alert_days == 60 and info(31).alert_days == 60 and info(30).alert_days == 30
    assert info(10).alert_days == 15 and info(5).alert_days == 5 and info(5).urgency == 4
    assert info(0.5).days_left == 0 and not info(0.5).expired
    gone = info(-3)
    assert gone.expired and gone.days_left == -3 and gone.alert_days is None
    assert info(20, thresholds=(21, 7)).alert_days == 21
    configure(REMINDER_DAYS="10,3")
    assert info(20).alert_days is None and info(9).alert_days == 10


# --- concurrency: 20 clicks at once, each with its own session --------------------------------


def _race(engine, user_id, service_id, keys):
    results, errors = [], []
    barrier = threading.Barrier(len(keys))

    def click(k):
        with Session(engine, expire_on_commit=False) as s:
            barrier.wait()
            try:
                results.append(renewals.renew_service(s, user_id, service_id, 1, k))
            except InsufficientCredits as exc:
                s.rollback()
                errors.append(exc)

    threads = [threading.Thread(target=click, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_twenty_clicks_with_the_same_key_charge_once(engine, session):
    user = make_user(session, credits=100_000)
    service = make_service(session, user, make_pack(session, monthly_price=1000))
    expiry = service.expires_at

    results, errors = _race(engine, user.id, service.id, [KEY] * 20)

    assert not errors and len(results) == 20
    assert len({r.order_id for r in results}) == 1 and sum(not r.replayed for r in results) == 1
    session.expire_all()
    assert session.get(User, user.id).credits == 99_000 == ledger_sum(session, user.id)
    assert session.get(Service, service.id).expires_at == add_months(expiry, 1).replace(microsecond=0)


def test_twenty_clicks_with_different_keys_never_go_below_zero(engine, session):
    user = make_user(session, credits=3500)
    service = make_service(session, user, make_pack(session, monthly_price=1000))
    expiry = service.expires_at

    results, errors = _race(engine, user.id, service.id, [key(n) for n in range(20)])

    assert len(results) == 3 and len(errors) == 17
    session.expire_all()
    assert session.get(User, user.id).credits == 500 == ledger_sum(session, user.id)
    assert session.get(Service, service.id).expires_at == add_months(expiry, 3).replace(microsecond=0)
    assert len(session.exec(select(Order)).all()) == 3


def test_a_price_change_after_the_dialog_opened_charges_nothing(session):
    user = make_user(session, credits=100_000)
    pack = make_pack(session, monthly_price=1000)
    service = make_service(session, user, pack)
    shown = renewals.renewal_price(pack, 1)
    pack.monthly_price = 1500
    session.add(pack)
    session.commit()
    with pytest.raises(InvalidInput) as err:
        renewals.renew_service(session, user.id, service.id, 1, KEY, expected_price=shown)
    assert err.value.key == "dashboard.renew_price_changed"
    assert session.get(User, user.id).credits == 100_000
    assert renewals.renew_service(session, user.id, service.id, 1, KEY, expected_price=1500).amount == 1500


def test_a_session_that_already_loaded_the_user_charges_from_the_fresh_balance(engine, session):
    # The state handler loads the user (login check) in the session it then renews with.
    user = make_user(session, credits=100_000)
    service = make_service(session, user, make_pack(session, monthly_price=1000))
    with Session(engine, expire_on_commit=False) as a, Session(engine, expire_on_commit=False) as b:
        renewals.renew_service(a, user.id, service.id, 1, key(1))
        renewals.renew_service(b, user.id, service.id, 1, key(2))
        third = renewals.renew_service(a, user.id, service.id, 1, key(3))
    session.expire_all()
    assert third.balance == 97_000 == session.get(User, user.id).credits == ledger_sum(session, user.id)


def test_a_mail_failure_never_undoes_the_renewal(session, monkeypatch):
    from kmerhosting.integrations.mail import templates

    monkeypatch.delitem(templates.TEMPLATES, "renewal_confirmation", raising=False)
    user = make_user(session, credits=10_000)
    service = make_service(session, user, make_pack(session, monthly_price=1000))
    result = renewals.renew_service(session, user.id, service.id, 1, KEY)
    run_jobs()  # the worker tries to send the confirmation
    session.expire_all()
    assert session.get(User, user.id).credits == 9000 == result.balance
    mail = session.exec(select(NotificationLog)).one()
    assert mail.status == "failed" and mail.payload["template"] == "renewal_confirmation"  # retried later


def test_a_renewal_in_flight_does_not_undo_an_admins_cancellation(engine, session):
    """The admin's cancel has reported success (its transaction holds the service) when the customer's
    renewal arrives: the renewal waits for it, sees the cancellation and charges nothing."""
    from kmerhosting.core.admin import services as admin_services

    admin = make_user(session, role="admin")
    user = make_user(session, credits=100_000)
    service = make_service(session, user, make_pack(session, monthly_price=1000))
    expiry = service.expires_at
    outcome = []

    def renew():
        with Session(engine, expire_on_commit=False) as own:
            try:
                outcome.append(renewals.renew_service(own, user.id, service.id, 1, KEY))
            except Exception as exc:  # noqa: BLE001
                own.rollback()
                outcome.append(exc)

    with Session(engine, expire_on_commit=False) as admin_session:
        admin_services.set_status(admin_session, admin.id, service.id, "cancelled")
        renewal = threading.Thread(target=renew)
        renewal.start()
        renewal.join(timeout=1.0)  # it reads the service meanwhile, and must wait for the admin's lock
        admin_session.commit()
    renewal.join()

    assert isinstance(outcome[0], InvalidInput) and outcome[0].key == "dashboard.renew_not_renewable", outcome
    session.expire_all()
    refreshed = session.get(Service, service.id)
    assert refreshed.status == ServiceStatus.cancelled
    assert abs(as_utc(refreshed.expires_at) - as_utc(expiry)) < timedelta(seconds=1)  # not extended
    assert session.get(User, user.id).credits == 100_000 == ledger_sum(session, user.id)


def test_a_renewal_lifts_an_expiry_suspension_but_not_an_admins(session):
    """The notifier suspends a service left unpaid, an admin suspends one for a reason of their own:
    paying a renewal ends the first, only an admin ends the second, and the customer reads why."""
    from datetime import timedelta as days

    from kmerhosting.core import notifier
    from kmerhosting.core.admin import services as admin_services
    from kmerhosting.state.dashboard_views import service_row, service_values

    admin = make_user(session, role="admin")
    user = make_user(session, credits=100_000)
    pack = make_pack(session, monthly_price=1000)
    unpaid = make_service(session, user, pack, days_left=-40, status=ServiceStatus.expired)
    abuse = make_service(session, user, pack, days_left=100)
    notifier.update_expired_services(utcnow(), notifier.RunSummary())
    admin_services.set_status(session, admin.id, abuse.id, "suspended")
    session.commit()
    session.expire_all()
    assert session.get(Service, unpaid.id).suspended_by == "expiry"
    assert session.get(Service, abuse.id).suspended_by == "admin"

    renewals.renew_service(session, user.id, unpaid.id, 1, key(1))
    renewals.renew_service(session, user.id, abuse.id, 1, key(2))

    session.expire_all()
    assert session.get(Service, unpaid.id).status == ServiceStatus.active
    held = session.get(Service, abuse.id)
    assert held.status == ServiceStatus.suspended and held.suspended_by == "admin"
    assert as_utc(held.expires_at) > utcnow() + days(days=120)  # the renewal itself was paid and counted
    values = service_values(held, pack, (60, 30, 15, 5), utcnow())
    assert "administrat" in service_row(values, "fr").status_text.lower()
    assert "support" in service_row(values, "en").note.lower()
    # Lifted by an admin, it is an ordinary active service again.
    admin_services.set_status(session, admin.id, abuse.id, "active")
    session.commit()
    session.expire_all()
    assert (session.get(Service, abuse.id).status, session.get(Service, abuse.id).suspended_by) == ("active", "")
