"""Any SMTP server (Mailtrap's SMTP sandbox included) through smtplib: STARTTLS, SSL or plain."""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from ...config import Settings
from .base import MailError, MailMessage, SendResult


class SmtpBackend:
    name = "smtp"

    def __init__(self, settings: Settings, ssl_context: ssl.SSLContext | None = None):
        self.settings = settings
        # None = the system's trusted certificates (tests pass a context trusting their own CA).
        self.ssl_context = ssl_context or ssl.create_default_context()

    def _email(self, message: MailMessage) -> EmailMessage:
        s = self.settings
        email = EmailMessage()
        email["From"] = formataddr((s.mail_from_name, s.mail_from_email))
        email["To"] = formataddr((message.to_name, message.to_email)) if message.to_name else message.to_email
        email["Subject"] = message.subject
        email["Message-ID"] = make_msgid(domain=s.mail_from_email.partition("@")[2] or None)
        for name, value in message.headers.items():
            email[name] = value
        email.set_content(message.text)
        email.add_alternative(message.html, subtype="html")
        return email

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_security == "ssl":
            return smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=self.ssl_context)
        conn = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
        if s.smtp_security == "starttls":
            conn.starttls(context=self.ssl_context)
        return conn

    def send(self, message: MailMessage, *, notification_id: int | None = None) -> SendResult:
        s = self.settings
        email = self._email(message)
        try:
            with self._connect() as conn:
                if s.smtp_username:
                    conn.login(s.smtp_username, s.smtp_password)
                conn.send_message(email)
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(f"SMTP server refused the login ({exc.smtp_code})") from None
        except smtplib.SMTPRecipientsRefused:
            raise MailError("SMTP server refused the recipient") from None
        except smtplib.SMTPResponseException as exc:
            raise MailError(f"SMTP server refused the message ({exc.smtp_code})") from None
        except smtplib.SMTPException as exc:
            raise MailError(f"SMTP error ({type(exc).__name__})") from None
        except ssl.SSLError as exc:
            raise MailError(f"SMTP TLS failure ({exc.reason or type(exc).__name__})") from None
        except (socket.timeout, TimeoutError):
            raise MailError(f"SMTP server {s.smtp_host}:{s.smtp_port} did not answer in time") from None
        except OSError as exc:
            raise MailError(f"SMTP server {s.smtp_host}:{s.smtp_port} unreachable ({exc.strerror or type(exc).__name__})") from None
        return SendResult(provider_id=email["Message-ID"].strip("<>"))
