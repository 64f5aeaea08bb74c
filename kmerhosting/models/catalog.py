from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_at_field, str_field, text_field
from .enums import ControlPanel


class Pack(SQLModel, table=True):
    """A hosting offer. Prices per duration come from `core.pricing` (monthly price and discounts)."""

    __tablename__ = "packs"

    id: int | None = Field(default=None, primary_key=True)
    name: str = str_field(80)
    slug: str = str_field(80, unique=True, index=True)
    description_fr: str = text_field(default="")
    description_en: str = text_field(default="")
    # Extra selling points, a list of {"fr": ..., "en": ...}.
    features: list = Field(default_factory=list, sa_type=sa.JSON)
    monthly_price: int = Field(sa_type=sa.BigInteger)  # XAF
    # Per-pack override of the configured duration discounts, {"12": 15, ...}; empty = configured.
    discounts: dict = Field(default_factory=dict, sa_type=sa.JSON)
    control_panel: str = str_field(16, default=ControlPanel.cpanel)
    # The panel package an account of this pack is created with, per panel kind: {"cpanel": "kh_starter"}.
    panel_packages: dict = Field(default_factory=dict, sa_type=sa.JSON)
    disk_gb: int = 10
    bandwidth_gb: int = 0  # 0 = unmetered
    email_accounts: int = 10
    databases: int = 5
    websites: int = 1
    free_ssl: bool = True
    is_active: bool = Field(default=True, index=True)
    sort_order: int = 0
    created_at: datetime = created_at_field()
