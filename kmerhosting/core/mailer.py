"""Sending mail: render a template, deliver it through the configured backend, log it.

Every send, whatever the backend, leaves a NotificationLog row with its status, error and provider id.
Pages never send: they `send_later()` (the row and a `mail.send` job, in their own transaction) and
the worker delivers it. A failed send never raises into the caller's business operation: it is logged
as failed and sent again by the job's next attempt or the notifier's retry cycle (`retry_failed`); an
admin can also queue it again (core/admin/notifications.resend).

A row is sent only by whoever moved it to `pending` (insert, or a conditional UPDATE from `failed`),
so two processes never send the same row twice at once. No transaction is held open during the
provider call: the row is read, the mail sent, then the outcome written in a second transaction.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from ..config import get_settings
from ..db import session_scope
from ..integrations.mail import MailError, MailMessage, get_backend
from ..integrations.mail.templates import render
from ..models import DomainPurchase, NotificationLog, NotificationStatus, Service, utcnow
from .errors import NotFound
from .sealing import seal, unseal

log = logging.getLogger(__name__)

# A row still `pending` after this long belongs to a process that died mid-send: retry it.
STALE_PENDING = timedelta(minutes=60)
# The retry delay doubles after each failed attempt, up to this.
MAX_RETRY_DELAY = timedelta(hours=24)
# Where a mail's sealed context (one-time links) is kept in its payload until the mail has left.
SEALED = "sealed"
SEAL_PURPOSE = "mail-context"
MAIL_JOB = "mail.send"


def deliver(log_id: int, backend=None, now: datetime | None = None) -> NotificationLog:
    """Render and send the mail recorded as NotificationLog `log_id` (claimed: pending); record the outcome.

    `now` is the caller's clock (the notifier may run with a moved one): retry back-off counts from it.
    """
    backend = backend or get_backend()
    with session_scope() as session:
        entry = session.get(NotificationLog, log_id)
        if entry is None:
            raise NotFound()
        payload = dict(entry.payload or {})
        recipient, language = entry.recipient, entry.language
    template = payload.get("template", "")
    context = {**payload.get("context", {}), **_unsealed(payload)}
    subject, provider_id, error = "", "", ""
    try:
        subject, text, html = render(template, language, context)
        message = MailMessage(to_email=recipient, subject=subject, text=text, html=html, category=template)
        provider_id = backend.send(message, notification_id=log_id).provider_id or ""
    except MailError as exc:
        error = str(exc) or type(exc).__name__
    except Exception as exc:  # noqa: BLE001  (a template bug must not break the business operation)
        log.exception("mail log #%s could not be rendered or sent", log_id)
        error = f"{type(exc).__name__}: {exc}"
    return _record_outcome(log_id, backend.name, subject, provider_id, error, payload, now or utcnow())


def _record_outcome(log_id: int, backend_name: str, subject: str, provider_id: str, error: str,
                    payload: dict, now: datetime) -> NotificationLog:
    with session_scope() as session:
        entry = session.get(NotificationLog, log_id)
        entry.attempts = max(entry.attempts, 1)  # a claim counted retries; the first send is counted here
        entry.backend = backend_name
        if subject:
            entry.subject = subject[:255]
        entry.payload = {**payload, "last_attempt_at": now.isoformat()}
        if error:
            entry.status = NotificationStatus.failed
            entry.error = error[:2000]
            log.warning("mail %s (log #%s) failed: %s", entry.kind, entry.id, error)
        else:
            entry.status = NotificationStatus.sent
            entry.error = ""
            # The one-time link has left: keep no copy of it, sealed or not.
            entry.payload = {k: v for k, v in entry.payload.items() if k != SEALED}
            entry.provider_id = provider_id[:255]
            entry.sent_at = utcnow()
        session.add(entry)
        return entry


def queue_mail(session: Session, template: str, to_email: str, lang: str, context: dict, *,
               sealed: dict | None = None, user_id: int | None = None, service_id: int | None = None,
               domain_purchase_id: int | None = None, notice_key: str | None = None,
               expires_on: date | None = None, threshold: int | None = None) -> NotificationLog:
    """Record a mail to send (status pending) in the caller's transaction; `deliver()` sends it.

    `sealed` holds context values that must not be readable in the database (a one-time link): they
    are kept encrypted until the mail has left, then dropped (see core/sealing.py).
    A mail queued but never delivered (the caller crashed) is picked up by the retry cycle.
    """
    payload = {"template": template, "context": context}
    if sealed:
        payload[SEALED] = seal(sealed, SEAL_PURPOSE)
    entry = NotificationLog(recipient=to_email, user_id=user_id, kind=template, language=lang,
                            service_id=service_id, domain_purchase_id=domain_purchase_id,
                            notice_key=notice_key, expires_on=expires_on, threshold=threshold,
                            status=NotificationStatus.pending, payload=payload)
    session.add(entry)
    session.flush()
    return entry


def send_later(session: Session, template: str, to_email: str, lang: str, context: dict, **refs) -> NotificationLog:
    """Record a mail and the job that sends it, in the caller's transaction (the transactional outbox):
    the mail leaves from the worker once the caller has committed, never from a page's event."""
    entry = queue_mail(session, template, to_email, lang, context, **refs)
    hand_over(session, entry)
    return entry


def hand_over(session: Session, entry: NotificationLog) -> None:
    """Give a row claimed by the caller (pending, its current attempts) to a `mail.send` job."""
    from . import jobs  # noqa: PLC0415

    jobs.enqueue(session, MAIL_JOB, {"log_id": entry.id, "attempts": entry.attempts},
                 dedupe_key=f"mail:{entry.id}:{entry.attempts}", user_id=entry.user_id)


def _unsealed(payload: dict) -> dict:
    token = payload.get(SEALED)
    return unseal(token, SEAL_PURPOSE) if token else {}


def drop_sealed(session: Session, older_than: datetime) -> int:
    """Forget the sealed links of mails that never left and are older than any link's lifetime. Returns
    how many rows were cleared (the notifier's daily run calls this)."""
    rows = session.exec(select(NotificationLog).where(NotificationLog.created_at < older_than,
                                                      NotificationLog.status != NotificationStatus.sent)).all()
    cleared = 0
    for entry in rows:
        if SEALED in (entry.payload or {}):
            entry.payload = {k: v for k, v in entry.payload.items() if k != SEALED}
            session.add(entry)
            cleared += 1
    session.flush()
    return cleared


def send_mail(template: str, to_email: str, lang: str, context: dict, **refs) -> NotificationLog:
    """Record and send one mail now (own transactions). Never raises for a provider failure."""
    with session_scope() as session:
        entry = queue_mail(session, template, to_email, lang, context, **refs)
        log_id = entry.id
    return deliver(log_id)


def claim(log_id: int, status: str, attempts: int) -> bool:
    """Take a row for one more attempt if it is still (status, attempts) as the caller read it.

    `attempts` acts as a version: of two notifiers that read the same row, only the first UPDATE
    matches, so a row is never sent by two processes at once. True when this caller won it.
    """
    with session_scope() as session:
        result = session.execute(
            sa.update(NotificationLog)
            .where(NotificationLog.id == log_id, NotificationLog.status == status,
                   NotificationLog.attempts == attempts)
            .values(status=NotificationStatus.pending, attempts=attempts + 1)
        )
        if result.rowcount != 1:
            return False
        entry = session.get(NotificationLog, log_id)
        # Real time, not the run's clock: being stuck is about how long a sender has really been gone.
        entry.payload = {**(entry.payload or {}), "claimed_at": utcnow().isoformat()}
        session.add(entry)
        return True


def is_stuck(entry: NotificationLog, now: datetime) -> bool:
    """A pending row whose sender died mid-send (claimed long ago and never finished)."""
    if entry.status != NotificationStatus.pending:
        return False
    claimed = (entry.payload or {}).get("claimed_at")
    since = datetime.fromisoformat(claimed) if claimed else _aware(entry.created_at)
    return now - since >= STALE_PENDING


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def retry_due(entry: NotificationLog, now: datetime, retry_minutes: int) -> bool:
    """Whether a failed row's back-off has elapsed: retry_minutes, doubling per attempt, at most a day."""
    last = (entry.payload or {}).get("last_attempt_at")
    if not last:
        return True
    delay = timedelta(minutes=retry_minutes) * (2 ** max(0, min(entry.attempts - 1, 16)))
    return now >= datetime.fromisoformat(last) + min(delay, MAX_RETRY_DELAY)


def stale_notice(session: Session, entry: NotificationLog, today: date) -> bool:
    """An expiry notice no longer worth sending: renewed since (the expiry moved), or its date has passed."""
    if entry.expires_on is None or entry.threshold is None:
        return False
    if entry.threshold > 0 and entry.expires_on < today:
        return True
    from .notifier import local_date  # noqa: PLC0415  (notifier imports this module)

    if entry.service_id is not None:
        row = session.get(Service, entry.service_id)
    elif entry.domain_purchase_id is not None:
        row = session.get(DomainPurchase, entry.domain_purchase_id)
    else:
        return False
    return row is None or row.expires_at is None or local_date(row.expires_at) != entry.expires_on


def retry_failed(now: datetime | None = None, backend=None, *, limit: int = 1000,
                 dry_run: bool = False) -> dict[str, int]:
    """Send again the failed mails whose back-off has elapsed, and those stuck pending; counts by outcome."""
    settings = get_settings()
    now = now or utcnow()
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    from .notifier import local_date  # noqa: PLC0415

    with session_scope() as session:
        failed = session.exec(
            select(NotificationLog)
            .where(NotificationLog.status == NotificationStatus.failed,
                   NotificationLog.attempts < settings.notifier_max_attempts)
            .order_by(NotificationLog.created_at).limit(limit)
        ).all()
        wall_clock = utcnow()  # `now` may be moved (--now); a stuck sender is measured in real time
        pending = session.exec(
            select(NotificationLog)
            .where(NotificationLog.status == NotificationStatus.pending,
                   NotificationLog.created_at < wall_clock - STALE_PENDING)
            .order_by(NotificationLog.created_at).limit(limit)
        ).all()
        due = [e for e in failed if retry_due(e, now, settings.notifier_retry_minutes)]
        due += [e for e in pending if is_stuck(e, wall_clock)]
        stale = {e.id for e in due if stale_notice(session, e, local_date(now))}
        work = [(e.id, e.status, e.attempts, e.kind, e.recipient) for e in due]
    backend = backend or (None if dry_run else get_backend())
    for log_id, status, attempts, kind, recipient in work:
        if dry_run:
            log.info("would retry %s to %s (log #%s)%s", kind, recipient, log_id,
                     " [stale: would skip]" if log_id in stale else "")
            counts["skipped" if log_id in stale else "sent"] += 1
            continue
        if not claim(log_id, status, attempts):
            counts["skipped"] += 1  # another notifier took it
            continue
        if log_id in stale:
            _mark_skipped(log_id, "stale: the service was renewed or the expiry passed")
            counts["skipped"] += 1
            continue
        entry = deliver(log_id, backend, now)
        counts["sent" if entry.status == NotificationStatus.sent else "failed"] += 1
    return counts


def _mark_skipped(log_id: int, reason: str) -> None:
    with session_scope() as session:
        entry = session.get(NotificationLog, log_id)
        entry.status = NotificationStatus.skipped
        entry.error = reason
        session.add(entry)
