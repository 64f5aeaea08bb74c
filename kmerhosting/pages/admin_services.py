"""Admin services: filter, change status, set the control-panel URL."""

import reflex as rx

from ..components.admin import (
    FILTER_WIDTH,
    admin_page,
    cell,
    confirm_button,
    error_callout,
    pager,
    select_field,
    status_badge,
    table,
)
from ..components.forms import row_form
from ..components.i18n import page_title, t
from ..state.admin_services import AdminServicesState
from ..state.base import BaseState
from .registry import page

S = AdminServicesState
STATUSES = ["pending", "active", "suspended", "expired", "cancelled"]
# Button per target status (the allowed ones come from the row's "next" list).
ACTIONS = [("active", "admin.services.to_active", "green"), ("suspended", "admin.services.to_suspended", "orange"),
           ("cancelled", "admin.services.to_cancelled", "red")]


def filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="search", placeholder=t("admin.services.search_placeholder"), default_value=S.search,
                     width=FILTER_WIDTH),
            select_field("status", [("all", "admin.common.all_statuses"),
                                    *[(s, f"admin.status.{s}") for s in STATUSES]], S.status),
            rx.button(rx.icon("search", size=14), t("admin.common.filter"), type="submit"),
            spacing="3", wrap="wrap", align="center",
        ),
        on_submit=S.apply_filters,
    )


def action_button(r, target: str, key: str, color: str) -> rx.Component:
    if target == "cancelled":  # ends the customer's hosting: ask first
        return confirm_button(key, "admin.services.cancel_confirm", S.set_service_status(r["id"].to(int), target),
                              color=color)
    return rx.button(rx.cond((target == "active") & (r["status"] == "pending"), t("admin.services.provision"), t(key)),
                     size="1", variant="soft", color_scheme=color,
                     on_click=S.set_service_status(r["id"].to(int), target))


def actions(r) -> rx.Component:
    return rx.flex(
        *[rx.cond(r["next"].contains(target), action_button(r, target, key, color)) for target, key, color in ACTIONS],
        spacing="1", wrap="wrap", max_width="220px",
    )


def panel_form(r) -> rx.Component:
    return row_form(
        r["id"],
        rx.hstack(
            rx.input(name="panel_url", default_value=r["panel_url"], placeholder="https://panel.example.cm:2083",
                     size="1", width="200px", id="panel-url-" + r["id"]),
            rx.icon_button(rx.icon("save", size=14), size="1", variant="soft", type="submit",
                           aria_label=t("admin.services.save_panel"), id="panel-save-" + r["id"]),
            spacing="1",
        ),
        on_submit=S.set_panel_url,
    )


def service_row(r) -> rx.Component:
    return rx.table.row(
        cell(rx.vstack(rx.text(r["domain"], weight="bold"),
                       rx.link(r["email"], href="/admin/users/" + r["user_id"], size="1"), spacing="0")),
        cell(rx.vstack(rx.text(r["pack"]), rx.text(r["duration"], size="1", color_scheme="gray"), spacing="0")),
        cell(r["expires"], white_space="nowrap"),
        cell(rx.vstack(status_badge(r["status"]), actions(r), spacing="2")),
        cell(panel_form(r)),
    )


@page(route="/admin/services", title=page_title("admin.services.title"), on_load=[BaseState.guard_admin, S.load])
def admin_services() -> rx.Component:
    return admin_page(
        "admin.services.title", filters(), error_callout(S),
        table(["admin.col.domain", "admin.col.pack", "admin.col.expires", "admin.col.status", "admin.col.panel_url"], S.rows, service_row),
        pager(S),
        intro_key="admin.services.intro"
    )
