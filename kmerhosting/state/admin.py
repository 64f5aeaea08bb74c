"""Admin states: the shared base (authorization, error display) and the overview page.

Every public method here is an endpoint any browser can call: each one opens a session and calls
`_require_admin` before anything else, and core re-checks the actor's role (defence in depth).
"""

from __future__ import annotations

import logging

import reflex as rx
from sqlmodel import Session

from ..core.admin import stats
from ..core.admin.common import Page
from ..core.errors import KmerError
from ..db import session_scope
from ..i18n.format import format_datetime, format_xaf
from .base import BaseState

log = logging.getLogger(__name__)


def as_form(data) -> dict:
    """Form data from the browser as a dict of strings (anything else is ignored)."""
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, (str, int, bool))}


class AdminState(BaseState):
    """Base of every admin page state."""

    error: str = ""
    notice: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0

    def _run(self, work):
        """Run work(session, admin_id) in one transaction as the logged-in admin.

        Returns (result, None) on success, (None, toast event) when refused or invalid.
        """
        try:
            with session_scope() as session:
                admin = self._require_admin(session)
                result = work(session, admin.id)
        except Exception as exc:  # noqa: BLE001  (every failure becomes a message, nothing half-done)
            self.error = self._error_message(exc)
            self.notice = ""
            return None, rx.toast.error(self.error)
        self.error = ""
        return result, None

    def _done(self, key: str, **params):
        self.notice = self._t(key, **params)
        return rx.toast.success(self.notice)

    def _admin_id(self, session: Session) -> int:
        return self._require_admin(session).id

    def _set_page(self, result: Page) -> None:
        self.page, self.pages, self.total = result.page, result.pages, result.total

    def _money(self, amount: int) -> str:
        return format_xaf(int(amount or 0), self.lang)

    def _when(self, moment) -> str:
        return format_datetime(moment, self.lang) if moment else ""

    def _page_step(self, step: int) -> int:
        return max(1, min(self.pages, self.page + step))


class AdminOverviewState(AdminState):
    cards: list[dict[str, str]] = []

    @rx.event
    def load(self):
        data, failed = self._run(stats.overview)
        if failed:
            return failed
        money = {"revenue_30_days", "outstanding"}
        self.cards = [
            {"key": key, "value": self._money(value) if key in money else str(value), "href": href}
            for key, href in (("pending_requests", "/admin/credits"), ("failed_mails", "/admin/notifications"),
                              ("pending_services", "/admin/services"), ("active_services", "/admin/services"),
                              ("customers", "/admin/users"), ("revenue_30_days", "/admin/stats"),
                              ("outstanding", "/admin/stats"))
            for value in [data[key]]
        ]
