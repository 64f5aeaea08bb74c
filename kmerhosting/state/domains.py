"""/domains: search a name across the shop's TLDs, see availability and price, add it to the cart."""

from __future__ import annotations

import dataclasses
import logging

import reflex as rx

from ..config import get_settings
from ..core.args import or_none, parse_int, parse_text
from ..core.domains import normalize_domain, registrar_failure, search_for_client
from ..core.errors import InvalidInput, KmerError
from ..db import session_scope
from ..i18n import translate
from ..i18n.format import format_xaf
from ..integrations.registrar import RegistrarError
from ..integrations.registrar.factory import get_registrar
from .base import BaseState

log = logging.getLogger(__name__)

YEAR_CHOICES = ["1", "2", "3", "5"]
MAX_QUERY = 253


@dataclasses.dataclass
class OfferView:
    domain: str = ""
    available: bool = False
    price_fr: str = ""  # for the chosen number of years
    price_en: str = ""


def both_languages(exc: Exception) -> tuple[str, str]:
    """A failure in French and English, so the visitor's language switch applies to it too."""
    if isinstance(exc, RegistrarError):
        exc = registrar_failure(exc)
    if isinstance(exc, KmerError):
        return exc.message("fr"), exc.message("en")
    log.exception("unexpected error on /domains", exc_info=exc)
    return translate("error.unexpected", "fr"), translate("error.unexpected", "en")


def _years(value) -> int | None:
    years = or_none(parse_int, value, 1, 10)
    return years if str(years) in YEAR_CHOICES else None


class DomainsState(BaseState):
    query: str = ""
    years: str = "1"
    offers: list[OfferView] = []
    searched: bool = False
    error_fr: str = ""
    error_en: str = ""
    in_cart: list[str] = []
    is_test_registrar: bool = get_settings().registrar == "sandbox"
    # Prices for one year, kept server-side to re-price when the period changes.
    _per_year: dict[str, int] = {}

    def _show(self) -> None:
        years = int(self.years)
        self.offers = [OfferView(domain=o.domain, available=o.available,
                                 price_fr=format_xaf(self._per_year[o.domain] * years, "fr"),
                                 price_en=format_xaf(self._per_year[o.domain] * years, "en"))
                       for o in self.offers]

    def _fail(self, exc: Exception) -> None:
        self.error_fr, self.error_en = both_languages(exc)
        self.offers, self._per_year = [], {}

    @rx.event
    def set_query(self, value: str):
        value = or_none(parse_text, value, MAX_QUERY)
        if value is not None:
            self.query = value

    @rx.event
    def set_years(self, value: str):
        years = _years(value)
        if years is None:
            return rx.toast.error(self._t("error.domain_years"))
        self.years = str(years)
        self._show()

    @rx.event
    def search(self, form_data: dict | None = None):
        raw = form_data.get("query") if isinstance(form_data, dict) else self.query
        self.error_fr = self.error_en = ""
        self.searched = False
        if not isinstance(raw, str) or not raw.strip():
            self._fail(InvalidInput("domains.empty_query"))
            return
        self.query = raw[:MAX_QUERY]
        try:
            with session_scope() as session:
                found = search_for_client(session, get_registrar(), self.query, self.router.session.client_ip or "")
        except (KmerError, RegistrarError) as exc:
            self._fail(exc)
            return
        except Exception as exc:  # noqa: BLE001  (a message, never a crash)
            self._fail(exc)
            return
        self._per_year = {o.domain: o.price_xaf for o in found}
        self.offers = [OfferView(domain=o.domain, available=o.available) for o in found]
        self._show()
        self.searched = True

    @rx.event
    async def add_to_cart(self, domain: str):
        """A domain-only cart line for this visitor (account or anonymous cart), via the shop's cart."""
        years = _years(self.years)
        try:
            domain = normalize_domain(or_none(parse_text, domain, MAX_QUERY + 1))
        except KmerError as exc:
            return rx.toast.error(self._error_message(exc))
        if domain not in self._per_year or years is None:
            return rx.toast.error(self._t("error.domain_unavailable"))
        try:
            from ..core import cart as cart_core  # the shop's cart (its own module)
            from .cart import CartState
        except ImportError:
            return rx.toast.error(self._t("domains.cart_unavailable"))
        cart_state = await self.get_state(CartState)
        try:
            with session_scope() as session:
                user_id, visitor_key = cart_state._owner(session)
                cart_core.add_domain_item(session, user_id=user_id, visitor_key=visitor_key, domain=domain,
                                          years=years, client=self.router.session.client_ip or "")
        except (KmerError, RegistrarError) as exc:
            fr, en = both_languages(exc)
            return rx.toast.error(en if self.lang == "en" else fr)
        if domain not in self.in_cart:  # the last few only: a long visit must not grow the tab for ever
            self.in_cart = [*self.in_cart, domain][-cart_core.MAX_ITEMS:]
        return rx.toast.success(self._t("domains.added_to_cart", domain=domain))
