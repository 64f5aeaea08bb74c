"""Sending mail: render a template, deliver it through the configured backend, log it.

Every send, whatever the backend, leaves a NotificationLog row with its status, error and provider id.
A failed send never raises into the caller's business operation: it is logged as failed and the
notifier's retry cycle sends it again (`retry_failed`, issue: mail and notifier).
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from ..db import session_scope
from ..integrations.mail import MailError, MailMessage, get_backend
from ..integrations.mail.templates import render
from ..models import NotificationLog, NotificationStatus, utcnow

log = logging.getLogger(__name__)


def deliver(log_id: int, backend=None) -> NotificationLog:
    """Render and send the mail recorded as NotificationLog `log_id`; update its status."""
    backend = backend or get_backend()
    with session_scope() as session:
        entry = session.get(NotificationLog, log_id)
        payload = dict(entry.payload or {})
        entry.attempts += 1
        entry.backend = backend.name
        try:
            subject, text, html = render(payload["template"], entry.language, payload.get("context", {}))
            entry.subject = subject[:255]
            message = MailMessage(to_email=entry.recipient, subject=subject, text=text, html=html,
                                  category=payload["template"])
            result = backend.send(message, notification_id=entry.id)
        except MailError as exc:
            _mark_failed(entry, str(exc))
        except Exception as exc:  # noqa: BLE001  (a template bug must not break the business operation)
            log.exception("mail log #%s could not be rendered or sent", entry.id)
            _mark_failed(entry, f"{type(exc).__name__}: {exc}")
        else:
            entry.status = NotificationStatus.sent
            entry.error = ""
            entry.provider_id = (result.provider_id or "")[:255]
            entry.sent_at = utcnow()
        session.add(entry)
        return entry


def _mark_failed(entry: NotificationLog, error: str) -> None:
    entry.status = NotificationStatus.failed
    entry.error = error[:2000]
    log.warning("mail %s (log #%s) failed: %s", entry.kind, entry.id, error)


def queue_mail(session: Session, template: str, to_email: str, lang: str, context: dict, *,
               user_id: int | None = None, service_id: int | None = None,
               domain_purchase_id: int | None = None, notice_key: str | None = None,
               expires_on=None, threshold: int | None = None) -> NotificationLog:
    """Record a mail to send (status pending) in the caller's transaction; `deliver()` sends it."""
    entry = NotificationLog(recipient=to_email, user_id=user_id, kind=template, language=lang,
                            service_id=service_id, domain_purchase_id=domain_purchase_id,
                            notice_key=notice_key, expires_on=expires_on, threshold=threshold,
                            status=NotificationStatus.pending,
                            payload={"template": template, "context": context})
    session.add(entry)
    session.flush()
    return entry


def send_mail(template: str, to_email: str, lang: str, context: dict, **refs) -> NotificationLog:
    """Record and send one mail now (own transactions). Never raises for a provider failure."""
    with session_scope() as session:
        entry = queue_mail(session, template, to_email, lang, context, **refs)
        log_id = entry.id
    return deliver(log_id)
