"""Admin statistics: the page's report over a chosen period, charts data and CSV exports."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ..core.admin import stats
from ..core.args import or_none, parse_choice
from ..i18n import display
from .admin import AdminState, as_form
from .base import BaseState


class AdminStatsState(AdminState, BaseState):
    start: str = ""
    end: str = ""
    granularity: str = "day"
    # The report's values (integers of XAF, counts, ISO period labels); the charts' and tables' rows are
    # computed from them in the visitor's language.
    _revenue: list[dict] = []
    _customers: list[dict] = []
    _by_pack: list[dict] = []
    _by_duration: list[dict] = []
    _totals: dict = {}

    def _period(self) -> stats.Period:
        if not self.start or not self.end:
            period = stats.default_period()
            self.start, self.end = period.start.isoformat(), period.end.isoformat()
        return stats.parse_period(self.start, self.end, self.granularity)

    def _report(self, session, admin_id) -> stats.Report:
        return stats.report(session, admin_id, self._period())

    def _fill(self, session, admin_id):
        rep = self._report(session, admin_id)
        self._revenue = [dict(r) for r in rep.revenue]
        self._customers = [dict(r) for r in rep.customers]
        self._by_pack = [dict(r) for r in rep.by_pack]
        self._by_duration = [dict(r) for r in rep.by_duration]
        self._totals = {**rep.totals, "outstanding": rep.outstanding, "expiring_30": rep.expiries["days_30"],
                        "expiring_60": rep.expiries["days_60"], "renewed": rep.renewals["renewed"],
                        "lapsed": rep.renewals["lapsed"], "rate_percent": rep.renewals["rate_percent"]}

    @rx.var
    def revenue_rows(self) -> list[dict[str, Any]]:
        return [{"period": display.period(r["period"], self._page_lang()), "revenue": r["revenue"],
                 "label": display.money(r["revenue"], self._page_lang())} for r in self._revenue]

    @rx.var
    def customer_rows(self) -> list[dict[str, Any]]:
        return [{"period": display.period(r["period"], self._page_lang()), "customers": r["customers"],
                 "label": display.number(r["customers"], self._page_lang())} for r in self._customers]

    @rx.var
    def pack_rows(self) -> list[dict[str, Any]]:
        return [{"name": r["pack"], "services": display.number(r["services"], self._page_lang()), "amount": r["amount"],
                 "label": display.money(r["amount"], self._page_lang())} for r in self._by_pack]

    @rx.var
    def duration_rows(self) -> list[dict[str, Any]]:
        return [{"name": display.months(r["months"], self._page_lang()), "services": display.number(r["services"], self._page_lang()),
                 "amount": r["amount"], "label": display.money(r["amount"], self._page_lang())} for r in self._by_duration]

    @rx.var
    def revenue_ticks(self) -> list[int]:
        return display.chart_ticks(max((r["revenue"] for r in self._revenue), default=0))

    @rx.var
    def sales_ticks(self) -> list[int]:
        return display.chart_ticks(max((r["amount"] for r in self._by_pack + self._by_duration), default=0))

    @rx.var
    def axis_labels(self) -> dict[str, str]:
        """The money axes' tick labels ("20 000 FCFA"), looked up by the charts' tick formatter."""
        return {str(v): display.money(v, self._page_lang()) for v in {*self.revenue_ticks, *self.sales_ticks}}

    @rx.var
    def summary(self) -> dict[str, str]:
        t, lang = self._totals, self._page_lang()
        if not t:
            return {}
        rate = t["rate_percent"]
        return {"new_customers": display.number(t["new_customers"], lang),
                "expiring_30": display.number(t["expiring_30"], lang),
                "expiring_60": display.number(t["expiring_60"], lang),
                "renewed": display.number(t["renewed"], lang), "lapsed": display.number(t["lapsed"], lang),
                "renewal_rate": "-" if rate is None else display.percent(rate / 100, lang),
                **{k: display.money(t[k], lang) for k in ("revenue", "gross", "refunds", "outstanding")}}

    @rx.event
    def load(self):
        self._reword()
        return self._run(self._fill, quiet_refusal=True)[1]

    @rx.event
    def apply_period(self, form: dict):
        form = as_form(form)
        old = (self.start, self.end, self.granularity)
        self.start = str(form.get("start", ""))[:10]
        self.end = str(form.get("end", ""))[:10]
        self.granularity = str(form.get("granularity", "day"))[:5]
        failed = self._run(self._fill)[1]
        if failed:
            self.start, self.end, self.granularity = old
        return failed

    @rx.event
    def export_csv(self, name: str):
        """One report of the current period as a CSV download."""
        name = or_none(parse_choice, name, stats.REPORTS) or ""

        def work(session, admin_id):
            return stats.to_csv(self._report(session, admin_id), name, self.lang)
        text, failed = self._run(work)
        if failed:
            return failed
        return rx.download(data=text, filename=f"kmerhosting-{name}-{self.start}-{self.end}.csv",
                           mime_type="text/csv")
