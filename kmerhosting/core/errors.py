"""Typed errors raised by core. Each carries a translation key; `message(lang)` is what users read.

State handlers catch `KmerError` and show `exc.message(lang)`: one place maps errors to words.
"""

from __future__ import annotations

from ..i18n import translate


class KmerError(Exception):
    key = "error.unexpected"

    def __init__(self, *args, **params):
        super().__init__(*args)
        self.params = params

    def message(self, lang: str = "fr") -> str:
        return translate(self.key, lang, **self.params)


class NotAuthorized(KmerError):
    key = "error.not_authorized"


class SessionBlocked(NotAuthorized):
    """The visitor's login ended because the account is blocked: they are told so, and whom to contact."""

    key = "error.session_blocked"


class NotFound(KmerError):
    key = "error.not_found"


class InvalidInput(KmerError):
    """Bad input; `key` is chosen per case: InvalidInput("error.key", field=...)."""

    def __init__(self, key: str = "error.invalid_input", **params):
        super().__init__(key)
        self.key = key
        self.params = params


class InvalidDuration(KmerError):
    key = "error.invalid_duration"

    def __init__(self, months=None):
        super().__init__(months)
        self.params = {"months": months}


class InsufficientCredits(KmerError):
    key = "error.insufficient_credits"

    def __init__(self, missing: int, lang_amount: str | None = None):
        super().__init__(missing)
        self.missing = missing
        self.params = {"missing": missing}

    def message(self, lang: str = "fr") -> str:
        from ..i18n import display

        return translate(self.key, lang, missing=display.money(self.missing, lang))


class DomainUnavailable(KmerError):
    key = "error.domain_unavailable"


class RegistrarError(KmerError):
    key = "error.registrar_failed"


class RateLimited(KmerError):
    key = "error.rate_limited"
