"""The credit ledger: every balance change is one Transaction row, written under the user's row lock.

`post()` is the only function that changes `User.credits`. It does not commit: the caller's
transaction also holds what was bought, so both land together or neither does.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from ..db import lock_user
from ..models import Transaction, TransactionKind, User
from .errors import InsufficientCredits, InvalidInput, NotFound


def _check_amount(amount) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidInput("error.amount_not_integer")
    return amount


def post(session: Session, user_id: int, amount: int, kind: str, *, reference: str = "",
         description: str = "", actor_id: int | None = None, order_id: int | None = None,
         service_id: int | None = None, allow_negative: bool = False) -> Transaction:
    """Add a signed amount to a user's balance and record it. Raises InsufficientCredits."""
    amount = _check_amount(amount)
    user = lock_user(session, user_id)
    if user is None:
        raise NotFound()
    new_balance = user.credits + amount
    if new_balance < 0 and not allow_negative:
        raise InsufficientCredits(missing=-new_balance)
    user.credits = new_balance
    row = Transaction(user_id=user_id, kind=kind, amount=amount, balance_after=new_balance,
                      reference=reference[:64], description=description[:255], actor_id=actor_id,
                      order_id=order_id, service_id=service_id)
    session.add(user)
    session.add(row)
    session.flush()
    return row


def add_credits(session: Session, user_id: int, amount: int, *, reference: str = "",
                actor_id: int | None = None, description: str = "") -> Transaction:
    if _check_amount(amount) <= 0:
        raise InvalidInput("error.amount_positive")
    return post(session, user_id, amount, TransactionKind.credit, reference=reference,
                actor_id=actor_id, description=description)


def ledger_sum(session: Session, user_id: int) -> int:
    total = session.exec(select(sa.func.coalesce(sa.func.sum(Transaction.amount), 0))
                         .where(Transaction.user_id == user_id)).one()
    return int(total)


def balance(session: Session, user_id: int) -> int:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user.credits
