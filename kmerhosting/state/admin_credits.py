"""Admin credits: add or correct a balance, decide customers' credit requests."""

from __future__ import annotations

import reflex as rx

from ..core.admin import credits, users
from ..core.args import or_none, parse_choice
from ..i18n import display
from .admin import PagedAdminState, as_form
from .base import BaseState
from .forms import row_id

STATUSES = ("pending", "approved", "rejected", "cancelled")


class AdminCreditsState(PagedAdminState, BaseState):
    _requests: list[dict] = []  # each request's values; `requests` words them in the visitor's language
    request_status: str = "pending"
    form_key: int = 0  # changes after a successful top-up so the form is emptied

    def _fill(self, session, admin_id):
        result = credits.list_requests(session, admin_id, status=self.request_status, page=self.page)
        self._set_page(result)
        self._requests = [
            {"id": str(r.id), "user_id": str(u.id), "email": u.email, "name": u.name, "amount": int(r.amount),
             "method": r.payment_method, "reference": r.payment_reference, "status": r.status, "note": r.note,
             "created_at": r.created_at, "decided_at": r.decided_at}
            for r, u in result.rows
        ]

    @rx.var
    def requests(self) -> list[dict[str, str]]:
        return [{**row, "amount": self._money(row["amount"]), "when": self._when(row["created_at"]),
                 "decided": self._when(row["decided_at"]), "created_at": "", "decided_at": ""}
                for row in self._requests]

    @rx.event
    def show_status(self, status: str):
        self.request_status = or_none(parse_choice, status, STATUSES) or "pending"
        self.page = 1
        return self._run(self._fill)[1]

    @rx.event
    def add_credits(self, form: dict):
        """Top up (mode credit) or correct (mode adjustment, signed) a user's balance."""
        form = as_form(form)

        def work(session, admin_id):
            user = users.find_user(session, admin_id, form.get("user", ""))
            row, _ = credits.adjust_credits(session, admin_id, user.id, form.get("amount", ""),
                                            form.get("reason", ""),
                                            correction=form.get("mode") == "adjustment")
            return user.email, row.balance_after

        result, failed = self._run(work)
        if failed:
            return failed
        email, balance = result
        self.form_key += 1
        return self._done("admin.credits.added", email=email, balance=display.money(balance, self.lang))

    def _decide(self, decide, request_id, note):
        def work(session, admin_id):
            decide(session, admin_id, request_id, note)

        _, failed = self._run(work)
        if failed:
            return failed
        self._run(self._fill)
        return None

    @rx.event
    def approve(self, request_id: int, form: dict | None = None):
        failed = self._decide(credits.approve_request, request_id, as_form(form).get("note", ""))
        return failed or self._done("admin.credits.approved")

    @rx.event
    def reject(self, form: dict):
        """The request's row form: its id and the note the customer will read (core requires one)."""
        failed = self._decide(credits.reject_request, row_id(form), as_form(form).get("note", ""))
        return failed or self._done("admin.credits.rejected")
