"""Admin: create, edit, deactivate and (when unused) delete hosting packs and their duration discounts."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import Session, select

from ...config import DURATIONS
from ...models import CartItem, ControlPanel, Pack, Service
from .. import audit
from ..errors import InvalidInput, NotFound
from .common import as_id, as_int, clean_text, require_admin

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
PANEL_PACKAGE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_DISCOUNT = 90
FIELDS = ("name", "slug", "description_fr", "description_en", "monthly_price", "discounts", "control_panel",
          "disk_gb", "bandwidth_gb", "email_accounts", "databases", "websites", "free_ssl", "sort_order",
          "is_active", "panel_packages")


def list_packs(session: Session, actor_id: int) -> list[tuple[Pack, int]]:
    """Every pack with its number of services, in catalogue order."""
    require_admin(session, actor_id)
    counts = (select(Service.pack_id, sa.func.count().label("n")).group_by(Service.pack_id).subquery())
    rows = session.execute(select(Pack, sa.func.coalesce(counts.c.n, 0))
                           .outerjoin(counts, counts.c.pack_id == Pack.id)
                           .order_by(Pack.sort_order, Pack.id)).all()
    return [(p, int(n)) for p, n in rows]


def parse_discounts(data: dict) -> dict:
    """{"12": 15, ...} from form fields discount_1 ... discount_36 (empty = no discount)."""
    result = {}
    for months in DURATIONS:
        raw = data.get(f"discount_{months}", "")
        if raw in (None, ""):
            continue
        pct = as_int(raw, "admin.error.discount", minimum=0, maximum=MAX_DISCOUNT, months=months, max=MAX_DISCOUNT)
        if pct:
            result[str(months)] = pct
    return result


def parse_panel_packages(data: dict) -> dict:
    """{"cpanel": "kh_starter", ...} from form fields package_cpanel, package_plesk, ... (empty = none)."""
    result = {}
    for kind in ControlPanel:
        raw = clean_text(data.get(f"package_{kind.value}"), 200)
        if not raw:
            continue
        if not PANEL_PACKAGE.match(raw):
            raise InvalidInput("admin.error.pack_panel_package", panel=kind.value)
        result[kind.value] = raw
    return result


def _truthy(value) -> bool:
    return value in (True, "on", "true", "1", 1, "yes")


def validate_pack(data: dict) -> dict:
    """Form fields -> clean column values; InvalidInput with a message naming the field."""
    if not isinstance(data, dict):
        raise InvalidInput("error.invalid_input")
    name = clean_text(data.get("name"), 200)
    if not 2 <= len(name) <= 80:
        raise InvalidInput("admin.error.pack_name")
    slug = clean_text(data.get("slug"), 200).lower()
    if not SLUG.match(slug):
        raise InvalidInput("admin.error.pack_slug")
    panel = clean_text(data.get("control_panel"), 20) or ControlPanel.cpanel
    if panel not in ControlPanel.__members__:
        raise InvalidInput("admin.error.pack_panel")

    def number(key, minimum=0, maximum=1_000_000):
        raw = data.get(key, 0)
        return as_int(0 if raw in ("", None) else raw, "admin.error.pack_number", minimum=minimum,
                      maximum=maximum, field=key)

    values = {
        "name": name, "slug": slug, "control_panel": panel,
        "description_fr": clean_text(data.get("description_fr"), 2000),
        "description_en": clean_text(data.get("description_en"), 2000),
        "monthly_price": as_int(data.get("monthly_price"), "admin.error.pack_price", minimum=1, maximum=10_000_000),
        "discounts": parse_discounts(data),
        "panel_packages": parse_panel_packages(data),
        "disk_gb": number("disk_gb", 1), "bandwidth_gb": number("bandwidth_gb"),
        "email_accounts": number("email_accounts"), "databases": number("databases"),
        "websites": number("websites", 1), "sort_order": number("sort_order", -1000, 1000),
        "free_ssl": _truthy(data.get("free_ssl")),
        "is_active": _truthy(data.get("is_active", "on")),
    }
    return values


def _snapshot(pack: Pack) -> dict:
    return {f: getattr(pack, f) for f in FIELDS}


def _check_slug_free(session: Session, slug: str, pack_id: int | None) -> None:
    other = session.exec(select(Pack).where(Pack.slug == slug)).first()
    if other is not None and other.id != pack_id:
        raise InvalidInput("admin.error.pack_slug_taken", slug=slug)


def create_pack(session: Session, actor_id: int, data: dict) -> Pack:
    actor = require_admin(session, actor_id)
    values = validate_pack(data)
    _check_slug_free(session, values["slug"], None)
    pack = Pack(**values)
    session.add(pack)
    session.flush()
    audit.record(session, actor.id, "pack.create", "pack", pack.id, {}, _snapshot(pack))
    return pack


def _get(session: Session, pack_id) -> Pack:
    pack = session.get(Pack, as_id(pack_id))
    if pack is None:
        raise NotFound()
    return pack


def get_pack(session: Session, actor_id: int, pack_id) -> Pack:
    require_admin(session, actor_id)
    return _get(session, pack_id)


def update_pack(session: Session, actor_id: int, pack_id, data: dict) -> Pack:
    actor = require_admin(session, actor_id)
    pack = _get(session, pack_id)
    values = validate_pack(data)
    _check_slug_free(session, values["slug"], pack.id)
    before = _snapshot(pack)
    for key, value in values.items():
        setattr(pack, key, value)
    session.add(pack)
    session.flush()
    audit.record(session, actor.id, "pack.update", "pack", pack.id, before, _snapshot(pack))
    return pack


def set_active(session: Session, actor_id: int, pack_id, active: bool) -> Pack:
    actor = require_admin(session, actor_id)
    pack = _get(session, pack_id)
    before = {"is_active": pack.is_active}
    pack.is_active = bool(active)
    session.add(pack)
    audit.record(session, actor.id, "pack.activate" if active else "pack.deactivate", "pack", pack.id,
                 before, {"is_active": pack.is_active})
    session.flush()
    return pack


def delete_pack(session: Session, actor_id: int, pack_id) -> None:
    """Delete a pack nobody ever bought (cart lines quoting it go too); a sold pack is only deactivated."""
    actor = require_admin(session, actor_id)
    pack = _get(session, pack_id)
    used = session.execute(select(sa.func.count()).select_from(Service).where(Service.pack_id == pack.id)).scalar_one()
    if used:
        raise InvalidInput("admin.error.pack_in_use", count=used)
    before = _snapshot(pack)
    removed = session.execute(sa.delete(CartItem).where(CartItem.pack_id == pack.id)).rowcount
    session.delete(pack)
    audit.record(session, actor.id, "pack.delete", "pack", pack.id, before, {"cart_lines_removed": removed})
    session.flush()
