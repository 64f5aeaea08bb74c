"""Domain names: syntax, prices in XAF, search across the shop's TLDs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..config import Settings, get_settings
from ..integrations.registrar import Availability
from .errors import InvalidInput

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_domain(name: str) -> str:
    """Lower-case, strip scheme/www/trailing dot; raise InvalidInput("error.domain_syntax") if malformed."""
    if not isinstance(name, str):
        raise InvalidInput("error.domain_syntax")
    value = name.strip().lower()
    value = re.sub(r"^https?://", "", value).split("/", 1)[0].rstrip(".")
    if value.startswith("www."):
        value = value[4:]
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels) \
            or not re.fullmatch(r"[a-z]{2,24}", labels[-1]):
        raise InvalidInput("error.domain_syntax")
    return value


def tld_of(domain: str, settings: Settings | None = None) -> str:
    """The longest configured TLD the domain ends with (".co.cm" before ".cm"), else its last label."""
    settings = settings or get_settings()
    for tld in sorted(settings.domain_tlds, key=len, reverse=True):
        if domain.endswith(tld):
            return tld
    return "." + domain.rsplit(".", 1)[-1]


def domain_price_xaf(domain: str, years: int = 1, availability: Availability | None = None,
                     settings: Settings | None = None) -> int:
    """Price in XAF for `years` years: the configured fixed price per TLD, or (DOMAIN_PRICING=api)
    the registrar's price × DOMAIN_API_RATE_XAF plus DOMAIN_API_MARGIN_PERCENT, rounded up to 100 XAF."""
    settings = settings or get_settings()
    if not 1 <= years <= 10:
        raise InvalidInput("error.domain_years")
    tld = tld_of(domain, settings)
    if settings.domain_pricing == "api" and availability is not None and availability.price:
        if availability.currency.upper() not in ("USD", ""):
            raise InvalidInput("error.domain_price_currency")
        per_year = availability.price * settings.domain_api_rate_xaf * (100 + settings.domain_api_margin_percent) / 100
        per_year_xaf = int(-(-per_year // 100) * 100)
        return per_year_xaf * years
    if tld not in settings.domain_prices_xaf:
        raise InvalidInput("error.domain_tld_not_sold", tld=tld)
    return settings.domain_prices_xaf[tld] * years


@dataclass(frozen=True)
class DomainOffer:
    domain: str
    available: bool
    price_xaf: int  # for one year


def search_offers(registrar, name: str, settings: Settings | None = None) -> list[DomainOffer]:
    """Availability and price of `name` under each TLD the shop sells (or the exact name typed)."""
    settings = settings or get_settings()
    raw = (name or "").strip().lower()
    if "." in raw:
        candidates = [normalize_domain(raw)]
    else:
        label = normalize_domain(raw + ".cm").split(".", 1)[0]
        candidates = [label + tld for tld in settings.domain_tlds]
    offers = []
    for availability in registrar.check(candidates):
        offers.append(DomainOffer(domain=availability.domain, available=availability.available,
                                  price_xaf=domain_price_xaf(availability.domain, 1, availability, settings)))
    return offers
