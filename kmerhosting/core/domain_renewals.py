"""Renewing a domain bought here: paid at once, carried out at the registrar by the worker.

`renew_domain()` is what the customer's click does: under the user's row lock it checks the domain
and that no renewal of it is under way, debits the price, writes a DomainRenewal (pending) and the
`domain.renew` job, and commits. Nothing on that path waits for the registrar.

`carry_out_renewal()` is one attempt of that job (core/job_handlers.py):
- pending: the expiry the renewal must move past is recorded (asked from the registrar when none is on
  record), the renewal is marked `sent`, then Renew is sent once;
- sent (a lost answer, or a worker that died mid-call): the registrar is asked (details) whether the
  expiry moved past that mark; if it did, the renewal is done; if it did not, Renew is sent once more;
  after that, only asking again, and on the job's last attempt the customer is refunded;
- a registrar that refuses: refunded at once. A registrar that cannot be reached decides nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from ..config import Settings, get_settings
from ..db import lock_user, session_scope
from ..integrations.registrar import Registrar, RegistrarError, RegistrarTimeout
from ..models import DomainPurchase, DomainRenewal, RegistrarStatus, RenewalStatus, TransactionKind, User, as_utc, utcnow
from . import jobs, ledger
from .domains import domain_price_xaf, registrar_failure
from .errors import InvalidInput, NotAuthorized, NotFound

log = logging.getLogger(__name__)

RENEW_JOB = "domain.renew"
UNDER_WAY = (RenewalStatus.pending, RenewalStatus.sent)
YEAR_LIMIT = 10


@dataclass(frozen=True)
class RenewalQuote:
    """The price of renewing one domain for `years` years, asked from the registrar (DOMAIN_PRICING=api).
    Made off the request path and kept on the server; valid DOMAIN_QUOTE_MINUTES."""

    purchase_id: int
    years: int
    price: int
    quoted_at: datetime


def renewal_price_xaf(domain: str, years: int, registrar: Registrar | None = None,
                      settings: Settings | None = None) -> int:
    """What renewing costs the customer: the fixed price per TLD, or with DOMAIN_PRICING=api the
    registrar's one-year price (as for a new registration) converted the same way (a registrar call)."""
    settings = settings or get_settings()
    availability = None
    if settings.domain_pricing == "api" and registrar is not None:
        availability = registrar.check([domain])[0]
    return domain_price_xaf(domain, years, availability, settings)


def _years(years) -> int:
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= YEAR_LIMIT:
        raise InvalidInput("error.domain_years")
    return years


def _own_purchase(session: Session, user_id: int, purchase_id) -> DomainPurchase:
    valid = isinstance(purchase_id, int) and not isinstance(purchase_id, bool) and 0 < purchase_id < 2**62
    purchase = session.get(DomainPurchase, purchase_id) if valid else None
    if purchase is None or purchase.user_id != user_id:
        raise NotFound()  # someone else's domain looks exactly like a missing one
    return purchase


def quote_renewal(user_id: int, purchase_id, years, registrar: Registrar) -> RenewalQuote:
    """The registrar's current renewal price for one of the customer's domains (a registrar call: run
    it off the request path). With fixed prices no registrar is asked."""
    years = _years(years)
    with session_scope() as session:
        domain = _own_purchase(session, user_id, purchase_id).domain
    try:
        price = renewal_price_xaf(domain, years, registrar)
    except RegistrarError as exc:
        raise registrar_failure(exc) from exc
    return RenewalQuote(purchase_id=purchase_id, years=years, price=price, quoted_at=utcnow())


def renewal_price(session: Session, purchase: DomainPurchase, years: int, quote: RenewalQuote | None,
                  now: datetime | None = None) -> int:
    """The price this renewal is charged: fixed per TLD, or the registrar's fresh quote."""
    settings = get_settings()
    if settings.domain_pricing != "api":
        return domain_price_xaf(purchase.domain, years, settings=settings)
    now = now or utcnow()
    fresh = quote is not None and quote.purchase_id == purchase.id and quote.years == years \
        and now - as_utc(quote.quoted_at) <= timedelta(minutes=settings.domain_quote_minutes)
    if not fresh:
        raise InvalidInput("domains.error_price_stale")
    return quote.price


def renew_domain(session: Session, user_id: int, purchase_id, years, quote: RenewalQuote | None = None
                 ) -> DomainRenewal:
    """Pay for renewing one of the customer's domains for `years` years; the worker renews it. Commits.

    Raises NotFound (missing or someone else's), InvalidInput (bad period, not renewable, a renewal
    already under way, unverified e-mail, stale price), InsufficientCredits, NotAuthorized (blocked).
    """
    years = _years(years)
    purchase = _own_purchase(session, user_id, purchase_id)
    user = lock_user(session, user_id)
    if user is None or user.is_blocked:
        raise NotAuthorized()
    if user.email_verified_at is None:
        raise InvalidInput("domains.error_verify_email")
    session.refresh(purchase)
    if purchase.registrar_status != RegistrarStatus.registered:
        raise InvalidInput("domains.error_not_renewable")
    if _under_way(session, purchase.id) is not None:
        raise InvalidInput("domains.error_renew_in_progress")
    price = renewal_price(session, purchase, years, quote)
    renewal = DomainRenewal(purchase_id=purchase.id, user_id=user_id, years=years, price=price,
                            status=RenewalStatus.pending, previous_expires_at=purchase.expires_at)
    session.add(renewal)
    session.flush()
    ledger.post(session, user_id, -price, TransactionKind.domain, reference=f"domain-renew:{renewal.id}",
                description=f"Domain renewal {purchase.domain} ({years} y)")
    jobs.enqueue(session, RENEW_JOB, {"renewal_id": renewal.id}, dedupe_key=f"{RENEW_JOB}:{renewal.id}",
                 user_id=user_id)
    session.commit()
    return renewal


def _under_way(session: Session, purchase_id: int) -> DomainRenewal | None:
    return session.exec(select(DomainRenewal).where(DomainRenewal.purchase_id == purchase_id,
                                                    DomainRenewal.status.in_(UNDER_WAY))
                        .order_by(DomainRenewal.id.desc())).first()


def renewals_under_way(session: Session, user_id: int) -> dict[int, DomainRenewal]:
    """The customer's renewals not yet settled, by purchase id (the domains page shows them)."""
    rows = session.exec(select(DomainRenewal).where(DomainRenewal.user_id == user_id,
                                                    DomainRenewal.status.in_(UNDER_WAY))).all()
    return {row.purchase_id: row for row in rows}


def get_renewal(session: Session, user_id: int, renewal_id) -> DomainRenewal:
    valid = isinstance(renewal_id, int) and not isinstance(renewal_id, bool) and 0 < renewal_id < 2**62
    renewal = session.get(DomainRenewal, renewal_id) if valid else None
    if renewal is None or renewal.user_id != user_id:
        raise NotFound()
    return renewal


# --- the worker's side ----------------------------------------------------------------------------


def carry_out_renewal(renewal_id: int, registrar: Registrar, *, last_attempt: bool = False) -> str:
    """One attempt of the `domain.renew` job; returns the renewal's status afterwards (pending or sent:
    not settled yet, try again later)."""
    with session_scope() as session:
        renewal = session.get(DomainRenewal, renewal_id)
        if renewal is None:
            raise NotFound()
        purchase = session.get(DomainPurchase, renewal.purchase_id)
        status, domain, years, retried = renewal.status, purchase.domain, renewal.years, renewal.retried
        mark = as_utc(renewal.previous_expires_at) if renewal.previous_expires_at else None
    if status not in UNDER_WAY:
        return status
    if status == RenewalStatus.pending:
        if mark is None:
            # Nothing on record to judge a lost answer by: take the registrar's expiry first.
            try:
                info = registrar.details(domain)
            except RegistrarError as exc:
                log.info("renewal #%s: no expiry on record and the registrar cannot say (%s)", renewal_id, exc)
                return status
            if info is None or info.expires_at is None:
                return _finish(renewal_id, RenewalStatus.failed, error="the registrar does not know the domain")
            mark = as_utc(info.expires_at)
        if not _mark_sent(renewal_id, RenewalStatus.pending, mark=mark):
            return _status(renewal_id)
        return _send_renew(renewal_id, registrar, domain, years)
    # sent: the last answer was lost. Did the expiry move?
    try:
        info = registrar.details(domain)
    except RegistrarError as exc:
        log.info("renewal #%s: outcome still unknown, the registrar cannot say (%s)", renewal_id, exc)
        return status
    after = as_utc(info.expires_at) if info is not None and info.expires_at else None
    if after is not None and mark is not None and after > mark + timedelta(days=300 * years):
        return _finish(renewal_id, RenewalStatus.done, expires_at=after)
    if not retried:
        if not _mark_sent(renewal_id, RenewalStatus.sent, mark=mark, retried=True):
            return _status(renewal_id)
        return _send_renew(renewal_id, registrar, domain, years)
    if last_attempt:
        return _finish(renewal_id, RenewalStatus.failed, error="the registrar shows no new expiry after two Renew calls")
    return status


def _send_renew(renewal_id: int, registrar: Registrar, domain: str, years: int) -> str:
    try:
        new_expiry = registrar.renew(domain, years)
    except RegistrarTimeout as exc:
        log.warning("renewal #%s of %s: no answer (%s); the next attempt asks the registrar", renewal_id, domain, exc)
        return RenewalStatus.sent
    except RegistrarError as exc:
        return _finish(renewal_id, RenewalStatus.failed, error=f"refused: {exc.code or ''} {exc}".strip(),
                       failure=exc)
    except Exception:  # noqa: BLE001  (outcome unknown: the next attempt asks before acting)
        log.exception("renewal #%s of %s failed unexpectedly", renewal_id, domain)
        return RenewalStatus.sent
    return _finish(renewal_id, RenewalStatus.done, expires_at=as_utc(new_expiry))


def _mark_sent(renewal_id: int, from_status: str, *, mark: datetime, retried: bool = False) -> bool:
    """Record that Renew is about to be sent (before sending: a crash then leaves `sent`, to be asked)."""
    values = {"status": RenewalStatus.sent, "previous_expires_at": mark, "updated_at": utcnow()}
    if retried:
        values["retried"] = True
    with session_scope() as session:
        stmt = sa.update(DomainRenewal).where(DomainRenewal.id == renewal_id, DomainRenewal.status == from_status)
        if retried:
            stmt = stmt.where(DomainRenewal.retried.is_(False))
        return session.execute(stmt.values(**values)).rowcount == 1


def _status(renewal_id: int) -> str:
    with session_scope() as session:
        return session.get(DomainRenewal, renewal_id).status


def _finish(renewal_id: int, status: str, *, expires_at: datetime | None = None, error: str = "",
            failure: RegistrarError | None = None) -> str:
    """Settle the renewal once, under the owner's lock: the new expiry, or the refund and its reason."""
    from .mailer import send_later  # noqa: PLC0415

    with session_scope() as session:
        renewal = session.get(DomainRenewal, renewal_id)
        lock_user(session, renewal.user_id)
        session.refresh(renewal)
        if renewal.status not in UNDER_WAY:
            return renewal.status  # settled by an earlier attempt
        purchase = session.get(DomainPurchase, renewal.purchase_id)
        user = session.get(User, renewal.user_id)
        now = utcnow()
        renewal.status, renewal.updated_at = status, now
        if status == RenewalStatus.done:
            renewal.expires_at = purchase.expires_at = expires_at
            purchase.updated_at = now
            session.add(purchase)
            send_later(session, "renewal_confirmation", user.email, user.language,
                       {"name": user.name, "kind": "domain", "domain": purchase.domain, "months": 12 * renewal.years,
                        "amount": renewal.price, "expires_on": _local_day(expires_at), "balance": user.credits},
                       user_id=user.id, domain_purchase_id=purchase.id)
            log.info("domain %s renewed for %d y until %s", purchase.domain, renewal.years, expires_at)
        else:
            problem = registrar_failure(failure, refunded=True) if failure is not None else None
            key = problem.key if problem is not None else "domains.error_refused_refunded"
            code = (problem.params.get("code") if problem is not None else None) or "-"
            # What the customer reads (a message key and its code), then the detail for an admin.
            renewal.error = f"{key}|{code}|{error}"[:2000]
            ledger.post(session, renewal.user_id, renewal.price, TransactionKind.refund,
                        reference=f"domain-renew:{renewal.id}",
                        description=f"Refund: renewal of {purchase.domain} not done")
            log.warning("domain %s renewal #%s failed, refunded %d XAF: %s", purchase.domain, renewal.id,
                        renewal.price, error)
        session.add(renewal)
        return status


def failure_message(renewal: DomainRenewal, lang: str) -> str:
    """Why a renewal failed, in the customer's words (its credits came back)."""
    from ..i18n import translate  # noqa: PLC0415

    key, _, rest = (renewal.error or "").partition("|")
    code = rest.partition("|")[0] or "-"
    if not key.startswith("domains."):
        key = "domains.error_refused_refunded"
    return translate(key, lang, code=code)


def _local_day(moment: datetime) -> str:
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    return as_utc(moment).astimezone(ZoneInfo(get_settings().timezone)).date().isoformat()
