"""The customer's ledger: pages newest first, the whole of it as CSV, nobody else's rows."""

from __future__ import annotations

import csv
import io

from kmerhosting.core import billing
from kmerhosting.core.ledger import add_credits, post
from tests.factories import make_user


def _ledger(session, user, n):
    for i in range(n):
        add_credits(session, user.id, 1000 + i, reference=f"TOPUP-{i}")
    session.commit()


def test_pages_are_newest_first_and_clamped(session):
    user, other = make_user(session), make_user(session)
    _ledger(session, user, 25)
    _ledger(session, other, 3)

    first = billing.ledger_page(session, user.id, 1, 10)
    assert (first.page, first.pages, first.total) == (1, 3, 25)
    assert [r.reference for r in first.rows][:2] == ["TOPUP-24", "TOPUP-23"]
    last = billing.ledger_page(session, user.id, 3, 10)
    assert [r.reference for r in last.rows] == [f"TOPUP-{i}" for i in range(4, -1, -1)]
    assert billing.ledger_page(session, user.id, 99, 10).page == 3
    assert billing.ledger_page(session, user.id, -4, 10).page == 1
    assert billing.ledger_page(session, user.id, "2", 10).page == 1  # not an int: first page
    assert len(billing.ledger_page(session, user.id, 1, 10_000).rows) == 25  # per_page capped at 100
    assert all(r.user_id == user.id for r in billing.ledger_page(session, user.id, 1, 100).rows)


def test_an_empty_ledger_has_one_empty_page(session):
    user = make_user(session)
    page = billing.ledger_page(session, user.id)
    assert (page.rows, page.page, page.pages, page.total) == ([], 1, 1, 0)


def test_the_csv_holds_the_whole_ledger_and_is_safe_in_a_spreadsheet(session):
    user, other = make_user(session), make_user(session)
    _ledger(session, user, 30)
    post(session, user.id, -500, "adjustment", reference="=HYPERLINK(\"http://x\")", description="+cmd")
    session.commit()
    add_credits(session, other.id, 9999, reference="OTHER")
    session.commit()

    rows = list(csv.reader(io.StringIO(billing.ledger_csv(session, user.id))))

    assert rows[0] == billing.CSV_HEADER
    assert len(rows) == 1 + 31 and "OTHER" not in {r[4] for r in rows}
    newest = rows[1]
    assert newest[1:6] == ["adjustment", "-500", str(sum(1000 + i for i in range(30)) - 500),
                           "'=HYPERLINK(\"http://x\")", "'+cmd"]
    assert rows[-1][2] == "1000" and rows[-1][4] == "TOPUP-0"
