"""The audit trail: every admin action leaves one AuditLog row, written in the action's own transaction.

`record()` only adds the row; the caller's commit makes the action and its trace land together.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from sqlmodel import Session

from ..models import AuditLog


def _plain(value):
    """JSON-safe copy of a before/after snapshot (dates as ISO text, enums as their value)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def record(session: Session, actor_id: int | None, action: str, target_type: str = "",
           target_id: int | None = None, before: dict | None = None, after: dict | None = None) -> AuditLog:
    row = AuditLog(actor_id=actor_id, action=action[:64], target_type=target_type[:32], target_id=target_id,
                   before=_plain(before or {}), after=_plain(after or {}))
    session.add(row)
    session.flush()
    return row
