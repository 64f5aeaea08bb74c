"""DNA behind the shop's Registrar protocol (integrations/registrar)."""

from __future__ import annotations

from datetime import datetime

from ...config import Settings
from ..registrar import Availability, Contact, DomainInfo, RegistrarError
from .client import DnaClient, DomainDetails


def _split(domain: str) -> tuple[str, str]:
    label, _, tld = domain.partition(".")
    return label, tld


def _info(details: DomainDetails) -> DomainInfo:
    return DomainInfo(domain=details.domain, registrar_id=details.id, status=details.status,
                      expires_at=details.expires_at, nameservers=details.nameservers)


class DnaRegistrar:
    name = "dna"
    is_test = False

    def __init__(self, client: DnaClient):
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings, **client_options) -> DnaRegistrar:
        return cls(DnaClient(settings.dna_username, settings.dna_password, settings.dna_endpoint,
                             timeout=settings.dna_timeout, **client_options))

    def check(self, domains: list[str]) -> list[Availability]:
        """One CheckAvailability call for all names (DNA answers labels × TLDs); keeps the order asked."""
        if not domains:
            return []
        labels = list(dict.fromkeys(_split(d)[0] for d in domains))
        tlds = list(dict.fromkeys(_split(d)[1] for d in domains))
        rows = {row.domain: row for row in self.client.check_availability(labels, tlds)}
        result = []
        for domain in domains:
            row = rows.get(domain)
            if row is None:
                raise RegistrarError(f"CheckAvailability did not answer for {domain}")
            result.append(Availability(domain=domain, available=row.available,
                                       price=float(row.price) if row.price is not None else None,
                                       currency=row.currency, reason=row.reason))
        return result

    def register(self, domain: str, years: int, contact: Contact,
                 nameservers: tuple[str, ...]) -> DomainInfo:
        return _info(self.client.register_with_contact_info(domain, years, tuple(nameservers), contact))

    def renew(self, domain: str, years: int) -> datetime:
        expires_at = self.client.renew(domain, years)
        if expires_at is None:
            # Renew answered SUCCESS without a date: ask, rather than guess.
            details = self.client.get_details(domain)
            if details is None or details.expires_at is None:
                raise RegistrarError(f"Renew of {domain}: no expiration date")
            expires_at = details.expires_at
        return expires_at

    def details(self, domain: str) -> DomainInfo | None:
        details = self.client.get_details(domain)
        return _info(details) if details else None

    def set_nameservers(self, domain: str, nameservers: tuple[str, ...]) -> None:
        self.client.modify_name_servers(domain, tuple(nameservers))

    def tld_prices(self):
        return self.client.get_tld_list()

    def balance(self):
        return self.client.get_current_balance()
