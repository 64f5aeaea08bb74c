"""Login sessions: a random token lives in the browser, only its SHA-256 in the database.

A session ends when it expires (SESSION_DAYS), is revoked (logout, password change, blocking) or is
left unused longer than SESSION_IDLE_MINUTES: a login forgotten on a shared or cybercafé computer
does not stay open. Its last activity (`last_seen_at`) is written at most every LAST_SEEN_EVERY, not
on every click, each time in its own short transaction (it sticks even if the caller rolls back).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from ..config import get_settings
from ..db import apart
from ..models import AuthSession, User, UserStatus, as_utc, utcnow


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def create_session(session: Session, user_id: int, client: str = "") -> str:
    """Open a login for the user; returns the raw token for the browser (never stored)."""
    raw = new_token()
    now = utcnow()
    session.add(AuthSession(user_id=user_id, token_hash=hash_token(raw), created_at=now,
                            expires_at=now + timedelta(days=get_settings().session_days),
                            last_seen_at=now, client=client[:255]))
    session.flush()
    return raw


LAST_SEEN_EVERY = timedelta(minutes=5)


def user_for_token(session: Session, raw: str | None) -> User | None:
    """The active user owning a valid (unexpired, unrevoked, recently used) session token, else None."""
    if not raw or not isinstance(raw, str) or len(raw) > 200:
        return None
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(raw))).first()
    now = utcnow()
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= now:
        return None
    seen = as_utc(row.last_seen_at or row.created_at)
    if now - seen > timedelta(minutes=get_settings().session_idle_minutes):
        _write_apart(session, sa.update(AuthSession).where(AuthSession.id == row.id, AuthSession.revoked_at.is_(None))
                     .values(revoked_at=now))
        return None
    user = session.get(User, row.user_id)
    if user is None or user.status == UserStatus.blocked:
        return None
    if now - seen >= LAST_SEEN_EVERY:
        # Conditional: of several events at once, one writes.
        _write_apart(session, sa.update(AuthSession).where(AuthSession.id == row.id,
                                                           AuthSession.last_seen_at == row.last_seen_at)
                     .values(last_seen_at=now))
    return user


def _write_apart(session: Session, stmt) -> None:
    with apart(session) as own:
        own.execute(stmt)


# Why a token no longer logs anyone in, for the tab that still holds it.
ENDED_BLOCKED, ENDED_EXPIRED, ENDED_REVOKED = "blocked", "expired", "revoked"


def end_reason(session: Session, raw: str | None) -> str | None:
    """Why this token's login has ended: "blocked" (the account is blocked now), "expired", "revoked"
    (logout, password change); None while it is valid or when the token is unknown.

    "blocked" is read from the account's current status, not stored with the session: once an admin
    activates the account again, the old tab is told to log in again rather than that it is blocked.
    """
    if not raw or not isinstance(raw, str) or len(raw) > 200:
        return None
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(raw))).first()
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is not None and user.status == UserStatus.blocked:
        return ENDED_BLOCKED
    if row.revoked_at is not None or user is None:
        return ENDED_REVOKED
    if row.expires_at <= utcnow():
        return ENDED_EXPIRED
    return None


def revoke_token(session: Session, raw: str | None) -> None:
    if raw:
        session.execute(sa.update(AuthSession).where(AuthSession.token_hash == hash_token(raw),
                                                     AuthSession.revoked_at.is_(None))
                        .values(revoked_at=utcnow()))


def revoke_all_sessions(session: Session, user_id: int, except_raw: str | None = None) -> int:
    """End every login of a user (blocking, password change); returns how many were ended."""
    stmt = sa.update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    if except_raw:
        stmt = stmt.where(AuthSession.token_hash != hash_token(except_raw))
    return session.execute(stmt.values(revoked_at=utcnow())).rowcount
