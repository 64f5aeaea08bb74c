from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_at_field, str_field


class AuthSession(SQLModel, table=True):
    """A login. Only the SHA-256 of the browser's random token is stored."""

    __tablename__ = "auth_sessions"
    __table_args__ = (sa.Index("ix_auth_sessions_user_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    token_hash: str = str_field(64, unique=True)
    created_at: datetime = created_at_field()
    expires_at: datetime
    last_seen_at: datetime | None = None
    revoked_at: datetime | None = None
    client: str = str_field(255, default="")


class EmailToken(SQLModel, table=True):
    """A single-use, expiring link token (verification, password reset, e-mail change)."""

    __tablename__ = "email_tokens"
    __table_args__ = (sa.Index("ix_email_tokens_user_purpose", "user_id", "purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    purpose: str = str_field(24)
    token_hash: str = str_field(64, unique=True)
    new_email: str | None = str_field(255, default=None, nullable=True)
    created_at: datetime = created_at_field()
    expires_at: datetime
    used_at: datetime | None = None


class RateLimitEvent(SQLModel, table=True):
    """One attempt counted against a rate limit key (e.g. "login:email:x", "login:client:y")."""

    __tablename__ = "rate_limit_events"
    __table_args__ = (sa.Index("ix_rate_limit_events_key_created", "key", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = str_field(200)
    created_at: datetime = created_at_field()
