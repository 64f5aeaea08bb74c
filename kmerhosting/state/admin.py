"""Admin states: the shared base (authorization, error display) and the overview page.

Every public method here is an endpoint any browser can call: each one opens a session and calls
`_require_admin` before anything else, and core re-checks the actor's role (defence in depth).
"""

from __future__ import annotations

import reflex as rx

from ..core.admin import stats
from ..core.admin.common import Page
from ..core.args import parse_flag, parse_form
from ..core.errors import NotAuthorized
from ..db import session_scope
from ..i18n import display
from .base import BaseState, Worded
from .forms import row_id


def as_form(data) -> dict:
    """Form data from the browser as a dict of bounded strings (anything else is ignored)."""
    return parse_form(data)


class AdminState(Worded, mixin=True):
    """What every admin page state mixes in (before BaseState): `class X(AdminState, BaseState)`.

    A mixin, not a parent state: each page gets its own copy of these vars and handlers. Vars of a
    parent state would be shared by every admin page (page 3 of the users would open the mail log
    on page 3) and a parent's handler would run on the parent, not on the page's state.
    """

    error: str = ""
    notice: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0

    def _run(self, work, *, quiet_refusal: bool = False):
        """Run work(session, admin_id) in one transaction as the logged-in admin.

        Returns (result, None) on success, (None, toast event) when refused or invalid.
        `quiet_refusal` (page loads): a visitor who is not an admin is already being redirected by
        the page guard, so the refusal changes nothing and shows no second message.
        """
        try:
            with session_scope() as session:
                admin = self._require_admin(session)
                result = work(session, admin.id)
        except NotAuthorized as exc:  # SessionBlocked too: a blocked admin is told so
            if quiet_refusal:
                return None, None
            self.error = self._error_message(exc)
            self.notice = ""
            return None, rx.toast.error(self.error)
        except Exception as exc:  # noqa: BLE001  (every failure becomes a message, nothing half-done)
            self.error = self._error_message(exc)
            self.notice = ""
            return None, rx.toast.error(self.error)
        self.error = ""
        return result, None

    def _done(self, key: str, **params):
        self.notice = self._t(key, **params)
        return rx.toast.success(self.notice)

    def _set_page(self, result: Page) -> None:
        self.page, self.pages, self.total = result.page, result.pages, result.total

    # For computed vars: in the page's language (`Worded`).
    def _money(self, amount: int) -> str:
        return display.money(int(amount or 0), self._page_lang())

    def _when(self, moment) -> str:
        return display.datetime_(moment, self._page_lang()) if moment else ""

    def _page_step(self, step: int) -> int:
        return max(1, min(self.pages, self.page + step))


class DetailDialogState(AdminState, mixin=True):
    """An admin list whose rows open a detail dialog: `_fill_detail(session, admin_id, row_id)` loads it,
    `_clear_detail()` forgets it. The page's open/close handlers are one line each."""

    detail_open: bool = False

    def _fill_detail(self, session, admin_id: int, target: int) -> None:
        raise NotImplementedError

    def _clear_detail(self) -> None:
        raise NotImplementedError

    def _open_detail(self, form: dict):
        """A row's button (its row form carries the row's id)."""
        target = row_id(form)
        _, failed = self._run(lambda session, admin_id: self._fill_detail(session, admin_id, target))
        if failed:
            return failed
        self.detail_open = True
        return None

    def _close_detail(self, is_open):
        """The dialog closes (it only opens with a row, through `_open_detail`)."""
        _, refused = self._run(lambda session, admin_id: admin_id)
        if refused or not parse_flag(is_open):
            self.detail_open = False
            self._clear_detail()
        return refused


class PagedAdminState(AdminState, mixin=True):
    """An admin list page: `_fill(session, admin_id)` loads the current page of rows."""

    def _fill(self, session, admin_id: int) -> None:
        raise NotImplementedError

    @rx.event
    def load(self):
        self._reword()
        return self._run(self._fill, quiet_refusal=True)[1]

    @rx.event
    def next_page(self):
        self.page = self._page_step(1)
        return self._run(self._fill)[1]

    @rx.event
    def prev_page(self):
        self.page = self._page_step(-1)
        return self._run(self._fill)[1]


class AdminOverviewState(AdminState, BaseState):
    _figures: dict = {}  # core's counts and XAF amounts, as values

    @rx.var
    def cards(self) -> list[dict[str, str]]:
        money = {"revenue_30_days", "outstanding"}
        return [
            {"key": key, "href": href,
             "value": display.money(int(value), self._page_lang()) if key in money else display.number(value, self._page_lang())}
            for key, href in (("pending_requests", "/admin/credits"), ("pending_payments", "/admin/payments"),
                              ("flagged_payments", "/admin/payments"), ("failed_payments", "/admin/payments"),
                              ("failed_mails", "/admin/notifications"), ("failed_panel_jobs", "/admin/services"),
                              ("pending_services", "/admin/services"), ("active_services", "/admin/services"),
                              ("servers_attention", "/admin/servers"),
                              ("customers", "/admin/users"), ("revenue_30_days", "/admin/stats"),
                              ("outstanding", "/admin/stats"))
            if (value := self._figures.get(key)) is not None
        ]

    @rx.event
    def load(self):
        self._reword()
        data, failed = self._run(stats.overview, quiet_refusal=True)
        if data is None:
            return failed
        self._figures = dict(data)
