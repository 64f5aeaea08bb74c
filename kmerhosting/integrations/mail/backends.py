from __future__ import annotations

from ...config import Settings, get_settings
from .base import MailBackend


def get_backend(settings: Settings | None = None) -> MailBackend:
    settings = settings or get_settings()
    if settings.mail_backend == "outbox":
        from .outbox import OutboxBackend

        return OutboxBackend()
    raise NotImplementedError(f"mail backend {settings.mail_backend!r} is not available yet")
