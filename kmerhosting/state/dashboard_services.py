"""The customer's services: expiry alerts and the renew dialog.

The renewal's idempotency key is made here when the dialog opens and kept in a backend-only var:
a double click, a replayed event or two tabs sending the same dialog charge once.
"""

from __future__ import annotations

import secrets

import reflex as rx

from ..config import DURATIONS, get_settings
from ..core.args import or_none, parse_flag, parse_id, parse_int
from ..core.errors import InsufficientCredits, KmerError, NotAuthorized
from ..core.renewals import customer_services, renew_service, renewal_quotes
from ..db import session_scope
from ..i18n import display
from ..models import utcnow
from .base import BaseState, Worded
from .dashboard_views import (RenewOption, RenewValues, ServiceRow, ServiceValues, renew_option, renew_values,
                              service_row, service_values)


class ServicesState(Worded, BaseState):
    _services: list[ServiceValues] = []
    _balance: int = 0
    loaded: bool = False

    renew_open: bool = False
    renew_domain: str = ""
    renew_pack: str = ""
    _renew_values: list[RenewValues] = []
    renew_months: int = 12
    renew_error: str = ""
    last_renewed: str = ""  # the success message, shown above the list

    _renew_key: str = ""
    _renew_service_id: int = 0

    @rx.var
    def services(self) -> list[ServiceRow]:
        return [service_row(v, self._page_lang()) for v in self._services]

    @rx.var
    def balance_text(self) -> str:
        return display.money(self._balance, self._page_lang())

    @rx.var
    def renew_options(self) -> list[RenewOption]:
        return [renew_option(v, self._page_lang()) for v in self._renew_values]

    @rx.var
    def renew_intro(self) -> str:
        return self._word("dashboard.renew_intro", pack=self.renew_pack) if self.renew_pack else ""

    @rx.event
    def load(self):
        self._reword()
        with session_scope() as session:
            try:
                user = self._require_user(session)
            except NotAuthorized:
                return
            self._refresh(session, user)

    def _refresh(self, session, user) -> None:
        now, thresholds = utcnow(), get_settings().reminder_days
        self._services = [service_values(s, p, thresholds, now) for s, p in customer_services(session, user.id)]
        self._balance = user.credits
        self.loaded = True

    @rx.event
    def open_renew(self, service_id: int):
        self._close()
        with session_scope() as session:
            try:
                user = self._require_user(session)
                service, pack, prices = renewal_quotes(session, user.id, parse_id(service_id))
            except KmerError as exc:
                return rx.toast.error(self._error_message(exc))
            now = utcnow()
            self._renew_values = [renew_values(p, service.expires_at, now, user.credits) for p in prices]
            self._balance = user.credits
        self._renew_service_id = service.id
        self._renew_key = secrets.token_urlsafe(24)
        self.renew_domain, self.renew_pack = service.domain, pack.name
        affordable = [o.months for o in self._renew_values if o.affordable]
        self.renew_months = 12 if 12 in affordable or not affordable else affordable[-1]
        self.renew_open = True

    # choose_months / set_renew_open only change this visitor's own dialog vars and
    # read nothing: the login is checked where data is read or written (open_renew, confirm_renew).
    @rx.event
    def choose_months(self, months: str | int):
        months = or_none(parse_int, months, min(DURATIONS), max(DURATIONS))
        if months in DURATIONS:
            self.renew_months = months
            self.renew_error = ""

    @rx.event
    def set_renew_open(self, is_open: bool):
        if not parse_flag(is_open):
            self._close()

    def _close(self) -> None:
        self.renew_open = False
        self.renew_error = ""
        self._renew_key = ""
        self._renew_service_id = 0

    @rx.event
    def confirm_renew(self):
        if not self._renew_key or not self._renew_service_id:
            # A second click queued behind a renewal that has just closed the dialog: already handled.
            self._close()
            return
        shown = next((o.price for o in self._renew_values if o.months == self.renew_months), None)
        with session_scope() as session:
            try:
                user = self._require_user(session)
                session.commit()  # end the read: the renewal starts its own locked transaction
                result = renew_service(session, user.id, self._renew_service_id, self.renew_months,
                                       self._renew_key, expected_price=shown)
            except InsufficientCredits as exc:
                self.renew_error = self._error_message(exc)
                return
            except KmerError as exc:
                self.renew_error = self._error_message(exc)
                if exc.key == "dashboard.renew_price_changed":
                    return ServicesState.open_renew(self._renew_service_id)
                return
            self._close()
            self.last_renewed = self._t("dashboard.renew_done", domain=result.domain,
                                        date=display.date(result.expires_at, self.lang))
            self._refresh(session, user)
        return rx.toast.success(self.last_renewed)
