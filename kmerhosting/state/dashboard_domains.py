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

import reflex as rx

from ..config import get_settings
from ..core import domain_renewals
from ..core.args import or_none, parse_id, parse_int
from ..core.domains import customer_domains
from ..core.errors import InvalidInput, KmerError, NotFound
from ..db import session_scope
from ..i18n import translate
from ..i18n.format import format_date, format_xaf
from ..integrations.registrar.factory import get_registrar
from ..models import DomainRenewal, RegistrarStatus, RenewalStatus
from .base import BaseState
from .domains import YEAR_CHOICES, both_languages
from .offloop import off_loop

WATCH_EVERY = 1.0  # seconds between two reads of the renewals under way
WATCH_ROUNDS = 90


@dataclasses.dataclass
class DomainRow:
    id: int = 0
    domain: str = ""
    pending: bool = False  # registration still being confirmed with the registrar
    renewing: bool = False  # a paid renewal is being carried out
    expires_fr: str = ""
    expires_en: str = ""
    days_fr: str = ""
    days_en: str = ""
    urgent: bool = False  # 30 days or fewer
    years: str = "1"
    priced: bool = True  # False while the registrar is asked for the price (DOMAIN_PRICING=api)
    renew_fr: str = ""  # "Renouveler pour 15 000 FCFA"
    renew_en: str = ""


def _days(days: int | None, lang: str) -> str:
    if days is None:
        return ""
    return translate("domains.expired", lang) if days < 0 else translate("domains.days_left", lang, n=days)


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


class DashboardDomainsState(BaseState):
    rows: list[DomainRow] = []
    balance_fr: str = ""
    balance_en: str = ""
    busy: bool = False
    # Server side only: the registrar's renewal quotes by purchase id (DOMAIN_PRICING=api), and the
    # renewals this page follows.
    _quotes: dict[int, domain_renewals.RenewalQuote] = {}
    _watched: list[int] = []
    _watching: bool = False

    def _row(self, item, years: int, renewing: bool) -> DomainRow:
        price, priced = 0, True
        if item.status == RegistrarStatus.registered:
            if _api_pricing():
                quote = self._quotes.get(item.id)
                priced = quote is not None and quote.years == years
                price = quote.price if priced else 0
            else:
                price = domain_renewals.renewal_price_xaf(item.domain, years)
        return DomainRow(
            id=item.id, domain=item.domain, pending=item.status != RegistrarStatus.registered, renewing=renewing,
            expires_fr=format_date(item.expires_at, "fr"), expires_en=format_date(item.expires_at, "en"),
            days_fr=_days(item.days_left, "fr"), days_en=_days(item.days_left, "en"),
            urgent=item.days_left is not None and item.days_left <= 30, years=str(years), priced=priced,
            renew_fr=translate("domains.renew_button", "fr", price=format_xaf(price, "fr")),
            renew_en=translate("domains.renew_button", "en", price=format_xaf(price, "en")),
        )

    def _reload(self, session, user) -> None:
        chosen = {row.id: int(row.years) for row in self.rows}
        under_way = domain_renewals.renewals_under_way(session, user.id)
        self.rows = [self._row(item, chosen.get(item.id, 1), item.id in under_way)
                     for item in customer_domains(session, user.id)]
        self.balance_fr = translate("domains.balance", "fr", amount=format_xaf(user.credits, "fr"))
        self.balance_en = translate("domains.balance", "en", amount=format_xaf(user.credits, "en"))
        self._watched = sorted({*self._watched, *(r.id for r in under_way.values())})

    def _follow_up(self):
        """The background events this page needs now: prices to ask, renewals to follow."""
        events = []
        if any(not row.priced and not row.pending for row in self.rows):
            events.append(DashboardDomainsState.fetch_quotes)
        if self._watched and not self._watching:
            events.append(DashboardDomainsState.watch_renewals)
        return events or None

    @rx.event
    def load(self):
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                self.rows, self._quotes, self._watched = [], {}, []
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
                renewing = {row.id: row.renewing for row in self.rows}
                self.rows = [self._row(items[row.id], years, renewing.get(row.id, False)) if row.id == purchase_id
                             else row for row in self.rows]
        except KmerError as exc:
            return rx.toast.error(self._error_message(exc))
        return self._follow_up()

    @rx.event(background=True)
    async def fetch_quotes(self):
        """DOMAIN_PRICING=api: the registrar's renewal price of each domain, asked off the event loop."""
        async with self:
            with session_scope() as session:
                user = self._current_user(session)
            wanted = [(row.id, int(row.years)) for row in self.rows if not row.priced and not row.pending]
        if user is None or not wanted:
            return
        try:
            quotes = await off_loop(quote_all, user.id, wanted)
        except Exception as exc:  # noqa: BLE001  (the buttons stay without a price; a reload asks again)
            async with self:
                fr, en = both_languages(exc)
                return rx.toast.error(en if self.lang == "en" else fr)
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
        row = next((r for r in self.rows if r.id == purchase_id), None)
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
                renewal = domain_renewals.renew_domain(session, user.id, purchase_id, int(row.years),
                                                       self._quotes.get(purchase_id))
            outcome = rx.toast.success(self._t("domains.renew_paid", domain=row.domain))
            self._watched = sorted({*self._watched, renewal.id})
        except KmerError as exc:
            fr, en = both_languages(exc)
            outcome = rx.toast.error(en if self.lang == "en" else fr)
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
                                                date=format_date(renewal.expires_at, self.lang)))
            return rx.toast.error(self._t("domains.renew_failed", domain=domain,
                                          reason=domain_renewals.failure_message(renewal, self.lang)))
