"""The root state every page state derives from: the visitor's language (and, later, the login)."""

from __future__ import annotations

import logging

import reflex as rx

from ..config import LANGUAGES, get_settings
from ..core.errors import KmerError
from ..i18n import translate

log = logging.getLogger(__name__)

ONE_YEAR = 365 * 24 * 3600


class BaseState(rx.State):
    # The visitor's language choice, kept in a cookie so it survives visits and logins.
    lang: str = rx.Cookie(get_settings().default_language, name="kh_lang", max_age=ONE_YEAR)

    @rx.event
    def set_language(self, lang: str):
        if not isinstance(lang, str) or lang not in LANGUAGES:
            return rx.toast.error(translate("error.invalid_language", self.lang))
        self.lang = lang

    def _t(self, key: str, **params) -> str:
        return translate(key, self.lang, **params)

    def _error_message(self, exc: Exception) -> str:
        """One place that turns an exception into words for the visitor."""
        if isinstance(exc, KmerError):
            return exc.message(self.lang)
        log.exception("unexpected error in %s", type(self).__name__, exc_info=exc)
        return self._t("error.unexpected")
