"""Expiry notices and expiry status changes: what `jobs/notifier.py` runs every day.

A notice point is a number of days before expiry (REMINDER_DAYS, e.g. 60, 30, 15, 5), the day of
expiry (0) or days after it (NOTIFIER_AFTER_DAYS as negatives, e.g. -3, -10). Each point owns a
window of "days left": from the point itself down to just above the next point, at most
NOTIFIER_CATCHUP_DAYS wide. A service (or registered domain) whose days left fall in a window gets
that point's notice, once: the NotificationLog row is inserted first with the unique
`notice_key` "service:<id>:<expiry date>:<point>", and only the process whose insert succeeded sends.
So a rerun, or a second notifier on another host, sends nothing twice; a notifier that was down for a
week sends the single most urgent notice (the windows don't overlap), not every one it missed; and
renewing moves the expiry date, hence the keys, so the new expiry gets its own notices.

Each window is one range query on the (status, expires_at) index: the cost follows the number of
services due, not the size of the table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..config import Settings, get_settings
from ..db import session_scope
from ..models import (as_utc, DomainPurchase, NotificationLog, NotificationStatus, Pack, RegistrarStatus, Service,
                      ServiceStatus, SuspendedBy, User, UserStatus, utcnow)
from . import mailer, provisioning, rate_limit
from .cart import purge_visitor_carts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NoticePoint:
    offset: int  # days left when the notice is due; 0 = day of expiry, negative = days after
    lowest: int  # still sent (late) down to this many days left

    @property
    def template(self) -> str:
        if self.offset > 0:
            return "expiry_notice"
        return "expiry_today" if self.offset == 0 else "expired_reminder"


@dataclass
class RunSummary:
    sent: int = 0
    skipped: int = 0  # already sent (or claimed by another notifier), or the customer is blocked
    failed: int = 0
    expired: int = 0
    suspended: int = 0
    retried: dict = field(default_factory=lambda: {"sent": 0, "failed": 0, "skipped": 0})
    would_send: list = field(default_factory=list)  # dry run: the notices a real run would send
    # Domain purchases whose registration answer was lost, settled by asking the registrar.
    requeued: dict = field(default_factory=dict)

    def line(self) -> str:
        return (f"notices sent={self.sent} skipped={self.skipped} failed={self.failed}; "
                f"services expired={self.expired} suspended={self.suspended}; "
                f"retries sent={self.retried['sent']} failed={self.retried['failed']} "
                f"skipped={self.retried['skipped']}"
                + (f"; domain jobs queued again {self.requeued}" if any(self.requeued.values()) else ""))


@dataclass(frozen=True)
class Candidate:
    kind: str  # "service" | "domain"
    id: int
    user_id: int
    email: str
    name: str
    language: str
    blocked: bool
    domain: str
    pack: str
    expires_at: datetime


def notice_points(settings: Settings) -> list[NoticePoint]:
    offsets = sorted(set(settings.reminder_days) | {0} | {-d for d in settings.notifier_after_days}, reverse=True)
    points = []
    for i, offset in enumerate(offsets):
        if offset == 0:
            lowest = 0  # "expires today" is only true today
        else:
            lowest = offset - settings.notifier_catchup_days
            if i + 1 < len(offsets):
                lowest = max(lowest, offsets[i + 1] + 1)
        points.append(NoticePoint(offset, lowest))
    return points


def _zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def local_date(moment: datetime) -> date:
    """The shop's calendar day (TIMEZONE) of a stored UTC datetime."""
    return as_utc(moment).astimezone(_zone()).date()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=_zone()).astimezone(UTC)


def notice_key(kind: str, row_id: int, expires_on: date, offset: int) -> str:
    return f"{kind}:{row_id}:{expires_on.isoformat()}:{offset}"


# --- finding what is due ---------------------------------------------------------------------------


def _window(today: date, point: NoticePoint) -> tuple[datetime, datetime]:
    """UTC bounds [start, end) of the expiry times whose days left fall in the point's window."""
    return _day_start(today + timedelta(days=point.lowest)), _day_start(today + timedelta(days=point.offset + 1))


def _service_statuses(point: NoticePoint) -> tuple[str, ...]:
    if point.offset > 0:
        return (ServiceStatus.pending, ServiceStatus.active)
    if point.offset == 0:  # it may have been marked expired earlier today
        return (ServiceStatus.pending, ServiceStatus.active, ServiceStatus.expired)
    return (ServiceStatus.expired,)  # no reminders once suspended or cancelled


def services_due_for_reminder(session: Session, today: date, point: NoticePoint) -> list[Candidate]:
    start, end = _window(today, point)
    rows = session.exec(
        select(Service.id, Service.user_id, Service.domain, Service.expires_at, Pack.name,
               User.email, User.name, User.language, User.status)
        .join(User, User.id == Service.user_id).join(Pack, Pack.id == Service.pack_id)
        .where(Service.status.in_(_service_statuses(point)), Service.expires_at >= start, Service.expires_at < end)
        .order_by(Service.expires_at, Service.id)
    ).all()
    return [Candidate("service", r[0], r[1], r[5], r[6], r[7], r[8] == UserStatus.blocked, r[2], r[4], r[3])
            for r in rows]


def domains_due_for_reminder(session: Session, today: date, point: NoticePoint) -> list[Candidate]:
    start, end = _window(today, point)
    rows = session.exec(
        select(DomainPurchase.id, DomainPurchase.user_id, DomainPurchase.domain, DomainPurchase.expires_at,
               User.email, User.name, User.language, User.status)
        .join(User, User.id == DomainPurchase.user_id)
        .where(DomainPurchase.expires_at >= start, DomainPurchase.expires_at < end,
               DomainPurchase.registrar_status == RegistrarStatus.registered)
        .order_by(DomainPurchase.expires_at, DomainPurchase.id)
    ).all()
    return [Candidate("domain", r[0], r[1], r[4], r[5], r[6], r[7] == UserStatus.blocked, r[2], "", r[3])
            for r in rows]


def _context(c: Candidate, point: NoticePoint, today: date) -> dict:
    expires_on = local_date(c.expires_at)
    ctx = {"name": c.name, "kind": c.kind, "domain": c.domain, "pack": c.pack, "expires_on": expires_on.isoformat()}
    days = (expires_on - today).days
    if point.offset > 0:
        ctx["days_left"] = days
    elif point.offset < 0:
        ctx["days_ago"] = -days
    return ctx


# --- sending -----------------------------------------------------------------------------------------


def _existing_keys(keys: list[str]) -> set[str]:
    if not keys:
        return set()
    with session_scope() as session:
        return set(session.exec(select(NotificationLog.notice_key).where(NotificationLog.notice_key.in_(keys))).all())


def _claim_notice(c: Candidate, point: NoticePoint, today: date, key: str) -> int | None:
    """Insert the notice's row (pending); None when another run or process already has it."""
    try:
        with session_scope() as session:
            entry = mailer.queue_mail(
                session, point.template, c.email, c.language, _context(c, point, today), user_id=c.user_id,
                service_id=c.id if c.kind == "service" else None,
                domain_purchase_id=c.id if c.kind == "domain" else None,
                notice_key=key, expires_on=local_date(c.expires_at), threshold=point.offset)
            return entry.id
    except IntegrityError:
        return None


def _send_batch(batch: list[Candidate], point: NoticePoint, now: datetime, summary: RunSummary, *,
                dry_run: bool, backend) -> None:
    today = local_date(now)
    keys = {c: notice_key(c.kind, c.id, local_date(c.expires_at), point.offset) for c in batch}
    done = _existing_keys(list(keys.values()))
    for c in batch:
        key = keys[c]
        if key in done or c.blocked:
            summary.skipped += 1
            continue
        if dry_run:
            summary.would_send.append((point.template, c.email, key, _context(c, point, today)))
            continue
        log_id = _claim_notice(c, point, today, key)
        if log_id is None:
            summary.skipped += 1
            continue
        entry = mailer.deliver(log_id, backend, now)
        if entry.status == NotificationStatus.sent:
            summary.sent += 1
        else:
            summary.failed += 1


def send_notices(now: datetime, summary: RunSummary, *, dry_run: bool = False, backend=None) -> None:
    settings = get_settings()
    today = local_date(now)
    for point in notice_points(settings):
        for finder in (services_due_for_reminder, domains_due_for_reminder):
            with session_scope() as session:
                due = finder(session, today, point)
            size = settings.notifier_batch_size
            for start in range(0, len(due), size):
                _send_batch(due[start:start + size], point, now, summary, dry_run=dry_run, backend=backend)
                if len(due) > size:
                    log.info("%s notices at %+d days: %d/%d handled (%s)", finder.__name__.split("_")[0],
                             point.offset, min(start + size, len(due)), len(due), summary.line())


# --- expiry status -------------------------------------------------------------------------------------


def _expire_filter(now: datetime):
    return sa.and_(Service.status.in_((ServiceStatus.active, ServiceStatus.pending)), Service.expires_at < now)


def _suspend_filter(now: datetime):
    grace = timedelta(days=get_settings().notifier_grace_days)
    return sa.and_(Service.status == ServiceStatus.expired, Service.expires_at < now - grace)


def update_expired_services(now: datetime, summary: RunSummary, *, dry_run: bool = False) -> None:
    """Active services past expiry become expired; expired ones past the grace period, suspended."""
    with session_scope() as session:
        for attr, condition, values in (
                ("expired", _expire_filter(now), {"status": ServiceStatus.expired}),
                # Marked as the notifier's: a paid renewal lifts it (an admin's suspension it does not).
                ("suspended", _suspend_filter(now), {"status": ServiceStatus.suspended,
                                                     "suspended_by": SuspendedBy.expiry})):
            if dry_run:
                count = session.exec(select(sa.func.count()).select_from(Service).where(condition)).one()
            elif attr == "suspended":
                # The hosting accounts follow: one `panel.suspend` job per suspended service that has
                # one, in the same transaction as the status change.
                ids = list(session.exec(select(Service.id).where(condition)).all())
                count = session.execute(
                    sa.update(Service).where(Service.id.in_(ids), condition).values(**values, updated_at=now)
                ).rowcount if ids else 0
                if ids:
                    provisioning.queue_suspended_by_notifier(session, ids)
            else:
                count = session.execute(
                    sa.update(Service).where(condition).values(**values, updated_at=now)
                ).rowcount
            setattr(summary, attr, count)


# --- the runs ------------------------------------------------------------------------------------------


def run_daily(now: datetime | None = None, *, dry_run: bool = False, backend=None) -> RunSummary:
    """The daily run: update expiry statuses, send the due notices, retry failed mail; log a summary."""
    now = now or utcnow()
    summary = RunSummary()
    log.info("notifier run for %s%s", local_date(now).isoformat(), " (dry run)" if dry_run else "")
    update_expired_services(now, summary, dry_run=dry_run)
    send_notices(now, summary, dry_run=dry_run, backend=backend)
    summary.retried = mailer.retry_failed(now, backend, dry_run=dry_run)
    summary.requeued = requeue_domain_jobs(dry_run=dry_run)
    if not dry_run:
        with session_scope() as session:  # rate-limit counters older than any window are dead weight
            rate_limit.purge_expired(session)
        with session_scope() as session:  # one-time links of mails that never left outlive no link
            mailer.drop_sealed(session, utcnow() - link_lifetime())
        with session_scope() as session:  # and so are carts of visitors who never came back
            purge_visitor_carts(session, timedelta(days=get_settings().cart_visitor_days), now)
    log.info("notifier run done: %s", summary.line())
    return summary


def run_retries(now: datetime | None = None, *, dry_run: bool = False, backend=None) -> RunSummary:
    """The short cycle: only failed (or stuck) mail is sent again."""
    summary = RunSummary()
    summary.retried = mailer.retry_failed(now or utcnow(), backend, dry_run=dry_run)
    summary.requeued = requeue_domain_jobs(dry_run=dry_run)
    if any(summary.retried.values()) or any(summary.requeued.values()):
        log.info("notifier retries: %s", summary.line())
    return summary


def requeue_domain_jobs(*, dry_run: bool = False) -> dict:
    """Domain purchases and renewals are settled by the worker's jobs; a job that gave up while the
    registrar was unreachable is given a new round here (core.job_handlers.requeue_unsettled), and so is
    the creation of a hosting account while its panel was unreachable (core.provisioning.requeue_stalled)."""
    if dry_run:
        return {}
    from .job_handlers import requeue_unsettled

    counts: dict = {}
    try:
        counts = requeue_unsettled()
    except Exception:  # noqa: BLE001  (must not stop the mail: next run tries again)
        log.exception("could not queue the unsettled domain jobs again")
    try:  # hosting accounts still being created whose job gave up (a panel down for days)
        counts.update(provisioning.requeue_stalled())
    except Exception:  # noqa: BLE001  (idem)
        log.exception("could not queue the stalled hosting-account jobs again")
    return counts


def link_lifetime() -> timedelta:
    """The longest a one-time link in a mail can live (verification or password reset)."""
    settings = get_settings()
    return max(timedelta(hours=settings.verify_token_hours), timedelta(minutes=settings.reset_token_minutes))
