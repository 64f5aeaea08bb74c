"""Admin packs: create, edit, deactivate, delete when never sold."""

from __future__ import annotations

import reflex as rx

from ..config import DURATIONS
from ..core.admin import packs
from ..core.args import or_none, parse_flag, parse_id
from ..i18n import display, translate
from ..models import CONTROL_PANEL_LABELS, ControlPanel, Pack
from .admin import AdminState, as_form
from .base import BaseState

EMPTY_FORM = {"name": "", "slug": "", "description_fr": "", "description_en": "", "monthly_price": "",
              "control_panel": "cpanel", "disk_gb": "10", "bandwidth_gb": "0", "email_accounts": "10",
              "databases": "5", "websites": "1", "sort_order": "0", "free_ssl": "on", "is_active": "on",
              **{f"discount_{m}": "" for m in DURATIONS}, **{f"package_{k.value}": "" for k in ControlPanel}}


def pack_form(pack: Pack) -> dict[str, str]:
    discounts = pack.discounts or {}
    return {
        "name": pack.name, "slug": pack.slug, "description_fr": pack.description_fr,
        "description_en": pack.description_en, "monthly_price": str(pack.monthly_price),
        "control_panel": pack.control_panel, "disk_gb": str(pack.disk_gb), "bandwidth_gb": str(pack.bandwidth_gb),
        "email_accounts": str(pack.email_accounts), "databases": str(pack.databases),
        "websites": str(pack.websites), "sort_order": str(pack.sort_order),
        "free_ssl": "on" if pack.free_ssl else "", "is_active": "on" if pack.is_active else "",
        **{f"discount_{m}": str(discounts.get(str(m), "")) for m in DURATIONS},
        **{f"package_{k.value}": str((pack.panel_packages or {}).get(k.value, "")) for k in ControlPanel},
    }


class AdminPacksState(AdminState, BaseState):
    _rows: list[dict] = []  # each pack's values; `rows` words them in the visitor's language
    editing: int = -1  # -1 no form shown, 0 a new pack, else the pack's id
    form: dict[str, str] = {}
    form_key: int = 0

    def _fill(self, session, admin_id):
        self._rows = [
            {"id": str(p.id), "name": p.name, "slug": p.slug, "monthly_price": int(p.monthly_price),
             "panel": CONTROL_PANEL_LABELS.get(p.control_panel, p.control_panel), "active": "1" if p.is_active else "",
             "services": str(n), "count": int(n),
             "discounts": {m: int(p.discounts[str(m)]) for m in DURATIONS if str(m) in (p.discounts or {})}}
            for p, n in packs.list_packs(session, admin_id)
        ]

    @rx.var
    def rows(self) -> list[dict[str, str]]:
        lang = self._page_lang()
        return [{**{k: v for k, v in row.items() if k not in ("monthly_price", "count", "discounts")},
                 "monthly": display.money(row["monthly_price"], lang),
                 "discounts": ", ".join(f"{display.months(m, lang)}{display.colon(lang)}{display.discount(off, lang)}"
                                        for m, off in row["discounts"].items())
                 or translate("admin.packs.default_discounts", lang),
                 "services_count": display.number(row["count"], lang)}
                for row in self._rows]

    @rx.event
    def load(self):
        self._reword()
        self.editing = -1
        return self._run(self._fill, quiet_refusal=True)[1]

    @rx.event
    def new_pack(self):
        def work(session, admin_id):
            self._fill(session, admin_id)
        failed = self._run(work)[1]
        if failed:
            return failed
        self.editing, self.form = 0, dict(EMPTY_FORM)
        self.form_key += 1

    @rx.event
    def edit_pack(self, pack_id: int):
        def work(session, admin_id):
            pack = packs.get_pack(session, admin_id, parse_id(pack_id))
            return pack.id, pack_form(pack)
        found, failed = self._run(work)
        if failed:
            return failed
        self.editing, self.form = found
        self.form_key += 1

    @rx.event
    def cancel_edit(self):
        failed = self._run(lambda session, admin_id: None)[1]
        if failed:
            return failed
        self.editing = -1
        self.form = {}

    @rx.event
    def save_pack(self, form: dict):
        data = as_form(form)
        editing = self.editing

        def work(session, admin_id):
            if editing > 0:
                packs.update_pack(session, admin_id, editing, data)
            elif editing == 0:
                packs.create_pack(session, admin_id, data)
            else:
                raise packs.InvalidInput("error.invalid_input")
            self._fill(session, admin_id)
        failed = self._run(work)[1]
        if failed and self.error != self._t("error.not_authorized"):  # keep what the admin typed
            self.form = {**self.form, **{k: str(v) for k, v in data.items() if k in EMPTY_FORM}}
        if failed:
            return failed
        self.editing = -1
        return self._done("admin.packs.saved")

    @rx.event
    def set_pack_active(self, pack_id: int, active: bool):
        def work(session, admin_id):
            packs.set_active(session, admin_id, parse_id(pack_id), parse_flag(active))
            self._fill(session, admin_id)
        failed = self._run(work)[1]
        return failed or self._done("admin.packs.saved")

    @rx.event
    def delete_pack(self, pack_id: int):
        pack_id = or_none(parse_id, pack_id)

        def work(session, admin_id):
            packs.delete_pack(session, admin_id, pack_id)
            self._fill(session, admin_id)
        failed = self._run(work)[1]
        if not failed and self.editing == pack_id:
            self.editing = -1
        return failed or self._done("admin.packs.deleted")
