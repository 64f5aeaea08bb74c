"""Admin: read the audit trail."""

from __future__ import annotations

from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from ...models import AuditLog, User
from ..errors import InvalidInput
from .common import Page, as_id, clean_text, paginate, require_admin


def list_audit(session: Session, actor_id: int, *, action: str = "", target_type: str = "", target_id="",
               page=1, per_page=50) -> Page:
    """Rows: (AuditLog, actor e-mail), newest first."""
    require_admin(session, actor_id)
    actor = aliased(User)
    stmt = select(AuditLog, actor.email).outerjoin(actor, actor.id == AuditLog.actor_id)
    action = clean_text(action, 64)
    if action:
        stmt = stmt.where(AuditLog.action.startswith(action))
    target_type = clean_text(target_type, 32)
    if target_type:
        stmt = stmt.where(AuditLog.target_type == target_type)
    if target_id not in ("", None):
        try:
            stmt = stmt.where(AuditLog.target_id == as_id(target_id))
        except Exception:
            raise InvalidInput("admin.error.bad_filter") from None
    return paginate(session, stmt.order_by(AuditLog.id.desc()), page, per_page)
