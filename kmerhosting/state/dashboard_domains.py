"""/dashboard/domains: the customer's domains bought here, with expiry, days left and renewal."""

from __future__ import annotations

import dataclasses

import reflex as rx

from ..core.args import or_none, parse_id, parse_int
from ..core.domains import customer_domains, renew_domain, renewal_price_xaf
from ..core.errors import KmerError, NotFound
from ..db import session_scope
from ..i18n import translate
from ..i18n.format import format_date, format_xaf
from ..integrations.registrar import RegistrarError
from ..integrations.registrar.factory import get_registrar
from ..models import RegistrarStatus
from .base import BaseState
from .domains import YEAR_CHOICES, both_languages


@dataclasses.dataclass
class DomainRow:
    id: int = 0
    domain: str = ""
    pending: bool = False  # registration still being confirmed with the registrar
    expires_fr: str = ""
    expires_en: str = ""
    days_fr: str = ""
    days_en: str = ""
    urgent: bool = False  # 30 days or fewer
    years: str = "1"
    renew_fr: str = ""  # "Renouveler pour 15 000 FCFA"
    renew_en: str = ""


def _days(days: int | None, lang: str) -> str:
    if days is None:
        return ""
    return translate("domains.expired", lang) if days < 0 else translate("domains.days_left", lang, n=days)


class DashboardDomainsState(BaseState):
    rows: list[DomainRow] = []
    balance_fr: str = ""
    balance_en: str = ""
    busy: bool = False

    def _row(self, item, years: int) -> DomainRow:
        price = 0
        if item.status == RegistrarStatus.registered:
            try:
                price = renewal_price_xaf(item.domain, years, get_registrar())
            except RegistrarError:  # API pricing and the registrar is down: show the fixed price
                price = renewal_price_xaf(item.domain, years)
        return DomainRow(
            id=item.id, domain=item.domain, pending=item.status != RegistrarStatus.registered,
            expires_fr=format_date(item.expires_at, "fr"), expires_en=format_date(item.expires_at, "en"),
            days_fr=_days(item.days_left, "fr"), days_en=_days(item.days_left, "en"),
            urgent=item.days_left is not None and item.days_left <= 30, years=str(years),
            renew_fr=translate("domains.renew_button", "fr", price=format_xaf(price, "fr")),
            renew_en=translate("domains.renew_button", "en", price=format_xaf(price, "en")),
        )

    def _reload(self, session, user) -> None:
        chosen = {row.id: int(row.years) for row in self.rows}
        self.rows = [self._row(item, chosen.get(item.id, 1)) for item in customer_domains(session, user.id)]
        self.balance_fr = translate("domains.balance", "fr", amount=format_xaf(user.credits, "fr"))
        self.balance_en = translate("domains.balance", "en", amount=format_xaf(user.credits, "en"))

    @rx.event
    def load(self):
        with session_scope() as session:
            user = self._current_user(session)
            if user is None:
                self.rows = []
                return
            self._reload(session, user)

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
                self.rows = [self._row(items[row.id], years) if row.id == purchase_id else row
                             for row in self.rows]
        except KmerError as exc:
            return rx.toast.error(self._error_message(exc))

    @rx.event
    def renew(self, purchase_id):
        """Renew one of the customer's domains for the years picked on its row (a generator, so the
        button shows it is working while the registrar answers)."""
        purchase_id = or_none(parse_id, purchase_id)
        row = next((r for r in self.rows if r.id == purchase_id), None)
        if self.busy:
            return
        if row is None:
            yield rx.toast.error(self._t("error.not_found"))
            return
        self.busy = True
        yield
        try:
            with session_scope() as session:
                user = self._require_user(session)
                purchase = renew_domain(session, user.id, purchase_id, int(row.years), get_registrar())
                outcome = rx.toast.success(self._t("domains.renewed", domain=purchase.domain,
                                                   date=format_date(purchase.expires_at, self.lang)))
        except (KmerError, RegistrarError) as exc:
            fr, en = both_languages(exc)
            outcome = rx.toast.error(en if self.lang == "en" else fr)
        finally:
            self.busy = False
        with session_scope() as session:
            user = self._current_user(session)
            if user is not None:
                self._reload(session, user)
        yield outcome
