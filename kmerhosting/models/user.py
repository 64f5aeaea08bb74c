from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import created_at_field, str_field
from .enums import Role, UserStatus


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = str_field(255, unique=True, index=True)
    password_hash: str = str_field(100)
    name: str = str_field(120)
    phone: str = str_field(32, default="")
    role: str = str_field(16, default=Role.customer)
    status: str = str_field(16, default=UserStatus.active, index=True)
    language: str = str_field(5, default="fr")
    email_verified_at: datetime | None = None
    # Always equal to the sum of this user's ledger (Transaction.amount): see core/ledger.
    credits: int = Field(default=0, sa_type=sa.BigInteger)
    created_at: datetime = created_at_field()
    last_login_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def is_blocked(self) -> bool:
        return self.status == UserStatus.blocked
