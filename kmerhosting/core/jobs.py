"""Durable jobs: slow work with the outside world, done by `jobs/worker.py`, never by a page.

A feature that needs the registrar, the mail provider (later a payment gateway or a control panel)
writes a job with `enqueue()` in the same transaction as the money or record the job concerns. The
worker then:

1. claims a due job with a conditional UPDATE (`status` and `attempts` as it read them): of several
   workers on several hosts, exactly one wins; it holds the job until `lease_until`;
2. runs the job's handler with no transaction open (the handler opens short ones itself);
3. settles the job only if it still holds it (same owner, same attempt), so a worker that came back
   after its lease expired cannot overwrite the work of the one that took over.

A worker that dies mid-job leaves it `running` with a lease that expires; another worker takes it
again. Handlers are written for that: each attempt first looks at what the last one recorded (a
purchase marked "sent", say) and asks the provider before doing anything again. A lost answer is never
assumed done or undone.

A handler returns `done(...)`, `retry(error)` (again after a back-off that doubles per attempt) or
`fail(error)`. On the last allowed attempt it is told so (`job.last_attempt`) and decides for good
(refund or leave for an admin); a job that still cannot finish is `failed`, listed by
`python jobs/worker.py --status`, and can be queued again with `requeue()`.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from ..config import get_settings
from ..db import session_scope
from ..models import Job, JobStatus, as_utc, utcnow

log = logging.getLogger(__name__)


# --- what a handler sees and returns ------------------------------------------------------------


@dataclass(frozen=True)
class JobView:
    """A claimed job as its handler sees it (plain data: the row stays in the database)."""

    id: int
    kind: str
    payload: dict
    attempts: int  # this attempt's number, from 1
    max_attempts: int
    user_id: int | None
    lease_owner: str

    @property
    def last_attempt(self) -> bool:
        return self.attempts >= self.max_attempts


@dataclass(frozen=True)
class Outcome:
    status: str  # "done" | "retry" | "fail"
    error: str = ""
    result: dict = field(default_factory=dict)
    delay: timedelta | None = None  # for "retry": overrides the handler's back-off


def done(**result) -> Outcome:
    return Outcome("done", result=result)


def retry(error: str, delay: timedelta | None = None) -> Outcome:
    return Outcome("retry", error=error, delay=delay)


def fail(error: str, **result) -> Outcome:
    return Outcome("fail", error=error, result=result)


@dataclass(frozen=True)
class HandlerSpec:
    kind: str
    run: Callable[[JobView], Outcome]
    max_attempts: int
    backoff: timedelta  # delay before the 2nd attempt; doubles each time
    backoff_max: timedelta


HANDLERS: dict[str, HandlerSpec] = {}


def handler(kind: str, *, max_attempts: int = 10, backoff_seconds: int = 30, backoff_max_seconds: int = 3600):
    """Register the function that carries out jobs of `kind` (see core/job_handlers.py)."""

    def register(run: Callable[[JobView], Outcome]) -> Callable[[JobView], Outcome]:
        HANDLERS[kind] = HandlerSpec(kind, run, max_attempts, timedelta(seconds=backoff_seconds),
                                     timedelta(seconds=backoff_max_seconds))
        return run

    return register


def _load_handlers() -> None:
    from . import job_handlers  # noqa: F401,PLC0415  (registers every kind; imports the features)


# --- writing jobs -----------------------------------------------------------------------------------


def enqueue(session: Session, kind: str, payload: dict | None = None, *, dedupe_key: str | None = None,
            user_id: int | None = None, delay: timedelta | None = None) -> Job:
    """Add a job in the caller's transaction (committed with it, or not at all).

    With a `dedupe_key` a second call for the same work returns the first job instead of a new one,
    even when two transactions race (the key is unique)."""
    spec = HANDLERS.get(kind)
    values = {"kind": kind, "payload": dict(payload or {}), "dedupe_key": dedupe_key, "user_id": user_id,
              "max_attempts": spec.max_attempts if spec else get_settings().job_max_attempts,
              "run_after": utcnow() + (delay or timedelta(0)), "status": JobStatus.queued}
    if dedupe_key is None:
        job = Job(**values)
        session.add(job)
        session.flush()
        return job
    # Insert unless the key exists, in one statement: a losing racer's transaction stays usable (a
    # failed INSERT would poison it, and SQLite's driver can't roll back to a savepoint reliably).
    if session.get_bind().dialect.name == "sqlite":
        stmt = sqlite_insert(Job).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    else:
        stmt = mysql_insert(Job).values(**values)
        stmt = stmt.on_duplicate_key_update(dedupe_key=stmt.inserted.dedupe_key)
    session.execute(stmt)
    return session.exec(select(Job).where(Job.dedupe_key == dedupe_key)
                        .execution_options(populate_existing=True)).one()


def requeue(session: Session, job_id: int, *, delay: timedelta | None = None) -> bool:
    """Give a failed job a new round of attempts (an admin's or the notifier's "try again"). A job that
    is queued, running or done is left as it is. True when the job was queued again."""
    moved = session.execute(
        sa.update(Job).where(Job.id == job_id, Job.status == JobStatus.failed)
        .values(status=JobStatus.queued, attempts=0, run_after=utcnow() + (delay or timedelta(0)),
                lease_owner="", lease_until=None, finished_at=None, updated_at=utcnow()))
    return moved.rowcount == 1


def job_for(session: Session, dedupe_key: str) -> Job | None:
    return session.exec(select(Job).where(Job.dedupe_key == dedupe_key)).first()


# --- claiming, running, settling -------------------------------------------------------------------


def _lease() -> timedelta:
    return timedelta(seconds=get_settings().job_lease_seconds)


class TransientDatabaseError(Exception):
    """The database rolled the transaction back to break a deadlock or a lock wait; nothing changed."""


def _is_transient(exc: sa.exc.OperationalError) -> bool:
    code = exc.orig.args[0] if exc.orig is not None and exc.orig.args else None
    return code in (1205, 1213) or "database is locked" in str(exc.orig)


def _in_transaction(work, tries: int = 1):
    """work(session) in its own transaction. InnoDB may roll one back to break a deadlock between
    workers updating job rows at the same moment: the whole transaction is then run again, up to
    `tries` times, and TransientDatabaseError says it never went through."""
    for attempt in range(tries):
        try:
            with session_scope() as session:
                return work(session)
        except sa.exc.OperationalError as exc:
            if not _is_transient(exc):
                raise
            log.info("job table: %s, attempt %d/%d", exc.orig, attempt + 1, tries)
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    raise TransientDatabaseError("the database kept refusing the transaction")


def claim(worker_id: str, now: datetime | None = None, kinds: tuple[str, ...] | None = None) -> JobView | None:
    """Take the next due job (queued and due, or running with an expired lease), or None."""
    now = now or utcnow()
    due = sa.or_(sa.and_(Job.status == JobStatus.queued, Job.run_after <= now),
                 sa.and_(Job.status == JobStatus.running, Job.lease_until < now))
    stmt = select(Job.id, Job.status, Job.attempts).where(due).order_by(Job.run_after, Job.id).limit(20)
    if kinds:
        stmt = stmt.where(Job.kind.in_(kinds))
    with session_scope() as session:
        candidates = session.exec(stmt).all()
    for job_id, status, attempts in candidates:
        def take(session, job_id=job_id, status=status, attempts=attempts):
            won = session.execute(
                sa.update(Job).where(Job.id == job_id, Job.status == status, Job.attempts == attempts)
                .values(status=JobStatus.running, attempts=attempts + 1, lease_owner=worker_id[:64],
                        lease_until=now + _lease(), updated_at=now)).rowcount == 1
            return session.get(Job, job_id) if won else None

        try:
            job = _in_transaction(take)
        except TransientDatabaseError:
            continue  # the database gave up on this race (a deadlock): nothing changed, try the next
        if job is None:
            continue  # another worker took it first
        if status == JobStatus.running:
            log.warning("job #%s (%s) taken over from a worker whose lease expired", job.id, job.kind)
        return JobView(id=job.id, kind=job.kind, payload=dict(job.payload or {}), attempts=job.attempts,
                       max_attempts=job.max_attempts, user_id=job.user_id, lease_owner=worker_id[:64])
    return None


def _backoff(spec: HandlerSpec | None, attempts: int) -> timedelta:
    base = spec.backoff if spec else timedelta(seconds=30)
    top = spec.backoff_max if spec else timedelta(hours=1)
    delay = min(top, base * (2 ** max(0, min(attempts - 1, 20))))
    return delay * random.uniform(0.9, 1.1)  # spread the retries of jobs that failed together


def settle(job: JobView, outcome: Outcome, now: datetime | None = None) -> str | None:
    """Record the outcome if this worker still holds the job; returns the new status (None: lost it)."""
    now = now or utcnow()
    values: dict = {"updated_at": now, "lease_owner": "", "lease_until": None}
    if outcome.status == "done":
        values.update(status=JobStatus.done, result=outcome.result, last_error="", finished_at=now)
    elif outcome.status == "retry" and not job.last_attempt:
        delay = outcome.delay if outcome.delay is not None else _backoff(HANDLERS.get(job.kind), job.attempts)
        values.update(status=JobStatus.queued, last_error=outcome.error[:4000], run_after=now + delay)
    else:  # "fail", or a retry on the last attempt: an admin looks at it
        values.update(status=JobStatus.failed, last_error=outcome.error[:4000], result=outcome.result,
                      finished_at=now)
    try:
        kept = _in_transaction(lambda session: session.execute(
            sa.update(Job).where(Job.id == job.id, Job.status == JobStatus.running,
                                 Job.lease_owner == job.lease_owner, Job.attempts == job.attempts)
            .values(**values)).rowcount == 1, tries=5)
    except TransientDatabaseError:
        # Unrecorded: once the lease ends another worker runs the job again, and its handler looks at
        # what was done (e.g. asks the registrar) before acting.
        log.warning("job #%s (%s): could not record %s; it will be taken over", job.id, job.kind, outcome.status)
        return None
    if not kept:
        log.warning("job #%s (%s): lease lost before settling %s; the worker that took it over decides",
                    job.id, job.kind, outcome.status)
        return None
    status = values["status"]
    level = logging.WARNING if status == JobStatus.failed else logging.INFO
    log.log(level, "job #%s %s attempt %d/%d: %s%s", job.id, job.kind, job.attempts, job.max_attempts, status,
            f" ({outcome.error})" if outcome.error else "")
    return status


def execute(job: JobView) -> Outcome:
    """Run the job's handler; an unexpected exception is an unknown outcome, tried again later."""
    _load_handlers()
    spec = HANDLERS.get(job.kind)
    if spec is None:
        return fail(f"no handler for job kind {job.kind!r}")
    try:
        outcome = spec.run(job)
    except Exception as exc:  # noqa: BLE001  (the handler's next attempt looks before acting again)
        log.exception("job #%s (%s) raised", job.id, job.kind)
        return retry(f"{type(exc).__name__}: {exc}")
    if not isinstance(outcome, Outcome):
        return fail(f"handler for {job.kind} returned {outcome!r}")
    return outcome


def run_one(worker_id: str, now: datetime | None = None, kinds: tuple[str, ...] | None = None) -> bool:
    """Claim, run and settle one due job. False when nothing was due."""
    _load_handlers()
    job = claim(worker_id, now, kinds)
    if job is None:
        return False
    settle(job, execute(job))
    return True


def run_until_idle(worker_id: str = "inline", *, max_jobs: int = 1000,
                   kinds: tuple[str, ...] | None = None) -> int:
    """Run every job due now (and those they enqueue), then stop; returns how many ran. For
    `jobs/worker.py --once` (cron) and for tests that need a job's effect."""
    count = 0
    while count < max_jobs and run_one(worker_id, kinds=kinds):
        count += 1
    return count


# --- reading ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueStatus:
    counts: dict[str, int]  # by status
    failed: list[Job]
    oldest_due_seconds: float  # how long the oldest due job has waited (0 when none)


def queue_status(session: Session, *, limit: int = 50) -> QueueStatus:
    rows = session.exec(select(Job.status, sa.func.count()).group_by(Job.status)).all()
    counts = {str(status): int(n) for status, n in rows}
    failed = list(session.exec(select(Job).where(Job.status == JobStatus.failed)
                               .order_by(Job.id.desc()).limit(limit)).all())
    oldest = session.exec(select(sa.func.min(Job.run_after)).where(Job.status == JobStatus.queued,
                                                                   Job.run_after <= utcnow())).one()
    waited = (utcnow() - as_utc(oldest)).total_seconds() if oldest else 0.0
    return QueueStatus(counts=counts, failed=failed, oldest_due_seconds=max(0.0, waited))
