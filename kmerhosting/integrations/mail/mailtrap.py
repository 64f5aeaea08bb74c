"""Mailtrap through the official `mailtrap` SDK, in sending or sandbox (test inbox) mode.

The SDK's `SendingApi` and `HttpClient` are used directly (they are what `MailtrapClient.send` calls)
so the request timeout is ours: the SDK's default of 30 s would hold a notifier batch too long.
"""

from __future__ import annotations

import logging

import mailtrap as mt
import requests
from mailtrap.api.sending import SendingApi
from mailtrap.http import HttpClient

from ...config import Settings
from .base import MailError, MailMessage, SendResult

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 15.0


class MailtrapBackend:
    name = "mailtrap"

    def __init__(self, settings: Settings, timeout: float = DEFAULT_TIMEOUT):
        self.settings = settings
        self.timeout = timeout

    def _client(self) -> mt.MailtrapClient:
        s = self.settings
        return mt.MailtrapClient(token=s.mailtrap_token, sandbox=s.mailtrap_sandbox,
                                 inbox_id=str(s.mailtrap_inbox_id) if s.mailtrap_sandbox else None,
                                 api_host=s.mailtrap_api_host or None)

    def _sending_api(self) -> SendingApi:
        client = self._client()  # validates token / sandbox / inbox the SDK's way
        host = client.api_host or (client.SANDBOX_HOST if client.sandbox else client.DEFAULT_HOST)
        http = HttpClient(host=host, headers=client.headers, timeout=self.timeout)
        return SendingApi(client=http, inbox_id=client.inbox_id)

    def _mail(self, message: MailMessage) -> mt.Mail:
        s = self.settings
        return mt.Mail(sender=mt.Address(email=s.mail_from_email, name=s.mail_from_name or None),
                       to=[mt.Address(email=message.to_email, name=message.to_name or None)],
                       subject=message.subject, text=message.text, html=message.html,
                       category=message.category or None, headers=dict(message.headers) or None)

    def send(self, message: MailMessage, *, notification_id: int | None = None) -> SendResult:
        try:
            response = self._sending_api().send(self._mail(message))
        except mt.AuthorizationError:
            raise MailError("Mailtrap refused the API token (401)") from None
        except mt.APIError as exc:
            raise MailError(f"Mailtrap error {exc.status}: {_errors(exc)}") from None
        except mt.ClientConfigurationError as exc:
            raise MailError(f"Mailtrap is misconfigured: {exc}") from None
        except requests.Timeout:
            raise MailError("Mailtrap did not answer in time") from None
        except requests.RequestException as exc:
            raise MailError(f"Mailtrap unreachable ({type(exc).__name__})") from None
        except Exception as exc:  # noqa: BLE001  (pydantic validation of an odd answer, ...)
            raise MailError(f"Mailtrap send failed ({type(exc).__name__})") from None
        if not response.success:
            raise MailError("Mailtrap did not accept the message")
        return SendResult(provider_id=",".join(response.message_ids))


def _errors(exc: mt.APIError) -> str:
    # Provider error texts describe the request, never our credentials; keep them short anyway.
    return "; ".join(str(e) for e in exc.errors)[:300] or "no details"
