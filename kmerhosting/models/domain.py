from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_at_field, str_field, text_field
from .enums import RegistrarStatus, RenewalStatus


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


class DomainRenewal(SQLModel, table=True):
    """A paid renewal of a domain bought here, carried out at the registrar by a job.

    The debit and this row (pending) commit together; the job marks it `sent` before calling the
    registrar, so a crash mid-call leaves it `sent` (outcome unknown) and the next attempt asks the
    registrar whether the expiry moved past `previous_expires_at` before doing anything else.
    """

    __tablename__ = "domain_renewals"
    __table_args__ = (
        sa.Index("ix_domain_renewals_purchase_status", "purchase_id", "status"),
        sa.Index("ix_domain_renewals_user_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    purchase_id: int = Field(foreign_key="domain_purchases.id")
    user_id: int = Field(foreign_key="users.id")
    years: int = 1
    price: int = Field(sa_type=sa.BigInteger)  # XAF debited
    status: str = str_field(16, default=RenewalStatus.pending)
    previous_expires_at: datetime | None = None  # the expiry a successful renewal moves past
    expires_at: datetime | None = None  # the new expiry, once renewed
    retried: bool = False  # Renew was sent a second time (after the registrar showed no change)
    error: str = text_field(default="")
    created_at: datetime = created_at_field()
    updated_at: datetime | None = None


class SandboxDomain(SQLModel, table=True):
    """The sandbox registrar's registry (zero-config default, buys nothing). Kept in the shop's database
    so the web process (searches) and the worker (registrations) see the same sandbox."""

    __tablename__ = "sandbox_domains"

    id: int | None = Field(default=None, primary_key=True)
    domain: str = str_field(253, unique=True)
    registrar_id: str = str_field(64)
    expires_at: datetime
    nameservers: str = str_field(500, default="")
    created_at: datetime = created_at_field()
