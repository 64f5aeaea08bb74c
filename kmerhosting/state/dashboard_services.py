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
from ..i18n.format import format_date, format_xaf
from ..models import utcnow
from .base import BaseState
from .dashboard_views import RenewOption, ServiceRow, both, both_t, renew_option, service_row


class ServicesState(BaseState):
    services: list[ServiceRow] = []
    balance: int = 0
    balance_fr: str = ""
    balance_en: str = ""
    loaded: bool = False

    renew_open: bool = False
    renew_domain: str = ""
    renew_pack: str = ""
    renew_intro_fr: str = ""
    renew_intro_en: str = ""
    renew_options: list[RenewOption] = []
    renew_months: int = 12
    renew_error: str = ""
    last_renewed: str = ""  # the success message, shown above the list

    _renew_key: str = ""
    _renew_service_id: int = 0

    @rx.event
    def load(self):
        with session_scope() as session:
            try:
                user = self._require_user(session)
            except NotAuthorized:
                return
            self._refresh(session, user)

    def _refresh(self, session, user) -> None:
        now, thresholds = utcnow(), get_settings().reminder_days
        self.services = [service_row(s, p, thresholds, now) for s, p in customer_services(session, user.id)]
        self.balance = user.credits
        self.balance_fr, self.balance_en = both(format_xaf, user.credits)
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
            self.renew_options = [renew_option(p, service.expires_at, now, user.credits) for p in prices]
            self.balance = user.credits
            self.balance_fr, self.balance_en = both(format_xaf, user.credits)
        self._renew_service_id = service.id
        self._renew_key = secrets.token_urlsafe(24)
        self.renew_domain, self.renew_pack = service.domain, pack.name
        self.renew_intro_fr, self.renew_intro_en = both_t("dashboard.renew_intro", pack=pack.name)
        affordable = [o.months for o in self.renew_options if o.affordable]
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
        shown = next((o.price for o in self.renew_options if o.months == self.renew_months), None)
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
                                        date=format_date(result.expires_at, self.lang))
            self._refresh(session, user)
        return rx.toast.success(self.last_renewed)
