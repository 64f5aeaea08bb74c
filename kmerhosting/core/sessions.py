"""Login sessions: a random token lives in the browser, only its SHA-256 in the database."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from ..config import get_settings
from ..models import AuthSession, User, UserStatus, utcnow


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


def user_for_token(session: Session, raw: str | None) -> User | None:
    """The active user owning a valid (unexpired, unrevoked) session token, else None."""
    if not raw or not isinstance(raw, str) or len(raw) > 200:
        return None
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(raw))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or user.status == UserStatus.blocked:
        return None
    return user


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
