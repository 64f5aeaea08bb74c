"""The customer's credits: balance, Mobile Money top-ups, ledger pages, CSV export, credit requests."""

from __future__ import annotations

import asyncio
import reflex as rx

from ..config import get_settings
from ..core import billing, credit_requests, payments
from ..core.args import or_none, parse_choice, parse_form, parse_id
from ..core.errors import KmerError, NotAuthorized
from ..db import session_scope
from ..i18n import display
from ..models import PaymentMethod, utcnow
from ..integrations.payments import OPERATORS
from .base import BaseState, Worded
from .offloop import off_loop
from .views import detached
from .dashboard_views import LedgerRow, PaymentRow, RequestRow, ledger_row, payment_row, request_row

PER_PAGE = 15
WATCH_EVERY = 1.5  # seconds between two reads of a payment being confirmed
FINAL = {str(s) for s in payments.FINAL}
USSD_SHORT = {"mtn": "MTN", "orange": "Orange"}

# Other open tabs of the customer: while the page is visible, a hidden button asks for the balance every
# few seconds and as soon as the tab comes back to the front (one indexed read; nothing travels unless
# the balance changed). Installed once per browser tab; it does nothing on a page without the button.
BALANCE_WATCH_JS = """(() => { if (window.__khBalanceWatch) return; window.__khBalanceWatch = true;
const tick = () => { if (document.visibilityState !== 'visible') return;
  const b = document.getElementById('balance-refresh'); if (b) b.click(); };
setInterval(tick, 5000); document.addEventListener('visibilitychange', tick); })()"""


class BillingState(Worded, BaseState):
    _balance: int = 0
    _rows: list = []
    page: int = 1
    pages: int = 1
    total: int = 0
    _requests: list = []

    form_method: str = PaymentMethod.mtn_momo.value
    form_error: str = ""
    form_done: str = ""
    form_key: int = 0  # bumped after a successful request so the form's inputs start empty again

    # Mobile Money top-up
    topup_operator: str = "mtn"
    topup_phone: str = ""
    topup_error: str = ""
    topup_busy: bool = False
    topup_key: int = 0
    _topup: dict = {}  # the payment being followed (plain values), {} when none
    _payments: list = []
    watching: bool = False

    @rx.var
    def balance_text(self) -> str:
        return display.money(self._balance, self._page_lang())

    @rx.var
    def rows(self) -> list[LedgerRow]:
        return [ledger_row(r, self._page_lang()) for r in self._rows]

    @rx.var
    def requests(self) -> list[RequestRow]:
        return [request_row(r, self._page_lang()) for r in self._requests]

    @rx.var
    def page_label(self) -> str:
        return self._word("dashboard.page_of", page=self.page, pages=self.pages)

    @rx.var
    def limits(self) -> str:
        settings = get_settings()
        return self._word("dashboard.request_limits", min=display.money(settings.credit_request_min, self._page_lang()),
                       max=display.money(settings.credit_request_max, self._page_lang()))

    @rx.var
    def topup_limits(self) -> str:
        settings = get_settings()
        return self._word("payment.limits", min=display.money(settings.topup_min, self._page_lang()),
                       max=display.money(settings.topup_max, self._page_lang()))

    @rx.var
    def sandbox_gateway(self) -> bool:
        return get_settings().payment_gateway == "sandbox"

    @rx.var
    def topup_status(self) -> str:
        """"" (no payment followed), or the payment's status value (the panel's colour and icon)."""
        return str(self._topup.get("status", ""))

    @rx.var
    def topup_message(self) -> str:
        p = self._topup
        if not p:
            return ""
        status = str(p["status"])
        operator = display.label("operator", p["operator"], self._page_lang())
        if status == "created":
            return self._word("payment.live_created", operator=operator)
        if status == "pending":
            if p.get("ussd_code"):
                return self._word("payment.live_pending", operator_short=USSD_SHORT.get(p["operator"], operator),
                               ussd=p["ussd_code"])
            return self._word("payment.live_pending_plain")
        if status == "complete":
            return self._word("payment.live_complete", amount=display.money(p["amount"], self._page_lang()))
        return self._word(f"payment.live_{status}")

    @rx.var
    def topup_detail(self) -> str:
        p = self._topup
        if not p or str(p["status"]) not in ("created", "pending"):
            return ""
        return self._word("payment.live_pending_help", amount=display.money(p["amount"], self._page_lang()),
                       phone=display.phone(p["phone"]))

    @rx.var
    def topup_redirect(self) -> str:
        """The gateway's own payment page, when it offers one (another way to pay while it waits)."""
        p = self._topup
        url = str(p.get("redirect_url") or "") if p else ""
        if str(p.get("status", "")) not in ("created", "pending") or not url.startswith("https://"):
            return ""
        return url

    @rx.var
    def payment_rows(self) -> list[PaymentRow]:
        return [payment_row(p, self._page_lang()) for p in self._payments]

    @rx.event
    def load(self):
        self._reword()
        self.page = 1
        self.form_error = self.form_done = self.topup_error = ""
        self._reload()
        with session_scope() as session:
            user = self._current_user(session)
            if user is not None and not self.topup_phone and user.phone:
                self.topup_phone = display.phone(or_none(payments.parse_phone, user.phone) or user.phone)
        return rx.call_script(BALANCE_WATCH_JS)

    def _reload(self) -> None:
        with session_scope() as session:
            try:
                user = self._require_user(session)
            except NotAuthorized:
                return
            self._balance = user.credits
            result = billing.ledger_page(session, user.id, self.page, PER_PAGE)
            self._rows = [detached(r) for r in result.rows]
            self.page, self.pages, self.total = result.page, result.pages, result.total
            self._requests = [detached(r) for r in credit_requests.list_requests(session, user.id)]
            self._payments = [detached(p) for p in payments.recent(session, user.id)]

    @rx.event
    def refresh_balance(self):
        """The balance as it is now (another tab's top-up, an admin's credit): everything is read again
        only when it changed."""
        with session_scope() as session:
            user = self._current_user(session)
            if user is None or user.credits == self._balance:
                return
        self._reload()

    # --- Mobile Money top-up ----------------------------------------------------------------------

    @rx.event
    def set_topup_operator(self, operator: str):
        self.topup_operator = or_none(parse_choice, operator, OPERATORS) or self.topup_operator

    @rx.event
    def start_topup(self, form_data: dict):
        """Write the payment and its start job (database only: the worker calls the gateway), then
        follow it on the page."""
        if self.topup_busy or self.topup_status in ("created", "pending"):
            return
        self.topup_error = ""
        form_data = parse_form(form_data)
        with session_scope() as session:
            try:
                user = self._require_user(session)
                payment = payments.start_topup(session, user.id, form_data.get("amount"), self.topup_operator,
                                               form_data.get("phone"), lang=self.lang)
            except KmerError as exc:
                self.topup_error = self._error_message(exc)
                return
            self._topup = payment.model_dump()
            self.topup_phone = display.phone(payment.phone)
        self._reload()
        return BillingState.watch_topup

    @rx.event
    def new_topup(self):
        if self.topup_status in ("created", "pending"):
            return
        self._topup = {}
        self.topup_error = ""
        self.topup_key += 1

    @rx.event(background=True)
    async def watch_topup(self):
        """Follow the payment until it is final (or its deadline passed): the status and, once it is
        complete, the new balance appear without reloading. Database reads only, off the event loop."""
        async with self:
            if self.watching or not self._topup:
                return
            with session_scope() as session:
                user = self._current_user(session)
            if user is None:
                return
            self.watching = True
            payment_id, user_id = int(self._topup["id"]), user.id
        try:
            rounds = int(get_settings().payment_deadline_minutes * 60 / WATCH_EVERY) + 40
            for _ in range(rounds):
                await asyncio.sleep(WATCH_EVERY)
                try:
                    seen = await off_loop(payments.watch, user_id, payment_id)
                except Exception:  # noqa: BLE001  (the next round reads again)
                    continue
                async with self:
                    if not self._topup or int(self._topup["id"]) != payment_id:
                        break  # the customer started another one, or left
                    if seen.payment["status"] != self._topup.get("status") or seen.balance != self._balance:
                        self._topup = seen.payment
                        self._reload()
                if str(seen.payment["status"]) in FINAL:
                    break
        finally:
            async with self:
                self.watching = False

    @rx.event
    def next_page(self):
        self.page = min(self.page + 1, self.pages)
        self._reload()

    @rx.event
    def previous_page(self):
        self.page = max(self.page - 1, 1)
        self._reload()

    @rx.event
    def download_csv(self):
        with session_scope() as session:
            try:
                user = self._require_user(session)
            except NotAuthorized as exc:
                return rx.toast.error(self._error_message(exc))
            data = billing.ledger_csv(session, user.id, self.lang)
        filename = f"kmerhosting-ledger-{utcnow():%Y%m%d}.csv"
        return rx.download(data=data, filename=filename, mime_type="text/csv")

    @rx.event
    def set_form_method(self, method: str):
        self.form_method = or_none(parse_choice, method, [m.value for m in PaymentMethod]) or self.form_method

    @rx.event
    def submit_request(self, form_data: dict):
        self.form_error = self.form_done = ""
        form_data = parse_form(form_data)
        with session_scope() as session:
            try:
                user = self._require_user(session)
                credit_requests.create_request(session, user.id, form_data.get("amount"), self.form_method,
                                               form_data.get("reference"))
            except KmerError as exc:
                self.form_error = self._error_message(exc)
                return
        self.form_done = self._t("dashboard.request_sent")
        self.form_key += 1
        self._reload()
        return rx.toast.success(self.form_done)

    @rx.event
    def cancel_request(self, request_id: int):
        with session_scope() as session:
            try:
                user = self._require_user(session)
                credit_requests.cancel_request(session, user.id, parse_id(request_id))
            except KmerError as exc:
                return rx.toast.error(self._error_message(exc))
        self._reload()
        return rx.toast.success(self._t("dashboard.request_cancelled"))
