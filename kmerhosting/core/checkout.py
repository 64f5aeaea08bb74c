"""Checkout: price the cart from the database, then pay it with credits, exactly once.

`checkout_preview()` is what the confirmation page shows. `pay()` runs in two steps:

1. One DB transaction under the user's row lock: replay check on the idempotency key, re-price every
   line from the database, refuse if anything differs from the preview the customer confirmed, check
   the balance, write the Order, one ledger row per charged part (hosting: `purchase`, domain:
   `domain`), the services and the DomainPurchase rows (pending), empty the cart, commit.
2. Outside the lock, each pending domain is registered. A refusal marks it failed and refunds its
   price (`refund` row); a timeout marks it unknown (settled later by `core.domains.reconcile_purchase`,
   never refunded blindly). The Order records what happened (status, refunded, message).

How the customer sees each outcome (Order.status, shown on the result panel and in the mail):
- paid: everything delivered.
- partial: the hosting is delivered but a domain was refused: its price is back in credits and the
  service waits for another domain (`change_service_domain`).
- failed: nothing could be delivered (e.g. a domain-only order refused): everything refunded.
- pending: a domain's registration could not be confirmed yet (timeout): nothing refunded, the
  order says it is being checked with the registrar.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..config import get_settings
from ..db import lock_user, session_scope
from ..i18n import translate
from ..i18n import display
from ..integrations.registrar import Contact, RegistrarError, RegistrarTimeout
from ..integrations.registrar.factory import get_registrar
from ..models import (CartItem, DomainMode, DomainPurchase, NotificationLog, Order, OrderStatus, Pack, RegistrarStatus,
                      Service, ServiceStatus, TransactionKind, User, utcnow)
from . import jobs, ledger, provisioning
from .accounts import ensure_can_buy
from .args import or_none, parse_id
from .calendar_months import add_months
from .cart import domain_is_hosted, hosting_price, line_domain_price
from .domains import contact_for, normalize_domain, reconcile_purchase
from .errors import InsufficientCredits, InvalidInput, KmerError, NotAuthorized, NotFound

log = logging.getLogger(__name__)

# Problems a line can have; any of them blocks payment until the customer acts on it.
PACK_UNAVAILABLE = "pack_unavailable"
PRICE_CHANGED = "price_changed"
DOMAIN_MISSING = "domain_missing"
DOMAIN_TAKEN_HERE = "domain_hosted"
DOMAIN_TWICE = "domain_twice"
PRICE_STALE = "domain_price_stale"  # DOMAIN_PRICING=api: the registrar's price must be asked again

REGISTER_JOB = "domain.register"


class CheckoutChanged(KmerError):
    """The cart changed (price, pack, lines) since the preview the customer confirmed."""

    key = "shop.error.cart_changed"


class DomainHostedHere(InvalidInput):
    """Another live service has this domain (bought a moment ago by someone else, perhaps)."""

    def __init__(self, domain: str):
        super().__init__("shop.error.domain_hosted", domain=domain)


@dataclass
class PreviewLine:
    item_id: int
    kind: str  # "hosting" | "domain"
    pack_id: int | None
    pack_name: str
    months: int
    domain: str
    domain_mode: str
    domain_years: int
    hosting_price: int
    domain_price: int
    quoted_hosting: int
    quoted_domain: int
    problem: str = ""

    @property
    def amount(self) -> int:
        return self.hosting_price + self.domain_price


@dataclass
class CheckoutPreview:
    lines: list[PreviewLine]
    total: int
    balance: int

    @property
    def balance_after(self) -> int:
        return self.balance - self.total

    @property
    def missing(self) -> int:
        return max(0, self.total - self.balance)

    @property
    def problems(self) -> list[str]:
        return [line.problem for line in self.lines if line.problem]

    @property
    def can_pay(self) -> bool:
        return bool(self.lines) and not self.problems and self.missing == 0


@dataclass
class CheckoutResult:
    order_id: int
    status: str
    total: int
    charged: int
    refunded: int
    balance: int
    message: str
    lines: list[dict] = field(default_factory=list)
    replayed: bool = False


# --- preview -----------------------------------------------------------------------------------


def _price_line(session: Session, item: CartItem) -> PreviewLine:
    pack = session.get(Pack, item.pack_id) if item.pack_id is not None else None
    line = PreviewLine(item_id=item.id, kind="hosting" if item.pack_id is not None else "domain",
                       pack_id=item.pack_id, pack_name=pack.name if pack else "", months=item.duration_months,
                       domain=item.domain, domain_mode=item.domain_mode, domain_years=item.domain_years,
                       hosting_price=0, domain_price=0, quoted_hosting=item.quoted_price,
                       quoted_domain=item.domain_quoted_price)
    if item.pack_id is not None:
        if pack is None or not pack.is_active:
            line.problem = PACK_UNAVAILABLE
            return line
        line.hosting_price = hosting_price(pack, item.duration_months)
    live_domain = line_domain_price(item) if item.domain_mode else 0
    line.domain_price = item.domain_quoted_price if live_domain is None else live_domain
    if not item.domain or not item.domain_mode:
        line.problem = DOMAIN_MISSING
    elif item.pack_id is not None and domain_is_hosted(session, item.domain):
        line.problem = DOMAIN_TAKEN_HERE
    elif live_domain is None:
        line.problem = PRICE_STALE
    elif line.hosting_price != line.quoted_hosting or line.domain_price != line.quoted_domain:
        line.problem = PRICE_CHANGED
    return line


def preview_items(session: Session, items: list[CartItem], balance: int) -> CheckoutPreview:
    lines = [_price_line(session, item) for item in items]
    seen: set[str] = set()
    for line in lines:
        if line.domain and line.domain in seen and not line.problem:
            line.problem = DOMAIN_TWICE
        seen.add(line.domain)
    total = sum(line.amount for line in lines if line.problem != PACK_UNAVAILABLE)
    return CheckoutPreview(lines=lines, total=total, balance=balance)


def _user_items(session: Session, user_id: int) -> list[CartItem]:
    return list(session.exec(select(CartItem).where(CartItem.user_id == user_id).order_by(CartItem.id)).all())


def checkout_preview(session: Session, user_id: int) -> CheckoutPreview:
    """Every line re-priced from the database now (live pack price, active or not, domain price)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotAuthorized()
    return preview_items(session, _user_items(session, user_id), user.credits)


def accept_new_prices(session: Session, user_id: int) -> int:
    """The customer saw the changed prices and keeps the lines: quote them at today's price."""
    changed = 0
    for line in checkout_preview(session, user_id).lines:
        if line.problem == PRICE_CHANGED:
            item = session.get(CartItem, line.item_id)
            item.quoted_price, item.domain_quoted_price = line.hosting_price, line.domain_price
            session.add(item)
            changed += 1
    session.flush()
    return changed


# --- pay ---------------------------------------------------------------------------------------


@contextmanager
def _transaction(db):
    """`db` is a Session (used as is, committed per step) or a factory of sessions (one per step)."""
    if isinstance(db, Session):
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise
        return
    with db() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _check_key(key) -> str:
    if not isinstance(key, str) or not 16 <= len(key) <= 64:
        raise InvalidInput("shop.error.checkout_expired")
    return key


def pay(db, user_id: int, idempotency_key: str, expected_total: int,
        item_ids: list[int] | None = None) -> CheckoutResult:
    """Charge the user's cart once and create what was bought; the domains are registered by the worker.

    One transaction: the charge, the services, the domain purchases (pending) and one `domain.register`
    job per purchase (core/job_handlers.py) commit together, so a paid domain always has the job that
    buys it and nothing on this path waits for the registrar. The order stays `pending` until every
    domain is settled (`settle_registration`); an order without domains is `paid` at once.

    `expected_total` (and `item_ids`, the lines shown) is the preview the customer confirmed, kept on
    the server; a line added in another tab since then stays in the cart for the next checkout.
    """
    key = _check_key(idempotency_key)
    with _transaction(db) as session:
        order_id, replayed = _charge(session, user_id, key, expected_total, item_ids)
    return _result(db, order_id, replayed)


def _charge(session: Session, user_id: int, key: str, expected_total, item_ids) -> tuple[int, bool]:
    user = lock_user(session, user_id)
    existing = session.exec(select(Order).where(Order.idempotency_key == key)).first()
    if existing is not None:
        if existing.user_id != user_id:
            raise InvalidInput("shop.error.checkout_expired")
        return existing.id, True
    ensure_can_buy(user)
    items = _user_items(session, user_id)
    if not items:
        raise InvalidInput("shop.error.cart_empty")
    if item_ids is not None:
        wanted = set(item_ids) if isinstance(item_ids, (list, tuple, set)) else set()
        items = [item for item in items if item.id in wanted]
        if not wanted or len(items) != len(wanted):
            raise CheckoutChanged()
    preview = preview_items(session, items, user.credits)
    hosted = next((line.domain for line in preview.lines if line.problem == DOMAIN_TAKEN_HERE), None)
    if hosted:
        raise DomainHostedHere(hosted)
    if preview.problems or isinstance(expected_total, bool) or not isinstance(expected_total, int) \
            or preview.total != expected_total:
        raise CheckoutChanged()
    if preview.missing:
        raise InsufficientCredits(missing=preview.missing)
    order = Order(user_id=user_id, idempotency_key=key, status=OrderStatus.pending, total=preview.total,
                  charged=preview.total)
    session.add(order)
    session.flush()
    order.lines = [_deliver_line(session, user, order, line) for line in preview.lines]
    purchases = [line["domain_purchase_id"] for line in order.lines if line["domain_purchase_id"]]
    for purchase_id in purchases:
        jobs.enqueue(session, REGISTER_JOB, {"purchase_id": purchase_id},
                     dedupe_key=f"{REGISTER_JOB}:{purchase_id}", user_id=user_id)
    if purchases:
        order.message = ";".join(f"registering:{line['domain']}" for line in order.lines if line["domain_purchase_id"])
    else:
        order.status = OrderStatus.paid
    session.add(order)
    for item in items:
        session.delete(item)
    session.flush()
    if not purchases:
        _queue_confirmation(session, order)
    return order.id, False


def _deliver_line(session: Session, user: User, order: Order, line: PreviewLine) -> dict:
    """Ledger rows, service and domain purchase for one previewed line; returns its order snapshot."""
    service = None
    ref = f"order:{order.id}"
    if line.kind == "hosting":
        now = utcnow()
        pack = session.get(Pack, line.pack_id)
        service = Service(user_id=user.id, pack_id=pack.id, order_id=order.id, domain=line.domain,
                          control_panel=pack.control_panel, status=get_settings().new_service_status,
                          duration_months=line.months, price_paid=line.hosting_price, starts_at=now,
                          expires_at=add_months(now, line.months))
        session.add(service)
        try:
            session.flush()
        except IntegrityError:
            # The unique live_domain: another checkout made this domain live after our preview (it
            # waited on our insert, or we on theirs). Nothing of this order is kept: the caller's
            # transaction rolls back, no credit was taken, the cart is untouched.
            raise DomainHostedHere(line.domain) from None
        ledger.post(session, user.id, -line.hosting_price, TransactionKind.purchase, reference=ref,
                    description=f"{pack.name} {line.months}m {line.domain}", order_id=order.id,
                    service_id=service.id)
        # A server of the pack's panel kind with room: the account is created by the worker and the
        # service stays pending until it exists. None: the manual flow (NEW_SERVICE_STATUS).
        provisioning.plan_account(session, service, pack)
    purchase = None
    if line.domain_mode == DomainMode.register:
        purchase = DomainPurchase(user_id=user.id, order_id=order.id, service_id=service.id if service else
                                  _service_waiting_for(session, user.id, line.domain),
                                  domain=line.domain, years=line.domain_years, price=line.domain_price,
                                  registrar=get_registrar().name, registrar_status=RegistrarStatus.pending)
        session.add(purchase)
        session.flush()
        ledger.post(session, user.id, -line.domain_price, TransactionKind.domain, reference=ref,
                    description=f"{line.domain} {line.domain_years}y", order_id=order.id,
                    service_id=purchase.service_id)
    return {"kind": line.kind, "pack": line.pack_name, "months": line.months, "domain": line.domain,
            "domain_mode": line.domain_mode, "years": line.domain_years, "hosting_price": line.hosting_price,
            "domain_price": line.domain_price, "service_id": service.id if service else None,
            "domain_purchase_id": purchase.id if purchase else None,
            "domain_status": purchase.registrar_status if purchase else ""}


def _service_waiting_for(session: Session, user_id: int, domain: str) -> int | None:
    """A domain-only line bought for one of the user's services that is waiting for that domain."""
    return session.exec(select(Service.id).where(Service.user_id == user_id, Service.domain == domain,
                                                 Service.status != ServiceStatus.cancelled)).first()


def _claim(session: Session, purchase_id: int) -> bool:
    """Move pending -> unknown atomically: only one caller sends a given domain to the registrar, and a
    crash mid-call leaves it unknown (to reconcile), never pending (which would send it again)."""
    done = session.execute(sa.update(DomainPurchase)
                           .where(DomainPurchase.id == purchase_id,
                                  DomainPurchase.registrar_status == RegistrarStatus.pending)
                           .values(registrar_status=RegistrarStatus.unknown, error="", updated_at=utcnow()))
    session.commit()
    return done.rowcount == 1


def settle_registration(purchase_id: int, registrar) -> str:
    """One attempt of the `domain.register` job: buy the purchase's domain, or find out what happened
    to an earlier attempt. Returns the purchase's registrar status after the attempt.

    pending: claimed (-> unknown) and sent once; a refusal refunds it, a lost answer leaves it unknown.
    unknown (a lost answer, or a worker that died mid-call): the registrar is asked first (details) and
    the register is sent again at most once (core.domains.reconcile_purchase); nothing is refunded
    without the registrar saying it does not have the domain.
    When the purchase is settled, the order's status follows and, once no domain of the order is left
    to settle, the purchase confirmation is queued.
    """
    with session_scope() as session:
        purchase = session.get(DomainPurchase, purchase_id)
        if purchase is None:
            raise NotFound()
        status, order_id = purchase.registrar_status, purchase.order_id
        if status == RegistrarStatus.pending:
            if _claim(session, purchase_id):
                user = session.get(User, purchase.user_id)
                _send_register(session, purchase_id, purchase.domain, purchase.years, contact_for(user), registrar)
        elif status == RegistrarStatus.unknown:
            # The job holds this purchase alone (one job per purchase, claimed by one worker), so a
            # register "still on the wire" can only be this job's own earlier, finished attempt.
            reconcile_purchase(session, purchase_id, registrar, retry_register=True, in_flight_window=timedelta(0))
        session.expire_all()
        purchase = session.get(DomainPurchase, purchase_id)
        status = purchase.registrar_status
        if order_id is not None:
            _order_settled(session, order_id)
        return status


def _send_register(session: Session, purchase_id: int, domain: str, years: int, contact: Contact, registrar) -> None:
    try:
        info = registrar.register(domain, years, contact, get_settings().domain_ns)
    except RegistrarTimeout as exc:
        _settle(session, purchase_id, RegistrarStatus.unknown, error=str(exc) or "timeout")
    except RegistrarError as exc:
        _settle(session, purchase_id, RegistrarStatus.failed, error=str(exc) or type(exc).__name__)
    except Exception as exc:  # noqa: BLE001  (an unexpected failure: outcome unknown, reconcile it)
        log.exception("registering %s failed unexpectedly", domain)
        _settle(session, purchase_id, RegistrarStatus.unknown, error=f"{type(exc).__name__}: {exc}")
    else:
        _settle(session, purchase_id, RegistrarStatus.registered, registrar_id=info.registrar_id,
                expires_at=info.expires_at)


def _order_settled(session: Session, order_id: int) -> None:
    """After an attempt on one of the order's purchases: the order's status and message follow; when
    none is left to settle, the confirmation mail is queued (once: its notice key is unique)."""
    order = _recompute_order(session, order_id)
    if order.status != OrderStatus.pending:
        _queue_confirmation(session, order)
    session.commit()


def _settle(db, purchase_id: int, status: str, *, error: str = "", registrar_id: str = "",
            expires_at=None) -> None:
    """Record the registrar's answer to the register this purchase was claimed for (still unknown)."""
    with _transaction(db) as session:
        purchase = session.get(DomainPurchase, purchase_id)
        lock_user(session, purchase.user_id)
        purchase = session.get(DomainPurchase, purchase_id)
        session.refresh(purchase)
        if purchase.registrar_status != RegistrarStatus.unknown:
            return  # settled by someone else (reconciliation)
        purchase.registrar_status = status
        purchase.error = error[:2000]
        purchase.registrar_id = registrar_id[:64]
        purchase.expires_at = expires_at
        purchase.updated_at = utcnow()
        session.add(purchase)
        if status == RegistrarStatus.failed and purchase.price:
            ledger.post(session, purchase.user_id, purchase.price, TransactionKind.refund,
                        reference=f"order:{purchase.order_id}", description=f"refund {purchase.domain}",
                        order_id=purchase.order_id, service_id=purchase.service_id)
            order = session.get(Order, purchase.order_id)
            order.refunded += purchase.price
            session.add(order)


def refresh_order_status(db, order_id: int) -> None:
    """Recompute an order's status and message from its domain purchases. `db` is a Session or a
    session factory. Call it after a purchase is settled elsewhere (core.domains.reconcile_purchase)."""
    with _transaction(db) as session:
        _recompute_order(session, order_id)


def _recompute_order(session: Session, order_id: int) -> Order:
    """The order's status and message from its purchases, read under the owner's lock: two workers
    settling two domains of one order at once cannot leave it with the status the first one saw."""
    order = session.get(Order, order_id)
    lock_user(session, order.user_id)
    session.refresh(order)
    purchases = {p.id: p for p in session.exec(select(DomainPurchase).where(DomainPurchase.order_id == order_id)
                                               .execution_options(populate_existing=True))}
    lines, failed, unknown, registering, delivered = [], [], [], [], 0
    for line in order.lines or []:
        line = dict(line)
        purchase = purchases.get(line.get("domain_purchase_id"))
        if purchase is not None:
            line["domain_status"] = purchase.registrar_status
            if purchase.registrar_status == RegistrarStatus.failed:
                failed.append(purchase.domain)
            elif purchase.registrar_status == RegistrarStatus.unknown:
                unknown.append(purchase.domain)
            elif purchase.registrar_status == RegistrarStatus.pending:
                registering.append(purchase.domain)
        if line["kind"] == "hosting" or line.get("domain_status") == RegistrarStatus.registered:
            delivered += 1
        lines.append(line)
    order.lines = lines
    if unknown or registering:
        order.status = OrderStatus.pending
    elif failed and delivered:
        order.status = OrderStatus.partial
    elif failed:
        order.status = OrderStatus.failed
    else:
        order.status = OrderStatus.paid
    # The message is stored as keys and params so it is shown in the reader's language.
    order.message = ";".join(
        [f"failed:{d}" for d in failed] + [f"unknown:{d}" for d in unknown]
        + [f"registering:{d}" for d in registering])
    session.add(order)
    return order


def order_messages(order_message: str, lang: str, refunded: int = 0) -> list[str]:
    """Order.message ("failed:a.cm;unknown:b.cm") as sentences for the customer."""
    out = []
    for part in filter(None, (order_message or "").split(";")):
        kind, _, domain = part.partition(":")
        if kind == "failed":
            out.append(translate("shop.result.domain_failed", lang, domain=domain))
        elif kind == "unknown":
            out.append(translate("shop.result.domain_unknown", lang, domain=domain))
        elif kind == "registering":
            out.append(translate("shop.result.domain_registering", lang, domain=domain))
    if refunded:
        out.append(translate("shop.result.refunded", lang, amount=display.money(refunded, lang)))
    return out


def _result(db, order_id: int, replayed: bool) -> CheckoutResult:
    with _transaction(db) as session:
        order = session.get(Order, order_id)
        user = session.get(User, order.user_id)
        return CheckoutResult(order_id=order.id, status=order.status, total=order.total, charged=order.charged,
                              refunded=order.refunded, balance=user.credits, message=order.message,
                              lines=[dict(line) for line in order.lines or []], replayed=replayed)


def get_order(session: Session, user_id: int, order_id) -> CheckoutResult:
    """A customer's own order (someone else's order id is not found)."""
    order_id = or_none(parse_id, order_id, from_text=False)
    order = session.get(Order, order_id) if order_id is not None else None
    if order is None or order.user_id != user_id:
        raise InvalidInput("shop.error.order_not_found")
    user = session.get(User, user_id)
    return CheckoutResult(order_id=order.id, status=order.status, total=order.total, charged=order.charged,
                          refunded=order.refunded, balance=user.credits, message=order.message,
                          lines=[dict(line) for line in order.lines or []])


def line_label(line: dict, lang: str) -> str:
    if line.get("kind") == "hosting":
        return translate("shop.line.hosting", lang, pack=line.get("pack", ""),
                         duration=display.months(int(line.get("months") or 0), lang), domain=line.get("domain", ""))
    return translate("shop.line.domain", lang, domain=line.get("domain", ""),
                     years=display.years(int(line.get("years") or 1), lang))


def _queue_confirmation(session: Session, order: Order) -> None:
    """The purchase confirmation, queued in the caller's transaction; sent by the worker."""
    from .mailer import send_later

    notice_key = f"order:{order.id}:confirmation"
    if session.exec(select(NotificationLog.id).where(NotificationLog.notice_key == notice_key)).first():
        return
    user = session.get(User, order.user_id)
    lang = user.language
    lines = [{"label": line_label(line, lang), "amount": int(line["hosting_price"]) + int(line["domain_price"])}
             for line in order.lines or []]
    ctx = {"name": user.name, "order_id": order.id, "lines": lines, "total": order.total, "balance": user.credits,
           "notes": order_messages(order.message, lang, order.refunded)}
    send_later(session, "purchase_confirmation", user.email, lang, ctx, user_id=user.id, notice_key=notice_key)


def waiting_for_domain(session: Session, service: Service) -> bool:
    """A service whose domain's registration was refused, with no other registration under way or done:
    the only time its domain may change (at any other time a change would let a customer take a domain
    nobody hosts here yet away from its owner)."""
    if service.status == ServiceStatus.cancelled:
        return False
    statuses = session.exec(select(DomainPurchase.domain, DomainPurchase.registrar_status)
                            .where(DomainPurchase.service_id == service.id)).all()
    refused = any(domain == service.domain and status == RegistrarStatus.failed for domain, status in statuses)
    return refused and all(status == RegistrarStatus.failed for _, status in statuses)


def change_service_domain(session: Session, user_id: int, service_id, domain) -> Service:
    """After a refused registration: point the service at a domain the customer owns (or will buy
    through a domain-only cart line, which then attaches to this service at checkout). Only the owner,
    and only while the service is waiting for a domain."""
    service_id = or_none(parse_id, service_id, from_text=False)
    service = session.get(Service, service_id) if service_id is not None else None
    if service is None or service.user_id != user_id:
        raise InvalidInput("shop.error.item_not_found")
    if not waiting_for_domain(session, service):
        raise InvalidInput("shop.error.domain_not_changeable")
    domain = normalize_domain(domain)
    if domain != service.domain and domain_is_hosted(session, domain):
        raise InvalidInput("shop.error.domain_hosted", domain=domain)
    service.domain = domain
    service.updated_at = utcnow()
    session.add(service)
    try:
        session.flush()
    except IntegrityError:  # made live by someone else since the check above: the caller rolls back
        raise DomainHostedHere(domain) from None
    return service
