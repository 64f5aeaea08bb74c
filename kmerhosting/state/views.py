"""Plain view models sent to the browser: built by computed vars from values, in the visitor's language."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

from ..core.pricing import pack_prices
from ..i18n import display, translate
from ..models import CONTROL_PANEL_LABELS, Pack


@dataclasses.dataclass
class PackCard:
    id: int = 0
    slug: str = ""
    name: str = ""
    panel: str = ""
    description: str = ""
    # Lowest monthly equivalent over the offered durations ("from ... / month").
    lowest: str = ""
    lines: list[str] = dataclasses.field(default_factory=list)


def pack_lines(pack: Pack, lang: str) -> list[str]:
    panel = CONTROL_PANEL_LABELS.get(pack.control_panel, pack.control_panel)
    lines = [
        translate("pack.panel", lang, panel=panel),
        translate("pack.disk", lang, n=display.number(pack.disk_gb, lang)),
        translate("pack.bandwidth", lang, n=display.number(pack.bandwidth_gb, lang)) if pack.bandwidth_gb
        else translate("pack.bandwidth_unmetered", lang),
        display.count("pack.websites", pack.websites, lang),
        display.count("pack.emails", pack.email_accounts, lang),
        display.count("pack.databases", pack.databases, lang),
    ]
    if pack.free_ssl:
        lines.append(translate("pack.ssl", lang))
    lines += [f.get(lang) or f.get("fr", "") for f in (pack.features or []) if isinstance(f, dict)]
    return lines


def pack_values(pack: Pack) -> SimpleNamespace:
    """What a pack card shows, as values (the lowest monthly price included), for a backend-only var."""
    values = detached(pack)
    values.lowest = min(p.monthly_equivalent for p in pack_prices(pack))
    return values


def pack_card(pack, lang: str) -> PackCard:
    """A pack (its values, see `pack_values`) as a card in the visitor's language."""
    description = pack.description_en if lang == "en" and pack.description_en else pack.description_fr
    return PackCard(
        id=pack.id, slug=pack.slug, name=pack.name,
        panel=CONTROL_PANEL_LABELS.get(pack.control_panel, pack.control_panel), description=description,
        lowest=display.money(pack.lowest, lang), lines=pack_lines(pack, lang),
    )


def detached(row) -> SimpleNamespace:
    """A table row's values, to keep in a backend-only var (plain data: never written back, handlers read
    the database again)."""
    return SimpleNamespace(**row.model_dump())
