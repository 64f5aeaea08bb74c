"""Admin users: the searchable list and one user's page with their history."""

from __future__ import annotations

import reflex as rx

from ..core.admin import users
from ..i18n import translate
from ..i18n import display
from .admin import AdminState, PagedAdminState, as_form
from .base import BaseState

ALL = "all"


def _filter_value(value: str) -> str:
    return "" if value in ("", ALL) else value


class AdminUsersState(PagedAdminState, BaseState):
    rows: list[dict[str, str]] = []
    search: str = ""
    status: str = ALL
    role: str = ALL

    def _fill(self, session, admin_id):
        result = users.list_users(session, admin_id, search=self.search, status=_filter_value(self.status),
                                  role=_filter_value(self.role), page=self.page)
        self._set_page(result)
        self.rows = [self._row(u, admin_id) for (u,) in result.rows]

    def _row(self, user, admin_id) -> dict[str, str]:
        return {"id": str(user.id), "email": user.email, "name": user.name, "role": user.role,
                "status": user.status, "credits": self._money(user.credits), "created": self._when(user.created_at),
                "is_self": "1" if user.id == admin_id else ""}

    @rx.event
    def apply_filters(self, form: dict):
        form = as_form(form)
        self.search = str(form.get("search", ""))[:120]
        self.status = str(form.get("status", ALL)) if form.get("status") in ("active", "blocked") else ALL
        self.role = str(form.get("role", ALL)) if form.get("role") in ("admin", "customer") else ALL
        self.page = 1
        return self._run(self._fill)[1]

    @rx.event
    def set_user_status(self, user_id: int, status: str):
        def work(session, admin_id):
            users.set_status(session, admin_id, user_id, status)
        _, failed = self._run(work)
        if failed:
            return failed
        self._run(self._fill)
        return self._done("admin.users.status_done")


def route_user_id(path: str) -> str:
    """The id in /admin/users/<id> (the page's dynamic segment)."""
    return (path or "").rstrip("/").rsplit("/", 1)[-1]


class AdminUserState(AdminState, BaseState):
    user: dict[str, str] = {}
    services: list[dict[str, str]] = []
    ledger: list[dict[str, str]] = []
    requests: list[dict[str, str]] = []
    logins: list[dict[str, str]] = []
    mails: list[dict[str, str]] = []

    def _target(self) -> str:
        return route_user_id(self.router.url.path)

    def _fill(self, session, admin_id):
        h = users.user_history(session, admin_id, self._target())
        u, lang = h["user"], self.lang
        self.user = {"id": str(u.id), "email": u.email, "name": u.name, "role": u.role,
                     "status": u.status, "credits": self._money(u.credits), "language": u.language,
                     "created": self._when(u.created_at), "last_login": self._when(u.last_login_at) or "—",
                     "verified": self._when(u.email_verified_at) or "—", "phone": u.phone or "—", "is_self": "1" if u.id == admin_id else ""}
        self.services = [{"id": str(s.id), "domain": s.domain, "pack": pack, "status": s.status,
                          "duration": display.months(s.duration_months, lang), "price": self._money(s.price_paid),
                          "expires": self._when(s.expires_at)} for s, pack in h["services"]]
        self.ledger = [{"id": str(t.id), "when": self._when(t.created_at), "kind": t.kind,
                        "amount": self._money(t.amount), "balance": self._money(t.balance_after),
                        "description": display.description(t.description, lang)
                        or display.reference(t.reference, lang)[0]} for t in h["ledger"]]
        self.requests = [{"id": str(r.id), "when": self._when(r.created_at), "amount": self._money(r.amount),
                          "method": r.payment_method, "reference": r.payment_reference, "status": r.status,
                          "note": r.note} for r in h["requests"]]
        self.logins = [{"created": self._when(a.created_at), "ip": a.client or "—",
                        "revoked": self._when(a.revoked_at) or translate("admin.user.still_open", lang)}
                       for a in h["logins"]]
        self.mails = [{"id": str(m.id), "when": self._when(m.created_at),
                       "kind": display.label("mail_kind", m.kind, lang), "status": m.status,
                       "subject": m.subject, "error": m.error[:120]} for m in h["mails"]]

    @rx.event
    def load(self):
        self.user = {}
        return self._run(self._fill, quiet_refusal=True)[1]

    @rx.event
    def set_user_status(self, status: str):
        def work(session, admin_id):
            users.set_status(session, admin_id, self._target(), status)
            self._fill(session, admin_id)
        failed = self._run(work)[1]
        return failed or self._done("admin.users.status_done")

    @rx.event
    def set_user_role(self, role: str):
        def work(session, admin_id):
            users.set_role(session, admin_id, self._target(), role)
            self._fill(session, admin_id)
        failed = self._run(work)[1]
        return failed or self._done("admin.users.role_done")

