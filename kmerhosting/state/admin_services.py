"""Admin services: the list, life-cycle changes, the control-panel URL, and each hosting account (its server,
username, every panel call) with a retry of the operations that failed."""

from __future__ import annotations

import reflex as rx

from ..core.admin import services
from ..i18n import display
from .admin import DetailDialogState, PagedAdminState, as_form
from .base import BaseState
from .forms import row_id

ALL = "all"


class AdminServicesState(DetailDialogState, PagedAdminState, BaseState):
    _rows: list[dict] = []  # each service's values; `rows` words them in the visitor's language
    _account: dict = {}  # the hosting account opened in the detail panel, as values
    _events: list[dict] = []  # its panel calls, newest first
    _packs: list[dict] = []  # every pack, to move the opened service to
    status: str = ALL
    search: str = ""

    def _fill(self, session, admin_id):
        result = services.list_services(session, admin_id, status="" if self.status == ALL else self.status,
                                        search=self.search, page=self.page)
        self._set_page(result)
        self._rows = [
            {"id": str(s.id), "domain": s.domain, "email": email, "user_id": str(s.user_id), "pack": pack,
             "status": s.status, "months": s.duration_months, "expires_at": s.expires_at,
             "panel_url": s.panel_url, "next": ",".join(sorted(services.TRANSITIONS.get(s.status, set()))),
             "username": s.panel_username, "account_status": s.account_status,
             "managed": "1" if s.server_id is not None else ""}
            for s, email, pack in result.rows
        ]

    def _fill_detail(self, session, admin_id, service_id):
        d = services.account_detail(session, admin_id, service_id)
        self._account = {"id": str(d.service_id), "domain": d.domain, "server": d.server_name,
                         "sandbox": d.server_sandbox, "username": d.username, "account_status": d.account_status,
                         "account_error": d.account_error, "disk": d.disk_used_mb, "bandwidth": d.bandwidth_used_mb,
                         "usage_at": d.usage_at, "failed_jobs": d.failed_jobs, "can_retry": d.can_retry,
                         "pack_id": str(d.pack_id)}
        self._packs = [{"id": str(pack_id), "name": name} for pack_id, name in services.pack_choices(session)]
        self._events = [{"id": str(e.id), "action": e.action, "outcome": e.outcome, "message": e.message,
                         "duration_ms": int(e.duration_ms or 0), "created_at": e.created_at} for e in d.events]

    def _account_label(self, status: str) -> str:
        return self._word(f"admin.services.account_{status}") if status in (
            "creating", "created", "failed", "terminated") else ""

    @rx.var
    def rows(self) -> list[dict[str, str]]:
        return [{**{k: v for k, v in row.items() if k not in ("months", "expires_at")},
                 "duration": display.months(row["months"], self._page_lang()),
                 "expires": display.date(row["expires_at"], self._page_lang()) if row["expires_at"] else "",
                 "account_label": self._account_label(row["account_status"])}
                for row in self._rows]

    @rx.var
    def account(self) -> dict[str, str]:
        a, lang = self._account, self._page_lang()
        if not a:
            return {}
        none = "—"
        usage = none
        if a["usage_at"]:
            usage = self._word("admin.services.usage_value",
                               disk=display.number(a["disk"] or 0, lang), bandwidth=display.number(a["bandwidth"] or 0, lang),
                               when=display.datetime_(a["usage_at"], lang))
        server = a["server"] or self._word("admin.services.manual")
        if a["sandbox"]:
            server = f"{server} ({self._word('admin.services.sandbox')})"
        return {"id": a["id"], "domain": a["domain"], "server": server, "username": a["username"] or none,
                "account_status": self._account_label(a["account_status"]) or none,
                "account_error": a["account_error"] or none, "usage": usage,
                "failed_jobs": display.number(a["failed_jobs"], lang), "can_retry": "1" if a["can_retry"] else "",
                "pack_id": a["pack_id"]}

    @rx.var
    def pack_options(self) -> list[dict[str, str]]:
        return list(self._packs) if self._account else []

    @rx.var
    def history(self) -> list[dict[str, str]]:
        lang = self._page_lang()
        return [{"id": e["id"], "when": display.datetime_(e["created_at"], lang),
                 "action": self._word(f"admin.services.action_{e['action']}") if e["action"] in services.EVENT_ACTIONS
                 else e["action"],
                 "outcome": e["outcome"],
                 "outcome_label": self._word(f"admin.services.outcome_{e['outcome']}")
                 if e["outcome"] in services.EVENT_OUTCOMES else e["outcome"],
                 "duration": f"{display.number(e['duration_ms'], lang)} ms", "message": e["message"]}
                for e in self._events]

    @rx.event
    def apply_filters(self, form: dict):
        form = as_form(form)
        status = str(form.get("status", ALL))
        self.status = status if status in services.ServiceStatus.__members__ else ALL
        self.search = str(form.get("search", ""))[:120]
        self.page = 1
        return self._run(self._fill)[1]

    @rx.event
    def set_service_status(self, service_id: int, status: str):
        def work(session, admin_id):
            services.set_status(session, admin_id, service_id, status)
            self._fill(session, admin_id)
        failed = self._run(work)[1]
        return failed or self._done("admin.services.status_done")

    @rx.event
    def set_panel_url(self, form: dict):
        """The service's row form: its id and the URL (empty clears it)."""
        service_id, url = row_id(form), as_form(form).get("panel_url", "")

        def work(session, admin_id):
            services.set_panel_url(session, admin_id, service_id, url)
            self._fill(session, admin_id)
        failed = self._run(work)[1]
        return failed or self._done("admin.services.panel_done")

    @rx.event
    def open_account(self, form: dict):
        return self._open_detail(form)

    @rx.event
    def set_detail_open(self, is_open: bool):
        return self._close_detail(is_open)

    def _clear_detail(self) -> None:
        self._account, self._events, self._packs = {}, [], []

    @rx.event
    def change_pack(self, form: dict):
        """The detail panel's plan form: the service's id and the pack to move it to."""
        target, pack_id = row_id(form), as_form(form).get("pack_id", "")

        def work(session, admin_id):
            services.change_pack(session, admin_id, target, pack_id)
            self._fill(session, admin_id)
            self._fill_detail(session, admin_id, target)
        failed = self._run(work)[1]
        return failed or self._done("admin.services.pack_done")

    @rx.event
    def retry_provisioning(self, form: dict):
        """Queue the service's failed panel operations again (the worker carries them out)."""
        target = row_id(form)

        def work(session, admin_id):
            services.retry_provisioning(session, admin_id, target)
            self._fill(session, admin_id)
            if self._account.get("id") == str(target):
                self._fill_detail(session, admin_id, target)
        failed = self._run(work)[1]
        return failed or self._done("admin.services.retry_done")
