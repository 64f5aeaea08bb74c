"""/checkout: confirm every line, the total and the balance after, then pay once.

What the customer confirmed (total and line ids) and the idempotency key stay on the server
(backend-only vars): the browser only says "pay"; prices are computed from the database in core.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets

import reflex as rx

from ..core import cart, checkout
from ..core.args import or_none, parse_choice, parse_text
from ..config import get_settings
from ..core.errors import InsufficientCredits, KmerError
from ..db import session_scope
from ..i18n import translate
from ..i18n import display
from .cart import MAX_DOMAIN, CartLine, CartState, _id, cart_line
from .offloop import off_loop


@dataclasses.dataclass
class ResultLine:
    label: str = ""
    amount: str = ""
    service_id: int = 0
    domain: str = ""
    domain_failed: bool = False


@dataclasses.dataclass
class OrderResult:
    order_id: int = 0
    title: str = ""  # "Commande n° 12" / "Order #12"
    status: str = ""
    status_text: str = ""
    charged: str = ""
    balance: str = ""
    notes: list[str] = dataclasses.field(default_factory=list)
    lines: list[ResultLine] = dataclasses.field(default_factory=list)
    needs_domain: bool = False


def refused_domain(line: dict) -> bool:
    """A hosting line whose new domain the registrar refused: the customer gives it another one."""
    return line.get("domain_status") == "failed" and bool(line.get("service_id"))


def order_result(result: checkout.CheckoutResult | None, lang: str) -> OrderResult:
    if result is None:
        return OrderResult()
    lines = [ResultLine(label=checkout.line_label(line, lang),
                        amount=display.money(int(line.get("hosting_price", 0)) + int(line.get("domain_price", 0)), lang),
                        service_id=int(line.get("service_id") or 0), domain=line.get("domain", ""),
                        domain_failed=refused_domain(line))
             for line in result.lines]
    return OrderResult(
        order_id=result.order_id, title=display.reference(f"order:{result.order_id}", lang)[0], status=result.status,
        status_text=translate(f"shop.status.{result.status}", lang),
        charged=display.money(result.charged - result.refunded, lang), balance=display.money(result.balance, lang),
        notes=checkout.order_messages(result.message, lang, result.refunded),
        lines=lines, needs_domain=any(line.domain_failed for line in lines))


WATCH_EVERY = 1.0  # seconds between two reads of an order whose domains are being registered
WATCH_ROUNDS = 90


def result_status(result: checkout.CheckoutResult | None) -> str:
    return result.status if result is not None else ""


def read_order(user_id: int, order_id: int) -> checkout.CheckoutResult:
    with session_scope() as session:
        return checkout.get_order(session, user_id, order_id)


class CheckoutState(CartState):
    _items: list = []  # the preview's lines (core.checkout.PreviewLine)
    _pay_total: int = 0
    _balance: int = 0
    _balance_after: int = 0
    _missing_amount: int = 0
    has_problems: bool = False
    has_price_change: bool = False
    can_pay: bool = False
    empty: bool = True
    error: str = ""
    paying: bool = False
    paid: bool = False
    _result: checkout.CheckoutResult | None = None
    new_domain: dict[str, str] = {}
    watching: bool = False  # the result panel follows the order while its domains are registered
    still_working: bool = False  # the registrar is slow: the customer may leave, a mail will follow

    # Server-side only: the key that makes "Pay" idempotent and the preview the customer confirmed.
    _checkout_key: str = ""
    _previewed_total: int = -1
    _previewed_ids: list[int] = []

    # Its own language (`Worded`): the cart's would re-word this page's texts on /cart, and the
    # cart's lines on /checkout.
    _checkout_lang: str = ""
    _checkout_worded: bool = False

    def _page_lang(self) -> str:
        return self._checkout_lang or get_settings().default_language

    def _reword(self, switch: bool = False) -> None:
        if switch and not self._checkout_worded:
            return
        self._checkout_worded = True
        if self._page_lang() != self.lang:
            self._checkout_lang = self.lang

    @rx.var
    def items(self) -> list[CartLine]:
        return [cart_line(line, self._page_lang()) for line in self._items]

    @rx.var
    def pay_total_text(self) -> str:
        return display.money(self._pay_total, self._page_lang())

    @rx.var
    def balance_text(self) -> str:
        return display.money(self._balance, self._page_lang())

    @rx.var
    def after_text(self) -> str:
        return display.money(self._balance_after, self._page_lang())

    @rx.var
    def missing(self) -> bool:
        return self._missing_amount > 0

    @rx.var
    def missing_text(self) -> str:
        return self._word("shop.checkout.missing", amount=display.money(self._missing_amount, self._page_lang()))

    @rx.var
    def result(self) -> OrderResult:
        return order_result(self._result, self._page_lang())

    def _load_preview(self, session, user_id: int) -> None:
        preview = checkout.checkout_preview(session, user_id)
        self._items = list(preview.lines)
        self._pay_total, self._balance, self._balance_after = preview.total, preview.balance, preview.balance_after
        self._missing_amount = preview.missing
        self.has_problems = bool(preview.problems)
        self.has_price_change = checkout.PRICE_CHANGED in preview.problems
        self.can_pay = preview.can_pay
        self.empty = not preview.lines
        self._previewed_total = preview.total
        self._previewed_ids = [line.item_id for line in preview.lines]
        self._prices_stale = checkout.PRICE_STALE in preview.problems

    def _after_requote(self, gone: list[str], failure: Exception | None) -> None:
        super()._after_requote(gone, failure)
        with session_scope() as session:
            user = self._current_user(session)
            if user is not None:
                self._load_preview(session, user.id)

    @rx.event
    def load_checkout(self):
        self._reword()
        self.error, self.paid, self.paying, self._result = "", False, False, None
        self.still_working = False
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return self._login_redirect()
            self._owner(session)  # merges this browser's visitor cart into the account
            self._load_preview(session, user.id)
        # A new key per page load: a double click or replayed event reuses it, a new checkout doesn't.
        self._checkout_key = secrets.token_urlsafe(24)
        if self._prices_stale:
            return CheckoutState.requote_prices

    @rx.event(background=True)
    async def requote_prices(self):
        """The checkout's domain prices asked again from the registrar (DOMAIN_PRICING=api), off the loop."""
        await self._requote_now()

    @rx.event
    def accept_prices(self):
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return self._login_redirect()
            checkout.accept_new_prices(session, user.id)
        with session_scope() as session:
            self._load_preview(session, user.id)

    @rx.event
    def pay(self):
        if self.paying or self.paid:
            return
        with session_scope() as session:
            user = self._current_user(session)
        if user is None:
            yield self._login_redirect()
            return
        if not self._checkout_key:
            self.error = self._t("shop.error.checkout_expired")
            return
        self.paying, self.error = True, ""
        yield
        try:
            result = checkout.pay(session_scope, user.id, self._checkout_key,
                                  self._previewed_total, item_ids=list(self._previewed_ids))
        except InsufficientCredits as exc:
            self.error = self._error_message(exc)
        except KmerError as exc:
            self.error = self._error_message(exc)
            with session_scope() as session:
                self._load_preview(session, user.id)
        except Exception as exc:  # noqa: BLE001
            self.error = self._error_message(exc)
        else:
            self._result = result
            self.paid = True
            self._lines, self.can_checkout = [], False
        finally:
            self.paying = False
        if self.paid and result_status(self._result) == "pending":
            yield CheckoutState.watch_order

    def _watched_order(self) -> tuple[int, int] | None:
        with session_scope() as session:
            user = self._current_user(session)
        if user is None or not self.paid or self.watching:
            return None
        self.watching, self.still_working = True, False
        return user.id, self._result.order_id

    @rx.event(background=True)
    async def watch_order(self):
        """While the worker registers the order's domains, the result panel follows it (the database is
        read off the event loop) and shows the outcome as soon as it is known."""
        async with self:
            watched = self._watched_order()
        if watched is None:
            return
        user_id, order_id = watched
        result = None
        for _ in range(WATCH_ROUNDS):
            await asyncio.sleep(WATCH_EVERY)
            try:
                result = await off_loop(read_order, user_id, order_id)
            except Exception:  # noqa: BLE001  (keep the last known state; the next round reads again)
                continue
            if result.status != "pending":
                break
        async with self:
            self.watching = False
            if result is not None and self._result is not None and self._result.order_id == order_id:
                self._result = result
            self.still_working = result_status(self._result) == "pending"

    # --- after a refused domain: give the hosting another domain ------------------------------------

    def _waiting_ids(self) -> set[int]:
        """The services of the result shown whose domain was refused: the only ones with a domain field."""
        lines = self._result.lines if self._result is not None else []
        return {int(line.get("service_id") or 0) for line in lines if refused_domain(line)}

    @rx.event
    def set_new_domain(self, service_id, value):
        # Keyed only by the services on the result page: a script sending other ids can't grow the dict.
        service_id, value = _id(service_id), or_none(parse_text, value, MAX_DOMAIN)
        if service_id in self._waiting_ids() and value is not None:
            self.new_domain = {**self.new_domain, str(service_id): value}

    @rx.event(background=True)
    async def retry_with_domain(self, service_id, mode):
        """After a refused domain: give the hosting a domain the customer owns, or put a new one in the
        cart (the registrar is asked whether it is free, off the event loop)."""
        async with self:
            service_id, mode = _id(service_id), or_none(parse_choice, mode, ("register", "own"))
            domain = self.new_domain.get(str(service_id), "") if service_id is not None else ""
            with session_scope() as session:
                user = self._current_user(session)
            if mode is None:
                return rx.toast.error(self._t("error.invalid_input"))
            if user is None:
                return rx.toast.error(self._t("error.not_authorized"))
        try:
            await off_loop(give_service_domain, user.id, service_id, domain, mode)
        except Exception as exc:  # noqa: BLE001  (nothing changed: the transaction rolled back)
            async with self:
                return rx.toast.error(self._error_message(exc))
        if mode == "register":
            return rx.redirect("/cart")
        async with self:
            return rx.toast.success(self._t("shop.result.domain_changed"))


def give_service_domain(user_id: int, service_id, domain: str, mode: str) -> None:
    """Point the service at `domain`; for a new domain, also a cart line to buy it (a registrar call)."""
    with session_scope() as session:
        checkout.change_service_domain(session, user_id, service_id, domain)
        if mode == "register":
            cart.add_domain_item(session, user_id=user_id, visitor_key=None, domain=domain, years=1)
