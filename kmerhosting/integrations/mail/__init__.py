"""Mail backends behind one interface, chosen by MAIL_BACKEND: outbox (default), mailtrap, smtp."""

from .backends import get_backend, set_backend_override
from .base import MailBackend, MailError, MailMessage, SendResult

__all__ = ["MailBackend", "MailError", "MailMessage", "SendResult", "get_backend", "set_backend_override"]
