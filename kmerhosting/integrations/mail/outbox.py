"""The zero-config backend: mail is stored in the database (table outbox_messages)."""

from __future__ import annotations

from ...db import session_scope
from ...models import OutboxMessage
from .base import MailMessage, SendResult


class OutboxBackend:
    name = "outbox"

    def send(self, message: MailMessage, *, notification_id: int | None = None) -> SendResult:
        # Its own transaction: a mail "sent" must stay recorded even if the caller rolls back later.
        with session_scope() as session:
            row = OutboxMessage(to_email=message.to_email, subject=message.subject, text_body=message.text,
                                html_body=message.html, notification_id=notification_id)
            session.add(row)
            session.flush()
            return SendResult(provider_id=f"outbox-{row.id}")
