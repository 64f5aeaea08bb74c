"""The sandbox registrar: the zero-config default. Deterministic, buys nothing, labelled as a test.

A name is taken when its first label is in TAKEN or starts with "taken"; everything else is
available. A name whose first label starts with "slow" answers after SLOW_SECONDS, so a local user can
see how the shop behaves while a registrar is slow (searches keep the page responsive, a purchase
shows its progress). Registrations are kept in the shop's database (`sandbox_domains`), so the web
process and the worker (`jobs/worker.py`) see the same sandbox. Dates are whole seconds, as a
database column keeps them.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from . import Availability, Contact, DomainInfo, RegistrarDomainTaken, RegistrarError

TAKEN = {"google", "facebook", "kmerhosting", "camtel", "mtn", "orange", "example"}
SANDBOX_PRICE_USD = {".cm": 25.0, ".com": 12.0, ".net": 14.0, ".org": 13.0}
SLOW_SECONDS = 5.0


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _label(domain: str) -> str:
    return domain.split(".", 1)[0]


def _is_taken(domain: str) -> bool:
    label = _label(domain)
    return label in TAKEN or label.startswith("taken")


def _slow(*domains: str) -> None:
    if any(_label(d).startswith("slow") for d in domains):
        time.sleep(SLOW_SECONDS)


def _registrar_id(domain: str) -> str:
    return "SBX-" + hashlib.sha1(domain.encode()).hexdigest()[:10]


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _info(row) -> DomainInfo:
    return DomainInfo(domain=row.domain, registrar_id=row.registrar_id, status="Active",
                      expires_at=_as_utc(row.expires_at),
                      nameservers=tuple(ns for ns in row.nameservers.split(",") if ns))


class SandboxRegistrar:
    name = "sandbox"
    is_test = True

    @staticmethod
    def _session():
        from ...db import session_scope  # noqa: PLC0415  (integrations stay below the database helpers)

        return session_scope()

    @staticmethod
    def _row(session, domain: str):
        from ...models import SandboxDomain  # noqa: PLC0415

        return session.exec(select(SandboxDomain).where(SandboxDomain.domain == domain)).first()

    def check(self, domains: list[str]) -> list[Availability]:
        from ...models import SandboxDomain  # noqa: PLC0415

        _slow(*domains)
        with self._session() as session:
            registered = set(session.exec(select(SandboxDomain.domain)
                                          .where(SandboxDomain.domain.in_(list(domains)))).all())
        result = []
        for domain in domains:
            tld = "." + domain.split(".", 1)[1] if "." in domain else ""
            result.append(Availability(domain=domain, available=not (_is_taken(domain) or domain in registered),
                                       price=SANDBOX_PRICE_USD.get(tld, 15.0), currency="USD"))
        return result

    def register(self, domain: str, years: int, contact: Contact, nameservers: tuple[str, ...]) -> DomainInfo:
        from ...models import SandboxDomain  # noqa: PLC0415

        if not 1 <= years <= 10:
            raise RegistrarError("invalid period", code=530)
        _slow(domain)
        if _is_taken(domain):
            raise RegistrarDomainTaken("domain exists", code=2302)
        row = SandboxDomain(domain=domain, registrar_id=_registrar_id(domain),
                            expires_at=_now() + timedelta(days=365 * years), nameservers=",".join(nameservers))
        try:
            with self._session() as session:
                session.add(row)
        except IntegrityError:
            raise RegistrarDomainTaken("domain exists", code=2302) from None
        return _info(row)

    def renew(self, domain: str, years: int) -> datetime:
        from ...models import SandboxDomain  # noqa: PLC0415

        if not 1 <= years <= 10:
            raise RegistrarError("invalid period", code=530)
        _slow(domain)
        with self._session() as session:
            row = self._row(session, domain)
            if row is None:  # a domain this sandbox never saw (its database was reset): accept it
                row = SandboxDomain(domain=domain, registrar_id=_registrar_id(domain), expires_at=_now())
            row.expires_at = max(_as_utc(row.expires_at), _now()) + timedelta(days=365 * years)
            session.add(row)
            return _as_utc(row.expires_at)

    def details(self, domain: str) -> DomainInfo | None:
        with self._session() as session:
            row = self._row(session, domain)
            return _info(row) if row is not None else None
