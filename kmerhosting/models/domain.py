from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_at_field, str_field, text_field
from .enums import RegistrarStatus


class DomainPurchase(SQLModel, table=True):
    """A domain bought (or being bought) through the registrar for a customer."""

    __tablename__ = "domain_purchases"
    __table_args__ = (
        sa.Index("ix_domain_purchases_user_id", "user_id"),
        sa.Index("ix_domain_purchases_domain", "domain"),
        sa.Index("ix_domain_purchases_expires_at", "expires_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    order_id: int | None = Field(default=None, foreign_key="orders.id")
    service_id: int | None = Field(default=None, foreign_key="services.id")
    domain: str = str_field(253)
    years: int = 1
    price: int = Field(sa_type=sa.BigInteger)  # XAF paid
    registrar: str = str_field(16, default="sandbox")
    registrar_status: str = str_field(16, default=RegistrarStatus.pending)
    registrar_id: str = str_field(64, default="")
    expires_at: datetime | None = None
    error: str = text_field(default="")
    created_at: datetime = created_at_field()
    updated_at: datetime | None = None
