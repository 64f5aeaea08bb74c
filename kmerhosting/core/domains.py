"""Domain names: syntax, prices in XAF, search across the shop's TLDs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

import logging
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from ..config import Settings, get_settings
from ..db import lock_user
from ..integrations.registrar import (
    Availability,
    Contact,
    DomainInfo,
    Registrar,
    RegistrarDomainTaken,
    RegistrarError,
    RegistrarInsufficientBalance,
    RegistrarThrottled,
    RegistrarTimeout,
)
from ..models import DomainPurchase, Order, RegistrarStatus, TransactionKind, User, utcnow
from . import ledger, rate_limit
from .calendar_months import days_left
from .errors import DomainUnavailable, InvalidInput, KmerError, NotFound
from .errors import RegistrarError as CoreRegistrarError

log = logging.getLogger(__name__)

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
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 10:
        raise InvalidInput("error.domain_years")
    tld = tld_of(domain, settings)
    if settings.domain_pricing == "api" and availability is not None and availability.price:
        if availability.currency.upper() not in ("USD", ""):
            raise InvalidInput("error.domain_price_currency")
        # Decimal, not float: 25 USD × 610 × 1.2 is 18300 exactly, a float makes it 18300.000000000004
        # and the round-up then charges 18400.
        usd = Decimal(str(availability.price))
        per_year = usd * settings.domain_api_rate_xaf * (100 + settings.domain_api_margin_percent) / 100
        per_year_xaf = int((per_year / 100).to_integral_value(rounding=ROUND_CEILING)) * 100
        return per_year_xaf * years
    if tld not in settings.domain_prices_xaf:
        raise InvalidInput("error.domain_tld_not_sold", tld=tld)
    return settings.domain_prices_xaf[tld] * years


@dataclass(frozen=True)
class DomainOffer:
    domain: str
    available: bool
    price_xaf: int  # for one year
    quoted_at: datetime = field(default_factory=utcnow)  # when the registrar answered
    api_priced: bool = False  # the price is the registrar's (DOMAIN_PRICING=api), not the fixed table's


def search_for_client(session: Session, registrar, name: str, client: str) -> list["DomainOffer"]:
    """A visitor's search (the /domains page, the cart's domain dialog): counted per client, since
    every search is a registrar call and the registrar throttles the shop's whole account."""
    rate_limit.hit(session, (rate_limit.DOMAIN_SEARCH_PER_CLIENT, client or "-"))
    return search_offers(registrar, name)


def search_offers(registrar, name: str, settings: Settings | None = None) -> list[DomainOffer]:
    """Availability and price of `name` under each TLD the shop sells (or the exact name typed)."""
    settings = settings or get_settings()
    raw = (name or "").strip().lower()
    if "." in raw:
        candidates = [normalize_domain(raw)]
        tld = tld_of(candidates[0], settings)
        if tld not in settings.domain_tlds:
            raise InvalidInput("error.domain_tld_not_sold", tld=tld)
    else:
        label = normalize_domain(raw + ".cm").split(".", 1)[0]
        candidates = [label + tld for tld in settings.domain_tlds]
    offers = []
    for availability in registrar.check(candidates):
        offers.append(DomainOffer(domain=availability.domain, available=availability.available,
                                  price_xaf=domain_price_xaf(availability.domain, 1, availability, settings),
                                  api_priced=settings.domain_pricing == "api"))
    return offers


# --- registrar problems in the customer's words ------------------------------------------------

class DomainRegistrarProblem(CoreRegistrarError):
    """A registrar failure as a translated message (`key` from i18n/messages/domains.py)."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params


_FAILURE_KEYS = (
    (RegistrarTimeout, "domains.error_timeout"),
    (RegistrarThrottled, "domains.error_throttled"),
    (RegistrarInsufficientBalance, "domains.error_unavailable_now"),
)


def registrar_failure(exc: RegistrarError, *, refunded: bool = False) -> KmerError:
    """The error to show for a registrar failure; `refunded` adds "your credits came back"."""
    if isinstance(exc, RegistrarDomainTaken):
        return DomainUnavailable()
    suffix = "_refunded" if refunded else ""
    for error_type, key in _FAILURE_KEYS:
        if isinstance(exc, error_type):
            return DomainRegistrarProblem(key + suffix)
    return DomainRegistrarProblem("domains.error_refused" + suffix, code=exc.code or "-")


# --- domains bought here: reconciliation and renewal --------------------------------------------
#
# A registrar call can take many seconds, so no database lock is held across one. Instead the
# purchase row is *claimed* under the user's lock (a lease written in `error` with `updated_at`),
# the registrar is called, then the outcome is applied under the lock again. A second worker or a
# second click sees the lease and stands back: nothing is bought, renewed or refunded twice.

LEASE = timedelta(minutes=10)
_RECONCILING = "lease:reconcile"
_RETRIED = "register retried"


def _aware(moment: datetime | None) -> datetime | None:
    """MariaDB gives naive datetimes back; they are UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _in_flight(purchase: DomainPurchase, now: datetime, window: timedelta = LEASE) -> bool:
    """Someone is working on this purchase right now: our own lease, or a register call (the
    registration job marks a purchase `unknown` with no error just before sending it, so a crash
    mid-call leaves it to reconcile; recent and without an error, it may still be on the wire)."""
    updated = _aware(purchase.updated_at)
    recent = updated is not None and now - updated < window
    return recent and (purchase.error == "" or purchase.error.startswith("lease:"))


def _refresh_order(session: Session, order_id: int | None) -> None:
    """The checkout derives an order's status from its purchases: let it recompute after a change."""
    if not order_id:
        return
    try:
        from .checkout import refresh_order_status  # the shop's checkout (its own module)
    except ImportError:
        return
    refresh_order_status(session, order_id)
    session.commit()


def _locked_purchase(session: Session, purchase_id: int) -> DomainPurchase | None:
    """The purchase re-read under its owner's lock (so a status check can't be stale)."""
    purchase = session.get(DomainPurchase, purchase_id)
    if purchase is None:
        return None
    lock_user(session, purchase.user_id)
    session.refresh(purchase)
    return purchase


def _refund(session: Session, purchase: DomainPurchase, amount: int, reference: str,
            description: str, order_id: int | None) -> None:
    """Give `amount` back; an order's totals follow when the refunded debit was that order's."""
    ledger.post(session, purchase.user_id, amount, TransactionKind.refund, reference=reference,
                description=description, order_id=order_id)
    if order_id:
        order = session.get(Order, order_id)
        if order is not None:
            order.refunded += amount  # its status is the checkout's to derive (_refresh_order)
            session.add(order)


def contact_for(user: User) -> Contact:
    """The registrant contact made from the customer's account."""
    first, _, last = (user.name or "").strip().partition(" ")
    digits = re.sub(r"\D", "", user.phone or "")
    if digits.startswith("237") and len(digits) > 9:
        digits = digits[3:]
    return Contact(first_name=first or user.email.split("@")[0], last_name=last or first or "-",
                   email=user.email, phone=digits or "000000000")


def reconcile_purchase(session: Session, purchase_id: int, registrar: Registrar, *,
                       retry_register: bool = True, in_flight_window: timedelta = LEASE) -> DomainPurchase:
    """Settle a purchase whose register timed out (status `unknown`). Commits.

    Asks the registrar first (details): if it has the domain, the purchase is registered. If not,
    the register is retried once (only after that check) or, when it was already retried or
    `retry_register` is False, the purchase is marked failed and the customer refunded.
    A registrar that cannot answer leaves the purchase `unknown` for the next run.
    """
    now = utcnow()
    purchase = _locked_purchase(session, purchase_id)
    if purchase is None:
        raise NotFound()
    if purchase.registrar_status != RegistrarStatus.unknown or _in_flight(purchase, now, in_flight_window):
        session.commit()
        return purchase
    already_retried = _RETRIED in purchase.error
    lease = _RECONCILING + (f" ({_RETRIED})" if already_retried else "")
    purchase.error, purchase.updated_at = lease, now
    session.add(purchase)
    session.commit()

    outcome, info, failure = _ask_then_retry(session, purchase, registrar,
                                             retry_register and not already_retried)

    purchase = _locked_purchase(session, purchase_id)
    if purchase.registrar_status != RegistrarStatus.unknown or purchase.error != lease:
        log.warning("domain purchase %s was settled elsewhere while reconciling (%s, ours: %s)",
                    purchase.id, purchase.registrar_status, outcome)
        session.commit()
        return purchase
    if outcome == "registered":
        purchase.registrar_status = RegistrarStatus.registered
        purchase.registrar_id = info.registrar_id
        purchase.expires_at = info.expires_at
        purchase.error = ""
    elif outcome == "failed":
        purchase.registrar_status = RegistrarStatus.failed
        purchase.error = f"not bought: {failure}"[:2000]
        _refund(session, purchase, purchase.price, f"domain:{purchase.id}",
                f"Refund: domain {purchase.domain} not registered", purchase.order_id)
    else:  # still unknown: try again on the next run
        purchase.error = f"unknown: {failure}" + (f" ({_RETRIED})" if already_retried or outcome == "retried" else "")
    purchase.updated_at = utcnow()
    session.add(purchase)
    session.commit()
    _refresh_order(session, purchase.order_id)
    log.info("domain purchase %s reconciled: %s", purchase.id, purchase.registrar_status)
    return purchase


def _ask_then_retry(session: Session, purchase: DomainPurchase, registrar: Registrar,
                    may_retry: bool) -> tuple[str, DomainInfo | None, str]:
    """("registered", info, "") | ("failed", None, why) | ("unknown" | "retried", None, why)."""
    try:
        info = registrar.details(purchase.domain)
    except RegistrarError as exc:
        return "unknown", None, f"details: {type(exc).__name__} {exc}"
    if info is not None:
        return "registered", info, ""
    if not may_retry:
        return "failed", None, "registrar does not have it"
    user = session.get(User, purchase.user_id)
    try:
        info = registrar.register(purchase.domain, purchase.years, contact_for(user),
                                  tuple(get_settings().domain_ns))
        return "registered", info, ""
    except RegistrarTimeout as exc:
        return "retried", None, f"retry timed out: {exc}"
    except RegistrarDomainTaken:
        # Taken now: maybe by our own first attempt, visible only now. Ask once more.
        try:
            info = registrar.details(purchase.domain)
        except RegistrarError as exc:
            return "retried", None, f"details after 2302: {type(exc).__name__}"
        return ("registered", info, "") if info else ("failed", None, "taken by someone else")
    except RegistrarError as exc:
        return "failed", None, f"retry refused: {type(exc).__name__} {exc.code or ''} {exc}"


@dataclass(frozen=True)
class CustomerDomain:
    id: int
    domain: str
    status: str  # RegistrarStatus
    expires_at: datetime | None
    days_left: int | None  # calendar_months.days_left: the same rule as hosting services
    expired: bool
    years: int


def customer_domains(session: Session, user_id: int) -> list[CustomerDomain]:
    """The customer's domains bought here (registered, or still being confirmed), soonest expiry first."""
    now = utcnow()
    rows = session.exec(select(DomainPurchase).where(
        DomainPurchase.user_id == user_id,
        DomainPurchase.registrar_status.in_([RegistrarStatus.registered, RegistrarStatus.unknown]),
    ).order_by(DomainPurchase.expires_at, DomainPurchase.id)).all()
    result = []
    for row in rows:
        expires = _aware(row.expires_at)
        result.append(CustomerDomain(id=row.id, domain=row.domain, status=row.registrar_status,
                                     expires_at=expires, years=row.years,
                                     days_left=days_left(expires, now) if expires else None,
                                     expired=expires is not None and expires <= now))
    return result


def reconcile_unknown_purchases(session: Session, registrar: Registrar, *, limit: int = 100,
                                retry_register: bool = True) -> dict[str, int]:
    """Settle every purchase left `unknown` (for a scheduler: the notifier or cron). Commits.
    Returns how many ended registered, failed (refunded) or still unknown."""
    ids = session.exec(select(DomainPurchase.id).where(
        DomainPurchase.registrar_status == RegistrarStatus.unknown).order_by(DomainPurchase.id).limit(limit)).all()
    session.commit()
    counts = {RegistrarStatus.registered.value: 0, RegistrarStatus.failed.value: 0,
              RegistrarStatus.unknown.value: 0}
    for purchase_id in ids:
        purchase = reconcile_purchase(session, purchase_id, registrar, retry_register=retry_register)
        counts[str(purchase.registrar_status)] = counts.get(str(purchase.registrar_status), 0) + 1
    return counts
