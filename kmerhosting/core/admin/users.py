"""Admin: find users, block or activate them, change their role, read their history."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from ...db import lock_user
from ...models import (
    AuthSession,
    CreditRequest,
    NotificationLog,
    Pack,
    Role,
    Service,
    Transaction,
    User,
    UserStatus,
)
from .. import audit
from ..args import parse_choice
from ..errors import InvalidInput, NotFound
from ..sessions import revoke_all_sessions
from .common import Page, as_id, clean_text, ilike, paginate, require_admin

HISTORY_LIMIT = 100


def list_users(session: Session, actor_id: int, *, search: str = "", status: str = "", role: str = "",
               page=1, per_page=25) -> Page:
    """Users matching an e-mail/name fragment, a status and a role, newest first. Rows: (User,)."""
    require_admin(session, actor_id)
    stmt = select(User)
    search = clean_text(search, 120)
    if search:
        stmt = stmt.where(sa.or_(ilike(User.email, search), ilike(User.name, search)))
    if status:
        status = parse_choice(status, UserStatus.__members__, "admin.error.bad_filter")
        stmt = stmt.where(User.status == status)
    if role:
        role = parse_choice(role, Role.__members__, "admin.error.bad_filter")
        stmt = stmt.where(User.role == role)
    return paginate(session, stmt.order_by(User.id.desc()), page, per_page)


def _active_admins(session: Session) -> int:
    return session.execute(select(sa.func.count()).select_from(User)
                           .where(User.role == Role.admin, User.status == UserStatus.active)).scalar_one()


def _lock(session: Session, user_id) -> User:
    user = lock_user(session, as_id(user_id))
    if user is None:
        raise NotFound()
    return user


def set_status(session: Session, actor_id: int, user_id, status: str) -> User:
    """Block (ends every login at once) or activate a user. An admin never blocks themselves or the last admin."""
    actor = require_admin(session, actor_id)
    status = parse_choice(status, UserStatus.__members__, "admin.error.bad_status")
    user = _lock(session, user_id)
    if user.status == status:
        return user
    if status == UserStatus.blocked:
        if user.id == actor.id:
            raise InvalidInput("admin.error.block_self")
        if user.role == Role.admin and _active_admins(session) <= 1:
            raise InvalidInput("admin.error.last_admin")
    before = {"status": user.status}
    user.status = status
    session.add(user)
    ended = revoke_all_sessions(session, user.id) if status == UserStatus.blocked else 0
    audit.record(session, actor.id, f"user.{'block' if status == UserStatus.blocked else 'activate'}",
                 "user", user.id, before, {"status": status, "sessions_ended": ended})
    session.flush()
    return user


def set_role(session: Session, actor_id: int, user_id, role: str) -> User:
    """Make a user admin or customer. An admin does not demote themselves, nor the last admin."""
    actor = require_admin(session, actor_id)
    role = parse_choice(role, Role.__members__, "admin.error.bad_role")
    user = _lock(session, user_id)
    if user.role == role:
        return user
    if role != Role.admin:
        if user.id == actor.id:
            raise InvalidInput("admin.error.demote_self")
        if user.status == UserStatus.active and _active_admins(session) <= 1:
            raise InvalidInput("admin.error.last_admin")
    before = {"role": user.role}
    user.role = role
    session.add(user)
    audit.record(session, actor.id, "user.role", "user", user.id, before, {"role": role})
    session.flush()
    return user


def user_history(session: Session, actor_id: int, user_id) -> dict:
    """Everything an admin needs to answer a customer: services, ledger, requests, logins, e-mails."""
    require_admin(session, actor_id)
    user = session.get(User, as_id(user_id))
    if user is None:
        raise NotFound()

    def latest(model, order_col):
        return list(session.exec(select(model).where(model.user_id == user.id)
                                 .order_by(order_col.desc()).limit(HISTORY_LIMIT)))

    services = session.execute(select(Service, Pack.name).join(Pack, Pack.id == Service.pack_id)
                               .where(Service.user_id == user.id).order_by(Service.id.desc())
                               .limit(HISTORY_LIMIT)).all()
    return {
        "user": user,
        "services": [(s, name) for s, name in services],
        "ledger": latest(Transaction, Transaction.id),
        "requests": latest(CreditRequest, CreditRequest.id),
        "logins": latest(AuthSession, AuthSession.id),
        "mails": latest(NotificationLog, NotificationLog.id),
    }


def find_user(session: Session, actor_id: int, key) -> User:
    """A user by id or exact e-mail (the credits form accepts either)."""
    require_admin(session, actor_id)
    text = clean_text(key, 255)
    if not text:
        raise InvalidInput("admin.error.user_required")
    if text.isdigit():
        user = session.get(User, int(text))
    else:
        user = session.exec(select(User).where(sa.func.lower(User.email) == text.lower())).first()
    if user is None:
        raise InvalidInput("admin.error.user_unknown", user=text)
    return user
