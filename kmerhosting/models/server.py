from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_at_field, str_field, text_field


class Server(SQLModel, table=True):
    """A hosting server the shop creates accounts on, through its control panel's API.

    `token_sealed` is the API token sealed with a key derived from SECRET_KEY (core/sealing.py): a
    database dump without the configuration opens nothing, and the token never travels to a browser.
    A sandbox server (`sandbox`) is the zero-config default: its panel creates nothing real and every
    page that names it says so.
    """

    __tablename__ = "servers"
    __table_args__ = (sa.Index("ix_servers_panel_active", "panel", "active"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = str_field(80, unique=True)
    panel: str = str_field(16)  # ControlPanel value: which packs it serves
    sandbox: bool = False  # a test server: the sandbox panel, nothing real is created
    host: str = str_field(253, default="")
    port: int = 2087
    api_user: str = str_field(64, default="root")
    token_sealed: str = text_field(default="")
    verify_tls: bool = True
    ca_pem: str = text_field(default="")  # the server's own certificate authority (a self-signed panel)
    nameservers: str = str_field(500, default="")  # comma-separated, given to the customer in the welcome mail
    capacity: int = 500  # most accounts the shop puts on it
    active: bool = True
    last_test_at: datetime | None = None
    last_test_ok: bool | None = None
    last_test_message: str = str_field(255, default="")
    created_at: datetime = created_at_field()
    updated_at: datetime | None = None


class ProvisionEvent(SQLModel, table=True):
    """One call the shop made to a panel for a service: what, on which server, how it ended, how long it took."""

    __tablename__ = "provision_events"
    __table_args__ = (sa.Index("ix_provision_events_service", "service_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="services.id")
    server_id: int | None = Field(default=None, foreign_key="servers.id")
    action: str = str_field(24)  # create | find | suspend | unsuspend | terminate | change_package | usage | login
    outcome: str = str_field(16)  # ok | refused | unknown | failed
    message: str = str_field(500, default="")  # the panel's words (secrets scrubbed)
    duration_ms: int = 0
    created_at: datetime = created_at_field()
