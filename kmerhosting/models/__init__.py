"""All tables. Importing this package registers every model on `SQLModel.metadata`."""

from .audit import AuditLog
from .auth import AuthSession, EmailToken, RateLimitEvent
from .base import as_utc, utcnow
from .cart import CartItem
from .catalog import Pack
from .domain import DomainPurchase, DomainRenewal, SandboxDomain
from .enums import (
    AccountStatus,
    CONTROL_PANEL_LABELS,
    ControlPanel,
    CreditRequestStatus,
    DomainMode,
    JobStatus,
    NotificationStatus,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    RegistrarStatus,
    RenewalStatus,
    Role,
    ServiceStatus,
    SuspendedBy,
    TokenPurpose,
    TransactionKind,
    UserStatus,
)
from .job import Job
from .ledger import CreditRequest, Order, Transaction
from .payment import Payment, PaymentEvent
from .notification import NotificationLog, OutboxMessage
from .server import ProvisionEvent, Server
from .service import Service
from .user import User

__all__ = [
    "AccountStatus", "AuditLog", "AuthSession", "CartItem", "CONTROL_PANEL_LABELS", "ControlPanel", "CreditRequest",
    "CreditRequestStatus", "DomainMode", "DomainPurchase", "DomainRenewal", "EmailToken", "Job", "JobStatus",
    "NotificationLog",
    "NotificationStatus", "Order", "OrderStatus", "OutboxMessage", "Pack", "Payment", "PaymentEvent", "PaymentMethod", "PaymentStatus",
    "ProvisionEvent", "RateLimitEvent", "RegistrarStatus", "RenewalStatus", "Role", "SandboxDomain", "Server", "Service", "ServiceStatus",
    "SuspendedBy", "TokenPurpose", "Transaction", "TransactionKind", "User", "UserStatus", "as_utc", "utcnow",
]
