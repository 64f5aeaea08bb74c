"""Mail backends behind one interface, chosen by MAIL_BACKEND: outbox (default), mailtrap, smtp."""

from .base import MailBackend, MailError, MailMessage, SendResult
from .backends import get_backend

__all__ = ["MailBackend", "MailError", "MailMessage", "SendResult", "get_backend"]
