"""Mobile Money top-ups: a customer asks for credits, confirms on the phone, the balance moves once.

The life of a payment (models/payment.py):

1. `start_topup()` (a page's event, database only): validates, writes the payment with our own
   reference and a `payment.start` job in one transaction.
2. The worker's `payment.start` job asks the gateway to push the request to the phone. A timeout leaves
   the payment `created` and is tried again with the same reference (the client first asks the gateway
   whether that reference exists, so a retry never starts a second charge). A refusal marks it failed.
3. The worker's `payment.poll` job asks the gateway where the payment is every PAYMENT_POLL_SECONDS
   until it is final or past its deadline; a webhook (`handle_webhook`) only makes the shop ask sooner.
4. Only the gateway's status answer moves money (`settle`): "complete" with our amount and currency posts
   one `credit` ledger row under the customer's lock, keyed by the gateway reference (unique), links it
   to the payment and queues the receipt mail, all in one transaction. Any other amount or currency
   flags the payment for an admin and credits nothing. Failed, cancelled and expired credit nothing.

A payment expired by our deadline (the gateway still said pending) is still credited if the gateway later
says complete: the customer's money was taken, it must arrive. None of these functions holds a
transaction open while a gateway is asked.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..config import get_settings
from ..db import lock_user, session_scope
from ..integrations import payments as gw
from ..integrations.payments.factory import gateway_named
from ..models import Payment, PaymentEvent, PaymentStatus, TransactionKind, User, as_utc, utcnow
from . import ledger, mailer
from .args import parse_choice, parse_id
from .errors import InvalidInput, NotAuthorized, NotFound

log = logging.getLogger(__name__)

START_JOB = "payment.start"
POLL_JOB = "payment.poll"
MAX_OPEN = 3  # payments waiting for a phone at once, per customer (each one rings the phone)
FINAL = frozenset({PaymentStatus.complete, PaymentStatus.failed, PaymentStatus.canceled, PaymentStatus.expired,
                   PaymentStatus.flagged})
OPEN = (PaymentStatus.created, PaymentStatus.pending)

# Cameroonian mobile numbers: 9 digits from 6. Prefixes of each operator (ART numbering plan), used to
# suggest the operator and to catch an obvious mix-up; unknown prefixes are accepted as typed.
_PREFIXES = {gw.MTN: ("67", "650", "651", "652", "653", "654", "680", "681", "682", "683"),
             gw.ORANGE: ("69", "655", "656", "657", "658", "659", "686", "687", "688", "689")}
_PHONE_NOISE = re.compile(r"[\s\u00a0\u202f.\-()/]")


# --- input ------------------------------------------------------------------------------------------


def parse_phone(raw) -> str:
    """A Cameroonian mobile number in any usual form ("6 77 12 34 56", "+237 677123456", "00237677123456",
    "237-677-12-34-56") as the gateways want it: "237677123456"."""
    text = _PHONE_NOISE.sub("", raw) if isinstance(raw, str) else ""
    if text.startswith("+"):
        text = text[1:]
    elif text.startswith("00"):
        text = text[2:]
    if len(text) == 12 and text.startswith("237"):
        text = text[3:]
    if not re.fullmatch(r"6\d{8}", text):
        raise InvalidInput("payment.error.phone")
    return "237" + text


def operator_of(phone: str) -> str:
    """The operator a number belongs to by its prefix, or "" when the prefix does not say."""
    local = phone[3:] if phone.startswith("237") else phone
    for operator, prefixes in _PREFIXES.items():
        if local.startswith(prefixes):
            return operator
    return ""


def parse_operator(raw) -> str:
    return parse_choice(raw, gw.OPERATORS, "payment.error.operator")


def parse_amount(raw) -> int:
    from .credit_requests import _SPACES, AmountOutOfRange  # noqa: PLC0415  (one way to read "25 000")

    text = _SPACES.sub("", raw) if isinstance(raw, str) else raw
    if isinstance(text, bool) or not (isinstance(text, int) or (isinstance(text, str) and text.isdigit())):
        raise InvalidInput("error.amount_not_integer")
    amount = int(text)
    settings = get_settings()
    if not settings.topup_min <= amount <= settings.topup_max:
        raise AmountOutOfRange(settings.topup_min, settings.topup_max, "payment.error.amount_range")
    return amount


# --- starting -----------------------------------------------------------------------------------------


def new_reference() -> str:
    """Our reference for a payment: unguessable, short enough for every gateway, made before any call."""
    return "KH" + secrets.token_hex(10).upper()


def start_topup(session: Session, user_id: int, amount, operator, phone, *, lang: str = "fr") -> Payment:
    """Write a top-up and the job that starts it (one transaction, committed here). No gateway call."""
    amount = parse_amount(amount)
    operator = parse_operator(operator)
    phone = parse_phone(phone)
    known = operator_of(phone)
    if known and known != operator:
        raise InvalidInput("payment.error.operator_mismatch")
    user = lock_user(session, user_id)  # serialises a customer's starts: MAX_OPEN holds under a double click
    if user is None:
        raise NotFound()
    if user.is_blocked:
        raise NotAuthorized()
    now = utcnow()
    open_count = session.exec(select(sa.func.count()).select_from(Payment).where(
        Payment.user_id == user_id, Payment.status.in_(OPEN), Payment.deadline_at > now)).one()
    if open_count >= MAX_OPEN:
        raise InvalidInput("payment.error.too_many_open", n=MAX_OPEN)
    settings = get_settings()
    payment = Payment(user_id=user_id, reference=new_reference(), gateway=settings.payment_gateway,
                      operator=operator, phone=phone, amount=amount, currency=settings.currency,
                      status=PaymentStatus.created, language=lang if lang in ("fr", "en") else "fr",
                      deadline_at=now + timedelta(minutes=settings.payment_deadline_minutes))
    session.add(payment)
    session.flush()
    _event(session, payment.id, "start", PaymentStatus.created, {"amount": amount, "operator": operator})
    from . import jobs  # noqa: PLC0415

    jobs.enqueue(session, START_JOB, {"payment_id": payment.id}, dedupe_key=f"{START_JOB}:{payment.id}",
                 user_id=user_id)
    session.commit()
    return payment


def _event(session: Session, payment_id: int, source: str, status: str = "", detail: dict | None = None,
           note: str = "") -> None:
    session.add(PaymentEvent(payment_id=payment_id, source=source, status=status or "",
                             detail=_plain(detail or {}), note=note[:2000]))


def _plain(data) -> dict:
    """What a gateway said, kept as JSON (nothing secret is in a gateway's answer)."""
    import json  # noqa: PLC0415

    try:
        return json.loads(json.dumps(dict(data), default=str))
    except (TypeError, ValueError):
        return {"text": str(data)[:2000]}


@dataclass(frozen=True)
class StartResult:
    status: str          # the payment's status after this attempt
    retry: bool = False  # the gateway did not answer: try again


def carry_out_start(payment_id: int, *, last_attempt: bool = False) -> StartResult:
    """One attempt of the `payment.start` job."""
    with session_scope() as session:
        payment = session.get(Payment, payment_id)
        if payment is None:
            return StartResult("missing")
        if payment.status != PaymentStatus.created:
            return StartResult(payment.status)
        user = session.get(User, payment.user_id)
        snapshot = (payment.reference, payment.amount, payment.currency, payment.operator, payment.phone,
                    payment.gateway, as_utc(payment.deadline_at), user.name if user else "", user.email if user else "")
    reference, amount, currency, operator, phone, gateway_name, deadline, name, email = snapshot
    gateway = gateway_named(gateway_name)
    if gateway is None:
        _finish(payment_id, PaymentStatus.failed, "start", reason=f"gateway {gateway_name} is not configured")
        return StartResult(PaymentStatus.failed)
    try:
        started = gateway.start(reference=reference, amount=amount, currency=currency, operator=operator,
                                phone=phone, description=f"KmerHosting credits {reference}",
                                customer_name=name, customer_email=email)
    except gw.GatewayRejected as exc:
        if exc.code == "duplicate":
            # The gateway already has this reference (an earlier attempt's answer was lost): the phone was
            # asked once; the poller and the webhook follow it from here.
            _mark_started(payment_id, gw.Started(gateway_reference="", raw={"duplicate": str(exc)}))
            return StartResult(PaymentStatus.pending)
        _finish(payment_id, PaymentStatus.failed, "start", reason=str(exc) or exc.code,
                detail={"error": str(exc), "code": exc.code})
        return StartResult(PaymentStatus.failed)
    except gw.GatewayUnavailable as exc:
        with session_scope() as session:
            _event(session, payment_id, "start", "", {"error": str(exc)}, note="no answer")
            session.commit()
        if last_attempt or utcnow() > deadline or not getattr(gateway, "retry_start_after_timeout", True):
            # Never answered: if the request did reach the gateway, the poller still finds it by our
            # reference; if it did not, the payment expires.
            _mark_started(payment_id, gw.Started(gateway_reference="", raw={"unanswered": str(exc)}))
            return StartResult(PaymentStatus.pending)
        return StartResult(PaymentStatus.created, retry=True)
    _mark_started(payment_id, started)
    if started.status in gw.FINAL_STATUSES:
        check_payment(payment_id, source="start")
    return StartResult(PaymentStatus.pending)


def _mark_started(payment_id: int, started: gw.Started) -> None:
    settings = get_settings()
    from . import jobs  # noqa: PLC0415

    with session_scope() as session:
        session.execute(sa.update(Payment).where(Payment.id == payment_id, Payment.status == PaymentStatus.created)
                        .values(status=PaymentStatus.pending, gateway_reference=started.gateway_reference or None,
                                ussd_code=started.ussd_code[:32], redirect_url=started.redirect_url[:500],
                                updated_at=utcnow()))
        _event(session, payment_id, "start", PaymentStatus.pending, dict(started.raw))
        payment = session.get(Payment, payment_id)
        jobs.enqueue(session, POLL_JOB, {"payment_id": payment_id}, dedupe_key=f"{POLL_JOB}:{payment_id}",
                     user_id=payment.user_id, delay=timedelta(seconds=settings.payment_poll_seconds))
        session.commit()


def _finish(payment_id: int, status: str, source: str, *, reason: str = "", detail: dict | None = None,
            allowed: tuple = OPEN) -> bool:
    """Move an open payment to a final status that credits nothing. False if it had moved on already."""
    with session_scope() as session:
        moved = session.execute(
            sa.update(Payment).where(Payment.id == payment_id, Payment.status.in_(allowed))
            .values(status=status, reason=reason[:255], updated_at=utcnow(), checked_at=utcnow())).rowcount
        _event(session, payment_id, source, status, detail or {}, note=reason)
        session.commit()
        return moved == 1


# --- following ---------------------------------------------------------------------------------------


def check_payment(payment_id: int, *, source: str = "poll") -> str:
    """Ask the payment's gateway where it is and act on the answer. Returns the payment's status.

    Raises gw.GatewayUnavailable when the gateway does not answer (nothing changes)."""
    with session_scope() as session:
        payment = session.get(Payment, payment_id)
        if payment is None:
            raise NotFound()
        if payment.status in (PaymentStatus.complete, PaymentStatus.flagged):
            return payment.status
        gateway_name, reference, gateway_reference = payment.gateway, payment.reference, payment.gateway_reference
        last = session.exec(select(PaymentEvent.status).where(PaymentEvent.payment_id == payment_id,
                                                              PaymentEvent.source.in_(("poll", "check")))
                            .order_by(PaymentEvent.id.desc()).limit(1)).first()
    gateway = gateway_named(gateway_name)
    if gateway is None:
        raise gw.GatewayUnavailable(f"gateway {gateway_name} is not configured")
    try:
        answer = gateway.status(reference, gateway_reference or "")
    except gw.GatewayRejected as exc:
        if exc.code != "not_found":
            raise gw.GatewayUnavailable(str(exc)) from exc
        answer = None  # the gateway does not know it (yet): still pending until the deadline says otherwise
    if answer is not None and answer.reference and answer.reference != reference:
        log.warning("payment %s: the gateway answered for %s", payment_id, answer.reference)
        answer = None
    return settle(payment_id, answer, source=source, record=source != "poll" or answer is None
                  or answer.status != last)


def settle(payment_id: int, answer: gw.GatewayStatus | None, *, source: str, record: bool = True) -> str:
    """Act on a gateway's status answer (None: it does not know the payment)."""
    if answer is None or answer.status == gw.PENDING:
        with session_scope() as session:
            values = {"checked_at": utcnow()}
            if answer is not None and answer.gateway_reference:
                payment = session.get(Payment, payment_id)
                if not payment.gateway_reference:
                    values["gateway_reference"] = answer.gateway_reference
            session.execute(sa.update(Payment).where(Payment.id == payment_id).values(**values))
            if record:
                _event(session, payment_id, source, gw.PENDING if answer else "",
                       dict(answer.raw) if answer else {}, note="" if answer else "unknown to the gateway")
            session.commit()
            return session.get(Payment, payment_id).status
    if answer.status == gw.COMPLETE:
        return _credit(payment_id, answer, source)
    status = {gw.FAILED: PaymentStatus.failed, gw.CANCELED: PaymentStatus.canceled,
              gw.EXPIRED: PaymentStatus.expired}[answer.status]
    allowed = (*OPEN, PaymentStatus.expired)
    _finish(payment_id, status, source, reason=answer.reason or answer.status, detail=dict(answer.raw),
            allowed=allowed)
    with session_scope() as session:
        return session.get(Payment, payment_id).status


def _credit(payment_id: int, answer: gw.GatewayStatus, source: str) -> str:
    """Credit a completed payment once: under the customer's lock, re-read, post, link, mail, commit."""
    with session_scope() as session:
        payment = session.get(Payment, payment_id)
        user = lock_user(session, payment.user_id)
        payment = session.exec(select(Payment).where(Payment.id == payment_id).with_for_update()
                               .execution_options(populate_existing=True)).one()
        if payment.status in (PaymentStatus.complete, PaymentStatus.flagged):
            return payment.status
        now = utcnow()
        gateway_reference = payment.gateway_reference or answer.gateway_reference or payment.reference
        payment.gateway_reference = gateway_reference
        payment.received_amount, payment.received_currency = answer.amount, (answer.currency or "")[:3]
        payment.operator_reference = (answer.operator_reference or "")[:100]
        payment.checked_at = payment.updated_at = now
        if answer.amount != payment.amount or (answer.currency or "").upper() != payment.currency:
            payment.status = PaymentStatus.flagged
            payment.reason = (f"complete with {answer.amount} {answer.currency}, "
                              f"asked {payment.amount} {payment.currency}")[:255]
            session.add(payment)
            _event(session, payment_id, source, PaymentStatus.flagged, dict(answer.raw), note=payment.reason)
            session.commit()
            log.warning("payment %s flagged: %s", payment_id, payment.reason)
            return PaymentStatus.flagged
        row = ledger.post(session, payment.user_id, payment.amount, TransactionKind.credit,
                          reference=f"payment:{payment.id}", description=f"Mobile Money {payment.operator}",
                          )
        row.payment_key = f"{payment.gateway}:{gateway_reference}"[:120]
        session.add(row)
        payment.status, payment.transaction_id, payment.completed_at = PaymentStatus.complete, row.id, now
        payment.reason = ""
        session.add(payment)
        _event(session, payment_id, source, PaymentStatus.complete, dict(answer.raw))
        mailer.send_later(session, "payment_received", user.email, payment.language or user.language or "fr",
                          {"name": user.name, "amount": payment.amount, "balance": row.balance_after,
                           "operator": payment.operator, "reference": payment.reference},
                          user_id=user.id)
        try:
            session.commit()
        except IntegrityError:
            # The ledger already holds this gateway payment (the unique payment key): never twice.
            session.rollback()
            log.warning("payment %s: already credited (payment key %s)", payment_id, row.payment_key)
            return session.get(Payment, payment_id).status
        return PaymentStatus.complete


def poll_once(payment_id: int) -> tuple[str, bool]:
    """One attempt of the `payment.poll` job: (status, keep polling)."""
    with session_scope() as session:
        payment = session.get(Payment, payment_id)
        if payment is None:
            return "missing", False
        if payment.status in FINAL:
            return payment.status, False
        deadline = as_utc(payment.deadline_at)
    try:
        status = check_payment(payment_id, source="poll")
    except gw.GatewayUnavailable as exc:
        status = None
        error = str(exc)
    if status in FINAL:
        return status, False
    if utcnow() < deadline:
        return status or PaymentStatus.pending, True
    note = "deadline passed" if status else f"deadline passed; the gateway did not answer ({error})"
    _finish(payment_id, PaymentStatus.expired, "expiry", reason=note)
    with session_scope() as session:
        return session.get(Payment, payment_id).status, False


# --- webhooks -----------------------------------------------------------------------------------------


def handle_webhook(gateway_name: str, *, method: str, headers, query, body: bytes) -> tuple[int, dict]:
    """A gateway's notification: check its signature, then ask the gateway (never trust the body).
    Returns (HTTP status, JSON answer). Runs in a worker thread of the API, not on the event loop."""
    gateway = gateway_named(gateway_name)
    if gateway is None or gateway.name == "sandbox":
        return 404, {"error": "unknown gateway"}
    try:
        hint = gateway.parse_webhook(method=method, headers=headers, query=query, body=body)
    except gw.InvalidWebhook as exc:
        log.warning("webhook from %s refused: %s", gateway_name, exc)
        return 401, {"error": "invalid signature"}
    with session_scope() as session:
        payment = session.exec(select(Payment).where(Payment.reference == hint.reference[:40],
                                                     Payment.gateway == gateway_name)).first()
        if payment is None:
            return 200, {"status": "ignored"}  # not ours (another shop on the same account): not an error
        payment_id = payment.id
        if not payment.gateway_reference and hint.gateway_reference:
            # Only a hint: check_payment asks the gateway with it and verifies the answer names our reference.
            session.execute(sa.update(Payment).where(Payment.id == payment_id, Payment.gateway_reference.is_(None))
                            .values(gateway_reference=hint.gateway_reference[:100]))
        _event(session, payment_id, "webhook", hint.status[:16], {"event": hint.event, **dict(hint.raw)})
        session.commit()
    try:
        status = check_payment(payment_id, source="webhook")
    except gw.GatewayUnavailable:
        return 202, {"status": "queued"}  # the poller asks again
    except IntegrityError:
        # Another payment already holds this gateway reference: the hint was wrong; the poller decides.
        return 202, {"status": "queued"}
    return 200, {"status": status}


# --- reading ------------------------------------------------------------------------------------------


def get_own(session: Session, user_id: int, payment_id) -> Payment:
    payment = session.get(Payment, parse_id(payment_id))
    if payment is None or payment.user_id != user_id:
        raise NotFound()
    return payment


def recent(session: Session, user_id: int, limit: int = 10) -> list[Payment]:
    return list(session.exec(select(Payment).where(Payment.user_id == user_id)
                             .order_by(Payment.id.desc()).limit(limit)).all())


def reference_used(session: Session, text: str) -> bool:
    """Whether a payment reference a customer types is one our gateways already paid (Mobile Money id)."""
    needle = (text or "").strip().lower()
    if not needle:
        return False
    return session.exec(select(Payment.id).where(
        sa.or_(sa.func.lower(Payment.gateway_reference) == needle,
               sa.func.lower(Payment.operator_reference) == needle,
               sa.func.lower(Payment.reference) == needle)).limit(1)).first() is not None


def deadline_of(payment: Payment) -> datetime:
    return as_utc(payment.deadline_at)


@dataclass(frozen=True)
class Watched:
    """What a customer's page needs to follow one payment: the payment as plain values and the balance."""

    payment: dict
    balance: int


def watch(user_id: int, payment_id: int) -> Watched:
    """One read for the page that follows a payment (database only; run off the event loop)."""
    with session_scope() as session:
        payment = get_own(session, user_id, payment_id)
        user = session.get(User, user_id)
        return Watched(payment=payment.model_dump(), balance=user.credits if user else 0)


def balance_of(user_id: int) -> int:
    with session_scope() as session:
        return session.exec(select(User.credits).where(User.id == user_id)).one()
