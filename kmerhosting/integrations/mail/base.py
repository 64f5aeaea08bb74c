from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class MailMessage:
    to_email: str
    subject: str
    text: str
    html: str
    to_name: str = ""
    category: str = ""  # the template name, for the provider's statistics
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    provider_id: str = ""


class MailError(Exception):
    """The provider refused or could not be reached; the message is safe to log (no credentials)."""


class MailBackend(Protocol):
    name: str

    def send(self, message: MailMessage, *, notification_id: int | None = None) -> SendResult:
        """Deliver one message or raise MailError."""
