"""Every CSV the shop writes is safe to open in a spreadsheet: a cell that starts like a formula is
written as text. One helper (core/csv_cells.py) writes them all, on SQLite and MariaDB."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import kmerhosting
from kmerhosting.core import billing, csv_cells
from kmerhosting.core.admin import stats
from kmerhosting.core.ledger import add_credits, post
from kmerhosting.models import Role, Service

from .factories import make_pack, make_user

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+2", "-2+3", "@SUM(A1)", "\tTAB", "\rCR",
            "\nLF"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_cell_that_starts_like_a_formula_is_written_as_text(text):
    assert csv_cells.safe_cell(text) == "'" + text


def test_numbers_and_plain_text_are_written_as_they_are():
    assert csv_cells.safe_cell(-5000) == -5000
    assert csv_cells.safe_cell(0) == 0
    assert csv_cells.safe_cell("Pack Pro") == "Pack Pro"
    assert csv_cells.safe_cell("") == ""
    assert csv_cells.safe_cell(None) == ""


def test_the_admin_stats_csv_neutralises_a_pack_name_formula(session):
    admin = make_user(session, role=Role.admin)
    customer = make_user(session)
    pack = make_pack(session, name="=HYPERLINK(\"http://evil.example\",\"Pack\")")
    now = datetime.now(UTC)
    session.add(Service(user_id=customer.id, pack_id=pack.id, domain="formula.cm", control_panel="cpanel",
                        status="active", duration_months=12, price_paid=30000, starts_at=now,
                        expires_at=now + timedelta(days=365)))
    session.commit()
    rep = stats.report(session, admin.id, stats.default_period())

    rows = list(csv.reader(io.StringIO(stats.to_csv(rep, "packs"))))

    assert rows[0] == ["pack", "services", "amount_xaf"]
    assert rows[1] == ["'=HYPERLINK(\"http://evil.example\",\"Pack\")", "1", "30000"]


def test_the_customer_ledger_csv_neutralises_formulas_with_the_same_helper(session):
    user = make_user(session)
    add_credits(session, user.id, 1000, reference="@TOPUP")
    post(session, user.id, -500, "adjustment", reference="=cmd|' /C calc'!A0", description="-2+3")
    session.commit()

    rows = list(csv.reader(io.StringIO(billing.ledger_csv(session, user.id))))

    assert rows[1][2:6] == ["-500", "500", "'=cmd|' /C calc'!A0", "'-2+3"]
    assert rows[2][4] == "'@TOPUP"


def test_no_module_writes_csv_without_the_helper():
    """A new export must go through csv_cells.write_csv, or its cells are not neutralised."""
    root = Path(kmerhosting.__file__).parent
    writers = [str(path.relative_to(root)) for path in root.rglob("*.py")
               if re.search(r"^\s*(import csv|from csv import)", path.read_text(encoding="utf-8"), re.M)]
    assert writers == ["core/csv_cells.py"]
