from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_at_field, str_field, text_field
from .enums import PaymentStatus


class Payment(SQLModel, table=True):
    """A Mobile Money top-up: money asked from a customer's phone through a payment gateway.

    `reference` is ours, made and stored before the gateway is called, so a retried call after a timeout
    names the same payment and never starts a second charge. The balance only moves when the gateway's
    status answer says `complete` with our amount and currency: then one `credit` ledger row is posted
    under the customer's lock and linked here (`transaction_id`); the ledger row's `payment_key`
    (gateway + gateway reference, unique) makes a second credit for one payment impossible.
    """

    __tablename__ = "payments"
    __table_args__ = (
        sa.UniqueConstraint("gateway", "gateway_reference", name="uq_payments_gateway_reference"),
        sa.Index("ix_payments_user_created", "user_id", "created_at"),
        sa.Index("ix_payments_status_created", "status", "created_at"),
        sa.Index("ix_payments_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    reference: str = str_field(40, unique=True)
    gateway: str = str_field(16)
    gateway_reference: str | None = str_field(100, default=None, nullable=True)
    operator: str = str_field(16)
    phone: str = str_field(16)  # E.164 without "+": 2376XXXXXXXX
    amount: int = Field(sa_type=sa.BigInteger)
    currency: str = str_field(3, default="XAF")
    status: str = str_field(16, default=PaymentStatus.created)
    ussd_code: str = str_field(32, default="")
    redirect_url: str = str_field(500, default="")
    reason: str = str_field(255, default="")  # why it failed or was flagged, in the gateway's words
    received_amount: int | None = Field(default=None, sa_type=sa.BigInteger)
    received_currency: str = str_field(3, default="")
    operator_reference: str = str_field(100, default="")
    transaction_id: int | None = Field(default=None, foreign_key="transactions.id", unique=True)
    language: str = str_field(2, default="fr")  # of the receipt
    deadline_at: datetime = Field(nullable=False)
    checked_at: datetime | None = None
    completed_at: datetime | None = None
    created_at: datetime = created_at_field()
    updated_at: datetime | None = None


class PaymentEvent(SQLModel, table=True):
    """One line of a payment's timeline: the start, each webhook and each status check, as received."""

    __tablename__ = "payment_events"
    __table_args__ = (sa.Index("ix_payment_events_payment", "payment_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payments.id")
    source: str = str_field(16)   # start | webhook | poll | check | admin | expiry | credit
    status: str = str_field(16, default="")  # what that source said (our status words)
    detail: dict = Field(default_factory=dict, sa_type=sa.JSON)
    note: str = text_field(default="")
    created_at: datetime = created_at_field()
