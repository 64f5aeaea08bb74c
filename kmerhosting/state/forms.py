"""The field a per-row form carries its row's id in (see components/forms.py `row_form`)."""

from __future__ import annotations

ROW_ID = "row_id"


def row_id(form) -> str:
    """The row id a per-row form sent, as text: core checks it (`as_id`), like any id from the browser."""
    value = form.get(ROW_ID, "") if isinstance(form, dict) else ""
    return value if isinstance(value, str) else ""
