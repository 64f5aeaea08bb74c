"""All tables. Importing this package registers every model on `SQLModel.metadata`."""

from .audit import AuditLog
from .auth import AuthSession, EmailToken, RateLimitEvent
from .base import as_utc, utcnow
from .cart import CartItem
from .catalog import Pack
from .domain import DomainPurchase
from .enums import (
    CONTROL_PANEL_LABELS,
    ControlPanel,
    CreditRequestStatus,
    DomainMode,
    NotificationStatus,
    OrderStatus,
    PaymentMethod,
    RegistrarStatus,
    Role,
    ServiceStatus,
    SuspendedBy,
    TokenPurpose,
    TransactionKind,
    UserStatus,
)
from .ledger import CreditRequest, Order, Transaction
from .notification import NotificationLog, OutboxMessage
from .service import Service
from .user import User

__all__ = [
    "AuditLog", "AuthSession", "CartItem", "CONTROL_PANEL_LABELS", "ControlPanel", "CreditRequest",
    "CreditRequestStatus", "DomainMode", "DomainPurchase", "EmailToken", "NotificationLog",
    "NotificationStatus", "Order", "OrderStatus", "OutboxMessage", "Pack", "PaymentMethod",
    "RateLimitEvent", "RegistrarStatus", "Role", "Service", "ServiceStatus", "TokenPurpose",
    "SuspendedBy", "Transaction", "TransactionKind", "User", "UserStatus", "as_utc", "utcnow",
]
