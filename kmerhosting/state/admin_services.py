"""Admin services: the list, life-cycle changes and the control-panel URL."""

from __future__ import annotations

import reflex as rx

from ..core.admin import services
from ..i18n import display
from .admin import PagedAdminState, as_form
from .base import BaseState
from .forms import row_id

ALL = "all"


class AdminServicesState(PagedAdminState, BaseState):
    _rows: list[dict] = []  # each service's values; `rows` words them in the visitor's language
    status: str = ALL
    search: str = ""

    def _fill(self, session, admin_id):
        result = services.list_services(session, admin_id, status="" if self.status == ALL else self.status,
                                        search=self.search, page=self.page)
        self._set_page(result)
        self._rows = [
            {"id": str(s.id), "domain": s.domain, "email": email, "user_id": str(s.user_id), "pack": pack,
             "status": s.status, "months": s.duration_months, "expires_at": s.expires_at,
             "panel_url": s.panel_url, "next": ",".join(sorted(services.TRANSITIONS.get(s.status, set())))}
            for s, email, pack in result.rows
        ]

    @rx.var
    def rows(self) -> list[dict[str, str]]:
        return [{**{k: v for k, v in row.items() if k not in ("months", "expires_at")},
                 "duration": display.months(row["months"], self._page_lang()),
                 "expires": display.date(row["expires_at"], self._page_lang()) if row["expires_at"] else ""}
                for row in self._rows]

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
