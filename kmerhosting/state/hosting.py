"""/hosting and /hosting/[slug]: the catalogue and one pack with its duration picker."""

from __future__ import annotations

import dataclasses

import reflex as rx

from ..config import DURATIONS
from ..core.args import or_none, parse_int
from ..core.catalog import active_packs, pack_by_slug
from ..core.errors import KmerError
from ..core.pricing import pack_prices
from ..db import session_scope
from ..i18n import translate
from ..i18n.format import format_months, format_xaf
from .base import BaseState
from .views import PackCard, pack_card


@dataclasses.dataclass
class DurationOption:
    months: int = 12
    label_fr: str = ""
    label_en: str = ""
    price_fr: str = ""
    price_en: str = ""
    monthly_fr: str = ""
    monthly_en: str = ""
    saving_fr: str = ""
    saving_en: str = ""
    discount: int = 0


def duration_options(pack) -> list[DurationOption]:
    """The pack's price for each offered duration, formatted the same way everywhere (core.pricing)."""
    options = []
    for p in pack_prices(pack):
        options.append(DurationOption(
            months=p.months, label_fr=format_months(p.months, "fr"), label_en=format_months(p.months, "en"),
            price_fr=format_xaf(p.price, "fr"), price_en=format_xaf(p.price, "en"),
            monthly_fr=format_xaf(p.monthly_equivalent, "fr"), monthly_en=format_xaf(p.monthly_equivalent, "en"),
            saving_fr=translate("shop.saving", "fr", amount=format_xaf(p.saving, "fr")) if p.saving else "",
            saving_en=translate("shop.saving", "en", amount=format_xaf(p.saving, "en")) if p.saving else "",
            discount=p.discount_percent))
    return options


class HostingState(BaseState):
    packs: list[PackCard] = []
    pack: PackCard = PackCard()
    options: list[DurationOption] = []
    months: int = 12
    pack_found: bool = True
    loaded: bool = False

    @rx.var
    def selected(self) -> DurationOption:
        for option in self.options:
            if option.months == self.months:
                return option
        return DurationOption()

    @rx.event
    def load_catalogue(self):
        with session_scope() as session:
            self.packs = [pack_card(p) for p in active_packs(session)]
        self.loaded = True

    @rx.event
    def load_pack(self):
        slug = self.router.page.params.get("slug", "")
        self.loaded = False
        try:
            with session_scope() as session:
                pack = pack_by_slug(session, slug if isinstance(slug, str) else "")
                self.pack = pack_card(pack)
                self.options = duration_options(pack)
        except KmerError:
            self.pack_found, self.pack, self.options = False, PackCard(), []
        else:
            self.pack_found = True
            if self.months not in DURATIONS:
                self.months = 12
        self.loaded = True

    @rx.event
    def add_to_cart(self):
        """Read the pack and duration here, not from the click: a quick click after choosing a duration
        would otherwise send the duration the page showed before the choice reached the server."""
        from .cart import CartState

        if not self.pack_found or not self.pack.id:
            return rx.toast.error(self._t("shop.error.unknown_pack"))
        return CartState.add_pack(self.pack.id, self.months)

    @rx.event
    def set_months(self, months):
        months = or_none(parse_int, months, min(DURATIONS), max(DURATIONS))
        if months not in DURATIONS:
            return rx.toast.error(self._t("error.invalid_duration"))
        self.months = months
