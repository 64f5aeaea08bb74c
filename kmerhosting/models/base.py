"""Shared column helpers."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware datetime; a naive one (e.g. read back from a DATETIME column) is taken as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def created_at_field():
    return Field(default_factory=utcnow, nullable=False)


def str_field(length: int, **kwargs):
    """A bounded VARCHAR column (MariaDB needs lengths for indexed strings)."""
    return Field(sa_type=sa.String(length), **kwargs)


def text_field(**kwargs):
    return Field(sa_type=sa.Text, **kwargs)
