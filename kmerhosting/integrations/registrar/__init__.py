"""The registrar interface the shop talks to. Implementations: DNA (integrations/dna), the sandbox
registrar (zero-config default, clearly a test registrar), and, in tests, the DNA client pointed at
the fake DNA server.

Rules for callers (core/): `check` and `details` are reads and may be retried; `register` and
`renew` are never retried blindly. A `RegistrarTimeout` on register/renew means "unknown": the
caller records the purchase as `RegistrarStatus.unknown` and reconciles with `details()` before any
retry, so a domain is never bought twice nor paid for and lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Availability:
    domain: str  # full name, lower case: "example.cm"
    available: bool
    price: float | None = None  # the registrar's own price for one year, in `currency`
    currency: str = ""
    reason: str = ""


@dataclass(frozen=True)
class DomainInfo:
    domain: str
    registrar_id: str
    status: str  # registrar's status text, e.g. "Active"
    expires_at: datetime | None
    nameservers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contact:
    first_name: str
    last_name: str
    email: str
    phone: str  # digits, without the country code
    phone_country_code: str = "237"
    address: str = "Douala"
    city: str = "Douala"
    state: str = "Littoral"
    country: str = "CM"
    zip_code: str = "00237"
    company: str = ""


class RegistrarError(Exception):
    """The registrar refused or failed. `code` is the registrar's error code when it gave one."""

    def __init__(self, message: str = "", code: int | None = None):
        super().__init__(message)
        self.code = code


class RegistrarTimeout(RegistrarError):
    """No answer in time: for register/renew the outcome is unknown until reconciled."""


class RegistrarThrottled(RegistrarError):
    """Too many requests (DNA 361)."""


class RegistrarInsufficientBalance(RegistrarError):
    """The reseller account cannot pay (DNA 350)."""


class RegistrarDomainTaken(RegistrarError):
    """The domain is not available (registry 2302 or availability says so)."""


class Registrar(Protocol):
    name: str
    is_test: bool  # True for the sandbox: the UI labels it as a test registrar

    def check(self, domains: list[str]) -> list[Availability]: ...

    def register(self, domain: str, years: int, contact: Contact,
                 nameservers: tuple[str, ...]) -> DomainInfo: ...

    def renew(self, domain: str, years: int) -> datetime: ...

    def details(self, domain: str) -> DomainInfo | None:
        """None when the registrar does not know the domain (DNA 510)."""
