"""The pack catalogue."""

from __future__ import annotations

from sqlmodel import Session, select

from ..models import Pack
from .errors import NotFound


def active_packs(session: Session) -> list[Pack]:
    return list(session.exec(select(Pack).where(Pack.is_active == True).order_by(Pack.sort_order, Pack.id)).all())  # noqa: E712


def pack_by_slug(session: Session, slug: str) -> Pack:
    pack = session.exec(select(Pack).where(Pack.slug == slug, Pack.is_active == True)).first()  # noqa: E712
    if pack is None:
        raise NotFound()
    return pack
