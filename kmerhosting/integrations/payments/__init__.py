"""The payment-gateway interface the shop talks to for Mobile Money top-ups.

Implementations: Notch Pay (`notchpay.py`), Campay (`campay.py`), both thin httpx clients written from
the providers' documented wire protocol, and the sandbox gateway (`sandbox.py`, the zero-config
default, clearly labelled as a test: it moves no money). `factory.get_gateway(name)` picks one.

Rules for callers (core/payments.py):

- The shop makes its own reference (`Payment.reference`) and stores it *before* `start()` is called.
  `start()` may be called again with the same reference after a timeout: an implementation first asks
  the gateway whether that reference is already known and never creates a second charge for it.
- `status()` is a read and may be retried. Its answer is the only thing that ever credits a balance;
  a webhook (`parse_webhook`) is a hint that says "look at this reference now".
- `GatewayUnavailable` (timeout, connection refused, 5xx, unreadable answer) means "unknown": the
  caller keeps the payment pending and asks again later. `GatewayRejected` means the gateway refused
  the request for good (bad phone number, amount out of range, unknown reference...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Protocol

# Our statuses for a gateway transaction (each gateway's own words are mapped onto these).
PENDING = "pending"      # created, waiting for the customer to confirm on the phone
COMPLETE = "complete"    # money received
FAILED = "failed"        # refused by the operator or the customer's wallet (funds, PIN, ...)
CANCELED = "canceled"    # cancelled by the customer
EXPIRED = "expired"      # not confirmed in time
FINAL_STATUSES = frozenset({COMPLETE, FAILED, CANCELED, EXPIRED})

# Operators a customer can pay with (Cameroon).
MTN = "mtn"
ORANGE = "orange"
OPERATORS = (MTN, ORANGE)


@dataclass(frozen=True)
class Started:
    """What `start()` learned: the gateway's own id for the transaction, and what to tell the customer."""

    gateway_reference: str          # Notch Pay: its transaction reference; Campay: its `reference`
    status: str = PENDING           # one of the statuses above (normally PENDING)
    ussd_code: str = ""             # e.g. "*126#" when the gateway says which code confirms it
    redirect_url: str = ""          # a hosted payment page, when the gateway offers one
    raw: Mapping = field(default_factory=dict)  # the gateway's answer, kept on the payment's timeline


@dataclass(frozen=True)
class GatewayStatus:
    """A gateway's answer to "where is this payment?"."""

    reference: str                  # our reference
    gateway_reference: str
    status: str                     # one of the statuses above
    amount: int | None              # whole francs, as the gateway reports them
    currency: str                   # "XAF"
    operator: str = ""              # MTN / ORANGE when the gateway says
    operator_reference: str = ""    # the operator's transaction id, when given
    reason: str = ""                # the gateway's words for a failure
    raw: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookHint:
    """A webhook whose signature checked out: which payment to look at (never what to credit)."""

    reference: str                  # our reference (as we sent it)
    gateway_reference: str = ""
    status: str = ""                # what the webhook claims; only recorded on the timeline
    event: str = ""
    raw: Mapping = field(default_factory=dict)


class GatewayError(Exception):
    def __init__(self, message: str = "", code: str = ""):
        super().__init__(message)
        self.code = code


class GatewayUnavailable(GatewayError):
    """No usable answer (timeout, connection refused, 5xx, garbage): the outcome is unknown."""


class GatewayRejected(GatewayError):
    """The gateway refused the request (4xx with a reason): retrying the same request will not help."""


class InvalidWebhook(GatewayError):
    """A webhook whose signature is missing or wrong, or whose body cannot be read."""


class PaymentGateway(Protocol):
    name: str                       # "notchpay" | "campay" | "sandbox"
    is_test: bool                   # True for the sandbox and for test keys: the page says so
    # Whether `start()` may be called again after GatewayUnavailable (it asks the gateway first). A gateway
    # without a lookup by our reference says False: the caller then waits for the webhook or the deadline.
    retry_start_after_timeout: bool

    def start(self, *, reference: str, amount: int, currency: str, operator: str, phone: str,
              description: str, customer_name: str, customer_email: str) -> Started:
        """Ask the customer's phone for the payment. `phone` is E.164 without "+": "2376XXXXXXXX"."""
        ...

    def status(self, reference: str, gateway_reference: str = "") -> GatewayStatus:
        """Where the payment is now (a read; retried freely)."""
        ...

    def parse_webhook(self, *, method: str, headers: Mapping[str, str], query: Mapping[str, str],
                      body: bytes) -> WebhookHint:
        """Check a webhook's signature over exactly what was received; raise InvalidWebhook if wrong."""
        ...
