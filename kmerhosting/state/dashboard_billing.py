"""The customer's credits: balance, ledger pages, CSV export, credit requests."""

from __future__ import annotations

import reflex as rx

from ..config import LANGUAGES, get_settings
from ..core import billing, credit_requests
from ..core.args import or_none, parse_choice, parse_form, parse_id
from ..core.errors import KmerError, NotAuthorized
from ..db import session_scope
from ..i18n import translate
from ..i18n.format import format_xaf
from ..models import PaymentMethod, utcnow
from .base import BaseState
from .dashboard_views import LedgerRow, RequestRow, both, ledger_row, request_row

PER_PAGE = 15


class BillingState(BaseState):
    balance_fr: str = ""
    balance_en: str = ""
    rows: list[LedgerRow] = []
    page: int = 1
    pages: int = 1
    total: int = 0
    page_label_fr: str = ""
    page_label_en: str = ""
    requests: list[RequestRow] = []
    limits_fr: str = ""
    limits_en: str = ""

    form_method: str = PaymentMethod.mtn_momo.value
    form_error: str = ""
    form_done: str = ""
    form_key: int = 0  # bumped after a successful request so the form's inputs start empty again

    @rx.event
    def load(self):
        self.page = 1
        self.form_error = self.form_done = ""
        settings = get_settings()
        self.limits_fr, self.limits_en = (
            translate("dashboard.request_limits", lang, min=format_xaf(settings.credit_request_min, lang),
                      max=format_xaf(settings.credit_request_max, lang)) for lang in LANGUAGES)
        self._reload()

    def _reload(self) -> None:
        with session_scope() as session:
            try:
                user = self._require_user(session)
            except NotAuthorized:
                return
            self.balance_fr, self.balance_en = both(format_xaf, user.credits)
            result = billing.ledger_page(session, user.id, self.page, PER_PAGE)
            self.rows = [ledger_row(r) for r in result.rows]
            self.page, self.pages, self.total = result.page, result.pages, result.total
            self.page_label_fr, self.page_label_en = (
                translate("dashboard.page_of", lang, page=result.page, pages=result.pages) for lang in LANGUAGES)
            self.requests = [request_row(r) for r in credit_requests.list_requests(session, user.id)]

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
            data = billing.ledger_csv(session, user.id)
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
