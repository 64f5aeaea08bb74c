"""The customer's overview page: balance, next expiry, shortcuts."""

from __future__ import annotations

import reflex as rx

from ..config import get_settings
from ..core.errors import NotAuthorized
from ..core.renewals import customer_services, expiry_info
from ..db import session_scope
from ..i18n.format import format_date, format_xaf
from ..models import ServiceStatus, utcnow
from .base import BaseState
from .dashboard_views import both, both_t, days_text


class DashboardState(BaseState):
    user_name: str = ""
    balance_fr: str = ""
    balance_en: str = ""
    services_total: int = 0
    services_active: int = 0
    attention: int = 0  # services within a reminder threshold or expired (not cancelled)
    next_domain: str = ""
    next_date_fr: str = ""
    next_date_en: str = ""
    next_days_fr: str = ""
    next_days_en: str = ""
    hello_fr: str = ""
    hello_en: str = ""
    detail_fr: str = ""  # "2 to renew soon" or "3 active out of 4"
    detail_en: str = ""

    @rx.event
    def load(self):
        with session_scope() as session:
            try:
                user = self._require_user(session)
            except NotAuthorized:
                return  # the page guard sends the visitor to the login page
            self.user_name = user.name
            self.hello_fr, self.hello_en = both_t("dashboard.hello", name=user.name)
            self.balance_fr, self.balance_en = both(format_xaf, user.credits)
            self._summarise(customer_services(session, user.id))

    def _summarise(self, rows) -> None:
        now, thresholds = utcnow(), get_settings().reminder_days
        live = [s for s, _ in rows if s.status != ServiceStatus.cancelled]
        self.services_total = len(rows)
        self.services_active = sum(1 for s in live if s.status == ServiceStatus.active and s.expires_at > now)
        infos = [(s, expiry_info(s.expires_at, now, thresholds)) for s in live]
        self.attention = sum(1 for _, i in infos if i.expired or i.alert_days is not None)
        self.detail_fr, self.detail_en = (
            both_t("dashboard.needs_attention", n=self.attention) if self.attention
            else both_t("dashboard.active_count", n=self.services_active, total=self.services_total))
        upcoming = [(s, i) for s, i in infos if not i.expired] or infos  # else the most recently expired
        if not upcoming:
            self.next_domain = ""
            return
        service, info = upcoming[0] if not upcoming[0][1].expired else upcoming[-1]
        self.next_domain = service.domain
        self.next_date_fr, self.next_date_en = both(format_date, service.expires_at)
        self.next_days_fr, self.next_days_en = days_text(info)
