"""The customer's services: expiry alerts, the renew dialog, the hosting panel (open it, set its
password) and the accounts being created.

The renewal's idempotency key is made here when the dialog opens and kept in a backend-only var:
a double click, a replayed event or two tabs sending the same dialog charge once.

"Ouvrir cPanel" asks the panel for a one-time login URL (a provider call, so a background event that
waits off the event loop) and sends the browser to it in the same tab (`rx.redirect` of an outside URL
is `window.location.assign`, which no popup blocker stops, on a phone or not). The URL travels only in
that redirect: it is never a state var, never stored. While a service of the page is being set up, a
background watch reads the services again every few seconds (a database read, off the loop), so the
service turns active on its own; it stops when nothing is in progress, or after a few minutes.
"""

from __future__ import annotations

import asyncio
import secrets

import reflex as rx

from ..config import DURATIONS, get_settings
from ..core import panel_access
from ..core.accounts import FieldError
from ..core.args import or_none, parse_flag, parse_form, parse_id, parse_int
from ..core.errors import InsufficientCredits, KmerError, NotAuthorized, NotFound
from ..core.renewals import customer_services, renew_service, renewal_quotes
from ..db import session_scope
from ..i18n import display
from ..models import utcnow
from ..models import Service
from .base import BaseState, Worded
from .offloop import TooSlow, off_loop
from .dashboard_views import (RenewOption, RenewValues, ServiceRow, ServiceValues, renew_option, renew_values,
                              service_row, service_values)


WATCH_EVERY = 2.0  # seconds between two reads while an account is being created
WATCH_ROUNDS = 150  # about five minutes; a reload starts a new watch
PANEL_WAIT = 30.0  # seconds the customer waits for the panel's answer


def read_services(user_id: int) -> list[ServiceValues]:
    """The customer's services as the page shows them (a database read, run off the event loop)."""
    now, thresholds = utcnow(), get_settings().reminder_days
    with session_scope() as session:
        return [service_values(s, p, thresholds, now) for s, p in customer_services(session, user_id)]


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

    opening: int = 0  # the service whose panel is being opened (its button waits)
    watching: bool = False

    password_open: bool = False
    password_domain: str = ""
    password_panel: str = ""
    password_error: str = ""
    confirm_error: str = ""
    password_busy: bool = False
    password_key: int = 0  # bumped when the dialog opens so its inputs start empty
    _password_service_id: int = 0

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
        if any(v.in_progress for v in self._services):
            return ServicesState.watch_services

    def _refresh(self, session, user) -> None:
        now, thresholds = utcnow(), get_settings().reminder_days
        self._services = [service_values(s, p, thresholds, now) for s, p in customer_services(session, user.id)]
        self._balance = user.credits
        self.loaded = True

    def _user_id(self) -> int | None:
        with session_scope() as session:
            user = self._current_user(session)
            return user.id if user is not None else None

    @rx.event(background=True)
    async def watch_services(self):
        """Follow the services being set up until none is (or a few minutes passed): an account that
        gets created turns the service active on the page without a reload."""
        async with self:
            if self.watching or not any(v.in_progress for v in self._services):
                return
            user_id = self._user_id()
            if user_id is None:
                return
            self.watching = True
        try:
            for _ in range(WATCH_ROUNDS):
                await asyncio.sleep(WATCH_EVERY)
                try:
                    seen = await off_loop(read_services, user_id)
                except Exception:  # noqa: BLE001  (the next round reads again)
                    continue
                async with self:
                    if self._user_id() != user_id:
                        break  # logged out, or another customer in this tab
                    if seen != self._services:
                        self._services = seen
                    if not any(v.in_progress for v in seen):
                        break
        finally:
            async with self:
                self.watching = False

    # --- the hosting panel ------------------------------------------------------------------------

    @rx.event(background=True)
    async def open_panel(self, service_id: int):
        """Ask the panel for a one-time login URL and go there (same tab). The URL is never kept."""
        async with self:
            wanted = or_none(parse_id, service_id)
            if self.opening or wanted is None:
                return
            user_id = self._user_id()
            if user_id is None:
                return
            self.opening = wanted
        problem = ""
        url = ""
        try:
            url = await off_loop(panel_access.login_url, user_id, wanted, timeout=PANEL_WAIT)
        except TooSlow:
            problem = "panel.too_slow"
        except KmerError as exc:
            problem = exc
        except Exception as exc:  # noqa: BLE001  (told in words; the details go to the log)
            problem = exc
        async with self:
            self.opening = 0
            if problem:
                message = self._word(problem) if isinstance(problem, str) else self._error_message(problem)
                return rx.toast.error(message)
        return rx.redirect(url)

    @rx.event
    def open_password(self, service_id: int):
        """The panel password dialog for the customer's own service with an account (a database read)."""
        self._close_password()
        with session_scope() as session:
            try:
                user = self._require_user(session)
                service = session.get(Service, parse_id(service_id))
                if service is None or service.user_id != user.id:
                    raise NotFound()
            except KmerError as exc:
                return rx.toast.error(self._error_message(exc))
        row = next((v for v in self._services if v.id == service.id), None)
        self._password_service_id = service.id
        self.password_domain = service.domain
        self.password_panel = row.panel if row else ""
        self.password_key += 1
        self.password_open = True

    @rx.event
    def set_password_open(self, is_open: bool):
        if not parse_flag(is_open) and not self.password_busy:
            self._close_password()

    def _close_password(self) -> None:
        self.password_open = False
        self.password_error = self.confirm_error = ""
        self._password_service_id = 0

    @rx.var
    def password_intro(self) -> str:
        return self._word("panel.password_intro", panel=self.password_panel or "cPanel",
                          domain=self.password_domain) if self.password_domain else ""

    @rx.event(background=True)
    async def save_password(self, form_data: dict):
        """Check the new panel password, then set it on the panel (off the event loop)."""
        form = parse_form(form_data)
        async with self:
            if self.password_busy or not self._password_service_id:
                return
            user_id = self._user_id()
            if user_id is None:
                return
            self.password_error = self.confirm_error = ""
            self.password_busy = True
            service_id, domain = self._password_service_id, self.password_domain
        problem = None
        try:
            await off_loop(panel_access.set_panel_password, user_id, service_id, form.get("password", ""),
                           form.get("confirm", ""), timeout=PANEL_WAIT)
        except TooSlow:
            problem = "panel.too_slow"
        except Exception as exc:  # noqa: BLE001  (KmerError in words; anything else as "unexpected")
            problem = exc
        async with self:
            self.password_busy = False
            if problem is not None:
                if isinstance(problem, str):
                    self.password_error = self._word(problem)
                elif isinstance(problem, FieldError) and problem.field == "confirm":
                    self.confirm_error = self._error_message(problem)
                else:
                    self.password_error = self._error_message(problem)
                return
            self._close_password()
            done = self._word("panel.password_done", domain=domain)
        return rx.toast.success(done)

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
