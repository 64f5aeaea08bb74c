"""Admin payments: Mobile Money top-ups with filters, one payment's timeline, CSV, and "check now".

"Check now" queues a job for the worker (core/admin/payments.py): no gateway is called from a handler.
The page then follows that job off the event loop and shows the gateway's answer when it lands.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ..core.accounts import format_phone
from ..core.admin import payments
from ..i18n import display
from ..models import utcnow
from .admin import DetailDialogState, PagedAdminState, as_form
from .base import BaseState
from .forms import row_id
from .offloop import off_loop

ALL = "all"
STATUS_CHOICES = ("open", "unsuccessful", "created", "pending", "complete", "failed", "canceled", "expired",
                  "flagged")
WATCH_EVERY = 1.0  # seconds between two looks at a check the page asked for
WATCH_ROUNDS = 60
TIMELINE_LINES = 12  # what the gateway said, at most this many lines per event


def _choice(value, choices) -> str:
    return value if isinstance(value, str) and value in choices else ALL


def _filter(value: str) -> str:
    return "" if value == ALL else value


def _said(detail, lang: str) -> list[str]:
    """What the gateway said, as "key: value" lines (one level of nesting flattened, long values cut)."""
    lines: list[str] = []

    def walk(data, prefix: str = ""):
        for key, value in (data or {}).items():
            name = f"{prefix}{key}"
            if isinstance(value, dict) and not prefix:
                walk(value, f"{name}.")
            elif value not in (None, "", {}, []):
                text = value if isinstance(value, str) else str(value)
                lines.append(f"{name}{display.colon(lang)}{text[:160]}")

    if isinstance(detail, dict):
        walk(detail)
    return lines[:TIMELINE_LINES]


class AdminPaymentsState(DetailDialogState, PagedAdminState, BaseState):
    _rows: list[dict] = []  # each payment's values; `rows` words them in the visitor's language
    _payment: dict = {}  # the payment opened in the detail panel, as values
    _events: list[dict] = []  # its timeline, as values
    # The check this tab asked for and follows until the worker has done it (server side only).
    _watch: dict = {}
    _watching: bool = False
    search: str = ""
    status: str = ALL
    operator: str = ALL
    gateway: str = ALL
    check_waiting: bool = False

    def _fill(self, session, admin_id):
        result = payments.list_payments(session, admin_id, status=_filter(self.status),
                                        operator=_filter(self.operator), gateway=_filter(self.gateway),
                                        search=self.search, page=self.page)
        self._set_page(result)
        self._rows = [
            {"id": str(p.id), "reference": p.reference, "gateway_reference": p.gateway_reference or "",
             "email": u.email, "name": u.name, "phone": p.phone, "operator": p.operator, "gateway": p.gateway,
             "status": p.status, "amount": int(p.amount), "created_at": p.created_at}
            for p, u in result.rows
        ]

    def _fill_detail(self, session, admin_id, payment_id):
        found = payments.payment_detail(session, admin_id, payment_id)
        p, u = found["payment"], found["user"]
        self._payment = {
            "id": str(p.id), "reference": p.reference, "gateway_reference": p.gateway_reference or "",
            "operator_reference": p.operator_reference, "email": u.email, "name": u.name, "phone": p.phone,
            "operator": p.operator, "gateway": p.gateway, "status": p.status, "amount": int(p.amount),
            "received": None if p.received_amount is None else int(p.received_amount),
            "received_currency": p.received_currency, "reason": p.reason, "created_at": p.created_at,
            "deadline_at": p.deadline_at, "checked_at": p.checked_at, "completed_at": p.completed_at}
        self._events = [{"id": str(e.id), "source": e.source, "status": e.status, "detail": e.detail or {},
                         "note": e.note, "created_at": e.created_at} for e in found["events"]]
        self.check_waiting = found["check_waiting"]

    def _status_label(self, status: str) -> str:
        return display.label("payment_status", status, self._page_lang()) if status else self._word("admin.payments.no_status")

    @rx.var
    def rows(self) -> list[dict[str, str]]:
        lang = self._page_lang()
        return [{"id": r["id"], "reference": r["reference"], "gateway_reference": r["gateway_reference"],
                 "email": r["email"], "name": r["name"], "phone": format_phone("+" + r["phone"]),
                 "operator": display.label("operator", r["operator"], lang),
                 "gateway": display.label("gateway", r["gateway"], lang),
                 "status": r["status"], "status_label": display.label("payment_status", r["status"], lang),
                 "amount": display.money(r["amount"], lang), "when": display.datetime_(r["created_at"], lang),
                 "flagged": "1" if r["status"] == "flagged" else "",
                 "checkable": "1" if r["status"] in payments.CHECKABLE else ""}
                for r in self._rows]

    @rx.var
    def payment(self) -> dict[str, str]:
        p, lang = self._payment, self._page_lang()
        if not p:
            return {}
        none = "—"
        received = "" if p["received"] is None else display.money(p["received"], lang)
        if received and p["received_currency"] and p["received_currency"] != "XAF":
            received = f"{display.number(p['received'], lang)} {p['received_currency']}"
        return {"id": p["id"], "reference": p["reference"], "gateway_reference": p["gateway_reference"] or none,
                "operator_reference": p["operator_reference"] or none, "email": p["email"], "name": p["name"],
                "phone": format_phone("+" + p["phone"]), "operator": display.label("operator", p["operator"], lang),
                "gateway": display.label("gateway", p["gateway"], lang), "status": p["status"],
                "status_label": display.label("payment_status", p["status"], lang),
                "amount": display.money(p["amount"], lang), "received": received or none,
                "reason": p["reason"] or none, "created": display.datetime_(p["created_at"], lang),
                "deadline": display.datetime_(p["deadline_at"], lang) or none,
                "checked": display.datetime_(p["checked_at"], lang) or none,
                "completed": display.datetime_(p["completed_at"], lang) or none,
                "flagged": "1" if p["status"] == "flagged" else "",
                "checkable": "1" if p["status"] in payments.CHECKABLE else ""}

    @rx.var
    def timeline(self) -> list[dict[str, Any]]:
        lang = self._page_lang()
        return [{"id": e["id"], "when": display.datetime_(e["created_at"], lang),
                 "source": self._word(f"admin.payments.source_{e['source']}")
                 if e["source"] in ("start", "webhook", "poll", "check", "admin", "expiry", "credit")
                 else e["source"],
                 "status": self._status_label(e["status"]), "note": e["note"],
                 "said": _said(e["detail"], lang)}
                for e in self._events]

    @rx.event
    def apply_filters(self, form: dict):
        form = as_form(form)
        self.search = str(form.get("search", ""))[:payments.SEARCH_MAX]
        self.status = _choice(form.get("status"), STATUS_CHOICES)
        self.operator = _choice(form.get("operator"), ("mtn", "orange"))
        self.gateway = _choice(form.get("gateway"), payments.GATEWAYS)
        self.page = 1
        return self._run(self._fill)[1]

    @rx.event
    def open_payment(self, form: dict):
        return self._open_detail(form)

    @rx.event
    def set_detail_open(self, is_open: bool):
        return self._close_detail(is_open)

    def _clear_detail(self) -> None:
        self._payment, self._events = {}, []

    @rx.event
    def check_now(self, form: dict):
        """Queue a check of one payment by the worker; the page follows it (watch_check)."""
        target = row_id(form)

        def work(session, admin_id):
            job, asked = payments.request_check(session, admin_id, target)
            return job.id, job.payload.get("payment_id"), asked

        result, failed = self._run(work)
        if failed:
            return failed
        job_id, payment_id, asked = result
        self._watch = {"job_id": int(job_id), "payment_id": int(payment_id)}
        self.check_waiting = str(payment_id) == self._payment.get("id")
        toast = self._done("admin.payments.check_queued" if asked else "admin.payments.check_already")
        return [toast, AdminPaymentsState.watch_check]

    @rx.event(background=True)
    async def watch_check(self):
        """The worker asks the gateway within seconds: the list and the open timeline follow (read off the loop)."""
        async with self:
            _, refused = self._run(lambda session, admin_id: admin_id)
            if refused:
                return refused
            if self._watching or not self._watch:
                return None
            self._watching = True
            watched = dict(self._watch)
        status, finished = "", False
        try:
            for _ in range(WATCH_ROUNDS):
                await asyncio.sleep(WATCH_EVERY)
                status, finished = await off_loop(payments.check_status, watched["payment_id"], watched["job_id"])
                if finished:
                    break
            async with self:
                if self._watch == watched:
                    self._watch = {}
                self._run(self._fill)
                if self._payment.get("id") == str(watched["payment_id"]):
                    self._run(lambda session, admin_id: self._fill_detail(session, admin_id, watched["payment_id"]))
                if finished:
                    return self._done("admin.payments.check_done", status=self._status_label(status))
        finally:
            async with self:
                self._watching = False
        return None

    @rx.event
    def download_csv(self):
        """Every payment the filters select, as CSV (ISO dates and integer XAF, plus words in the admin's language)."""
        def work(session, admin_id):
            return payments.payments_csv(session, admin_id, self.lang, status=_filter(self.status),
                                         operator=_filter(self.operator), gateway=_filter(self.gateway),
                                         search=self.search)

        text, failed = self._run(work)
        if failed:
            return failed
        return rx.download(data=text, filename=f"kmerhosting-payments-{utcnow():%Y%m%d}.csv", mime_type="text/csv")
