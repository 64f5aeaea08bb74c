"""Every send is logged with status, error and provider id; failures are retried later with a
back-off, never twice at once; a failed mail queued again is sent once; one-time links are never kept
readable."""

from __future__ import annotations

from datetime import timedelta

import json

from sqlmodel import select

from kmerhosting.core import mailer
from kmerhosting.integrations.mail.backends import set_backend_override
from kmerhosting.models import NotificationLog, NotificationStatus, OutboxMessage, utcnow

from .factories import run_jobs
from .fake_mailtrap import RecordingBackend

CTX = {"name": "Awa", "amount": 20000, "balance": 27500, "reason": ""}


def _log(session, log_id) -> NotificationLog:
    session.expire_all()
    return session.get(NotificationLog, log_id)


def test_outbox_send_is_logged_as_sent_with_the_provider_id(session):
    entry = mailer.send_mail("credit_added", "awa@example.cm", "fr", CTX)
    row = _log(session, entry.id)
    assert row.status == NotificationStatus.sent and row.backend == "outbox" and row.attempts == 1
    assert row.provider_id.startswith("outbox-") and row.sent_at is not None
    assert row.subject.startswith("20") and row.kind == "credit_added"
    outbox = session.exec(select(OutboxMessage)).one()
    assert outbox.notification_id == entry.id and "Awa" in outbox.text_body


def test_a_provider_failure_is_logged_and_does_not_raise(session):
    backend = RecordingBackend()
    backend.fail_next(error="Mailtrap refused the API token (401)")
    with mailer.session_scope() as s:
        log_id = mailer.queue_mail(s, "credit_added", "awa@example.cm", "en", CTX).id
    mailer.deliver(log_id, backend)
    row = _log(session, log_id)
    assert row.status == NotificationStatus.failed and "401" in row.error and row.attempts == 1


def test_a_template_bug_marks_the_mail_failed(session):
    entry = mailer.send_mail("credit_added", "awa@example.cm", "fr", {"name": "Awa"})  # amount missing
    row = _log(session, entry.id)
    assert row.status == NotificationStatus.failed and "KeyError" in row.error


def test_failed_mail_is_retried_after_the_back_off_and_sent_once(session, configure):
    configure(NOTIFIER_RETRY_MINUTES=30)
    backend = RecordingBackend()
    backend.fail_next()
    with mailer.session_scope() as s:
        log_id = mailer.queue_mail(s, "credit_added", "awa@example.cm", "fr", CTX).id
    mailer.deliver(log_id, backend)
    now = utcnow()
    assert mailer.retry_failed(now + timedelta(minutes=5), backend)["sent"] == 0  # too early
    assert mailer.retry_failed(now + timedelta(minutes=31), backend)["sent"] == 1
    assert mailer.retry_failed(now + timedelta(days=3), backend)["sent"] == 0  # sent rows stay sent
    row = _log(session, log_id)
    assert row.status == NotificationStatus.sent and row.attempts == 2 and row.error == ""
    assert len(backend.sent) == 1


def test_back_off_doubles_and_stops_after_the_maximum(session, configure):
    configure(NOTIFIER_RETRY_MINUTES=10, NOTIFIER_MAX_ATTEMPTS=3)
    backend = RecordingBackend()
    backend.fail_next(times=10)
    with mailer.session_scope() as s:
        log_id = mailer.queue_mail(s, "credit_added", "awa@example.cm", "fr", CTX).id
    mailer.deliver(log_id, backend)  # attempt 1
    row = _log(session, log_id)
    assert not mailer.retry_due(row, utcnow() + timedelta(minutes=9), 10)
    start = utcnow()
    assert mailer.retry_failed(start + timedelta(minutes=11), backend)["failed"] == 1  # attempt 2
    row = _log(session, log_id)
    assert not mailer.retry_due(row, start + timedelta(minutes=11 + 19), 10)  # now 20 minutes
    assert mailer.retry_failed(start + timedelta(minutes=11 + 21), backend)["failed"] == 1  # attempt 3
    assert mailer.retry_failed(utcnow() + timedelta(days=5), backend) == {"sent": 0, "failed": 0, "skipped": 0}
    assert _log(session, log_id).attempts == 3


def test_a_row_is_claimed_by_one_caller_only(session):
    backend = RecordingBackend()
    backend.fail_next()
    with mailer.session_scope() as s:
        log_id = mailer.queue_mail(s, "credit_added", "awa@example.cm", "fr", CTX).id
    mailer.deliver(log_id, backend)
    assert mailer.claim(log_id, NotificationStatus.failed, 1) is True
    assert mailer.claim(log_id, NotificationStatus.failed, 1) is False  # the second notifier loses
    assert _log(session, log_id).status == NotificationStatus.pending


def test_mail_stuck_pending_after_a_crash_is_sent_by_the_retry_cycle(session):
    backend = RecordingBackend()
    with mailer.session_scope() as s:  # queued, then the caller died before deliver()
        log_id = mailer.queue_mail(s, "credit_added", "awa@example.cm", "fr", CTX).id
    assert mailer.retry_failed(utcnow() + timedelta(days=1), backend)["sent"] == 0  # maybe still sending
    row = _log(session, log_id)
    row.created_at = utcnow() - timedelta(minutes=61)  # its sender has really been gone an hour
    session.add(row)
    session.commit()
    assert mailer.retry_failed(utcnow(), backend)["sent"] == 1
    assert _log(session, log_id).status == NotificationStatus.sent and len(backend.sent) == 1


def test_a_failed_mail_queued_again_is_sent_once_by_the_job(session):
    """What an admin's "resend" hands the worker: the row claimed (failed -> pending) and a job."""
    backend = RecordingBackend()
    backend.fail_next()
    with mailer.session_scope() as s:
        log_id = mailer.queue_mail(s, "credit_added", "bob@example.cm", "fr", CTX).id
    mailer.deliver(log_id, backend)
    assert _log(session, log_id).status == NotificationStatus.failed
    assert mailer.claim(log_id, NotificationStatus.failed, 1)
    with mailer.session_scope() as s:
        mailer.hand_over(s, s.get(mailer.NotificationLog, log_id))
    set_backend_override(backend)
    try:
        run_jobs()
        run_jobs()
    finally:
        set_backend_override(None)
    assert _log(session, log_id).status == NotificationStatus.sent and len(backend.sent) == 1

def test_one_time_links_are_kept_sealed_until_the_mail_leaves_then_dropped(session):
    """The database keeps a reset or verification token's hash only: the link in a mail waiting to be
    sent is sealed with a key from SECRET_KEY, and gone once the mail has left."""
    from kmerhosting.core import accounts

    accounts.register(session, email="lien@example.cm", password="Mboa-secret-2026", name="Awa Lien",
                      phone="699123456", lang="fr", client="10.0.0.1")
    session.commit()
    entry = session.exec(select(NotificationLog)).one()
    assert "token=" not in json.dumps(entry.payload) and "link" not in entry.payload["context"]
    assert entry.payload[mailer.SEALED]  # what the worker will open to write the mail

    run_jobs()

    entry = _log(session, entry.id)
    assert entry.status == NotificationStatus.sent
    assert mailer.SEALED not in entry.payload and "token=" not in json.dumps(entry.payload)
    body = session.exec(select(OutboxMessage)).one().text_body
    assert "/auth/verify-email?token=" in body  # the mail itself carries the link


def test_a_link_mail_that_never_left_forgets_its_link_once_every_link_has_expired(session):
    from kmerhosting.core import notifier

    with mailer.session_scope() as s:
        entry = mailer.queue_mail(s, "reset_password", "vieux@example.cm", "fr", {"name": "A", "minutes": 60},
                                  sealed={"link": "https://kmerhosting.cm/auth/reset-password?token=abc"})
        entry.status, entry.created_at = NotificationStatus.failed, utcnow() - notifier.link_lifetime() - timedelta(hours=1)
        s.add(entry)
    notifier.run_daily(utcnow(), backend=RecordingBackend())
    assert mailer.SEALED not in _log(session, entry.id).payload


def test_the_admin_reads_what_a_logged_mail_said_without_its_one_time_link(session):
    """The e-mail log shows each mail's subject, text and HTML (rendered again from its template); a
    one-time link, never kept once the mail has left, shows as a placeholder."""
    from kmerhosting.core import accounts
    from kmerhosting.core.admin.notifications import mail_content
    from tests.factories import make_user

    admin = make_user(session, role="admin")
    accounts.register(session, email="contenu@example.cm", password="Mboa-secret-2026", name="Awa Contenu",
                      phone="699123457", lang="fr", client="10.0.0.2")
    session.commit()
    run_jobs()
    entry = session.exec(select(NotificationLog).where(NotificationLog.recipient == "contenu@example.cm")).one()

    subject, text, html, language = mail_content(session, admin.id, entry.id)

    assert subject == entry.subject and language == "fr" and "Awa Contenu" in text and "Awa Contenu" in html
    assert "token=" not in text + html and "[lien à usage unique, non conservé]" in text
    assert "\u00a0: " in text and " :" not in text.replace("\u00a0:", "")  # French: a no-break space before ":"
