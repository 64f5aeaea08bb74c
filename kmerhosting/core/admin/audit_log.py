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


def target_names(session: Session, rows) -> dict[tuple[str, int], str]:
    """Who or what each audit row acted on, by (target_type, target_id): a user's name and e-mail, a pack's
    a service's or a server's name, a credit request's customer, a mail's kind and recipient."""
    from ...models import CreditRequest, NotificationLog, Pack, Payment, Server, Service  # noqa: PLC0415

    wanted: dict[str, set[int]] = {}
    for row, _ in rows:
        if row.target_id:
            wanted.setdefault(row.target_type, set()).add(row.target_id)
    names: dict[tuple[str, int], str] = {}

    def users(ids) -> dict[int, User]:
        return {u.id: u for u in session.exec(select(User).where(User.id.in_(ids)))} if ids else {}

    for user in users(wanted.get("user", set())).values():
        names[("user", user.id)] = f"{user.name} ({user.email})"
    for pack in session.exec(select(Pack).where(Pack.id.in_(wanted.get("pack", set())))):
        names[("pack", pack.id)] = pack.name
    for service in session.exec(select(Service).where(Service.id.in_(wanted.get("service", set())))):
        names[("service", service.id)] = service.domain
    requests = list(session.exec(select(CreditRequest).where(CreditRequest.id.in_(wanted.get("credit_request", set())))))
    owners = users({r.user_id for r in requests})
    for request in requests:
        owner = owners.get(request.user_id)
        names[("credit_request", request.id)] = f"n°\u00a0{request.id}" + (f" ({owner.name})" if owner else "")
    for mail in session.exec(select(NotificationLog).where(NotificationLog.id.in_(wanted.get("notification", set())))):
        names[("notification", mail.id)] = mail.recipient
    for payment in session.exec(select(Payment).where(Payment.id.in_(wanted.get("payment", set())))):
        names[("payment", payment.id)] = payment.reference
    for server in session.exec(select(Server).where(Server.id.in_(wanted.get("server", set())))):
        names[("server", server.id)] = server.name
    return names


def actor_names(session: Session, rows) -> dict[int, str]:
    """Each acting admin's name, by id."""
    ids = {row.actor_id for row, _ in rows if row.actor_id}
    return {u.id: u.name or u.email for u in session.exec(select(User).where(User.id.in_(ids)))} if ids else {}
