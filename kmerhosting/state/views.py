"""Plain view models sent to the browser, in both languages so the switch is instant."""

from __future__ import annotations

import dataclasses

from ..core.pricing import pack_prices
from ..i18n import translate
from ..i18n.format import format_xaf
from ..models import CONTROL_PANEL_LABELS, Pack


@dataclasses.dataclass
class PackCard:
    id: int = 0
    slug: str = ""
    name: str = ""
    panel: str = ""
    description_fr: str = ""
    description_en: str = ""
    monthly_fr: str = ""
    monthly_en: str = ""
    # Lowest monthly equivalent over the offered durations ("from ... / month").
    from_fr: str = ""
    from_en: str = ""
    lines_fr: list[str] = dataclasses.field(default_factory=list)
    lines_en: list[str] = dataclasses.field(default_factory=list)


def _count(key: str, lang: str, n: int) -> str:
    """"1 base de données" / "5 bases de données": the singular has its own key (`<key>_one`)."""
    return translate(f"{key}_one" if n == 1 else key, lang, n=n)


def pack_lines(pack: Pack, lang: str) -> list[str]:
    panel = CONTROL_PANEL_LABELS.get(pack.control_panel, pack.control_panel)
    lines = [
        translate("pack.panel", lang, panel=panel),
        translate("pack.disk", lang, n=pack.disk_gb),
        translate("pack.bandwidth", lang, n=pack.bandwidth_gb) if pack.bandwidth_gb
        else translate("pack.bandwidth_unmetered", lang),
        _count("pack.websites", lang, pack.websites),
        _count("pack.emails", lang, pack.email_accounts),
        _count("pack.databases", lang, pack.databases),
    ]
    if pack.free_ssl:
        lines.append(translate("pack.ssl", lang))
    lines += [f.get(lang) or f.get("fr", "") for f in (pack.features or []) if isinstance(f, dict)]
    return lines


def pack_card(pack: Pack) -> PackCard:
    lowest = min(p.monthly_equivalent for p in pack_prices(pack))
    return PackCard(
        id=pack.id, slug=pack.slug, name=pack.name,
        panel=CONTROL_PANEL_LABELS.get(pack.control_panel, pack.control_panel),
        description_fr=pack.description_fr, description_en=pack.description_en or pack.description_fr,
        monthly_fr=format_xaf(pack.monthly_price, "fr"), monthly_en=format_xaf(pack.monthly_price, "en"),
        from_fr=format_xaf(lowest, "fr"), from_en=format_xaf(lowest, "en"),
        lines_fr=pack_lines(pack, "fr"), lines_en=pack_lines(pack, "en"),
    )
