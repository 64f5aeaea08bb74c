"""Database engine and sessions, built from `Settings.database_url`.

Core functions take a `sqlmodel.Session`; callers open one with `session_scope()`.
`lock_user()` is how every balance change starts: it serialises writers on the user row
(SELECT ... FOR UPDATE on MariaDB/MySQL, the database write lock on SQLite).
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

import sqlalchemy as sa
from sqlmodel import Session, create_engine, select

from . import models  # noqa: F401  (registers every table)
from .config import get_settings


def make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_recycle=3600,
        pool_size=10,
        max_overflow=20,
        connect_args={"charset": "utf8mb4"},
        isolation_level="READ COMMITTED",
    )


@lru_cache(maxsize=8)
def _engine_for(url: str) -> sa.Engine:
    return make_engine(url)


_engine_override: sa.Engine | None = None


def get_engine() -> sa.Engine:
    if _engine_override is not None:
        return _engine_override
    return _engine_for(get_settings().database_url)


def set_engine_override(engine: sa.Engine | None) -> None:
    """Point every `session_scope()` at another engine (tests run the same code on SQLite and MariaDB)."""
    global _engine_override
    _engine_override = engine


@contextmanager
def session_scope(engine: sa.Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def lock_user(session: Session, user_id: int) -> models.User | None:
    """Load a user row for update, holding a lock until the transaction ends."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        # A write first takes SQLite's single write lock before anything is read, so the
        # balance read below can't be stale (SQLite has no row locks; FOR UPDATE is ignored).
        session.execute(
            sa.update(models.User).where(models.User.id == user_id).values(id=models.User.id)
        )
        session.expire_all()
    # populate_existing: a User already in this session's identity map would otherwise keep the
    # balance it had when first loaded, and the debit would be computed from a stale value.
    stmt = (select(models.User).where(models.User.id == user_id).with_for_update()
            .execution_options(populate_existing=True))
    return session.exec(stmt).first()


def lock_service_row(session: Session, service_id: int) -> models.Service | None:
    """Load a service for update (read fresh, whatever this session saw before)."""
    stmt = (select(models.Service).where(models.Service.id == service_id).with_for_update()
            .execution_options(populate_existing=True))
    return session.exec(stmt).first()


def lock_service(session: Session, service_id: int) -> models.Service | None:
    """Lock a service's owner (`lock_user`), then the service: the order every writer of a service
    follows (a renewal locks the customer for the debit, then the service), so an admin's status change
    and a renewal are serialised, never interleaved, and never deadlock."""
    owner = session.exec(select(models.Service.user_id).where(models.Service.id == service_id)).first()
    if owner is None:
        return None
    lock_user(session, owner)  # a service's owner never changes: reading it unlocked is safe
    return lock_service_row(session, service_id)


def holds_sqlite_write_lock(session: Session) -> bool:
    """True when this session's connection is inside an SQLite write transaction."""
    if session.get_bind().dialect.name != "sqlite" or not session.in_transaction():
        return False  # (no connection checked out just to ask)
    raw = session.connection().connection.driver_connection
    return bool(getattr(raw, "in_transaction", False))


@contextmanager
def apart(session: Session) -> Iterator[Session]:
    """A session for a write that must stick even if the caller's transaction is rolled back (a
    rate-limit count, a login's last activity): its own short transaction, committed at once.

    When the caller already holds SQLite's write lock, a second connection would wait for it until
    the timeout: the write then joins the caller's transaction instead.
    """
    if holds_sqlite_write_lock(session):
        yield session
        session.flush()
        return
    with Session(session.get_bind(), expire_on_commit=False) as own:
        yield own
        own.commit()
