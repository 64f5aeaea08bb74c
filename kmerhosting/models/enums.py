"""Enumerations stored as short strings (portable across SQLite and MariaDB, easy to extend)."""

from enum import StrEnum


class Role(StrEnum):
    customer = "customer"
    admin = "admin"


class UserStatus(StrEnum):
    active = "active"
    blocked = "blocked"


class ServiceStatus(StrEnum):
    pending = "pending"
    active = "active"
    expired = "expired"
    suspended = "suspended"
    cancelled = "cancelled"


class SuspendedBy(StrEnum):
    admin = "admin"  # an admin's decision: only an admin lifts it
    expiry = "expiry"  # the notifier, past the grace period: a paid renewal lifts it


class ControlPanel(StrEnum):
    cpanel = "cpanel"
    plesk = "plesk"
    directadmin = "directadmin"


CONTROL_PANEL_LABELS = {
    ControlPanel.cpanel: "cPanel",
    ControlPanel.plesk: "Plesk",
    ControlPanel.directadmin: "DirectAdmin",
}


class AccountStatus(StrEnum):
    """A service's hosting account on its server (Service.account_status; "" = none or made by hand)."""

    none = ""
    creating = "creating"  # a job is creating it; the username is stored
    created = "created"  # it exists on the server
    failed = "failed"  # the panel refused it for good; an admin looks (retry from the admin page)
    terminated = "terminated"  # removed from the server after cancellation


class TransactionKind(StrEnum):
    credit = "credit"  # credits added (approved request or admin top-up)
    adjustment = "adjustment"  # admin correction, signed
    purchase = "purchase"  # checkout debit for hosting
    domain = "domain"  # checkout or renewal debit for a domain
    renewal = "renewal"  # hosting renewal debit
    refund = "refund"  # compensation when something paid for was not delivered


class CreditRequestStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    cancelled = "cancelled"


class PaymentStatus(StrEnum):
    """A Mobile Money top-up (models/payment.py)."""

    created = "created"  # stored; the gateway has not confirmed the request yet
    pending = "pending"  # the customer is asked to confirm on the phone
    complete = "complete"  # money received and credited
    failed = "failed"  # refused (wallet, PIN, operator, gateway)
    canceled = "canceled"  # cancelled by the customer
    expired = "expired"  # not confirmed in time
    flagged = "flagged"  # "complete" with another amount or currency: nothing credited, an admin looks


class PaymentMethod(StrEnum):
    mtn_momo = "mtn_momo"
    orange_money = "orange_money"
    bank_transfer = "bank_transfer"
    cash = "cash"


class DomainMode(StrEnum):
    register = "register"  # buy a new domain through the registrar
    existing = "existing"  # the customer already owns it


class RegistrarStatus(StrEnum):
    pending = "pending"  # not yet sent to the registrar
    registered = "registered"
    failed = "failed"  # the registrar refused: nothing was bought
    unknown = "unknown"  # timed out: must be reconciled (details lookup) before any retry


class OrderStatus(StrEnum):
    pending = "pending"
    paid = "paid"
    partial = "partial"  # some lines delivered, the rest refunded
    failed = "failed"  # nothing delivered, everything refunded


class NotificationStatus(StrEnum):
    pending = "pending"  # claimed, being sent
    sent = "sent"
    failed = "failed"
    skipped = "skipped"


class TokenPurpose(StrEnum):
    verify_email = "verify_email"
    reset_password = "reset_password"
    change_email = "change_email"


class JobStatus(StrEnum):
    queued = "queued"  # waiting for a worker (or for its next attempt, at `run_after`)
    running = "running"  # held by a worker until `lease_until`
    done = "done"
    failed = "failed"  # gave up after its attempts: listed for admin, never silently dropped


class RenewalStatus(StrEnum):
    pending = "pending"  # paid, not yet sent to the registrar
    sent = "sent"  # sent (or about to be): the outcome is unknown until the registrar confirms it
    done = "done"
    failed = "failed"  # not renewed: refunded
