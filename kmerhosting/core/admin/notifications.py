"""Admin: the log of every e-mail the shop sent, and sending a failed one again."""

from __future__ import annotations

from sqlmodel import Session, select

from ...db import session_scope
from ...models import NotificationLog, NotificationStatus, Service
from .. import audit, mailer
from ..args import parse_choice
from ..errors import InvalidInput, NotFound
from .common import Page, as_id, clean_text, ilike, paginate, require_admin


def list_mails(session: Session, actor_id: int, *, status: str = "", kind: str = "", recipient: str = "",
               page=1, per_page=25) -> Page:
    """Rows: (NotificationLog, Service.domain or None), newest first."""
    require_admin(session, actor_id)
    stmt = select(NotificationLog, Service.domain).outerjoin(Service, Service.id == NotificationLog.service_id)
    if status:
        status = parse_choice(status, NotificationStatus.__members__, "admin.error.bad_filter")
        stmt = stmt.where(NotificationLog.status == status)
    kind = clean_text(kind, 40)
    if kind:
        stmt = stmt.where(NotificationLog.kind == kind)
    recipient = clean_text(recipient, 255)
    if recipient:
        stmt = stmt.where(ilike(NotificationLog.recipient, recipient))
    return paginate(session, stmt.order_by(NotificationLog.id.desc()), page, per_page)


def mail_kinds(session: Session, actor_id: int) -> list[str]:
    require_admin(session, actor_id)
    return sorted(k for k in session.exec(select(NotificationLog.kind).distinct()) if k)


def resend(actor_id: int, log_id) -> NotificationLog:
    """Send a failed mail again (its own transactions, like every send). Only a failed mail is resent:
    a sent one would reach the customer twice."""
    log_id = as_id(log_id)
    with session_scope() as session:
        actor = require_admin(session, actor_id)
        entry = session.exec(select(NotificationLog).where(NotificationLog.id == log_id).with_for_update()).first()
        if entry is None:
            raise NotFound()
        if entry.status != NotificationStatus.failed:
            raise InvalidInput("admin.error.resend_not_failed")
        audit.record(session, actor.id, "mail.resend", "notification", entry.id,
                     {"status": entry.status, "error": entry.error[:200], "attempts": entry.attempts}, {})
    again = getattr(mailer, "resend", None)
    result = again(log_id) if again is not None else mailer.deliver(log_id)
    return result
