"""/cart: the lines, their durations and domains (chosen in a dialog), the total.

The cart belongs to the logged-in user, else to this browser's visitor key (`kh_cart` in local
storage, random, made here). When a logged-in user loads the cart, the visitor's lines move into the
account. The key only ever reaches rows without a user (see core.cart).
"""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from ..core import cart
from ..core.args import or_none, parse_choice, parse_flag, parse_form, parse_id, parse_int, parse_text
from ..core.checkout import PreviewLine, preview_items
from ..core.domains import search_for_client
from ..core.errors import KmerError
from ..db import session_scope
from ..i18n import translate
from ..i18n.format import format_months, format_xaf
from ..integrations.registrar import RegistrarError
from ..integrations.registrar.factory import get_registrar
from .base import BaseState


@dataclasses.dataclass
class CartLine:
    id: int = 0
    is_hosting: bool = True
    title: str = ""
    months: str = "12"
    duration_fr: str = ""
    duration_en: str = ""
    domain: str = ""
    domain_mode: str = ""
    domain_years: str = "1"
    has_domain: bool = False
    hosting_fr: str = ""
    hosting_en: str = ""
    domain_fr: str = ""
    domain_en: str = ""
    amount_fr: str = ""
    amount_en: str = ""
    problem_fr: str = ""
    problem_en: str = ""


@dataclasses.dataclass
class DomainOfferView:
    domain: str = ""
    available: bool = False
    price_fr: str = ""
    price_en: str = ""


def money(amount: int) -> tuple[str, str]:
    return format_xaf(amount, "fr"), format_xaf(amount, "en")


def problem_texts(line: PreviewLine) -> tuple[str, str]:
    if not line.problem:
        return "", ""
    params = {}
    if line.problem == "price_changed":
        for lang in ("fr", "en"):
            params[lang] = {"old": format_xaf(line.quoted_hosting + line.quoted_domain, lang),
                            "new": format_xaf(line.amount, lang)}
    key = f"shop.problem.{line.problem}"
    return (translate(key, "fr", **params.get("fr", {})), translate(key, "en", **params.get("en", {})))


def cart_line(line: PreviewLine) -> CartLine:
    hosting_fr, hosting_en = money(line.hosting_price)
    domain_fr, domain_en = money(line.domain_price)
    amount_fr, amount_en = money(line.amount)
    problem_fr, problem_en = problem_texts(line)
    return CartLine(
        id=line.item_id, is_hosting=line.kind == "hosting",
        title=line.pack_name if line.kind == "hosting" else line.domain,
        months=str(line.months), duration_fr=format_months(line.months, "fr") if line.months else "",
        duration_en=format_months(line.months, "en") if line.months else "",
        domain=line.domain, domain_mode=line.domain_mode, domain_years=str(line.domain_years),
        has_domain=bool(line.domain and line.domain_mode), hosting_fr=hosting_fr, hosting_en=hosting_en,
        domain_fr=domain_fr, domain_en=domain_en, amount_fr=amount_fr, amount_en=amount_en,
        problem_fr=problem_fr, problem_en=problem_en)


MAX_DOMAIN = 253


def _id(value) -> int | None:
    """A row id from the browser, or None (core answers "not in your cart")."""
    return or_none(parse_id, value)


def _small(value, low: int = 0, high: int = 1000) -> int | None:
    """A duration or a number of years from the browser, or None (core says which values it takes)."""
    return or_none(parse_int, value, low, high)


class CartState(BaseState):
    # This browser's anonymous cart key (random, made server-side on first visit).
    visitor_key: str = rx.LocalStorage("", name="kh_cart", sync=True)
    lines: list[CartLine] = []
    total_fr: str = ""
    total_en: str = ""
    can_checkout: bool = False
    logged_in: bool = False
    loaded: bool = False

    # The domain dialog
    dialog_open: bool = False
    dialog_item_id: int = 0
    dialog_tab: str = "new"
    search_query: str = ""
    offers: list[DomainOfferView] = []
    years: str = "1"
    own_domain: str = ""
    dialog_error: str = ""
    searching: bool = False

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
        self.lines = [cart_line(line) for line in preview.lines]
        self.total_fr, self.total_en = money(preview.total)
        self.can_checkout = bool(preview.lines) and not preview.problems
        self.loaded = True

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
        with session_scope() as session:
            self._refresh(session)

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
        if item_id is None or not any(line.id == item_id and line.is_hosting for line in self.lines):
            return rx.toast.error(self._t("shop.error.item_not_found"))
        self.dialog_item_id = item_id
        self.dialog_open, self.dialog_tab, self.dialog_error = True, "new", ""
        self.offers, self.search_query, self.own_domain, self.years = [], "", "", "1"

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

    @rx.event
    def search_domains(self, form: dict | None = None):
        self.search_query = self._form_value(form, "domain_search", self.search_query)
        self.dialog_error, self.offers = "", []
        try:
            with session_scope() as session:
                offers = search_for_client(session, get_registrar(), self.search_query,
                                           self.router.session.client_ip or "")
        except KmerError as exc:
            self.dialog_error = self._error_message(exc)
            return
        except RegistrarError:
            self.dialog_error = self._t("error.registrar_failed")
            return
        self.offers = [DomainOfferView(domain=o.domain, available=o.available,
                                       price_fr=translate("shop.domain.per_year", "fr", amount=format_xaf(o.price_xaf, "fr")),
                                       price_en=translate("shop.domain.per_year", "en", amount=format_xaf(o.price_xaf, "en")))
                       for o in offers]
        if not self.offers:
            self.dialog_error = self._t("shop.domain.none_found")

    @rx.event
    def choose_offer(self, domain):
        domain = or_none(parse_text, domain, MAX_DOMAIN + 1)  # one more: too long is refused, not cut
        item_id, years = self.dialog_item_id, _small(self.years, 1, 10)
        return self._choose(lambda s, u, k: cart.choose_new_domain(s, user_id=u, visitor_key=k, item_id=item_id,
                                                                   domain=domain, years=years))

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

