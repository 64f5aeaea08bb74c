"""The customer's overview page: balance, next expiry, shortcuts."""

from __future__ import annotations

from datetime import datetime

import reflex as rx

from ..config import get_settings
from ..core.errors import NotAuthorized
from ..core.renewals import customer_services, expiry_info
from ..db import session_scope
from ..i18n import display
from ..models import ServiceStatus, utcnow
from .base import BaseState, Worded


class DashboardState(Worded, BaseState):
    user_name: str = ""
    _balance: int = 0
    services_total: int = 0
    services_active: int = 0
    attention: int = 0  # services within a reminder threshold or expired (not cancelled)
    next_domain: str = ""
    _next_expires_at: datetime | None = None
    _next_days_left: int = 0
    _next_expired: bool = False

    @rx.var
    def balance_text(self) -> str:
        return display.money(self._balance, self._page_lang())

    @rx.var
    def hello(self) -> str:
        return self._word("dashboard.hello", name=self.user_name) if self.user_name else ""

    @rx.var
    def detail(self) -> str:
        """"2 to renew soon" or "3 active out of 4"."""
        if self.attention:
            return display.count("dashboard.needs_attention", self.attention, self._page_lang())
        return self._word("dashboard.active_count_one" if display.plural_category(self.services_active, self._page_lang()) == "one"
                       else "dashboard.active_count", n=self.services_active, total=self.services_total)

    @rx.var
    def next_date(self) -> str:
        return display.date(self._next_expires_at, self._page_lang())

    @rx.var
    def next_days(self) -> str:
        return display.expiry(self._next_days_left, self._next_expired, self._page_lang()) if self.next_domain else ""

    @rx.event
    def load(self):
        self._reword()
        with session_scope() as session:
            try:
                user = self._require_user(session)
            except NotAuthorized:
                return  # the page guard sends the visitor to the login page
            self.user_name = user.name
            self._balance = user.credits
            self._summarise(customer_services(session, user.id))
        from .dashboard_billing import BALANCE_WATCH_JS  # noqa: PLC0415

        return rx.call_script(BALANCE_WATCH_JS)

    @rx.event
    def refresh_balance(self):
        """The balance as it is now (a top-up made in another tab): sent only when it changed."""
        with session_scope() as session:
            user = self._current_user(session)
            if user is not None and user.credits != self._balance:
                self._balance = user.credits

    def _summarise(self, rows) -> None:
        now, thresholds = utcnow(), get_settings().reminder_days
        live = [s for s, _ in rows if s.status != ServiceStatus.cancelled]
        self.services_total = len(rows)
        self.services_active = sum(1 for s in live if s.status == ServiceStatus.active and s.expires_at > now)
        infos = [(s, expiry_info(s.expires_at, now, thresholds)) for s in live]
        self.attention = sum(1 for _, i in infos if i.expired or i.alert_days is not None)
        upcoming = [(s, i) for s, i in infos if not i.expired] or infos  # else the most recently expired
        if not upcoming:
            self.next_domain = ""
            return
        service, info = upcoming[0] if not upcoming[0][1].expired else upcoming[-1]
        self.next_domain = service.domain
        self._next_expires_at = service.expires_at
        self._next_days_left, self._next_expired = info.days_left, info.expired
