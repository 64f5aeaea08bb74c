"""What the worker does for each kind of job (core/jobs.py runs them; jobs/worker.py is the process).

Every handler is one attempt: it reads what earlier attempts recorded, asks the provider when an
earlier answer was lost, and returns done, retry or fail. None of them holds a transaction open while
it waits for a provider.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from ..config import get_settings
from ..db import session_scope
from ..integrations.registrar.factory import get_registrar
from ..models import NotificationLog, NotificationStatus, RegistrarStatus, RenewalStatus
from . import mailer, payments, provisioning
from .admin import payments as admin_payments
from .checkout import REGISTER_JOB, settle_registration
from .domain_renewals import RENEW_JOB, carry_out_renewal
from .jobs import JobView, Outcome, done, fail, handler, retry


@handler(REGISTER_JOB, max_attempts=12, backoff_seconds=30, backoff_max_seconds=3600)
def register_domain(job: JobView) -> Outcome:
    """Buy a paid domain (checkout), or settle an earlier attempt whose answer was lost."""
    status = settle_registration(int(job.payload["purchase_id"]), get_registrar())
    if status in (RegistrarStatus.registered, RegistrarStatus.failed):
        return done(status=status)
    return retry(f"registration {status}: waiting for the registrar's answer")


@handler(RENEW_JOB, max_attempts=12, backoff_seconds=30, backoff_max_seconds=3600)
def renew_domain(job: JobView) -> Outcome:
    """Renew a paid domain renewal, or settle an earlier attempt whose answer was lost."""
    status = carry_out_renewal(int(job.payload["renewal_id"]), get_registrar(), last_attempt=job.last_attempt)
    if status in (RenewalStatus.done, RenewalStatus.failed):
        return done(status=status)
    return retry(f"renewal {status}: waiting for the registrar's answer")


@handler(mailer.MAIL_JOB, max_attempts=8, backoff_seconds=60, backoff_max_seconds=3600)
def send_mail(job: JobView) -> Outcome:
    """Send a mail recorded in the mail log.

    Whoever queued the job handed it the row as claimed (`pending` with `attempts` as in the payload:
    0 for a new mail, n for an admin's resend). A later attempt of this job claims the row again from
    `failed`, with the same conditional UPDATE as the notifier's retry cycle, so the two never send
    one row at once. A row `pending` with other attempts belongs to another sender."""
    log_id, handed = int(job.payload["log_id"]), int(job.payload.get("attempts", 0))
    with session_scope() as session:
        entry = session.get(NotificationLog, log_id)
        if entry is None:
            return done(status="missing")
        status, attempts = entry.status, entry.attempts
    if status in (NotificationStatus.sent, NotificationStatus.skipped):
        return done(status=status)
    if status == NotificationStatus.pending and attempts != handed:
        return retry("being sent by another process", delay=mailer.STALE_PENDING)
    if status == NotificationStatus.failed and not mailer.claim(log_id, status, attempts):
        return retry("claimed by another process", delay=timedelta(seconds=5))
    entry = mailer.deliver(log_id)
    if entry.status == NotificationStatus.sent:
        return done(status="sent")
    if entry.attempts >= get_settings().notifier_max_attempts:
        return done(status="failed")  # the admin's mail log shows it; "resend" queues it again
    return retry(entry.error or "not sent")


def requeue_unsettled(limit: int = 500) -> dict[str, int]:
    """The notifier's safety net for domain purchases and renewals not settled yet: a job that gave up
    (the registrar was unreachable for hours) gets a new round of attempts, and one that has no job
    (written before jobs existed) gets one. Returns how many jobs were queued, by kind."""
    from ..models import DomainPurchase, DomainRenewal, Job, JobStatus  # noqa: PLC0415
    from .jobs import enqueue, requeue  # noqa: PLC0415

    counts = {REGISTER_JOB: 0, RENEW_JOB: 0}
    with session_scope() as session:
        purchases = session.exec(select(DomainPurchase.id, DomainPurchase.user_id).where(
            DomainPurchase.registrar_status.in_([RegistrarStatus.pending, RegistrarStatus.unknown]))
            .limit(limit)).all()
        renewals = session.exec(select(DomainRenewal.id, DomainRenewal.user_id).where(
            DomainRenewal.status.in_([RenewalStatus.pending, RenewalStatus.sent])).limit(limit)).all()
        for kind, rows, field in ((REGISTER_JOB, purchases, "purchase_id"), (RENEW_JOB, renewals, "renewal_id")):
            wanted = {f"{kind}:{row_id}": (row_id, user_id) for row_id, user_id in rows}
            if not wanted:
                continue
            existing = dict(session.exec(select(Job.dedupe_key, Job.id).where(Job.dedupe_key.in_(list(wanted)))).all())
            failed = set(session.exec(select(Job.id).where(Job.dedupe_key.in_(list(wanted)),
                                                            Job.status == JobStatus.failed)).all())
            for key, (row_id, user_id) in wanted.items():
                if key not in existing:
                    enqueue(session, kind, {field: row_id}, dedupe_key=key, user_id=user_id)
                    counts[kind] += 1
                elif existing[key] in failed and requeue(session, existing[key]):
                    counts[kind] += 1
    return counts


@handler(payments.START_JOB, max_attempts=40, backoff_seconds=3, backoff_max_seconds=30)
def start_payment(job: JobView) -> Outcome:
    """Ask the gateway to ring the customer's phone (again with the same reference after a timeout)."""
    result = payments.carry_out_start(int(job.payload["payment_id"]), last_attempt=job.last_attempt)
    if result.retry:
        return retry("the gateway did not answer; asking again with the same reference")
    return done(status=result.status)


@handler(payments.POLL_JOB, max_attempts=5000, backoff_seconds=5, backoff_max_seconds=60)
def poll_payment(job: JobView) -> Outcome:
    """Ask the gateway where a pending payment is, until it is final or past its deadline."""
    status, again = payments.poll_once(int(job.payload["payment_id"]))
    if again:
        return retry(f"payment {status}", delay=timedelta(seconds=get_settings().payment_poll_seconds))
    return done(status=status)


@handler(admin_payments.CHECK_JOB, max_attempts=3, backoff_seconds=5, backoff_max_seconds=30)
def check_payment_now(job: JobView) -> Outcome:
    """An admin's "check now": ask the gateway once and put its answer (or its silence) on the timeline."""
    return done(status=admin_payments.carry_out_check(int(job.payload["payment_id"])))


# --- hosting accounts on the servers' panels (core/provisioning.py) ---------------------------------------


def _panel_outcome(attempt: provisioning.Attempt) -> Outcome:
    if attempt.status == "done":
        return done(message=attempt.message)
    if attempt.status == "retry":
        return retry(attempt.message, delay=attempt.delay)
    return fail(attempt.message)


@handler(provisioning.CREATE_JOB, max_attempts=60, backoff_seconds=30, backoff_max_seconds=3600)
def create_account(job: JobView) -> Outcome:
    """Create a paid service's hosting account (find first, so a lost answer never makes a second one)."""
    return _panel_outcome(provisioning.carry_out_create(int(job.payload["service_id"])))


@handler(provisioning.SUSPEND_JOB, max_attempts=60, backoff_seconds=30, backoff_max_seconds=3600)
def suspend_account(job: JobView) -> Outcome:
    return _panel_outcome(provisioning.carry_out_suspend(int(job.payload["service_id"])))


@handler(provisioning.UNSUSPEND_JOB, max_attempts=60, backoff_seconds=30, backoff_max_seconds=3600)
def unsuspend_account(job: JobView) -> Outcome:
    return _panel_outcome(provisioning.carry_out_unsuspend(int(job.payload["service_id"])))


@handler(provisioning.TERMINATE_JOB, max_attempts=60, backoff_seconds=60, backoff_max_seconds=3600)
def terminate_account(job: JobView) -> Outcome:
    return _panel_outcome(provisioning.carry_out_terminate(int(job.payload["service_id"])))


@handler(provisioning.CHANGE_PACKAGE_JOB, max_attempts=60, backoff_seconds=30, backoff_max_seconds=3600)
def change_account_package(job: JobView) -> Outcome:
    return _panel_outcome(provisioning.carry_out_change_package(int(job.payload["service_id"])))


@handler(provisioning.USAGE_JOB, max_attempts=1_000_000, backoff_seconds=600, backoff_max_seconds=21600)
def refresh_account_usage(job: JobView) -> Outcome:
    """Disk and bandwidth used, every few hours while the account lives (the job queues itself again)."""
    return _panel_outcome(provisioning.carry_out_usage(int(job.payload["service_id"])))
