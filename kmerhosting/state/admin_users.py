"""Admin users: the searchable list and one user's page with their history."""

from __future__ import annotations

import reflex as rx

from ..core.admin import users
from ..i18n import display, translate
from .admin import AdminState, PagedAdminState, as_form
from .base import BaseState

ALL = "all"


def _filter_value(value: str) -> str:
    return "" if value in ("", ALL) else value


class AdminUsersState(PagedAdminState, BaseState):
    _rows: list[dict] = []  # each user's values; `rows` words them in the visitor's language
    search: str = ""
    status: str = ALL
    role: str = ALL

    def _fill(self, session, admin_id):
        result = users.list_users(session, admin_id, search=self.search, status=_filter_value(self.status),
                                  role=_filter_value(self.role), page=self.page)
        self._set_page(result)
        self._rows = [{"id": str(u.id), "email": u.email, "name": u.name, "role": u.role, "status": u.status,
                       "credits": int(u.credits or 0), "created_at": u.created_at,
                       "is_self": "1" if u.id == admin_id else ""}
                      for (u,) in result.rows]

    @rx.var
    def rows(self) -> list[dict[str, str]]:
        return [{**row, "credits": self._money(row["credits"]), "created": self._when(row["created_at"]),
                 "created_at": ""} for row in self._rows]

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
    # The user's history as values (datetimes, integers, codes); the tables' words are computed in the
    # visitor's language (`_worded`), so a language switch re-words the page without reading it again.
    _user: dict = {}
    _services: list[dict] = []
    _ledger: list[dict] = []
    _requests: list[dict] = []
    _logins: list[dict] = []
    _mails: list[dict] = []

    def _target(self) -> str:
        return route_user_id(self.router.url.path)

    def _fill(self, session, admin_id):
        h = users.user_history(session, admin_id, self._target())
        u = h["user"]
        self._user = {"id": str(u.id), "email": u.email, "name": u.name, "role": u.role, "status": u.status,
                      "credits": u.credits, "language": u.language, "created": u.created_at,
                      "last_login": u.last_login_at, "verified": u.email_verified_at, "phone": u.phone or "—",
                      "is_self": "1" if u.id == admin_id else ""}
        self._services = [{"id": str(s.id), "domain": s.domain, "pack": pack, "status": s.status,
                           "months": s.duration_months, "price": s.price_paid, "expires": s.expires_at}
                          for s, pack in h["services"]]
        self._ledger = [{"id": str(t.id), "when": t.created_at, "kind": t.kind, "amount": t.amount,
                         "balance": t.balance_after, "description": t.description, "reference": t.reference}
                        for t in h["ledger"]]
        self._requests = [{"id": str(r.id), "when": r.created_at, "amount": r.amount, "method": r.payment_method,
                           "reference": r.payment_reference, "status": r.status, "note": r.note}
                          for r in h["requests"]]
        self._logins = [{"created": a.created_at, "ip": a.client or "—", "revoked": a.revoked_at} for a in h["logins"]]
        self._mails = [{"id": str(m.id), "when": m.created_at, "kind": m.kind, "status": m.status,
                        "subject": m.subject, "language": m.language, "error": m.error[:120]} for m in h["mails"]]

    @rx.var
    def user(self) -> dict[str, str]:
        u, lang = self._user, self._page_lang()
        if not u:
            return {}
        return {**{k: v for k, v in u.items() if isinstance(v, str)}, "credits": display.money(u["credits"], lang),
                "created": display.datetime_(u["created"], lang),
                "last_login": display.datetime_(u["last_login"], lang) or "—",
                "verified": display.datetime_(u["verified"], lang) or "—"}

    @rx.var
    def services(self) -> list[dict[str, str]]:
        lang = self._page_lang()
        return [{**s, "duration": display.months(s["months"], lang), "price": display.money(s["price"], lang),
                 "expires": display.date(s["expires"], lang), "months": str(s["months"])} for s in self._services]

    @rx.var
    def ledger(self) -> list[dict[str, str]]:
        lang = self._page_lang()
        return [{"id": t["id"], "when": display.datetime_(t["when"], lang), "kind": t["kind"],
                 "amount": display.money(t["amount"], lang, signed=True), "balance": display.money(t["balance"], lang),
                 "description": display.description(t["description"], lang) or display.reference(t["reference"], lang)[0]}
                for t in self._ledger]

    @rx.var
    def requests(self) -> list[dict[str, str]]:
        lang = self._page_lang()
        return [{**r, "when": display.datetime_(r["when"], lang), "amount": display.money(r["amount"], lang)}
                for r in self._requests]

    @rx.var
    def logins(self) -> list[dict[str, str]]:
        lang = self._page_lang()
        return [{"created": display.datetime_(a["created"], lang), "ip": a["ip"],
                 "revoked": display.datetime_(a["revoked"], lang) or translate("admin.user.still_open", lang)}
                for a in self._logins]

    @rx.var
    def mails(self) -> list[dict[str, str]]:
        lang = self._page_lang()
        return [{**m, "when": display.datetime_(m["when"], lang), "kind": display.label("mail_kind", m["kind"], lang)}
                for m in self._mails]

    @rx.event
    def load(self):
        self._reword()
        self._user = {}
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

