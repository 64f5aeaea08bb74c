"""/domains: search a name across the shop's TLDs, see availability and price, add it to the cart."""

from __future__ import annotations

import dataclasses
import logging

import reflex as rx

from ..config import get_settings
from ..core.args import or_none, parse_int, parse_text
from ..core.domains import DomainOffer, normalize_domain, registrar_failure, search_for_client
from ..core.errors import InvalidInput, KmerError
from ..db import session_scope
from ..i18n import display
from ..integrations.registrar import RegistrarError
from ..integrations.registrar.factory import get_registrar
from .base import BaseState, Worded
from .offloop import TooSlow, off_loop

log = logging.getLogger(__name__)

YEAR_CHOICES = ["1", "2", "3", "5"]
MAX_QUERY = 253


@dataclasses.dataclass
class OfferView:
    domain: str = ""
    available: bool = False
    price: str = ""  # for the chosen number of years


def as_failure(exc: Exception) -> KmerError:
    """A failure as a typed error, kept as a value: its words follow the visitor's language switch."""
    if isinstance(exc, RegistrarError):
        exc = registrar_failure(exc)
    if isinstance(exc, KmerError):
        return exc
    log.exception("unexpected error on /domains", exc_info=exc)
    return KmerError()


def _years(value) -> int | None:
    years = or_none(parse_int, value, 1, 10)
    return years if str(years) in YEAR_CHOICES else None


def search_now(query: str, client: str) -> list[DomainOffer]:
    """The blocking part of a search (rate limit, registrar call): run off the event loop."""
    with session_scope() as session:
        return search_for_client(session, get_registrar(), query, client)


def offers_by_domain(found: list[DomainOffer]) -> dict[str, dict]:
    """What a search answered, kept on the server: adding a domain to the cart charges this price
    (with the time the registrar gave it) instead of asking the registrar again."""
    return {o.domain: dataclasses.asdict(o) for o in found}


def kept_offer(kept: dict[str, dict], domain: str) -> DomainOffer | None:
    raw = kept.get(domain)
    return DomainOffer(**raw) if raw else None


class DomainsState(Worded, BaseState):
    query: str = ""
    years: str = "1"
    _found: list[tuple[str, bool]] = []  # (domain, available) in the registrar's order
    searched: bool = False
    searching: bool = False
    _failure: KmerError | None = None
    in_cart: list[str] = []
    is_test_registrar: bool = get_settings().registrar == "sandbox"
    # What the last search answered (price for one year, availability, when), kept server-side.
    _offers: dict[str, dict] = {}
    _search_seq: int = 0

    @rx.var
    def offers(self) -> list[OfferView]:
        years = int(self.years)
        return [OfferView(domain=domain, available=available,
                          price=display.money(self._offers[domain]["price_xaf"] * years, self._page_lang()))
                for domain, available in self._found if domain in self._offers]

    @rx.var
    def error(self) -> str:
        return self._failure.message(self._page_lang()) if self._failure is not None else ""

    def _fail(self, exc: Exception) -> None:
        self._failure = as_failure(exc)
        self._found, self._offers = [], {}

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

    def _start_search(self, form_data) -> tuple[int, str, str] | None:
        """Validate and mark the page as searching; the request to run, or None (message shown)."""
        self._reword()  # the page has no on_load: its texts follow the search
        raw = form_data.get("query") if isinstance(form_data, dict) else self.query
        self._failure = None
        self.searched = False
        if not isinstance(raw, str) or not raw.strip():
            self._fail(InvalidInput("domains.empty_query"))
            return None
        self.query = raw[:MAX_QUERY]
        self._search_seq += 1
        self.searching = True
        return self._search_seq, self.query, self.router.session.client_ip or ""

    def _finish_search(self, seq: int, found: list[DomainOffer] | None, failure: Exception | None) -> None:
        if seq != self._search_seq:
            return  # a newer search was started meanwhile: its answer is the one to show
        self.searching = False
        if failure is not None:
            self._fail(failure)
            return
        self._offers = offers_by_domain(found)
        self._found = [(o.domain, o.available) for o in found]
        self.searched = True

    @rx.event(background=True)
    async def search(self, form_data: dict | None = None):
        """Availability and prices from the registrar, asked off the event loop (the page shows that it
        is searching; other visitors are not kept waiting)."""
        async with self:
            request = self._start_search(form_data)
        if request is None:
            return
        seq, query, client = request
        found, failure = None, None
        try:
            found = await off_loop(search_now, query, client)
        except TooSlow:
            failure = InvalidInput("domains.error_slow")
        except Exception as exc:  # noqa: BLE001  (a message, never a crash)
            failure = exc
        async with self:
            self._finish_search(seq, found, failure)

    @rx.event
    async def add_to_cart(self, domain: str):
        """A domain-only cart line for this visitor (account or anonymous cart), at the price the search
        showed (no second registrar call)."""
        years = _years(self.years)
        try:
            domain = normalize_domain(or_none(parse_text, domain, MAX_QUERY + 1))
        except KmerError as exc:
            return rx.toast.error(self._error_message(exc))
        offer = kept_offer(self._offers, domain)
        if offer is None or not offer.available or years is None:
            return rx.toast.error(self._t("error.domain_unavailable"))
        from ..core import cart as cart_core
        from .cart import CartState

        cart_state = await self.get_state(CartState)
        try:
            with session_scope() as session:
                user_id, visitor_key = cart_state._owner(session)
                cart_core.add_domain_item(session, user_id=user_id, visitor_key=visitor_key, domain=domain,
                                          years=years, offer=offer,
                                          client=self.router.session.client_ip or "")
        except (KmerError, RegistrarError) as exc:
            return rx.toast.error(as_failure(exc).message(self.lang))
        if domain not in self.in_cart:  # the last few only: a long visit must not grow the tab for ever
            self.in_cart = [*self.in_cart, domain][-cart_core.MAX_ITEMS:]
        return rx.toast.success(self._t("domains.added_to_cart", domain=domain))
