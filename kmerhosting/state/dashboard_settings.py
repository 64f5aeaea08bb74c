"""The customer's settings: profile, password, e-mail address.

Password and e-mail changes are the accounts module's (`core.accounts`); they are imported in the
handlers so this page works, with a clear message, before that module is installed.
"""

from __future__ import annotations

import reflex as rx

from ..config import LANGUAGES
from ..core.args import or_none, parse_choice, parse_form
from ..core.errors import KmerError, NotAuthorized
from ..core.profile import update_profile
from ..db import session_scope
from .base import BaseState


def _readable_phone(phone: str) -> str:
    """+237699123456 as people write it, when the accounts module (which owns the format) is installed."""
    try:
        from ..core.accounts import format_phone
    except ImportError:
        return phone
    return format_phone(phone)


def _field(form_data, name: str) -> str:
    return parse_form(form_data).get(name, "")


class SettingsState(BaseState):
    name: str = ""
    phone: str = ""
    language: str = "fr"
    email: str = ""
    form_key: int = 0  # bumped to empty the password fields after a change

    profile_error: str = ""
    password_error: str = ""
    email_error: str = ""
    email_done: str = ""

    @rx.event
    def load(self):
        self.profile_error = self.password_error = self.email_error = self.email_done = ""
        with session_scope() as session:
            try:
                user = self._require_user(session)
            except NotAuthorized:
                return
            self.name, self.language, self.email = user.name, user.language, user.email
            self.phone = _readable_phone(user.phone)

    @rx.event
    def set_language_choice(self, language: str):
        self.language = or_none(parse_choice, language, LANGUAGES) or self.language

    @rx.event
    def save_profile(self, form_data: dict):
        self.profile_error = ""
        with session_scope() as session:
            try:
                user = self._require_user(session)
                user = update_profile(session, user.id, _field(form_data, "name"), _field(form_data, "phone"),
                                      self.language)
            except KmerError as exc:
                self.profile_error = self._error_message(exc)
                return
            self.name, self.phone, self.language = user.name, _readable_phone(user.phone), user.language
        self.lang = self.language  # the site follows the language chosen for the account
        self._reword_tab()
        return rx.toast.success(self._t("dashboard.profile_saved"))

    @rx.event
    def change_password(self, form_data: dict):
        self.password_error = ""
        current, new = _field(form_data, "current_password"), _field(form_data, "new_password")
        if new != _field(form_data, "confirm_password"):
            self.password_error = self._t("dashboard.password_mismatch")
            return
        try:
            from ..core import accounts
        except ImportError:
            self.password_error = self._t("dashboard.feature_unavailable")
            return
        with session_scope() as session:
            try:
                user = self._require_user(session)
                accounts.change_password(session, user.id, current, new, keep_token=self.auth_token)
            except KmerError as exc:
                self.password_error = self._error_message(exc)
                return
        self.form_key += 1
        return rx.toast.success(self._t("dashboard.password_changed"))

    @rx.event
    def change_email(self, form_data: dict):
        self.email_error = self.email_done = ""
        new_email, password = _field(form_data, "new_email").strip(), _field(form_data, "password")
        try:
            from ..core import accounts
        except ImportError:
            self.email_error = self._t("dashboard.feature_unavailable")
            return
        with session_scope() as session:
            try:
                user = self._require_user(session)
                accounts.request_email_change(session, user.id, new_email, password)
            except KmerError as exc:
                self.email_error = self._error_message(exc)
                return
        self.email_done = self._t("dashboard.email_sent", email=new_email)
        self.form_key += 1
