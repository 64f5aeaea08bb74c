from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_at_field, str_field, text_field
from .enums import CreditRequestStatus, OrderStatus


class Transaction(SQLModel, table=True):
    """One row of the credit ledger. A user's balance is the sum of their rows' amounts."""

    __tablename__ = "transactions"
    __table_args__ = (
        sa.Index("ix_transactions_user_created", "user_id", "created_at"),
        sa.Index("ix_transactions_kind_created", "kind", "created_at"),
        sa.Index("ix_transactions_created_at", "created_at"),
        sa.Index("ux_transactions_payment_key", "payment_key", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    kind: str = str_field(16)
    amount: int = Field(sa_type=sa.BigInteger)  # signed XAF: credit > 0, debit < 0
    balance_after: int = Field(sa_type=sa.BigInteger)
    reference: str = str_field(64, default="")
    description: str = str_field(255, default="")
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    order_id: int | None = Field(default=None, foreign_key="orders.id")
    service_id: int | None = Field(default=None, foreign_key="services.id")
    # A Mobile Money credit: "<gateway>:<gateway reference>". Unique: one payment is credited once.
    payment_key: str | None = str_field(120, default=None, nullable=True)
    created_at: datetime = created_at_field()


class Order(SQLModel, table=True):
    """A checkout. The idempotency key makes a replayed "Pay" return the first result."""

    __tablename__ = "orders"
    __table_args__ = (sa.Index("ix_orders_user_created", "user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    idempotency_key: str = str_field(64, unique=True)
    status: str = str_field(16, default=OrderStatus.pending)
    total: int = Field(default=0, sa_type=sa.BigInteger)
    charged: int = Field(default=0, sa_type=sa.BigInteger)
    refunded: int = Field(default=0, sa_type=sa.BigInteger)
    lines: list = Field(default_factory=list, sa_type=sa.JSON)  # snapshot shown on the result page
    message: str = text_field(default="")
    created_at: datetime = created_at_field()


class CreditRequest(SQLModel, table=True):
    __tablename__ = "credit_requests"
    __table_args__ = (
        sa.Index("ix_credit_requests_user_created", "user_id", "created_at"),
        sa.Index("ix_credit_requests_status", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    amount: int = Field(sa_type=sa.BigInteger)
    payment_method: str = str_field(24)
    payment_reference: str = str_field(100)
    status: str = str_field(16, default=CreditRequestStatus.pending)
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = None
    note: str = str_field(500, default="")
    created_at: datetime = created_at_field()
