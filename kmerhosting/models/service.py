from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_at_field, str_field
from .enums import ServiceStatus


class Service(SQLModel, table=True):
    """A hosting service bought by a customer.

    `live_domain` is the domain while the service is not cancelled, NULL once it is: its unique index
    makes "one live hosting service per domain" a rule of the database, which two checkouts paying at
    the same moment can't both pass (a read-then-write check could). It is kept in step with `domain`
    and `status` on every insert and update made through the ORM (`_keep_service_columns` below), so no
    path that creates a service, changes its domain, cancels or reactivates it can forget it.
    """

    __tablename__ = "services"
    __table_args__ = (
        sa.Index("ix_services_user_id", "user_id"),
        sa.Index("ix_services_expires_at", "expires_at"),
        sa.Index("ix_services_status_expires_at", "status", "expires_at"),
        sa.Index("ix_services_domain", "domain"),
        sa.Index("ux_services_live_domain", "live_domain", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    pack_id: int = Field(foreign_key="packs.id")
    order_id: int | None = Field(default=None, foreign_key="orders.id")
    domain: str = str_field(253)
    live_domain: str | None = str_field(253, default=None, nullable=True)
    control_panel: str = str_field(16)
    status: str = str_field(16, default=ServiceStatus.pending)
    # Who suspended it (SuspendedBy) while it is suspended, "" otherwise: a renewal lifts only an
    # expiry suspension, and the customer is told when an admin's holds it.
    suspended_by: str = str_field(16, default="")
    duration_months: int
    price_paid: int = Field(sa_type=sa.BigInteger)  # XAF, the hosting part of the order line
    starts_at: datetime
    expires_at: datetime
    panel_url: str = str_field(255, default="")
    # Its hosting account on a server (core/provisioning.py). `account_status`: "" (none, or made by
    # hand), creating, created, failed, terminated. The username is chosen and stored before the panel is
    # asked, so an answer lost on the way can be looked up.
    server_id: int | None = Field(default=None, foreign_key="servers.id")
    panel_username: str = str_field(32, default="")
    account_status: str = str_field(16, default="")
    account_error: str = str_field(500, default="")
    disk_used_mb: int | None = None
    disk_limit_mb: int | None = None
    bandwidth_used_mb: int | None = None
    usage_at: datetime | None = None
    cancelled_at: datetime | None = None  # the account is removed PROVISION_TERMINATE_DAYS after this
    created_at: datetime = created_at_field()
    updated_at: datetime | None = None


def live_domain_for(domain: str, status: str) -> str | None:
    return None if status == ServiceStatus.cancelled else domain


@sa.event.listens_for(Service, "before_insert")
@sa.event.listens_for(Service, "before_update")
def _keep_service_columns(_mapper, _connection, service: Service) -> None:
    service.live_domain = live_domain_for(service.domain, service.status)
    if service.status != ServiceStatus.suspended:
        service.suspended_by = ""
