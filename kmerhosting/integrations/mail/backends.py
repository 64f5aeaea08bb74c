"""The backend named by MAIL_BACKEND: outbox (default), mailtrap or smtp."""

from __future__ import annotations

from ...config import Settings, get_settings
from .base import MailBackend

_override: MailBackend | None = None


def set_backend_override(backend: MailBackend | None) -> None:
    """Make every send use `backend` (tests record or break sends with it); None restores the setting."""
    global _override
    _override = backend


def get_backend(settings: Settings | None = None) -> MailBackend:
    if _override is not None:
        return _override
    settings = settings or get_settings()
    if settings.mail_backend == "mailtrap":
        from .mailtrap import MailtrapBackend

        return MailtrapBackend(settings)
    if settings.mail_backend == "smtp":
        from .smtp import SmtpBackend

        return SmtpBackend(settings)
    from .outbox import OutboxBackend

    return OutboxBackend()
