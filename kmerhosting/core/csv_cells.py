"""CSV files the shop writes (customer ledger, admin reports): one writer, safe in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a line break is read as a formula by Excel,
LibreOffice and Google Sheets (CSV injection): a pack name or a payment reference typed by someone
could then run `=HYPERLINK(...)` or worse on the admin's computer. Such a text is written with a
leading apostrophe, which spreadsheets show as plain text. Numbers are written as they are, so a
negative amount stays a number.
"""

from __future__ import annotations

import csv
import io
from typing import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    """The value as a CSV cell: text that would start a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(header: list[str], rows: Iterable[Iterable], *, lineterminator: str = "\r\n") -> str:
    """A whole CSV document: the header, then every row with each cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
