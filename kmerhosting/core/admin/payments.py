"""Admin: Mobile Money payments (list, filters, one payment's timeline, CSV) and "check now".

"Check now" never calls the gateway here: it queues a `payment.check` job for the worker, in the admin's
transaction, with the audit row. The job asks the gateway through `core.payments.check_payment`, which
credits a payment once at most (the customer's lock and the ledger's unique payment key), so a check
asked twice, or racing the poller or a webhook, can never credit twice.
"""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from ...db import session_scope
from ...integrations import payments as gw
from ...integrations.payments.factory import gateway_named
from ...models import Job, JobStatus, Payment, PaymentEvent, PaymentStatus, User, utcnow
from .. import audit, jobs
from ..args import parse_choice
from ..csv_cells import write_csv
from ..errors import InvalidInput, NotFound
from .common import Page, as_id, clean_text, ilike, paginate, require_admin

CHECK_JOB = "payment.check"
# What "check now" may look at: open payments, an expired one the customer may have paid late, and a
# flagged one (the check only records what the gateway says now; an admin settles it).
CHECKABLE = (PaymentStatus.created, PaymentStatus.pending, PaymentStatus.expired, PaymentStatus.flagged)
OPEN = (PaymentStatus.created, PaymentStatus.pending)
UNSUCCESSFUL = (PaymentStatus.failed, PaymentStatus.canceled, PaymentStatus.expired)
FAILED_WINDOW = timedelta(days=7)  # the overview counts the failures of the last week
# The status filter: one status, or a group the overview's cards link to.
STATUS_FILTERS = {"open": OPEN, "unsuccessful": UNSUCCESSFUL, **{s.value: (s,) for s in PaymentStatus}}
GATEWAYS = ("sandbox", "notchpay", "campay")
SEARCH_MAX = 120
CSV_MAX_ROWS = 50_000
_DIGITS = re.compile(r"[\s\u00a0\u202f.\-()/+]")


def _filtered(stmt, *, status: str = "", operator: str = "", gateway: str = "", search: str = ""):
    if status:
        status = parse_choice(status, STATUS_FILTERS, "admin.error.bad_filter")
        stmt = stmt.where(Payment.status.in_(STATUS_FILTERS[status]))
    if operator:
        stmt = stmt.where(Payment.operator == parse_choice(operator, gw.OPERATORS, "admin.error.bad_filter"))
    if gateway:
        stmt = stmt.where(Payment.gateway == parse_choice(gateway, GATEWAYS, "admin.error.bad_filter"))
    search = clean_text(search, SEARCH_MAX)
    if search:
        found = [ilike(Payment.reference, search), ilike(Payment.gateway_reference, search),
                 ilike(Payment.operator_reference, search), ilike(User.email, search)]
        digits = _DIGITS.sub("", search)
        if digits.isdigit() and len(digits) >= 3:
            # A number as typed ("6 77 12 34 56", "+237 677...") finds the stored "237677123456".
            found.append(ilike(Payment.phone, digits))
        stmt = stmt.where(sa.or_(*found))
    return stmt


def _joined():
    return select(Payment, User).join(User, User.id == Payment.user_id)


def list_payments(session: Session, actor_id: int, *, status: str = "", operator: str = "", gateway: str = "",
                  search: str = "", page=1, per_page=25) -> Page:
    """Payments with their customer, newest first. Rows: (Payment, User)."""
    require_admin(session, actor_id)
    stmt = _filtered(_joined(), status=status, operator=operator, gateway=gateway, search=search)
    return paginate(session, stmt.order_by(Payment.id.desc()), page, per_page)


def payment_detail(session: Session, actor_id: int, payment_id) -> dict:
    """One payment, its customer, its timeline (oldest first) and whether a check is waiting for the worker."""
    require_admin(session, actor_id)
    row = session.exec(_joined().where(Payment.id == as_id(payment_id))).first()
    if row is None:
        raise NotFound()
    payment, user = row
    events = list(session.exec(select(PaymentEvent).where(PaymentEvent.payment_id == payment.id)
                               .order_by(PaymentEvent.id.asc())).all())
    return {"payment": payment, "user": user, "events": events,
            "check_waiting": check_waiting(session, payment.id)}


def check_waiting(session: Session, payment_id: int) -> bool:
    """Whether a check asked by an admin is still queued or running."""
    return session.exec(select(Job.id).where(Job.kind == CHECK_JOB, Job.dedupe_key.like(f"{CHECK_JOB}:{payment_id}:%"),
                                             Job.status.in_((JobStatus.queued, JobStatus.running)))
                        .limit(1)).first() is not None


# --- check now ----------------------------------------------------------------------------------------


def request_check(session: Session, actor_id: int, payment_id) -> tuple[Job, bool]:
    """Queue a check of one payment by the worker (the caller commits). Returns (job, asked now).

    A second request before the gateway has answered returns the same job and records nothing more: the
    job's key names the last answer on the payment's timeline, and only a new answer makes a new key."""
    actor = require_admin(session, actor_id)
    payment = session.exec(select(Payment).where(Payment.id == as_id(payment_id)).with_for_update()).first()
    if payment is None:
        raise NotFound()
    if payment.status not in CHECKABLE:
        raise InvalidInput("admin.payments.error.final")
    last = session.exec(select(sa.func.max(PaymentEvent.id)).where(PaymentEvent.payment_id == payment.id)).one()
    key = f"{CHECK_JOB}:{payment.id}:{last or 0}"
    existing = jobs.job_for(session, key)
    if existing is not None:
        return existing, False
    job = jobs.enqueue(session, CHECK_JOB, {"payment_id": payment.id, "actor_id": actor.id}, dedupe_key=key,
                       user_id=payment.user_id)
    audit.record(session, actor.id, "payment.check", "payment", payment.id, {"status": payment.status},
                 {"job_id": job.id})
    return job, True


def carry_out_check(payment_id: int) -> str:
    """The `payment.check` job: ask the gateway now and act on its answer, or record that it did not answer.

    A flagged payment is only looked at: the answer goes on its timeline and nothing else moves."""
    from .. import payments  # noqa: PLC0415  (the worker's side; keeps the admin listing light)

    with session_scope() as session:
        payment = session.get(Payment, payment_id)
        if payment is None:
            return "missing"
        status, gateway_name = payment.status, payment.gateway
        reference, gateway_reference = payment.reference, payment.gateway_reference or ""
    try:
        if status != PaymentStatus.flagged:
            return payments.check_payment(payment_id, source="check")
        gateway = gateway_named(gateway_name)
        if gateway is None:
            raise gw.GatewayUnavailable(f"gateway {gateway_name} is not configured")
        try:
            answer = gateway.status(reference, gateway_reference)
            said, raw, note = answer.status, dict(answer.raw), "looked only: an admin settles a flagged payment"
        except gw.GatewayRejected as exc:
            said, raw, note = "", {"error": str(exc), "code": exc.code}, "unknown to the gateway"
    except gw.GatewayUnavailable as exc:
        said, raw, note = "", {"error": str(exc)}, "no answer"
    with session_scope() as session:
        payments._event(session, payment_id, "check", said[:16], raw, note=note)
        session.execute(sa.update(Payment).where(Payment.id == payment_id).values(checked_at=utcnow()))
        session.commit()
        return session.get(Payment, payment_id).status


def check_status(payment_id: int, job_id: int) -> tuple[str, bool]:
    """(payment status, check finished) for a page that follows a check it asked for."""
    with session_scope() as session:
        payment = session.get(Payment, payment_id)
        job = session.get(Job, job_id)
        finished = job is None or job.status in (JobStatus.done, JobStatus.failed)
        return (payment.status if payment else "missing"), finished


# --- the overview --------------------------------------------------------------------------------------


def counts(session: Session, actor_id: int) -> dict[str, int]:
    """What needs an eye: payments still open, failures of the last 7 days, flagged payments."""
    require_admin(session, actor_id)

    def count(*where) -> int:
        return int(session.execute(select(sa.func.count()).select_from(Payment).where(*where)).scalar_one())

    since = utcnow() - FAILED_WINDOW
    return {"pending_payments": count(Payment.status.in_(OPEN)),
            "failed_payments": count(Payment.status.in_(UNSUCCESSFUL), Payment.created_at >= since),
            "flagged_payments": count(Payment.status == PaymentStatus.flagged)}


# --- CSV -------------------------------------------------------------------------------------------------

# Machine columns first (ISO 8601 local time, codes, integer XAF), then the same row in words in the
# reader's language.
CSV_HEADER = ["created_at", "reference", "gateway_reference", "operator_reference", "customer_email",
              "customer_name", "phone", "operator", "gateway", "status", "amount_xaf", "received_amount",
              "received_currency", "completed_at", "reason", "status_label", "operator_label", "gateway_label"]


def payments_csv(session: Session, actor_id: int, lang: str = "fr", *, status: str = "", operator: str = "",
                 gateway: str = "", search: str = "") -> str:
    """Every payment the filters select, newest first, as CSV."""
    from ...i18n import display  # noqa: PLC0415

    require_admin(session, actor_id)
    stmt = _filtered(_joined(), status=status, operator=operator, gateway=gateway, search=search)

    def iso(moment) -> str:
        return display.local_time(moment).isoformat(timespec="seconds") if moment else ""

    # References, reasons and names can hold what a customer or a gateway wrote: write_csv keeps them inert.
    return write_csv(CSV_HEADER, (
        [iso(p.created_at), p.reference, p.gateway_reference or "", p.operator_reference, u.email, u.name, p.phone,
         p.operator, p.gateway, p.status, int(p.amount), "" if p.received_amount is None else int(p.received_amount),
         p.received_currency, iso(p.completed_at), p.reason, display.label("payment_status", p.status, lang),
         display.label("operator", p.operator, lang), display.label("gateway", p.gateway, lang)]
        for p, u in session.execute(stmt.order_by(Payment.id.desc()).limit(CSV_MAX_ROWS))))
