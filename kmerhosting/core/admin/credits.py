"""Admin: add or correct credits, decide customers' credit requests.

Every balance change goes through `core.ledger` under the user's row lock. A request is decided by a
conditional UPDATE ... WHERE status = 'pending': of two concurrent approvals only one changes the row,
so the amount is credited once.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from ...models import CreditRequest, CreditRequestStatus, TransactionKind, User, utcnow
from .. import audit, ledger
from ..args import parse_choice
from ..errors import InsufficientCredits, InvalidInput, NotFound
from .common import Mail, Page, as_id, as_int, clean_text, paginate, require_admin

MAX_AMOUNT = 100_000_000  # one operation; far above any real top-up, stops typos with extra zeros
REASON_MIN, REASON_MAX = 3, 255


def _reason(value) -> str:
    text = clean_text(value, 1000)
    if len(text) < REASON_MIN:
        raise InvalidInput("admin.error.reason_required")
    if len(text) > REASON_MAX:
        raise InvalidInput("admin.error.reason_too_long", max=REASON_MAX)
    return text


def _mail_lang(user: User) -> str:
    return user.language or "fr"


def adjust_credits(session: Session, actor_id: int, user_id, amount, reason, *, correction: bool = False):
    """Add credits (kind `credit`, amount > 0) or correct a balance (kind `adjustment`, signed, never
    below zero). Returns (ledger row, the mail queued with it)."""
    actor = require_admin(session, actor_id)
    user_id = as_id(user_id)
    amount = as_int(amount, "admin.error.amount", minimum=-MAX_AMOUNT, maximum=MAX_AMOUNT)
    reason = _reason(reason)
    if amount == 0 or (amount < 0 and not correction):
        raise InvalidInput("admin.error.amount_positive" if not correction else "admin.error.amount_nonzero")
    before = ledger.balance(session, user_id)
    kind = TransactionKind.adjustment if correction else TransactionKind.credit
    try:
        row = ledger.post(session, user_id, amount, kind, reference=f"admin:{actor.id}",
                          description=reason, actor_id=actor.id)
    except InsufficientCredits:
        raise InvalidInput("admin.error.below_zero", balance=before) from None
    audit.record(session, actor.id, f"credits.{kind}", "user", user_id, {"credits": before},
                 {"credits": row.balance_after, "amount": amount, "reason": reason, "transaction_id": row.id})
    user = session.get(User, user_id)
    mail = Mail("credit_added", user.email, _mail_lang(user),
                {"name": user.name, "amount": amount, "balance": row.balance_after, "reason": reason},
                {"user_id": user.id}).queue(session)
    return row, mail


def list_requests(session: Session, actor_id: int, *, status: str = "pending", page=1, per_page=25) -> Page:
    """Credit requests with their customer, oldest pending first. Rows: (CreditRequest, User)."""
    require_admin(session, actor_id)
    stmt = select(CreditRequest, User).join(User, User.id == CreditRequest.user_id)
    if status:
        status = parse_choice(status, CreditRequestStatus.__members__, "admin.error.bad_filter")
        stmt = stmt.where(CreditRequest.status == status)
    order = CreditRequest.id.asc() if status == CreditRequestStatus.pending else CreditRequest.id.desc()
    return paginate(session, stmt.order_by(order), page, per_page)


def _claim(session: Session, request_id: int, status: str, actor_id: int, note: str) -> CreditRequest:
    """Move a pending request to `status`; refuses when someone else decided it first."""
    result = session.execute(
        sa.update(CreditRequest)
        .where(CreditRequest.id == request_id, CreditRequest.status == CreditRequestStatus.pending)
        .values(status=status, decided_by_id=actor_id, decided_at=utcnow(), note=note)
    )
    if result.rowcount != 1:
        if session.get(CreditRequest, request_id) is None:
            raise NotFound()
        raise InvalidInput("admin.error.request_decided")
    request = session.get(CreditRequest, request_id)
    session.refresh(request)
    return request


def approve_request(session: Session, actor_id: int, request_id, note="") -> tuple[CreditRequest, Mail]:
    """Approve a pending request and credit its amount, in one transaction (the caller commits)."""
    actor = require_admin(session, actor_id)
    request_id = as_id(request_id)
    note = clean_text(note, 500)
    request = _claim(session, request_id, CreditRequestStatus.approved, actor.id, note)
    if request.amount <= 0:
        raise InvalidInput("admin.error.amount_positive")
    row = ledger.add_credits(session, request.user_id, int(request.amount), reference=f"request:{request.id}",
                             actor_id=actor.id)
    audit.record(session, actor.id, "credit_request.approve", "credit_request", request.id,
                 {"status": CreditRequestStatus.pending},
                 {"status": CreditRequestStatus.approved, "amount": request.amount, "note": note,
                  "balance": row.balance_after, "transaction_id": row.id})
    user = session.get(User, request.user_id)
    mail = Mail("credit_request_approved", user.email, _mail_lang(user),
                {"name": user.name, "amount": int(request.amount), "balance": row.balance_after, "note": note},
                {"user_id": user.id}).queue(session)
    return request, mail


def reject_request(session: Session, actor_id: int, request_id, note) -> tuple[CreditRequest, Mail]:
    """Reject a pending request; the customer reads the note, so it is required."""
    actor = require_admin(session, actor_id)
    request_id = as_id(request_id)
    note = clean_text(note, 1000)
    if len(note) < REASON_MIN:
        raise InvalidInput("admin.error.note_required")
    if len(note) > 500:
        raise InvalidInput("admin.error.reason_too_long", max=500)
    request = _claim(session, request_id, CreditRequestStatus.rejected, actor.id, note)
    audit.record(session, actor.id, "credit_request.reject", "credit_request", request.id,
                 {"status": CreditRequestStatus.pending}, {"status": CreditRequestStatus.rejected, "note": note})
    user = session.get(User, request.user_id)
    mail = Mail("credit_request_rejected", user.email, _mail_lang(user),
                {"name": user.name, "amount": int(request.amount), "note": note}, {"user_id": user.id}).queue(session)
    return request, mail
