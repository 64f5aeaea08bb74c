"""/dashboard/domains: the customer's domains bought here, with expiry, days left and renewal.

A renewal is paid at the click (core.domain_renewals.renew_domain: debit, renewal row and job in one
transaction) and carried out by the worker; the page marks the domain "renewal in progress" and
follows it, reading the database off the event loop, until it is renewed or refunded. With
DOMAIN_PRICING=api the renewal prices come from the registrar, asked off the event loop too, and are
kept on the server (a click charges the price shown, never one sent by the browser).
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime

import reflex as rx

from ..config import get_settings
from ..core import domain_renewals
from ..core.args import or_none, parse_id, parse_int
from ..core.domains import customer_domains
from ..core.errors import InvalidInput, KmerError, NotFound
from ..db import session_scope
from ..i18n import translate
from ..i18n import display
from ..integrations.registrar.factory import get_registrar
from ..models import DomainRenewal, RegistrarStatus, RenewalStatus
from .base import BaseState, Worded
from .domains import YEAR_CHOICES, as_failure
from .offloop import off_loop

WATCH_EVERY = 1.0  # seconds between two reads of the renewals under way
WATCH_ROUNDS = 90


@dataclasses.dataclass
class DomainValues:
    id: int = 0
    domain: str = ""
    pending: bool = False  # registration still being confirmed with the registrar
    renewing: bool = False  # a paid renewal is being carried out
    expires_at: datetime | None = None
    days_left: int | None = None  # core.calendar_months.days_left: the rule hosting services use too
    expired: bool = False
    years: int = 1
    priced: bool = True  # False while the registrar is asked for the price (DOMAIN_PRICING=api)
    price: int = 0


@dataclasses.dataclass
class DomainRow:
    id: int = 0
    domain: str = ""
    pending: bool = False
    renewing: bool = False
    expires: str = ""
    days: str = ""
    urgent: bool = False  # 30 days or fewer
    years: str = "1"
    priced: bool = True
    renew: str = ""  # "Renouveler pour 15 000 FCFA"


def domain_row(v: DomainValues, lang: str) -> DomainRow:
    return DomainRow(
        id=v.id, domain=v.domain, pending=v.pending, renewing=v.renewing,
        expires=display.date(v.expires_at, lang),
        days=display.expiry(v.days_left, v.expired, lang) if v.days_left is not None else "",
        urgent=v.days_left is not None and v.days_left <= 30, years=str(v.years), priced=v.priced,
        renew=translate("domains.renew_button", lang, price=display.money(v.price, lang)),
    )


def _api_pricing() -> bool:
    return get_settings().domain_pricing == "api"


def quote_all(user_id: int, wanted: list[tuple[int, int]]) -> dict[int, domain_renewals.RenewalQuote]:
    """The registrar's renewal prices for (purchase id, years) pairs (blocking: run off the event loop)."""
    registrar = get_registrar()
    return {purchase_id: domain_renewals.quote_renewal(user_id, purchase_id, years, registrar)
            for purchase_id, years in wanted}


def read_renewals(user_id: int, renewal_ids: list[int]) -> list[tuple[int, str, str]]:
    """(id, status, domain) of the given renewals of this customer (blocking: run off the event loop)."""
    from ..models import DomainPurchase

    with session_scope() as session:
        out = []
        for renewal_id in renewal_ids:
            renewal = domain_renewals.get_renewal(session, user_id, renewal_id)
            purchase = session.get(DomainPurchase, renewal.purchase_id)
            out.append((renewal.id, renewal.status, purchase.domain))
        return out


class DashboardDomainsState(Worded, BaseState):
    _domains: list[DomainValues] = []
    _balance: int = 0
    busy: bool = False
    # Server side only: the registrar's renewal quotes by purchase id (DOMAIN_PRICING=api), and the
    # renewals this page follows.
    _quotes: dict[int, domain_renewals.RenewalQuote] = {}
    _watched: list[int] = []
    _watching: bool = False

    @rx.var
    def rows(self) -> list[DomainRow]:
        return [domain_row(v, self._page_lang()) for v in self._domains]

    @rx.var
    def balance_text(self) -> str:
        return self._word("domains.balance", amount=display.money(self._balance, self._page_lang()))

    def _row(self, item, years: int, renewing: bool) -> DomainValues:
        price, priced = 0, True
        if item.status == RegistrarStatus.registered:
            if _api_pricing():
                quote = self._quotes.get(item.id)
                priced = quote is not None and quote.years == years
                price = quote.price if priced else 0
            else:
                price = domain_renewals.renewal_price_xaf(item.domain, years)
        return DomainValues(
            id=item.id, domain=item.domain, pending=item.status != RegistrarStatus.registered, renewing=renewing,
            expires_at=item.expires_at, days_left=item.days_left, expired=item.expired, years=years,
            priced=priced, price=price)

    def _reload(self, session, user) -> None:
        chosen = {row.id: row.years for row in self._domains}
        under_way = domain_renewals.renewals_under_way(session, user.id)
        self._domains = [self._row(item, chosen.get(item.id, 1), item.id in under_way)
                         for item in customer_domains(session, user.id)]
        self._balance = user.credits
        self._watched = sorted({*self._watched, *(r.id for r in under_way.values())})

    def _follow_up(self):
        """The background events this page needs now: prices to ask, renewals to follow."""
        events = []
        if any(not row.priced and not row.pending for row in self._domains):
            events.append(DashboardDomainsState.fetch_quotes)
        if self._watched and not self._watching:
            events.append(DashboardDomainsState.watch_renewals)
        return events or None

    @rx.event
    def load(self):
        self._reword()
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                self._domains, self._quotes, self._watched = [], {}, []
                return None
            self._reload(session, user)
        return self._follow_up()

    @rx.event
    def set_years(self, purchase_id, years):
        purchase_id, years = or_none(parse_id, purchase_id), or_none(parse_int, years, 1, 10)
        if years is None or str(years) not in YEAR_CHOICES:
            return rx.toast.error(self._t("error.domain_years"))
        try:
            with session_scope() as session:
                user = self._require_user(session)
                items = {item.id: item for item in customer_domains(session, user.id)}
                if purchase_id not in items:
                    raise NotFound()
                self._domains = [self._row(items[row.id], years, row.renewing) if row.id == purchase_id
                                 else row for row in self._domains]
        except KmerError as exc:
            return rx.toast.error(self._error_message(exc))
        return self._follow_up()

    @rx.event(background=True)
    async def fetch_quotes(self):
        """DOMAIN_PRICING=api: the registrar's renewal price of each domain, asked off the event loop."""
        async with self:
            with session_scope() as session:
                user = self._current_user(session)
            wanted = [(row.id, row.years) for row in self._domains if not row.priced and not row.pending]
        if user is None or not wanted:
            return
        try:
            quotes = await off_loop(quote_all, user.id, wanted)
        except Exception as exc:  # noqa: BLE001  (the buttons stay without a price; a reload asks again)
            async with self:
                return rx.toast.error(as_failure(exc).message(self.lang))
        async with self:
            self._quotes = {**self._quotes, **quotes}
            with session_scope() as session:
                user = self._current_user(session)
                if user is not None:
                    self._reload(session, user)

    @rx.event
    def renew(self, purchase_id):
        """Pay the renewal of one of the customer's domains for the years picked on its row; the worker
        renews it at the registrar and the row follows it."""
        purchase_id = or_none(parse_id, purchase_id)
        row = next((r for r in self._domains if r.id == purchase_id), None)
        if self.busy:
            return None
        if row is None:
            return rx.toast.error(self._t("error.not_found"))
        self.busy = True
        try:
            with session_scope() as session:
                user = self._require_user(session)
                if not row.priced:
                    raise InvalidInput("domains.error_price_stale")
                renewal = domain_renewals.renew_domain(session, user.id, purchase_id, row.years,
                                                       self._quotes.get(purchase_id))
            outcome = rx.toast.success(self._t("domains.renew_paid", domain=row.domain))
            self._watched = sorted({*self._watched, renewal.id})
        except KmerError as exc:
            outcome = rx.toast.error(as_failure(exc).message(self.lang))
        finally:
            self.busy = False
        with session_scope() as session:
            user = self._current_user(session)
            if user is not None:
                self._reload(session, user)
        return [outcome, *(self._follow_up() or [])]

    @rx.event(background=True)
    async def watch_renewals(self):
        """Follow the renewals under way until the worker settles them; say how each ended."""
        async with self:
            with session_scope() as session:
                user = self._current_user(session)
            if user is None or self._watching or not self._watched:
                return
            self._watching = True
            watched = list(self._watched)
        try:
            for _ in range(WATCH_ROUNDS):
                await asyncio.sleep(WATCH_EVERY)
                try:
                    states = await off_loop(read_renewals, user.id, watched)
                except Exception:  # noqa: BLE001  (read again next round)
                    continue
                settled = [(rid, status, domain) for rid, status, domain in states
                           if status in (RenewalStatus.done, RenewalStatus.failed)]
                if not settled:
                    continue
                async with self:
                    toasts = [self._settled_toast(rid, status, domain) for rid, status, domain in settled]
                    watched = [rid for rid in watched if rid not in {s[0] for s in settled}]
                    self._watched = watched
                    with session_scope() as session:
                        fresh = self._current_user(session)
                        if fresh is not None:
                            self._reload(session, fresh)
                for toast in toasts:
                    yield toast
                if not watched:
                    break
        finally:
            async with self:
                self._watching = False

    def _settled_toast(self, renewal_id: int, status: str, domain: str):
        with session_scope() as session:
            renewal = session.get(DomainRenewal, renewal_id)
            if status == RenewalStatus.done:
                return rx.toast.success(self._t("domains.renewed", domain=domain,
                                                date=display.date(renewal.expires_at, self.lang)))
            return rx.toast.error(self._t("domains.renew_failed", domain=domain,
                                          reason=domain_renewals.failure_message(renewal, self.lang)))
