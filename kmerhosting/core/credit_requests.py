"""A customer's requests for credits: "I paid X by Mobile Money, reference Y, please add it".

The customer creates and cancels; an admin approves or rejects (admin module). A request changes
no balance by itself: credits only arrive through the ledger when an admin approves.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import Session, select

from ..config import get_settings
from ..i18n import translate
from ..models import CreditRequest, CreditRequestStatus, PaymentMethod, User
from .args import parse_id
from .errors import InvalidInput, NotAuthorized, NotFound

REFERENCE_MIN, REFERENCE_MAX = 3, 100
MAX_PENDING = 10  # enough for any honest customer; stops a script from flooding the admins' queue
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class AmountOutOfRange(InvalidInput):
    """The limits are shown as money in the reader's language."""

    def __init__(self, minimum: int, maximum: int, key: str = "dashboard.credit_amount_range"):
        super().__init__(key, min=minimum, max=maximum)

    def message(self, lang: str = "fr") -> str:
        from ..i18n import display

        return translate(self.key, lang, min=display.money(self.params["min"], lang),
                         max=display.money(self.params["max"], lang))


def parse_amount(raw) -> int:
    """An integer amount of XAF from a form ("25 000" is fine; 10.5, "abc", True are not)."""
    if isinstance(raw, bool):
        raise InvalidInput("error.amount_not_integer")
    if isinstance(raw, int):
        amount = raw
    elif isinstance(raw, str):
        text = _SPACES.sub("", raw)
        if not re.fullmatch(r"-?\d{1,15}", text):
            raise InvalidInput("error.amount_not_integer")
        amount = int(text)
    else:
        raise InvalidInput("error.amount_not_integer")
    if amount <= 0:
        raise InvalidInput("error.amount_positive")
    settings = get_settings()
    if not settings.credit_request_min <= amount <= settings.credit_request_max:
        raise AmountOutOfRange(settings.credit_request_min, settings.credit_request_max)
    return amount


def parse_method(raw) -> str:
    if not isinstance(raw, str) or raw not in PaymentMethod.__members__.values():
        raise InvalidInput("dashboard.credit_method_invalid")
    return PaymentMethod(raw).value


def parse_reference(raw) -> str:
    text = _SPACES.sub(" ", raw).strip() if isinstance(raw, str) else ""
    if not REFERENCE_MIN <= len(text) <= REFERENCE_MAX:
        raise InvalidInput("dashboard.credit_reference_length", min=REFERENCE_MIN, max=REFERENCE_MAX)
    return text


def create_request(session: Session, user_id: int, amount, method, reference) -> CreditRequest:
    """Validate everything first, then write one pending request. Commits."""
    amount = parse_amount(amount)
    method = parse_method(method)
    reference = parse_reference(reference)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    if user.is_blocked:
        raise NotAuthorized()
    if _pending_count(session, user_id) >= MAX_PENDING:
        raise InvalidInput("dashboard.credit_too_many_pending", n=MAX_PENDING)
    if reference_used(session, reference):
        raise InvalidInput("dashboard.credit_reference_used")
    request = CreditRequest(user_id=user_id, amount=amount, payment_method=method,
                            payment_reference=reference, status=CreditRequestStatus.pending)
    session.add(request)
    session.commit()
    return request


def reference_used(session: Session, reference: str) -> bool:
    """A payment reference already behind credits or waiting for them: a request that is pending or was
    approved (any customer's), or a Mobile Money payment our gateway received. A rejected or cancelled
    request frees it (the customer may have mistyped, then corrected)."""
    from .payments import reference_used as paid_by_gateway  # noqa: PLC0415

    needle = _SPACES.sub(" ", reference).strip().lower()
    taken = session.exec(select(CreditRequest.id).where(
        sa.func.lower(CreditRequest.payment_reference) == needle,
        CreditRequest.status.in_([CreditRequestStatus.pending, CreditRequestStatus.approved])).limit(1)).first()
    return taken is not None or paid_by_gateway(session, needle)


def cancel_request(session: Session, user_id: int, request_id) -> None:
    """The owner withdraws a pending request. Commits.

    One conditional UPDATE, so an admin deciding at the same moment wins or loses cleanly:
    a request is never both approved and cancelled.
    """
    request_id = parse_id(request_id)
    done = session.execute(
        sa.update(CreditRequest)
        .where(CreditRequest.id == request_id, CreditRequest.user_id == user_id,
               CreditRequest.status == CreditRequestStatus.pending)
        .values(status=CreditRequestStatus.cancelled)
    ).rowcount
    if done != 1:
        session.rollback()
        request = session.get(CreditRequest, request_id)
        if request is None or request.user_id != user_id:
            raise NotFound()
        raise InvalidInput("dashboard.credit_not_pending")
    session.commit()


def list_requests(session: Session, user_id: int) -> list[CreditRequest]:
    """The customer's own requests, newest first."""
    return list(session.exec(select(CreditRequest).where(CreditRequest.user_id == user_id)
                             .order_by(CreditRequest.created_at.desc(), CreditRequest.id.desc())).all())


def _pending_count(session: Session, user_id: int) -> int:
    return session.exec(select(sa.func.count()).select_from(CreditRequest)
                        .where(CreditRequest.user_id == user_id,
                               CreditRequest.status == CreditRequestStatus.pending)).one()
