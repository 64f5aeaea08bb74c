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
    """Queue a failed mail to be sent again by the worker (a sent one would reach the customer twice).
    The row is claimed here (failed -> pending) and handed to the job, in the admin's transaction."""
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
        entry.status, entry.attempts = NotificationStatus.pending, entry.attempts + 1
        session.add(entry)
        session.flush()
        mailer.hand_over(session, entry)
        return entry


def statuses(log_ids: list[int]) -> dict[int, str]:
    """The status of each of these mails now (the admin's list follows the ones it queued again)."""
    with session_scope() as session:
        rows = session.exec(select(NotificationLog.id, NotificationLog.status)
                            .where(NotificationLog.id.in_(list(log_ids)))).all()
        return {log_id: status for log_id, status in rows}


def mail_content(session: Session, actor_id: int, log_id) -> tuple[str, str, str, str]:
    """What a logged mail said (subject, text, HTML, its language), rendered again from its template. A
    one-time link is never kept after the mail has left: the copy shows a placeholder in its place."""
    from ...i18n import translate  # noqa: PLC0415
    from ...integrations.mail.templates import render  # noqa: PLC0415

    require_admin(session, actor_id)
    entry = session.get(NotificationLog, as_id(log_id))
    if entry is None:
        raise NotFound()
    payload = entry.payload or {}
    hidden = translate("admin.mails.link_not_kept", entry.language)
    context = {"link": hidden, **payload.get("context", {})}
    try:
        return (*render(payload.get("template") or entry.kind, entry.language, context), entry.language)
    except Exception:  # noqa: BLE001  (an old or unknown template: the subject is all there is)
        return entry.subject, "", "", entry.language
