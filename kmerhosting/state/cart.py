"""/cart: the lines, their durations and domains (chosen in a dialog), the total.

The cart belongs to the logged-in user, else to this browser's visitor key (`kh_cart` in local
storage, random, made here). When a logged-in user loads the cart, the visitor's lines move into the
account. The key only ever reaches rows without a user (see core.cart).
"""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from ..config import DURATIONS
from ..core import cart
from ..core.args import or_none, parse_choice, parse_flag, parse_form, parse_id, parse_int, parse_text
from ..core.checkout import PRICE_STALE, PreviewLine, preview_items
from ..core.errors import KmerError
from ..db import session_scope
from ..i18n import translate
from ..i18n import display
from ..integrations.registrar import RegistrarError
from .base import BaseState, Worded
from .domains import kept_offer, offers_by_domain, search_now
from .offloop import TooSlow, off_loop


@dataclasses.dataclass
class CartLine:
    id: int = 0
    is_hosting: bool = True
    title: str = ""
    months: str = "12"
    duration: str = ""
    domain: str = ""
    domain_mode: str = ""
    domain_years: str = "1"
    has_domain: bool = False
    hosting: str = ""
    domain_price: str = ""
    amount: str = ""
    problem: str = ""


@dataclasses.dataclass
class DomainOfferView:
    domain: str = ""
    available: bool = False
    price: str = ""


def problem_text(line: PreviewLine, lang: str) -> str:
    if not line.problem:
        return ""
    params = {}
    if line.problem == "price_changed":
        params = {"old": display.money(line.quoted_hosting + line.quoted_domain, lang),
                  "new": display.money(line.amount, lang)}
    return translate(f"shop.problem.{line.problem}", lang, **params)


def cart_line(line: PreviewLine, lang: str) -> CartLine:
    return CartLine(
        id=line.item_id, is_hosting=line.kind == "hosting",
        title=line.pack_name if line.kind == "hosting" else line.domain,
        months=str(line.months), duration=display.months(line.months, lang) if line.months else "",
        domain=line.domain, domain_mode=line.domain_mode, domain_years=str(line.domain_years),
        has_domain=bool(line.domain and line.domain_mode), hosting=display.money(line.hosting_price, lang),
        domain_price=display.money(line.domain_price, lang), amount=display.money(line.amount, lang),
        problem=problem_text(line, lang))


def offer_view(offer, lang: str) -> DomainOfferView:
    return DomainOfferView(domain=offer.domain, available=offer.available,
                           price=translate("shop.domain.per_year", lang, amount=display.money(offer.price_xaf, lang)))


MAX_DOMAIN = 253


def _id(value) -> int | None:
    """A row id from the browser, or None (core answers "not in your cart")."""
    return or_none(parse_id, value)


def _small(value, low: int = 0, high: int = 1000) -> int | None:
    """A duration or a number of years from the browser, or None (core says which values it takes)."""
    return or_none(parse_int, value, low, high)


class CartState(Worded, BaseState):
    # This browser's anonymous cart key (random, made server-side on first visit).
    visitor_key: str = rx.LocalStorage("", name="kh_cart", sync=True)
    _lines: list[PreviewLine] = []
    _total: int = 0
    can_checkout: bool = False
    logged_in: bool = False
    loaded: bool = False

    # The domain dialog
    dialog_open: bool = False
    dialog_item_id: int = 0
    dialog_tab: str = "new"
    search_query: str = ""
    _found: list = []  # the search's answers (DomainOffer), in the order the registrar gave them
    years: str = "1"
    own_domain: str = ""
    dialog_error: str = ""
    searching: bool = False
    # DOMAIN_PRICING=api: the registrar is being asked again for prices that are no longer fresh.
    checking_prices: bool = False
    gone_domains: list[str] = []
    # What the dialog's last search answered, kept server-side (see state/domains.py).
    _offers: dict[str, dict] = {}
    _search_seq: int = 0
    _prices_stale: bool = False

    @rx.var
    def lines(self) -> list[CartLine]:
        return [cart_line(line, self._page_lang()) for line in self._lines]

    @rx.var
    def total_text(self) -> str:
        return display.money(self._total, self._page_lang())

    @rx.var
    def offers(self) -> list[DomainOfferView]:
        return [offer_view(o, self._page_lang()) for o in self._found]

    @rx.var
    def duration_labels(self) -> dict[str, str]:
        """Each duration in words, for the cart's duration pickers."""
        return {str(m): display.months(m, self._page_lang()) for m in DURATIONS}

    # --- helpers ----------------------------------------------------------------------------------

    def _owner(self, session: Session) -> tuple[int | None, str | None]:
        """(user_id, None) when logged in (merging this browser's visitor cart), else (None, visitor key)."""
        user = self._current_user(session)
        self.logged_in = user is not None
        if user is not None:
            if cart.valid_visitor_key(self.visitor_key):
                cart.merge_visitor_cart(session, user.id, self.visitor_key)
            return user.id, None
        if not cart.valid_visitor_key(self.visitor_key):
            self.visitor_key = cart.new_visitor_key()
        return None, self.visitor_key

    def _refresh(self, session: Session) -> None:
        user_id, key = self._owner(session)
        items = cart.cart_items(session, user_id=user_id, visitor_key=key)
        preview = preview_items(session, items, 0)
        self._lines = list(preview.lines)
        self._total = preview.total
        self.can_checkout = bool(preview.lines) and not preview.problems
        self.loaded = True
        self._prices_stale = PRICE_STALE in preview.problems

    def _requote_request(self):
        """(user_id, visitor key) when domain prices must be asked again, else None."""
        if not self._prices_stale or self.checking_prices:
            return None
        with session_scope() as session:
            owner = self._owner(session)
        self.checking_prices = True
        return owner

    def _after_requote(self, gone: list[str], failure: Exception | None) -> None:
        self.checking_prices = False
        self.gone_domains = gone
        if failure is not None:
            self.dialog_error = ""  # the lines keep saying the price is being checked; a reload asks again
        with session_scope() as session:
            self._refresh(session)

    async def _requote_now(self):
        """DOMAIN_PRICING=api: ask the registrar again for the domain prices that are no longer fresh,
        off the event loop, then show the page with them (a background handler's body)."""
        async with self:
            owner = self._requote_request()
        if owner is None:
            return
        gone, failure = [], None
        try:
            gone = await off_loop(cart.requote_domains, user_id=owner[0], visitor_key=owner[1])
        except Exception as exc:  # noqa: BLE001  (the lines stay "being checked"; nothing is charged)
            failure = exc
        async with self:
            self._after_requote(gone, failure)

    @rx.event(background=True)
    async def requote(self):
        """The cart's prices asked again (an inherited handler runs on the state declaring it, so the
        checkout declares its own)."""
        await self._requote_now()

    def _run(self, action, success_key: str | None = None):
        """Authorize (owner), act, refresh; a typed error becomes a translated toast and changes nothing."""
        try:
            with session_scope() as session:
                user_id, key = self._owner(session)
                action(session, user_id, key)
        except KmerError as exc:
            return rx.toast.error(self._error_message(exc))
        except Exception as exc:  # noqa: BLE001
            return rx.toast.error(self._error_message(exc))
        with session_scope() as session:
            self._refresh(session)
        if success_key:
            return rx.toast.success(self._t(success_key))
        return None

    # --- events -----------------------------------------------------------------------------------

    @rx.event
    def load(self):
        self._reword()
        with session_scope() as session:
            self._refresh(session)
        if self._prices_stale:
            return CartState.requote

    @rx.event
    def add_pack(self, pack_id, months):
        pack_id, months = _id(pack_id), _small(months)
        client = self.router.session.client_ip or ""
        error = self._run(lambda s, u, k: cart.add_pack(s, user_id=u, visitor_key=k, pack_id=pack_id,
                                                        months=months, client=client))
        return error or rx.redirect("/cart")

    @rx.event
    def set_duration(self, item_id, months):
        item_id, months = _id(item_id), _small(months)
        return self._run(lambda s, u, k: cart.set_duration(s, user_id=u, visitor_key=k, item_id=item_id,
                                                           months=months))

    @rx.event
    def set_domain_years(self, item_id, years):
        item_id, years = _id(item_id), _small(years)
        return self._run(lambda s, u, k: cart.set_domain_years(s, user_id=u, visitor_key=k, item_id=item_id,
                                                               years=years))

    @rx.event
    def remove(self, item_id):
        item_id = _id(item_id)
        return self._run(lambda s, u, k: cart.remove_item(s, user_id=u, visitor_key=k, item_id=item_id),
                         "shop.cart.removed")

    # --- the domain dialog ------------------------------------------------------------------------

    @rx.event
    def open_domain(self, item_id):
        item_id = _id(item_id)
        if item_id is None or not any(line.item_id == item_id and line.kind == "hosting" for line in self._lines):
            return rx.toast.error(self._t("shop.error.item_not_found"))
        self.dialog_item_id = item_id
        self.dialog_open, self.dialog_tab, self.dialog_error = True, "new", ""
        self._found, self.search_query, self.own_domain, self.years = [], "", "", "1"

    @rx.event
    def set_dialog_open(self, value: bool):
        self.dialog_open = parse_flag(value)

    @rx.event
    def set_dialog_tab(self, tab):
        self.dialog_tab = or_none(parse_choice, tab, ("new", "own")) or "new"
        self.dialog_error = ""

    @rx.event
    def set_search_query(self, value):
        self.search_query = or_none(parse_text, value, MAX_DOMAIN) or ""

    @rx.event
    def set_own_domain(self, value):
        self.own_domain = or_none(parse_text, value, MAX_DOMAIN) or ""

    @rx.event
    def set_years(self, value):
        years = _small(value, 1, 10)
        self.years = str(years) if years is not None else "1"

    @staticmethod
    def _form_value(form, name: str, fallback: str) -> str:
        """The submitted field wins over the last on_change (which may still be in flight)."""
        return parse_form(form, MAX_DOMAIN).get(name, fallback)

    def _start_domain_search(self, form) -> tuple[int, str, str] | None:
        self.search_query = self._form_value(form, "domain_search", self.search_query)
        self.dialog_error, self._found, self._offers = "", [], {}
        self._search_seq += 1
        self.searching = True
        return self._search_seq, self.search_query, self.router.session.client_ip or ""

    def _finish_domain_search(self, seq: int, found, failure: Exception | None) -> None:
        if seq != self._search_seq:
            return  # a newer search is under way
        self.searching = False
        if isinstance(failure, TooSlow):
            self.dialog_error = self._t("domains.error_slow")
        elif isinstance(failure, RegistrarError):
            self.dialog_error = self._t("error.registrar_failed")
        elif failure is not None:
            self.dialog_error = self._error_message(failure)
        if failure is not None:
            return
        self._offers = offers_by_domain(found)
        self._found = list(found)
        if not self._found:
            self.dialog_error = self._t("shop.domain.none_found")

    @rx.event(background=True)
    async def search_domains(self, form: dict | None = None):
        """The dialog's search: the registrar is asked off the event loop while the dialog shows it."""
        async with self:
            seq, query, client = self._start_domain_search(form)
        found, failure = None, None
        try:
            found = await off_loop(search_now, query, client)
        except Exception as exc:  # noqa: BLE001  (a message in the dialog, never a crash)
            failure = exc
        async with self:
            self._finish_domain_search(seq, found, failure)

    @rx.event
    def choose_offer(self, domain):
        """The domain picked among the search's answers, at the price shown (no second registrar call)."""
        domain = or_none(parse_text, domain, MAX_DOMAIN + 1)  # one more: too long is refused, not cut
        item_id, years = self.dialog_item_id, _small(self.years, 1, 10)
        offer = kept_offer(self._offers, domain) if domain is not None else None
        if offer is None:
            self.dialog_error = self._t("error.domain_unavailable")
            return None
        return self._choose(lambda s, u, k: cart.choose_new_domain(s, user_id=u, visitor_key=k, item_id=item_id,
                                                                   domain=domain, years=years, offer=offer))

    @rx.event
    def use_own_domain(self, form: dict | None = None):
        self.own_domain = self._form_value(form, "own_domain", self.own_domain)
        item_id, domain = self.dialog_item_id, self.own_domain
        return self._choose(lambda s, u, k: cart.choose_own_domain(s, user_id=u, visitor_key=k, item_id=item_id,
                                                                   domain=domain))

    def _choose(self, action):
        try:
            with session_scope() as session:
                user_id, key = self._owner(session)
                action(session, user_id, key)
        except Exception as exc:  # noqa: BLE001  (shown in the dialog, nothing changed)
            self.dialog_error = self._error_message(exc)
            return None
        self.dialog_open = False
        with session_scope() as session:
            self._refresh(session)
        return rx.toast.success(self._t("shop.domain.chosen"))

