"""Admin statistics: the page's report over a chosen period, charts data and CSV exports."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ..core.admin import stats
from ..core.args import or_none, parse_choice
from ..i18n.format import format_months, format_xaf
from .admin import AdminState, as_form
from .base import BaseState


class AdminStatsState(AdminState, BaseState):
    start: str = ""
    end: str = ""
    granularity: str = "day"
    revenue_rows: list[dict[str, Any]] = []
    customer_rows: list[dict[str, Any]] = []
    pack_rows: list[dict[str, Any]] = []
    duration_rows: list[dict[str, Any]] = []
    summary: dict[str, str] = {}

    def _period(self) -> stats.Period:
        if not self.start or not self.end:
            period = stats.default_period()
            self.start, self.end = period.start.isoformat(), period.end.isoformat()
        return stats.parse_period(self.start, self.end, self.granularity)

    def _report(self, session, admin_id) -> stats.Report:
        return stats.report(session, admin_id, self._period())

    def _fill(self, session, admin_id):
        rep = self._report(session, admin_id)
        self.revenue_rows = [{"period": r["period"], "revenue": r["revenue"], "gross": r["gross"],
                              "refunds": r["refunds"]} for r in rep.revenue]
        self.customer_rows = [dict(r) for r in rep.customers]
        # Both languages, so the language switch changes the page at once without a reload.
        self.pack_rows = [{**r, "label_fr": format_xaf(r["amount"], "fr"), "label_en": format_xaf(r["amount"], "en")}
                          for r in rep.by_pack]
        self.duration_rows = [{**r, "name_fr": format_months(r["months"], "fr"),
                               "name_en": format_months(r["months"], "en"),
                               "label_fr": format_xaf(r["amount"], "fr"), "label_en": format_xaf(r["amount"], "en")}
                              for r in rep.by_duration]
        rate = rep.renewals["rate_percent"]
        summary = {"new_customers": str(rep.totals["new_customers"]), "expiring_30": str(rep.expiries["days_30"]),
                   "expiring_60": str(rep.expiries["days_60"]), "renewed": str(rep.renewals["renewed"]),
                   "lapsed": str(rep.renewals["lapsed"]), "renewal_rate": "-" if rate is None else f"{rate} %"}
        money = {"revenue": rep.totals["revenue"], "gross": rep.totals["gross"], "refunds": rep.totals["refunds"],
                 "outstanding": rep.outstanding}
        for lang in ("fr", "en"):
            summary.update({f"{k}_{lang}": format_xaf(v, lang) for k, v in money.items()})
        self.summary = summary

    @rx.event
    def load(self):
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
            return stats.to_csv(self._report(session, admin_id), name)
        text, failed = self._run(work)
        if failed:
            return failed
        return rx.download(data=text, filename=f"kmerhosting-{name}-{self.start}-{self.end}.csv",
                           mime_type="text/csv")
