from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_at_field, str_field


class CartItem(SQLModel, table=True):
    """A line of a cart: a hosting pack (with its domain), or a domain alone (pack_id None).

    `visitor_key` holds an anonymous visitor's cart until it is merged into an account at login.
    """

    __tablename__ = "cart_items"
    __table_args__ = (
        sa.Index("ix_cart_items_user_id", "user_id"),
        sa.Index("ix_cart_items_visitor_key", "visitor_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    visitor_key: str | None = str_field(64, default=None, nullable=True)
    pack_id: int | None = Field(default=None, foreign_key="packs.id")
    duration_months: int = 12
    # Prices as seen when added: compared with the live price before paying, never charged.
    quoted_price: int = Field(default=0, sa_type=sa.BigInteger)
    domain: str = str_field(253, default="")
    domain_mode: str = str_field(16, default="")  # DomainMode, empty until chosen
    domain_years: int = 1
    domain_quoted_price: int = Field(default=0, sa_type=sa.BigInteger)
    # With DOMAIN_PRICING=api: the registrar's latest price for this line (converted to XAF) and when it
    # was asked. Checkout charges it only while it is fresh (DOMAIN_QUOTE_MINUTES); the page asks again,
    # off the request path, when it is not.
    domain_live_price: int = Field(default=0, sa_type=sa.BigInteger)
    domain_priced_at: datetime | None = None
    created_at: datetime = created_at_field()
