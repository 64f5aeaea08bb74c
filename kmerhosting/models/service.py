from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_at_field, str_field
from .enums import ServiceStatus


class Service(SQLModel, table=True):
    """A hosting service bought by a customer."""

    __tablename__ = "services"
    __table_args__ = (
        sa.Index("ix_services_user_id", "user_id"),
        sa.Index("ix_services_expires_at", "expires_at"),
        sa.Index("ix_services_status_expires_at", "status", "expires_at"),
        sa.Index("ix_services_domain", "domain"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    pack_id: int = Field(foreign_key="packs.id")
    order_id: int | None = Field(default=None, foreign_key="orders.id")
    domain: str = str_field(253)
    control_panel: str = str_field(16)
    status: str = str_field(16, default=ServiceStatus.pending)
    duration_months: int
    price_paid: int = Field(sa_type=sa.BigInteger)  # XAF, the hosting part of the order line
    starts_at: datetime
    expires_at: datetime
    panel_url: str = str_field(255, default="")
    created_at: datetime = created_at_field()
    updated_at: datetime | None = None
