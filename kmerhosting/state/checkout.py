"""/checkout: confirm every line, the total and the balance after, then pay once.

What the customer confirmed (total and line ids) and the idempotency key stay on the server
(backend-only vars): the browser only says "pay"; prices are computed from the database in core.
"""

from __future__ import annotations

import dataclasses
import secrets

import reflex as rx

from ..core import cart, checkout
from ..core.args import or_none, parse_choice, parse_text
from ..core.errors import InsufficientCredits, KmerError
from ..db import session_scope
from ..i18n import translate
from ..i18n.format import format_xaf
from .cart import MAX_DOMAIN, CartLine, CartState, _id, cart_line, money


@dataclasses.dataclass
class ResultLine:
    label_fr: str = ""
    label_en: str = ""
    amount_fr: str = ""
    amount_en: str = ""
    service_id: int = 0
    domain: str = ""
    domain_failed: bool = False


@dataclasses.dataclass
class OrderResult:
    order_id: int = 0
    status: str = ""
    status_fr: str = ""
    status_en: str = ""
    charged_fr: str = ""
    charged_en: str = ""
    balance_fr: str = ""
    balance_en: str = ""
    notes_fr: list[str] = dataclasses.field(default_factory=list)
    notes_en: list[str] = dataclasses.field(default_factory=list)
    lines: list[ResultLine] = dataclasses.field(default_factory=list)
    needs_domain: bool = False


def order_result(result: checkout.CheckoutResult) -> OrderResult:
    lines = []
    for line in result.lines:
        amount = int(line.get("hosting_price", 0)) + int(line.get("domain_price", 0))
        failed = line.get("domain_status") == "failed"
        lines.append(ResultLine(label_fr=checkout.line_label(line, "fr"), label_en=checkout.line_label(line, "en"),
                                amount_fr=format_xaf(amount, "fr"), amount_en=format_xaf(amount, "en"),
                                service_id=int(line.get("service_id") or 0), domain=line.get("domain", ""),
                                domain_failed=failed and bool(line.get("service_id"))))
    charged_fr, charged_en = money(result.charged - result.refunded)
    balance_fr, balance_en = money(result.balance)
    return OrderResult(
        order_id=result.order_id, status=result.status,
        status_fr=translate(f"shop.status.{result.status}", "fr"),
        status_en=translate(f"shop.status.{result.status}", "en"),
        charged_fr=charged_fr, charged_en=charged_en, balance_fr=balance_fr, balance_en=balance_en,
        notes_fr=checkout.order_messages(result.message, "fr", result.refunded),
        notes_en=checkout.order_messages(result.message, "en", result.refunded),
        lines=lines, needs_domain=any(line.domain_failed for line in lines))


class CheckoutState(CartState):
    items: list[CartLine] = []
    pay_total_fr: str = ""
    pay_total_en: str = ""
    balance_fr: str = ""
    balance_en: str = ""
    after_fr: str = ""
    after_en: str = ""
    missing_fr: str = ""
    missing_en: str = ""
    missing: bool = False
    has_problems: bool = False
    has_price_change: bool = False
    can_pay: bool = False
    empty: bool = True
    error: str = ""
    paying: bool = False
    paid: bool = False
    result: OrderResult = OrderResult()
    new_domain: dict[str, str] = {}

    # Server-side only: the key that makes "Pay" idempotent and the preview the customer confirmed.
    _checkout_key: str = ""
    _previewed_total: int = -1
    _previewed_ids: list[int] = []

    def _load_preview(self, session, user_id: int) -> None:
        preview = checkout.checkout_preview(session, user_id)
        self.items = [cart_line(line) for line in preview.lines]
        self.pay_total_fr, self.pay_total_en = money(preview.total)
        self.balance_fr, self.balance_en = money(preview.balance)
        self.after_fr, self.after_en = money(preview.balance_after)
        self.missing_fr, self.missing_en = (translate("shop.checkout.missing", lang, amount=format_xaf(preview.missing, lang))
                                            for lang in ("fr", "en"))
        self.missing = preview.missing > 0
        self.has_problems = bool(preview.problems)
        self.has_price_change = checkout.PRICE_CHANGED in preview.problems
        self.can_pay = preview.can_pay
        self.empty = not preview.lines
        self._previewed_total = preview.total
        self._previewed_ids = [line.item_id for line in preview.lines]

    @rx.event
    def load_checkout(self):
        self.error, self.paid, self.paying, self.result = "", False, False, OrderResult()
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                return self._login_redirect()
            self._owner(session)  # merges this browser's visitor cart into the account
            self._load_preview(session, user.id)
        # A new key per page load: a double click or replayed event reuses it, a new checkout doesn't.
        self._checkout_key = secrets.token_urlsafe(24)

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
            self.result = order_result(result)
            self.paid = True
            self.lines, self.can_checkout = [], False
        finally:
            self.paying = False

    # --- after a refused domain: give the hosting another domain ------------------------------------

    def _waiting_ids(self) -> set[int]:
        """The services of the result shown whose domain was refused: the only ones with a domain field."""
        return {line.service_id for line in self.result.lines if line.domain_failed}

    @rx.event
    def set_new_domain(self, service_id, value):
        # Keyed only by the services on the result page: a script sending other ids can't grow the dict.
        service_id, value = _id(service_id), or_none(parse_text, value, MAX_DOMAIN)
        if service_id in self._waiting_ids() and value is not None:
            self.new_domain = {**self.new_domain, str(service_id): value}

    @rx.event
    def retry_with_domain(self, service_id, mode):
        service_id, mode = _id(service_id), or_none(parse_choice, mode, ("register", "own"))
        if mode is None:
            return rx.toast.error(self._t("error.invalid_input"))
        domain = self.new_domain.get(str(service_id), "")
        try:
            with session_scope() as session:
                user = self._require_user(session)
                checkout.change_service_domain(session, user.id, service_id, domain)
                if mode == "register":
                    cart.add_domain_item(session, user_id=user.id, visitor_key=None, domain=domain, years=1)
        except Exception as exc:  # noqa: BLE001  (nothing changed: the session rolled back)
            return rx.toast.error(self._error_message(exc))
        if mode == "register":
            return rx.redirect("/cart")
        return rx.toast.success(self._t("shop.result.domain_changed"))

