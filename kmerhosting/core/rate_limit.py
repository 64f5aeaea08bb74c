"""Rate limits counted in the database (RateLimitEvent), so they hold across workers and hosts.

A limit is a key ("login:email:a@b.cm", "login:client:1.2.3.4"), a number of events and a window.
Events are written in their own short transaction: a failed login must count even though the
caller's transaction is rolled back when the login is refused. An attempt is recorded before it is
counted (`attempt`), so concurrent attempts cannot all pass a limit they each saw as not yet full.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, select

from ..db import apart
from ..models import RateLimitEvent, utcnow
from .errors import RateLimited


@dataclass(frozen=True)
class Limit:
    name: str
    max_events: int
    window: timedelta

    def key(self, subject: str) -> str:
        return f"{self.name}:{(subject or '-').strip().lower()}"[:200]


# Failed logins: enough for typos, far too few for guessing a password.
# Per-client limits are looser: Cameroonian mobile carriers put many customers behind one
# address (carrier-grade NAT), and one guesser must not lock them all out.
LOGIN_PER_ACCOUNT = Limit("login:email", 5, timedelta(minutes=15))
LOGIN_PER_CLIENT = Limit("login:client", 50, timedelta(minutes=15))
# Mails sent on request (reset, verification): each one costs a send and fills an inbox.
RESET_PER_ACCOUNT = Limit("reset:email", 3, timedelta(hours=1))
RESET_PER_CLIENT = Limit("reset:client", 20, timedelta(hours=1))
VERIFY_PER_ACCOUNT = Limit("verify:email", 3, timedelta(hours=1))
VERIFY_PER_CLIENT = Limit("verify:client", 20, timedelta(hours=1))
REGISTER_PER_CLIENT = Limit("register:client", 30, timedelta(hours=1))
# Domain searches: each one is a call to the registrar, which throttles the shop's account (DNA 361).
DOMAIN_SEARCH_PER_CLIENT = Limit("domain_search:client", 120, timedelta(minutes=10))
# Lines added to anonymous carts: a script can invent visitor keys, so its address bounds the rows it
# writes (an account's cart is bounded by the account). Loose, like the other per-client limits.
CART_ADD_PER_CLIENT = Limit("cart_add:client", 120, timedelta(minutes=10))
# Wrong current password on a logged-in settings form (a stolen session must not guess it).
PASSWORD_PER_USER = Limit("password:user", 5, timedelta(minutes=15))
# Each one is a call to a hosting server's panel on the customer's behalf.
PANEL_LOGIN_PER_USER = Limit("panel_login:user", 20, timedelta(minutes=10))
PANEL_PASSWORD_PER_USER = Limit("panel_password:user", 5, timedelta(hours=1))


def count(session: Session, limit: Limit, subject: str) -> int:
    since = utcnow() - limit.window
    stmt = select(func.count()).select_from(RateLimitEvent).where(
        RateLimitEvent.key == limit.key(subject), RateLimitEvent.created_at > since)
    return int(session.exec(stmt).one())


def check(session: Session, *checks: tuple[Limit, str]) -> None:
    """Raise RateLimited when any (limit, subject) pair has used up its window (a read only: use
    `attempt` or `hit` to count an action, so that concurrent actions can't all pass)."""
    for limit, subject in checks:
        if count(session, limit, subject) >= limit.max_events:
            raise RateLimited()


def _add(session: Session, checks) -> list[int]:
    now = utcnow()
    events = [RateLimitEvent(key=limit.key(subject), created_at=now) for limit, subject in checks]
    session.add_all(events)
    session.flush()
    return [event.id for event in events]


def record(session: Session, *checks: tuple[Limit, str]) -> list[int]:
    """Count one event for each (limit, subject), committed at once on the same database; their ids."""
    with apart(session) as own:
        return _add(own, checks)


def forget(session: Session, event_ids: list[int]) -> None:
    """Take back events recorded by `attempt` (an attempt that succeeded), in the caller's transaction."""
    if event_ids:
        session.execute(sa.delete(RateLimitEvent).where(RateLimitEvent.id.in_(event_ids)))


def attempt(session: Session, *checks: tuple[Limit, str]) -> list[int]:
    """Record this attempt first, then count it with the others in the window; returns its event ids.

    Checking before recording lets a burst of concurrent attempts all see the same count and all pass.
    Recorded (and committed) first, each attempt counts every attempt committed before its own count,
    so with a limit of N at most N of them pass, whatever the interleaving. A refused attempt is taken
    back: hammering a full window does not keep it full longer. One connection does it all, before the
    caller's session needs its own (a burst must not hold two connections per attempt).
    """
    with apart(session) as own:
        ids = _add(own, checks)
        if own is not session:
            own.commit()
        refused = any(count(own, limit, subject) > limit.max_events for limit, subject in checks)
        if refused:
            own.execute(sa.delete(RateLimitEvent).where(RateLimitEvent.id.in_(ids)))
    if refused:
        raise RateLimited()
    return ids


def hit(session: Session, *checks: tuple[Limit, str]) -> None:
    """For actions that count whether or not they succeed (mail requests, searches)."""
    attempt(session, *checks)


def clear(session: Session, limit: Limit, subject: str) -> None:
    session.execute(sa.delete(RateLimitEvent).where(RateLimitEvent.key == limit.key(subject)))


def purge_expired(session: Session, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete events older than every window (the notifier or an ops job may call it)."""
    result = session.execute(sa.delete(RateLimitEvent).where(RateLimitEvent.created_at < utcnow() - older_than))
    return result.rowcount
