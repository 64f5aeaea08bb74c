"""/hosting and /hosting/[slug]: the catalogue and one pack with its duration picker."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import reflex as rx

from ..config import DURATIONS
from ..core.args import or_none, parse_int
from ..core.catalog import active_packs, pack_by_slug
from ..core.errors import KmerError
from ..core.pricing import pack_prices
from ..db import session_scope
from ..i18n import display, translate
from .base import BaseState, Worded
from .views import PackCard, pack_card, pack_values


@dataclasses.dataclass
class DurationOption:
    months: int = 12
    label: str = ""
    price_text: str = ""
    monthly: str = ""
    saving: str = ""
    discount: int = 0
    discount_text: str = ""


def duration_option(p, lang: str) -> DurationOption:
    """A pack's price for one duration (core.pricing), in words."""
    return DurationOption(
        months=p.months, label=display.months(p.months, lang), price_text=display.money(p.price, lang),
        monthly=display.money(p.monthly_equivalent, lang),
        saving=translate("shop.saving", lang, amount=display.money(p.saving, lang)) if p.saving else "",
        discount=p.discount_percent, discount_text=display.discount(p.discount_percent, lang))


class HostingState(Worded, BaseState):
    _packs: list = []  # pack values (views.pack_values)
    _pack: SimpleNamespace | None = None
    _prices: list = []  # core.pricing's price of each duration
    _pack_id: int = 0
    months: int = 12
    pack_found: bool = True
    loaded: bool = False

    @rx.var
    def packs(self) -> list[PackCard]:
        return [pack_card(p, self._page_lang()) for p in self._packs]

    @rx.var
    def pack(self) -> PackCard:
        return pack_card(self._pack, self._page_lang()) if self._pack is not None else PackCard()

    @rx.var
    def title(self) -> str:
        """The pack page's browser title: the pack's name."""
        name = self._pack.name if self._pack is not None else self._word("shop.hosting.title")
        return f"{name} · KmerHosting"

    @rx.var
    def options(self) -> list[DurationOption]:
        return [duration_option(p, self._page_lang()) for p in self._prices]

    @rx.var
    def selected(self) -> DurationOption:
        for price in self._prices:
            if price.months == self.months:
                return duration_option(price, self._page_lang())
        return DurationOption()

    @rx.event
    def load_catalogue(self):
        self._reword()
        with session_scope() as session:
            self._packs = [pack_values(p) for p in active_packs(session)]
        self.loaded = True

    @rx.event
    def load_pack(self):
        self._reword()
        slug = self.router.page.params.get("slug", "")
        self.loaded = False
        try:
            with session_scope() as session:
                pack = pack_by_slug(session, slug if isinstance(slug, str) else "")
                self._pack, self._pack_id = pack_values(pack), pack.id
                self._prices = list(pack_prices(pack))
        except KmerError:
            self.pack_found, self._pack, self._pack_id, self._prices = False, None, 0, []
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

        if not self.pack_found or not self._pack_id:
            return rx.toast.error(self._t("shop.error.unknown_pack"))
        return CartState.add_pack(self._pack_id, self.months)

    @rx.event
    def set_months(self, months):
        months = or_none(parse_int, months, min(DURATIONS), max(DURATIONS))
        if months not in DURATIONS:
            return rx.toast.error(self._t("error.invalid_duration"))
        self.months = months
