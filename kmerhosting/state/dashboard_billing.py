"""The customer's credits: balance, ledger pages, CSV export, credit requests."""

from __future__ import annotations

import reflex as rx

from ..config import get_settings
from ..core import billing, credit_requests
from ..core.args import or_none, parse_choice, parse_form, parse_id
from ..core.errors import KmerError, NotAuthorized
from ..db import session_scope
from ..i18n import display
from ..models import PaymentMethod, utcnow
from .base import BaseState, Worded
from .views import detached
from .dashboard_views import LedgerRow, RequestRow, ledger_row, request_row

PER_PAGE = 15


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

    @rx.event
    def load(self):
        self._reword()
        self.page = 1
        self.form_error = self.form_done = ""
        self._reload()

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
