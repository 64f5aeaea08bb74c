from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_at_field, str_field, text_field
from .enums import NotificationStatus


class NotificationLog(SQLModel, table=True):
    """Every e-mail the shop sends, whatever the backend.

    Expiry notices carry `notice_key` = "service:<id>:<expiry date>:<threshold>" (or "domain:..."):
    its unique constraint makes a second send of the same notice impossible, even with two notifiers.
    """

    __tablename__ = "notification_logs"
    __table_args__ = (
        sa.Index("ix_notification_logs_status_created", "status", "created_at"),
        sa.Index("ix_notification_logs_kind_created", "kind", "created_at"),
        sa.Index("ix_notification_logs_user_id", "user_id"),
        sa.Index("ix_notification_logs_service_id", "service_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = str_field(255)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    kind: str = str_field(40)
    language: str = str_field(5, default="fr")
    subject: str = str_field(255, default="")
    service_id: int | None = Field(default=None, foreign_key="services.id")
    domain_purchase_id: int | None = Field(default=None, foreign_key="domain_purchases.id")
    expires_on: date | None = None
    threshold: int | None = None
    notice_key: str | None = str_field(120, default=None, nullable=True, unique=True)
    status: str = str_field(16, default=NotificationStatus.pending)
    error: str = text_field(default="")
    backend: str = str_field(16, default="")
    provider_id: str = str_field(255, default="")
    attempts: int = 0
    # Template name and context, so a failed mail can be rendered and sent again.
    payload: dict = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = created_at_field()
    sent_at: datetime | None = None


class OutboxMessage(SQLModel, table=True):
    """Mail kept in the database by the outbox backend (the zero-config default)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_to_created", "to_email", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    to_email: str = str_field(255)
    subject: str = str_field(255)
    text_body: str = text_field(default="")
    html_body: str = text_field(default="")
    notification_id: int | None = Field(default=None, foreign_key="notification_logs.id")
    created_at: datetime = created_at_field()
