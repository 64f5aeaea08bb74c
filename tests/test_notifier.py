"""The expiry notifier: each notice exactly once (reruns, renewals, concurrent notifiers), catch-up
after an outage without a flood, failures retried later, expiry statuses, domains, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from kmerhosting.config import PROJECT_ROOT
from kmerhosting.core import notifier
from kmerhosting.models import (DomainPurchase, NotificationLog, NotificationStatus, OutboxMessage, RegistrarStatus,
                                Service, ServiceStatus, UserStatus)

from .factories import make_pack, make_service, make_user, run_jobs
from .fake_mailtrap import RecordingBackend

NOW = datetime(2027, 1, 10, 7, 0, tzinfo=UTC)  # 08:00 in Douala


@pytest.fixture(autouse=True)
def settings(configure):
    configure(REMINDER_DAYS="60,30,15,5", NOTIFIER_AFTER_DAYS="3,10", NOTIFIER_CATCHUP_DAYS=10,
              NOTIFIER_GRACE_DAYS=15, NOTIFIER_RETRY_MINUTES=30, TIMEZONE="Africa/Douala",
              PUBLIC_BASE_URL="https://shop.example.cm")


@pytest.fixture
def mail():
    return RecordingBackend()


def service(session, days: int, *, user=None, status=ServiceStatus.active, **fields) -> Service:
    user = user or make_user(session)
    svc = make_service(session, user, make_pack(session, name="Pro"), status=status, **fields)
    svc.expires_at = NOW + timedelta(days=days)
    session.add(svc)
    session.commit()
    return svc


def notices(session, **where) -> list[NotificationLog]:
    session.expire_all()
    stmt = select(NotificationLog).where(NotificationLog.notice_key.is_not(None)).order_by(NotificationLog.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(NotificationLog, name) == value)
    return list(session.exec(stmt).all())


def thresholds(session, svc) -> list[int]:
    return [n.threshold for n in notices(session, service_id=svc.id)]


# --- exactly once -----------------------------------------------------------------------------------


def test_a_due_notice_is_sent_once_and_a_rerun_sends_nothing(session, mail):
    due = service(session, 60)
    service(session, 45)  # between two windows: nothing to say today
    service(session, 61)
    first = notifier.run_daily(NOW, backend=mail)
    second = notifier.run_daily(NOW + timedelta(hours=3), backend=mail)
    assert (first.sent, second.sent, second.skipped) == (1, 0, 1)
    [entry] = notices(session)
    assert entry.notice_key == f"service:{due.id}:2027-03-11:60" and entry.threshold == 60
    assert entry.status == NotificationStatus.sent and entry.kind == "expiry_notice"
    [(log_id, message)] = mail.sent
    assert log_id == entry.id and "60" in message.subject and "/dashboard/services" in message.text


def test_renewing_moves_the_expiry_and_so_resets_the_notices(session, mail):
    svc = service(session, 30)
    notifier.run_daily(NOW, backend=mail)
    svc.expires_at += timedelta(days=30)  # renewed one month: 60 days left on the new date
    session.add(svc)
    session.commit()
    notifier.run_daily(NOW, backend=mail)
    assert [n.notice_key for n in notices(session)] == [f"service:{svc.id}:2027-02-09:30",
                                                         f"service:{svc.id}:2027-03-11:60"]


def test_two_notifiers_at_once_send_each_notice_once(session, mail):
    services = [service(session, days) for days in (60, 30, 15, 5, 0) * 6]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(notifier.run_daily(NOW, backend=mail))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    assert len(mail.sent) == len(services) == len({log_id for log_id, _ in mail.sent})
    assert sum(r.sent for r in results) == len(services)
    assert sum(r.sent + r.skipped for r in results) == 2 * len(services)
    assert len(notices(session)) == len(services)


def test_two_notifier_processes_at_once_send_each_notice_once(session, engine):
    for days in (60, 30, 15, 5, 0) * 4:
        service(session, days)
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "MAIL_BACKEND": "outbox", "KMER_ENV_FILE": "/nonexistent"}
    cmd = [sys.executable, str(PROJECT_ROOT / "jobs" / "notifier.py"), "--once", "--now", "2027-01-10"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=240) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert len(session.exec(select(OutboxMessage)).all()) == 20
    assert len(notices(session, status=NotificationStatus.sent)) == 20


# --- catching up ------------------------------------------------------------------------------------


def test_a_late_run_sends_the_most_urgent_due_notice_only(session, mail):
    fresh = service(session, 58)  # nothing sent yet: the 60-day notice, late
    missed = service(session, 12)  # 30-day notice sent, 15-day one missed
    never = service(session, 12)  # nothing ever sent: only the 15-day one, not 60 and 30
    notifier.run_daily(NOW - timedelta(days=18), backend=mail)  # 30 days left for `missed` and `never`
    for entry in notices(session, service_id=never.id):
        session.delete(entry)
    session.commit()
    notifier.run_daily(NOW, backend=mail)
    assert thresholds(session, fresh) == [60]
    assert thresholds(session, missed) == [30, 15]
    assert thresholds(session, never) == [15]
    assert len(mail.sent) == 2 + 3  # yesterday's 30-day notices, today's three


def test_a_week_long_outage_skips_stale_notices(session, mail):
    svc = service(session, 65)
    down = {days for days in range(3, 11)} | {days for days in range(33, 42)}  # two outages of a week
    for day in range(0, 80):
        if day not in down:
            notifier.run_daily(NOW + timedelta(days=day), backend=mail)
    sent = notices(session, service_id=svc.id)
    assert [n.threshold for n in sent] == [60, 30, 15, 5, 0, -3, -10]
    assert len(mail.sent) == 7
    assert sent[0].payload["context"]["days_left"] == 54  # late, and says so truthfully
    assert sent[1].payload["context"]["days_left"] == 23


# --- failures -------------------------------------------------------------------------------------------


def test_a_failed_notice_is_sent_by_a_later_retry_and_never_twice(session, mail):
    svc = service(session, 30)
    mail.fail_next(error="Mailtrap error 500: Internal Server Error")
    summary = notifier.run_daily(NOW, backend=mail)
    assert (summary.sent, summary.failed) == (0, 1)
    [entry] = notices(session)
    assert entry.status == NotificationStatus.failed and "500" in entry.error
    assert notifier.run_retries(NOW + timedelta(minutes=10), backend=mail).retried["sent"] == 0  # back-off
    later = notifier.run_daily(NOW + timedelta(hours=2), backend=mail)
    assert (later.sent, later.skipped, later.retried["sent"]) == (0, 1, 1)  # the key is taken: only the retry
    notifier.run_retries(NOW + timedelta(days=2), backend=mail)
    notifier.run_daily(NOW + timedelta(days=1), backend=mail)
    [entry] = notices(session)
    assert entry.status == NotificationStatus.sent and entry.attempts == 2
    assert len(mail.sent) == 1 and svc.id == entry.service_id


def test_a_failed_notice_for_a_service_renewed_since_is_not_sent(session, mail):
    svc = service(session, 5)
    mail.fail_next()
    notifier.run_daily(NOW, backend=mail)
    svc.expires_at += timedelta(days=365)
    session.add(svc)
    session.commit()
    assert notifier.run_retries(NOW + timedelta(hours=1), backend=mail).retried["skipped"] == 1
    [entry] = notices(session)
    assert entry.status == NotificationStatus.skipped and mail.sent == []


@pytest.mark.parametrize("status,body", [(500, {"errors": ["Internal Server Error"]}),
                                         (401, {"errors": ["Unauthorized"]})])
def test_mailtrap_failing_then_recovering_through_the_real_sdk(session, configure, tmp_path, monkeypatch,
                                                               status, body):
    from .fake_mailtrap import FakeMailtrap

    fake = FakeMailtrap().start()
    try:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", fake.ca_bundle(tmp_path / "ca.pem"))
        configure(MAIL_BACKEND="mailtrap", MAILTRAP_TOKEN="test-token", MAILTRAP_API_HOST=fake.host)
        service(session, 15)
        fake.fail_next(status, body)
        assert notifier.run_daily(NOW).failed == 1
        [entry] = notices(session)
        assert entry.status == NotificationStatus.failed and str(status) in entry.error
        assert "test-token" not in entry.error
        assert notifier.run_retries(NOW + timedelta(minutes=31)).retried["sent"] == 1
        notifier.run_retries(NOW + timedelta(days=1))
        [entry] = notices(session)
        assert entry.status == NotificationStatus.sent and entry.provider_id.startswith("fake-")
        assert len(fake.delivered) == 1 and fake.delivered[0].body["category"] == "expiry_notice"
    finally:
        fake.stop()


# --- statuses, day of expiry, after expiry, domains, who gets what --------------------------------------


def test_expiry_statuses_and_the_day_of_and_after_notices(session, mail):
    today = service(session, 0)
    today.expires_at = NOW - timedelta(hours=2)  # expired two hours ago, still "today"
    session.add(today)
    session.commit()
    three_ago = service(session, -3, status=ServiceStatus.expired)
    long_ago = service(session, -16, status=ServiceStatus.expired)
    cancelled = service(session, 5, status=ServiceStatus.cancelled)
    summary = notifier.run_daily(NOW, backend=mail)
    session.expire_all()
    assert (summary.expired, summary.suspended) == (1, 1)
    assert session.get(Service, today.id).status == ServiceStatus.expired
    assert session.get(Service, long_ago.id).status == ServiceStatus.suspended
    assert [n.kind for n in notices(session, service_id=today.id)] == ["expiry_today"]
    [reminder] = notices(session, service_id=three_ago.id)
    assert reminder.kind == "expired_reminder" and reminder.payload["context"]["days_ago"] == 3
    assert notices(session, service_id=long_ago.id) == [] and notices(session, service_id=cancelled.id) == []


def test_registered_domains_get_their_own_notices(session, mail):
    user = make_user(session, language="en")
    for status, name in ((RegistrarStatus.registered, "kept.cm"), (RegistrarStatus.failed, "never.cm")):
        session.add(DomainPurchase(user_id=user.id, domain=name, price=15000, registrar_status=status,
                                   expires_at=NOW + timedelta(days=30)))
    session.commit()
    notifier.run_daily(NOW, backend=mail)
    [entry] = notices(session)
    assert entry.notice_key.startswith("domain:") and entry.notice_key.endswith(":2027-02-09:30")
    [(_, message)] = mail.sent
    assert message.subject == "kept.cm expires in 30\xa0days" and "https://shop.example.cm/dashboard/domains" in message.text


def test_the_customers_language_and_blocked_customers(session, mail):
    english = service(session, 15, user=make_user(session, language="en"))
    blocked = service(session, 15, user=make_user(session, status=UserStatus.blocked))
    summary = notifier.run_daily(NOW, backend=mail)
    assert (summary.sent, summary.skipped) == (1, 1)
    [(_, message)] = mail.sent
    assert message.subject.endswith("expires in 15\xa0days") and english.domain in message.subject
    assert notices(session, service_id=blocked.id) == []


def test_dry_run_sends_and_changes_nothing(session, engine):
    svc = service(session, 30)
    service(session, -1)  # would be marked expired
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "MAIL_BACKEND": "outbox", "KMER_ENV_FILE": "/nonexistent"}
    out = subprocess.run([sys.executable, str(PROJECT_ROOT / "jobs" / "notifier.py"), "--dry-run",
                          "--now", "2027-01-10T08:00"], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert f"key=service:{svc.id}:2027-02-09:30" in out.stdout and "1 services expired" in out.stdout
    session.expire_all()
    assert notices(session) == [] and session.exec(select(OutboxMessage)).all() == []
    assert {s.status for s in session.exec(select(Service)).all()} == {ServiceStatus.active}


def test_notice_windows_do_not_overlap():
    from kmerhosting.config import get_settings

    points = notifier.notice_points(get_settings())
    assert [(p.offset, p.lowest) for p in points] == [(60, 50), (30, 20), (15, 6), (5, 1), (0, 0), (-3, -9),
                                                      (-10, -20)]


def test_large_runs_log_a_progress_line_per_batch(session, mail, configure, caplog):
    configure(NOTIFIER_BATCH_SIZE=2)
    for _ in range(5):
        service(session, 15)
    with caplog.at_level("INFO", logger="kmerhosting.core.notifier"):
        summary = notifier.run_daily(NOW, backend=mail)
    progress = [r.getMessage() for r in caplog.records if "handled" in r.getMessage()]
    assert summary.sent == 5 and len(progress) == 3 and "5/5 handled" in progress[-1]
    assert any("notifier run done: notices sent=5" in r.getMessage() for r in caplog.records)


def test_now_option_reads_the_shops_clock():
    import importlib.util

    spec = importlib.util.spec_from_file_location("notifier_job", PROJECT_ROOT / "jobs" / "notifier.py")
    job = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(job)
    assert job.parse_now("2027-01-10") == NOW  # a bare date: that day at NOTIFIER_DAILY_AT, Douala time
    assert job.parse_now("2027-01-10T09:30") == datetime(2027, 1, 10, 8, 30, tzinfo=UTC)
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        job.parse_now("10/01/2027")


def test_the_daily_run_queues_again_the_domain_jobs_that_gave_up(session, mail):
    """A registration whose job gave up (the registrar was unreachable for hours) gets a new round, and
    a purchase left unknown with no job at all gets one; the worker then settles them."""
    from kmerhosting.core import checkout, jobs
    from kmerhosting.models import Job, JobStatus

    user = make_user(session, credits=0)
    gave_up = DomainPurchase(user_id=user.id, domain="abandon.cm", price=15000,
                             registrar_status=RegistrarStatus.unknown, error="timeout")
    orphan = DomainPurchase(user_id=user.id, domain="orphelin.cm", price=15000,
                            registrar_status=RegistrarStatus.unknown, error="timeout")
    session.add_all([gave_up, orphan])
    session.flush()
    job = jobs.enqueue(session, checkout.REGISTER_JOB, {"purchase_id": gave_up.id},
                       dedupe_key=f"{checkout.REGISTER_JOB}:{gave_up.id}")
    job.status, job.attempts = JobStatus.failed, job.max_attempts
    session.add(job)
    session.commit()

    summary = notifier.run_daily(NOW, backend=mail)

    assert summary.requeued == {checkout.REGISTER_JOB: 2, "domain.renew": 0}
    assert "domain jobs queued again" in summary.line()
    run_jobs()
    session.expire_all()
    for purchase in (gave_up, orphan):
        assert session.get(DomainPurchase, purchase.id).registrar_status == RegistrarStatus.registered
    assert len(session.exec(select(Job).where(Job.kind == checkout.REGISTER_JOB)).all()) == 2
    assert notifier.run_retries(NOW, backend=mail).requeued == {checkout.REGISTER_JOB: 0, "domain.renew": 0}


def test_the_daily_run_purges_old_rate_limit_counters(session, mail):
    from kmerhosting.models import RateLimitEvent

    session.add(RateLimitEvent(key="login:email:old@example.cm", created_at=datetime.now(UTC) - timedelta(days=3)))
    session.add(RateLimitEvent(key="login:email:new@example.cm", created_at=datetime.now(UTC)))
    session.commit()
    notifier.run_daily(NOW, backend=mail)
    session.expire_all()
    assert [e.key for e in session.exec(select(RateLimitEvent)).all()] == ["login:email:new@example.cm"]


def test_the_daily_run_purges_old_visitor_carts(session, configure):
    from kmerhosting.core import cart
    from kmerhosting.models import CartItem

    configure(CART_VISITOR_DAYS=7)
    pack = make_pack(session)
    old = cart.add_pack(session, user_id=None, visitor_key="o" * 40, pack_id=pack.id, months=1)
    new = cart.add_pack(session, user_id=None, visitor_key="n" * 40, pack_id=pack.id, months=1)
    old.created_at = NOW - timedelta(days=8)
    new.created_at = NOW - timedelta(days=6)
    session.commit()
    notifier.run_daily(NOW, backend=RecordingBackend())
    session.expire_all()
    assert [i.id for i in session.exec(select(CartItem))] == [new.id]
