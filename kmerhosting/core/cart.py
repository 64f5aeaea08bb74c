"""The cart: hosting lines (a pack for a duration, with its domain) and domain-only lines.

A cart belongs to a logged-in user (`user_id`) or to an anonymous visitor (`visitor_key`, a random
key kept in the visitor's browser). An anonymous cart only ever holds rows with `user_id` NULL, so a
visitor key can never reach an account's items; at login the visitor's rows move into the account
(`merge_visitor_cart`).

Quoted prices stored on a line are what the customer saw when adding it: checkout compares them with
the live price to show a change, it never charges them. The live price of a new domain is the fixed
price per TLD, or with DOMAIN_PRICING=api the registrar's price kept on the line with the time it was
asked (`line_domain_price`); an old one is asked again off the request path (`requote_domains`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from ..config import DURATIONS, get_settings
from ..db import session_scope
from ..integrations.registrar import RegistrarError
from ..integrations.registrar.factory import get_registrar
from ..models import CartItem, DomainMode, Pack, Service, as_utc, utcnow
from . import rate_limit
from .args import or_none, parse_id
from .domains import DomainOffer, domain_price_xaf, normalize_domain
from .errors import DomainUnavailable, InvalidDuration, InvalidInput
from .errors import RegistrarError as ShopRegistrarError
from .pricing import duration_price

MAX_ITEMS = 20
# Made by `new_visitor_key()` (secrets.token_urlsafe(24) = 32 chars); shorter keys are refused so a
# guessable key can't be used to peek at carts.
_VISITOR_KEY = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def new_visitor_key() -> str:
    import secrets

    return secrets.token_urlsafe(24)


def valid_visitor_key(key) -> str | None:
    return key if isinstance(key, str) and _VISITOR_KEY.match(key) else None


def _owner_clause(user_id: int | None, visitor_key: str | None):
    if user_id is not None:
        return CartItem.user_id == user_id
    key = valid_visitor_key(visitor_key)
    if key is None:
        return None
    return sa.and_(CartItem.user_id.is_(None), CartItem.visitor_key == key)


def cart_items(session: Session, *, user_id: int | None, visitor_key: str | None) -> list[CartItem]:
    clause = _owner_clause(user_id, visitor_key)
    if clause is None:
        return []
    return list(session.exec(select(CartItem).where(clause).order_by(CartItem.id)).all())


def get_item(session: Session, *, user_id: int | None, visitor_key: str | None, item_id) -> CartItem:
    """One line of this cart; anyone else's line (or a bogus id) is "not in your cart"."""
    clause = _owner_clause(user_id, visitor_key)
    item_id = or_none(parse_id, item_id, from_text=False)
    if clause is None or item_id is None:
        raise InvalidInput("shop.error.item_not_found")
    item = session.exec(select(CartItem).where(clause, CartItem.id == item_id)).first()
    if item is None:
        raise InvalidInput("shop.error.item_not_found")
    return item


def _check_months(months) -> int:
    if isinstance(months, bool) or not isinstance(months, int) or months not in DURATIONS:
        raise InvalidDuration(months)
    return months


def _check_years(years) -> int:
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 10:
        raise InvalidInput("error.domain_years")
    return years


def _new_line(session: Session, user_id: int | None, visitor_key: str | None, **fields) -> CartItem:
    if user_id is None and valid_visitor_key(visitor_key) is None:
        raise InvalidInput("shop.error.no_cart")
    if len(cart_items(session, user_id=user_id, visitor_key=visitor_key)) >= MAX_ITEMS:
        raise InvalidInput("shop.error.cart_full", n=MAX_ITEMS)
    item = CartItem(user_id=user_id, visitor_key=None if user_id is not None else visitor_key, **fields)
    session.add(item)
    session.flush()
    return item


def _count_anonymous_addition(session: Session, user_id: int | None, client: str) -> None:
    if user_id is None:
        rate_limit.hit(session, (rate_limit.CART_ADD_PER_CLIENT, client or "-"))


def purge_visitor_carts(session: Session, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete anonymous visitors' lines older than `older_than` (the notifier's daily run calls it):
    a visitor who never logs in would otherwise keep them for ever. Accounts' carts are kept."""
    return session.execute(sa.delete(CartItem).where(CartItem.user_id.is_(None),
                                                     CartItem.created_at < (now or utcnow()) - older_than)).rowcount


def hosting_price(pack: Pack, months: int) -> int:
    return duration_price(pack.monthly_price, months, pack.discounts).price


def add_pack(session: Session, *, user_id: int | None, visitor_key: str | None, pack_id, months,
             client: str = "") -> CartItem:
    """A hosting line; its domain is chosen afterwards (`choose_new_domain` / `choose_own_domain`).
    An anonymous visitor's additions are counted per client address (`client`)."""
    months = _check_months(months)
    _count_anonymous_addition(session, user_id, client)
    pack_id = or_none(parse_id, pack_id, from_text=False)
    pack = session.get(Pack, pack_id) if pack_id is not None else None
    if pack is None or not pack.is_active:
        raise InvalidInput("shop.error.unknown_pack")
    return _new_line(session, user_id, visitor_key, pack_id=pack.id, duration_months=months,
                     quoted_price=hosting_price(pack, months))


def set_duration(session: Session, *, user_id: int | None, visitor_key: str | None, item_id, months) -> CartItem:
    item = get_item(session, user_id=user_id, visitor_key=visitor_key, item_id=item_id)
    months = _check_months(months)
    if item.pack_id is None:
        raise InvalidInput("shop.error.item_not_found")
    pack = session.get(Pack, item.pack_id)
    if pack is None or not pack.is_active:
        raise InvalidInput("shop.error.unknown_pack")
    item.duration_months = months
    item.quoted_price = hosting_price(pack, months)
    session.add(item)
    session.flush()
    return item


def set_domain_years(session: Session, *, user_id: int | None, visitor_key: str | None, item_id, years) -> CartItem:
    item = get_item(session, user_id=user_id, visitor_key=visitor_key, item_id=item_id)
    years = _check_years(years)
    if item.domain_mode != DomainMode.register:
        raise InvalidInput("shop.error.item_not_found")
    if get_settings().domain_pricing == "api":
        # The registrar's price is per year (rounded per year), so it scales with the years exactly.
        per_year = item.domain_live_price // max(1, item.domain_years)
        item.domain_live_price = per_year * years
        item.domain_quoted_price = item.domain_live_price
    else:
        item.domain_quoted_price = domain_price_xaf(item.domain, years)
    item.domain_years = years
    session.add(item)
    session.flush()
    return item


def line_domain_price(item: CartItem, now: datetime | None = None) -> int | None:
    """What the line's new domain costs now: the fixed price per TLD, or with DOMAIN_PRICING=api the
    registrar's price last asked, while it is fresh (None when it is older than DOMAIN_QUOTE_MINUTES:
    `requote_domains` asks again, off the request path). 0 for a domain the customer owns."""
    settings = get_settings()
    if item.domain_mode != DomainMode.register:
        return 0
    if settings.domain_pricing != "api":
        return domain_price_xaf(item.domain, item.domain_years, settings=settings)
    now = now or utcnow()
    if item.domain_priced_at is None or now - as_utc(item.domain_priced_at) > timedelta(
            minutes=settings.domain_quote_minutes):
        return None
    return item.domain_live_price


def stale_domain_lines(items: list[CartItem], now: datetime | None = None) -> list[CartItem]:
    return [item for item in items if item.domain and line_domain_price(item, now) is None]


def requote_domains(*, user_id: int | None, visitor_key: str | None, registrar=None) -> list[str]:
    """Ask the registrar again for the price of every new domain of the cart whose price is no longer
    fresh (a registrar call: run it off the request path). Returns the domains that are no longer
    available (their lines keep blocking checkout until the customer changes them)."""
    with session_scope() as session:
        stale = [(item.id, item.domain, item.domain_years)
                 for item in stale_domain_lines(cart_items(session, user_id=user_id, visitor_key=visitor_key))]
    if not stale:
        return []
    registrar = registrar or get_registrar()
    try:
        answers = {a.domain: a for a in registrar.check([domain for _, domain, _ in stale])}
    except RegistrarError as exc:
        raise ShopRegistrarError() from exc
    gone = []
    with session_scope() as session:
        for item_id, domain, years in stale:
            availability = answers.get(domain)
            item = session.get(CartItem, item_id)
            if item is None or item.domain != domain:
                continue  # changed meanwhile
            if availability is None or not availability.available:
                gone.append(domain)
                continue
            item.domain_live_price = domain_price_xaf(domain, item.domain_years, availability)
            item.domain_priced_at = utcnow()
            session.add(item)
    return gone


def remove_item(session: Session, *, user_id: int | None, visitor_key: str | None, item_id) -> None:
    session.delete(get_item(session, user_id=user_id, visitor_key=visitor_key, item_id=item_id))
    session.flush()


def clear_cart(session: Session, *, user_id: int | None, visitor_key: str | None) -> int:
    clause = _owner_clause(user_id, visitor_key)
    if clause is None:
        return 0
    return session.execute(sa.delete(CartItem).where(clause)).rowcount


def domain_is_hosted(session: Session, domain: str) -> bool:
    """A domain already attached to a live (not cancelled) hosting service here (Service.live_domain)."""
    return session.exec(select(Service.id).where(Service.live_domain == domain)).first() is not None


def _check_not_in_cart(items: list[CartItem], domain: str, except_id: int | None) -> None:
    if any(i.domain == domain and i.id != except_id for i in items):
        raise InvalidInput("shop.error.domain_in_cart", domain=domain)


@dataclass(frozen=True)
class DomainQuote:
    domain: str
    price: int  # XAF for the years asked
    quoted_at: datetime | None  # when the registrar gave the price (None: fixed price)


def quote_new_domain(domain: str, years: int, registrar=None, offer: DomainOffer | None = None) -> DomainQuote:
    """Normalized name and price in XAF for registering it. With `offer` (what a search showed the
    visitor a moment ago, kept on the server) the registrar is not asked again; without it, the
    registrar is asked (a registrar call: off the request path)."""
    domain = normalize_domain(domain)
    years = _check_years(years)
    settings = get_settings()
    if offer is not None and offer.domain == domain and utcnow() - as_utc(offer.quoted_at) <= timedelta(
            minutes=settings.domain_quote_minutes):
        if not offer.available:
            raise DomainUnavailable()
        return DomainQuote(domain, offer.price_xaf * years, offer.quoted_at if offer.api_priced else None)
    registrar = registrar or get_registrar()
    try:
        availability = next((a for a in registrar.check([domain]) if a.domain == domain), None)
    except RegistrarError as exc:
        raise ShopRegistrarError() from exc
    if availability is None or not availability.available:
        raise DomainUnavailable()
    api = settings.domain_pricing == "api"
    return DomainQuote(domain, domain_price_xaf(domain, years, availability), utcnow() if api else None)


def _set_new_domain(item: CartItem, quote: DomainQuote, years: int) -> None:
    item.domain, item.domain_mode, item.domain_years = quote.domain, DomainMode.register, years
    item.domain_quoted_price = item.domain_live_price = quote.price
    item.domain_priced_at = quote.quoted_at


def choose_new_domain(session: Session, *, user_id: int | None, visitor_key: str | None, item_id, domain,
                      years, registrar=None, offer: DomainOffer | None = None) -> CartItem:
    """Attach a domain to register (availability checked now, again by the registrar when paid)."""
    item = get_item(session, user_id=user_id, visitor_key=visitor_key, item_id=item_id)
    if item.pack_id is None:
        raise InvalidInput("shop.error.item_not_found")
    years = _check_years(years)
    quote = quote_new_domain(domain, years, registrar, offer)
    if domain_is_hosted(session, quote.domain):
        raise InvalidInput("shop.error.domain_hosted", domain=quote.domain)
    _check_not_in_cart(cart_items(session, user_id=user_id, visitor_key=visitor_key), quote.domain, item.id)
    _set_new_domain(item, quote, years)
    session.add(item)
    session.flush()
    return item


def choose_own_domain(session: Session, *, user_id: int | None, visitor_key: str | None, item_id,
                      domain) -> CartItem:
    """Attach a domain the customer already owns: valid name, not hosted here already, costs nothing."""
    item = get_item(session, user_id=user_id, visitor_key=visitor_key, item_id=item_id)
    if item.pack_id is None:
        raise InvalidInput("shop.error.item_not_found")
    domain = normalize_domain(domain)
    if domain_is_hosted(session, domain):
        raise InvalidInput("shop.error.domain_hosted", domain=domain)
    _check_not_in_cart(cart_items(session, user_id=user_id, visitor_key=visitor_key), domain, item.id)
    item.domain, item.domain_mode, item.domain_years, item.domain_quoted_price = \
        domain, DomainMode.existing, 1, 0
    session.add(item)
    session.flush()
    return item


def add_domain_item(session: Session, *, user_id: int | None, visitor_key: str | None, domain: str,
                    years: int, registrar=None, offer: DomainOffer | None = None, client: str = "") -> CartItem:
    """A domain-only line (no hosting): the domain is registered for `years` years at checkout.
    An anonymous visitor's additions are counted per client address, before the registrar is asked."""
    _count_anonymous_addition(session, user_id, client)
    years = _check_years(years)
    quote = quote_new_domain(domain, years, registrar, offer)
    _check_not_in_cart(cart_items(session, user_id=user_id, visitor_key=visitor_key), quote.domain, None)
    item = _new_line(session, user_id, visitor_key, pack_id=None, duration_months=0, quoted_price=0)
    _set_new_domain(item, quote, years)
    session.add(item)
    session.flush()
    return item


def merge_visitor_cart(session: Session, user_id: int, visitor_key: str | None) -> int:
    """Move an anonymous visitor's lines into the account (at login, or when the cart loads logged in)."""
    key = valid_visitor_key(visitor_key)
    if key is None:
        return 0
    return session.execute(
        sa.update(CartItem).where(CartItem.user_id.is_(None), CartItem.visitor_key == key)
        .values(user_id=user_id, visitor_key=None)
    ).rowcount
