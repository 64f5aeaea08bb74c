"""Account pages' states: login, registration, e-mail verification, password reset, the navbar.

Handlers are thin: read the form, call core/accounts.py, put translated words in vars. Only the
visitor's own, non-secret facts reach the browser (name, role flags); the raw session token lives
in `BaseState.auth_token` (the visitor's own, in localStorage) and nowhere else.
"""

from __future__ import annotations

import reflex as rx

from ..core import accounts
from ..core.args import parse_form
from ..core.errors import KmerError
from ..db import session_scope
from ..models import Role
from .base import BaseState


def _form(form_data) -> dict:
    """The submitted fields as bounded strings; anything else the browser sends is ignored."""
    return parse_form(form_data)


class AuthFormState(BaseState):
    """What every account form shows: per-field errors and one message."""

    errors: dict[str, str] = {}
    message: str = ""
    done: bool = False

    def _client(self) -> str:
        return self.router.session.client_ip or ""

    def _reset_form(self):
        self.errors = {}
        self.message = ""
        self.done = False

    def _show_error(self, exc: Exception):
        field = getattr(exc, "field", None)
        if field:
            self.errors = {**self.errors, field: self._error_message(exc)}
        else:
            self.message = self._error_message(exc)

    def _show_field_errors(self, errors: dict[str, KmerError]):
        self.errors = {field: exc.message(self.lang) for field, exc in errors.items()}

    def _query(self, name: str) -> str:
        value = self.router.url.query_parameters.get(name, "")
        return value if isinstance(value, str) else ""


class NavState(BaseState):
    """The navbar's view of the visitor, refreshed on every page."""

    logged_in: bool = False
    is_admin: bool = False
    display_name: str = ""
    email_verified: bool = True

    def _apply(self, user):
        self.logged_in = user is not None
        self.is_admin = bool(user and user.role == Role.admin)
        self.display_name = user.name if user else ""
        self.email_verified = bool(user is None or user.email_verified_at is not None)

    @rx.event
    def refresh(self):
        with session_scope() as session:
            self._apply(self._current_user(session))

    # `NavState.logout` (the navbar's button, /auth/logout) is BaseState.logout: it runs on the state
    # every page state derives from, so it can empty them all.


class LoginState(AuthFormState):
    @rx.event
    def load(self):
        """Already logged in: go straight to where the visitor was going."""
        self._reset_form()
        with session_scope() as session:
            user = self._current_user(session)
            if user is not None:
                return rx.redirect(self._next_for(user))

    def _next_for(self, user) -> str:
        default = "/admin" if user.role == Role.admin else "/dashboard"
        return accounts.safe_next(self._query("next"), default=default)

    @rx.event
    def submit(self, form_data: dict):
        self._reset_form()
        data = _form(form_data)
        try:
            with session_scope() as session:
                result = accounts.login(session, data.get("email", ""), data.get("password", ""),
                                        client=self._client())
                target = self._next_for(result.user)
                verified = result.user.email_verified_at is not None
        except Exception as exc:  # noqa: BLE001  (_error_message logs the unexpected ones)
            self._show_error(exc)
            return
        self.auth_token = result.token
        events = [NavState.refresh, rx.redirect(target)]
        if not verified:
            events.append(rx.toast.warning(self._t("accounts.unverified_banner"), duration=10000))
        return events


class RegisterState(AuthFormState):
    @rx.event
    def load(self):
        self._reset_form()

    @rx.event
    def field_edited(self, name: str, value: str):
        """A field the visitor has filled since the last try loses that try's error (the next submit
        checks it again)."""
        if isinstance(name, str) and name in self.errors and isinstance(value, str) and value.strip():
            self.errors = {k: v for k, v in self.errors.items() if k != name}

    @rx.event
    def submit(self, form_data: dict):
        self._reset_form()
        data = _form(form_data)
        fields = {name: data.get(name, "") for name in ("email", "password", "name", "phone")}
        errors = accounts.registration_errors(**fields)
        if fields["password"] != data.get("password_confirm", ""):
            errors.setdefault("password_confirm", accounts.FieldError("password_confirm", "accounts.passwords_differ"))
        if errors:
            self._show_field_errors(errors)
            return
        try:
            with session_scope() as session:
                accounts.register(session, **fields, lang=self.lang, client=self._client())
        except Exception as exc:  # noqa: BLE001  (_error_message logs the unexpected ones)
            self._show_error(exc)
            return
        self.done = True


class VerifyState(AuthFormState):
    """/auth/verify-email: opens a link (?token=...), or offers to resend one."""

    verified: bool = False
    # What opening the link gave; `message` is left to the resend form below it.
    result: str = ""

    @rx.event
    def load(self):
        self._reset_form()
        self.verified = False
        self.result = ""
        raw = self._query("token")
        if not raw:
            return
        try:
            with session_scope() as session:
                purpose, _user = accounts.verify_email(session, raw)
        except Exception as exc:  # noqa: BLE001  (_error_message logs the unexpected ones)
            self.result = self._error_message(exc)
            return
        self.verified = True
        self.result = self._t("accounts.email_changed" if purpose == accounts.PURPOSE_CHANGE_EMAIL
                              else "accounts.verified")
        return NavState.refresh

    @rx.event
    def resend(self, form_data: dict):
        """Logged in: resend to the account's own address. Otherwise: the address typed in."""
        self._reset_form()
        data = _form(form_data)
        try:
            with session_scope() as session:
                user = self._current_user(session)
                if user is not None:
                    sent = accounts.resend_verification(session, user.id, self.lang, client=self._client())
                    self.message = self._t("accounts.resend_sent_own" if sent else "accounts.already_verified")
                else:
                    accounts.request_verification(session, data.get("email", ""), self.lang, client=self._client())
                    self.message = self._t("accounts.resend_sent")
        except Exception as exc:  # noqa: BLE001  (_error_message logs the unexpected ones)
            self._show_error(exc)
            return
        self.done = True


class ForgotState(AuthFormState):
    @rx.event
    def load(self):
        self._reset_form()

    @rx.event
    def submit(self, form_data: dict):
        self._reset_form()
        data = _form(form_data)
        try:
            accounts.normalize_email(data.get("email", ""))
            with session_scope() as session:
                accounts.request_password_reset(session, data.get("email", ""), self.lang, client=self._client())
        except Exception as exc:  # noqa: BLE001  (_error_message logs the unexpected ones)
            self._show_error(exc)
            return
        self.done = True
        self.message = self._t("accounts.forgot_sent")


class ResetState(AuthFormState):
    """/auth/reset-password?token=...: the token is read from the URL, never kept in a var."""

    link_ok: bool = False

    @rx.event
    def load(self):
        self._reset_form()
        try:
            with session_scope() as session:
                accounts.check_reset_link(session, self._query("token"))
        except Exception as exc:  # noqa: BLE001  (_error_message logs the unexpected ones)
            self.link_ok = False
            self.message = self._error_message(exc)
            return
        self.link_ok = True

    @rx.event
    def submit(self, form_data: dict):
        self._reset_form()
        data = _form(form_data)
        password = data.get("password", "")
        if password != data.get("password_confirm", ""):
            self.errors = {"password_confirm": self._t("accounts.passwords_differ")}
            return
        try:
            with session_scope() as session:
                accounts.reset_password(session, self._query("token"), password)
        except Exception as exc:  # noqa: BLE001  (_error_message logs the unexpected ones)
            self._show_error(exc)
            if not getattr(exc, "field", None):
                self.link_ok = False
            return
        # Every session ended, this browser's included.
        self.auth_token = ""
        self.done = True
        self.message = self._t("accounts.reset_done")
        return NavState.refresh
