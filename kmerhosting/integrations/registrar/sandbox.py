"""The sandbox registrar: the zero-config default. Deterministic, buys nothing, labelled as a test.

A name is taken when its first label is in TAKEN or starts with "taken"; everything else is
available. Registrations are kept in memory of the process (enough for a demo shop); after a
restart a renewal of a domain it forgot is accepted (the demo shop's domains stay renewable).
Dates are whole seconds, as a database column keeps them.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

from . import Availability, Contact, DomainInfo, RegistrarDomainTaken, RegistrarError

TAKEN = {"google", "facebook", "kmerhosting", "camtel", "mtn", "orange", "example"}
SANDBOX_PRICE_USD = {".cm": 25.0, ".com": 12.0, ".net": 14.0, ".org": 13.0}


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _is_taken(domain: str) -> bool:
    label = domain.split(".", 1)[0]
    return label in TAKEN or label.startswith("taken")


class SandboxRegistrar:
    name = "sandbox"
    is_test = True

    def __init__(self):
        self._lock = threading.Lock()
        self._domains: dict[str, DomainInfo] = {}

    def check(self, domains: list[str]) -> list[Availability]:
        result = []
        for domain in domains:
            tld = "." + domain.split(".", 1)[1] if "." in domain else ""
            with self._lock:
                registered = domain in self._domains
            result.append(Availability(domain=domain, available=not (_is_taken(domain) or registered),
                                       price=SANDBOX_PRICE_USD.get(tld, 15.0), currency="USD"))
        return result

    def register(self, domain: str, years: int, contact: Contact, nameservers: tuple[str, ...]) -> DomainInfo:
        if not 1 <= years <= 10:
            raise RegistrarError("invalid period", code=530)
        with self._lock:
            if _is_taken(domain) or domain in self._domains:
                raise RegistrarDomainTaken("domain exists", code=2302)
            info = DomainInfo(domain=domain, registrar_id="SBX-" + hashlib.sha1(domain.encode()).hexdigest()[:10],
                              status="Active", expires_at=_now() + timedelta(days=365 * years),
                              nameservers=tuple(nameservers))
            self._domains[domain] = info
            return info

    def renew(self, domain: str, years: int) -> datetime:
        if not 1 <= years <= 10:
            raise RegistrarError("invalid period", code=530)
        with self._lock:
            info = self._domains.get(domain)
            base = max(info.expires_at, _now()) if info and info.expires_at else _now()
            new_expiry = base + timedelta(days=365 * years)
            self._domains[domain] = DomainInfo(domain=domain, registrar_id=info.registrar_id if info else
                                               "SBX-" + hashlib.sha1(domain.encode()).hexdigest()[:10],
                                               status="Active", expires_at=new_expiry)
            return new_expiry

    def details(self, domain: str) -> DomainInfo | None:
        with self._lock:
            return self._domains.get(domain)
