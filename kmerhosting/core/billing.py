"""A customer's credit ledger: one page of it for the screen, all of it as CSV."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from ..i18n import display
from ..models import Transaction
from .csv_cells import write_csv

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class LedgerPage:
    rows: list[Transaction]
    page: int  # 1-based, clamped to the existing pages
    pages: int  # at least 1, even for an empty ledger
    total: int  # number of rows in the whole ledger


def _newest_first(user_id: int):
    return (select(Transaction).where(Transaction.user_id == user_id)
            .order_by(Transaction.created_at.desc(), Transaction.id.desc()))


def ledger_page(session: Session, user_id: int, page=1, per_page=20) -> LedgerPage:
    per_page = _bounded(per_page, 1, MAX_PER_PAGE, default=20)
    total = session.exec(select(sa.func.count()).select_from(Transaction)
                         .where(Transaction.user_id == user_id)).one()
    pages = max(1, -(-total // per_page))
    page = _bounded(page, 1, pages, default=1)
    rows = session.exec(_newest_first(user_id).offset((page - 1) * per_page).limit(per_page)).all()
    return LedgerPage(rows=list(rows), page=page, pages=pages, total=total)


# Machine columns first (ISO 8601 local time, the kind's code, integer XAF), then the same row in words in
# the reader's language.
CSV_HEADER = ["date", "kind", "amount_xaf", "balance_after_xaf", "reference", "description",
              "kind_label", "reference_label", "description_label"]


def ledger_csv(session: Session, user_id: int, lang: str = "fr") -> str:
    """The whole ledger, newest first; dates in the shop's local time, amounts in integer XAF."""
    # References and descriptions can hold what a customer typed: write_csv keeps formulas inert.
    return write_csv(CSV_HEADER, ([display.local_time(row.created_at).isoformat(timespec="seconds"), row.kind,
                                   row.amount, row.balance_after, row.reference, row.description,
                                   display.label("transaction_kind", row.kind, lang),
                                   display.reference(row.reference, lang)[0], display.description(row.description, lang)]
                                  for row in session.exec(_newest_first(user_id))))


def _bounded(value, low: int, high: int, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return min(max(value, low), high)
