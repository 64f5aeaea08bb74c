"""Admin services: filter, change status, set the control-panel URL, see each hosting account and its history."""

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


def account_line(r) -> rx.Component:
    """The hosting account under the domain: its state and username, and the way to its history."""
    return rx.hstack(
        rx.cond(r["account_label"] != "",
                rx.badge(r["account_label"], variant="soft", size="1",
                         color_scheme=rx.match(r["account_status"], ("created", "green"), ("failed", "red"),
                                               ("creating", "orange"), "gray"))),
        rx.cond(r["username"] != "", rx.code(r["username"], size="1")),
        row_form(r["id"], rx.button(rx.icon("server", size=12), t("admin.services.account_button"), size="1",
                                    variant="ghost", color_scheme="gray", type="submit",
                                    id="account-history-" + r["id"], class_name="account-history"),
                 on_submit=S.open_account),
        spacing="2", align="center", wrap="wrap",
    )


def info(key: str, value) -> rx.Component:
    return rx.hstack(rx.text(t(key), color_scheme="gray", size="2", min_width="150px"),
                     rx.text(value, size="2", weight="medium", word_break="break-all"), spacing="3", wrap="wrap")


def event_item(e) -> rx.Component:
    return rx.el.li(
        rx.vstack(
            rx.hstack(rx.text(e["when"], size="1", color_scheme="gray", white_space="nowrap"),
                      rx.text(e["action"], size="2", weight="medium"),
                      rx.badge(e["outcome_label"], variant="soft",
                               color_scheme=rx.match(e["outcome"], ("ok", "green"), ("unknown", "orange"), "red")),
                      rx.text(e["duration"], size="1", color_scheme="gray"),
                      spacing="2", wrap="wrap", align="center"),
            rx.cond(e["message"] != "", rx.text(e["message"], size="1", color_scheme="gray", word_break="break-all")),
            spacing="1", align="start",
        ),
        class_name="account-event", style={"marginBottom": "0.6em"},
    )


def account_panel() -> rx.Component:
    A = S.account
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.text(A["domain"], word_break="break-all")),
            rx.vstack(
                info("admin.services.server", A["server"]), info("admin.services.username", A["username"]),
                info("admin.services.account_status", A["account_status"]),
                info("admin.services.account_error", A["account_error"]),
                info("admin.services.usage", A["usage"]), info("admin.services.failed_jobs", A["failed_jobs"]),
                row_form(A["id"], rx.hstack(
                    rx.text(t("admin.services.pack"), color_scheme="gray", size="2", min_width="150px"),
                    rx.select.root(
                        rx.select.trigger(min_width="150px"),
                        rx.select.content(rx.foreach(S.pack_options,
                                                     lambda p: rx.select.item(p["name"], value=p["id"]))),
                        name="pack_id", default_value=A["pack_id"], key=A["id"] + "-" + A["pack_id"],
                    ),
                    rx.button(t("admin.services.change_pack"), size="1", variant="soft", type="submit",
                              id="account-change-pack"),
                    spacing="3", align="center", wrap="wrap"), on_submit=S.change_pack),
                rx.heading(t("admin.services.history"), size="4", margin_top="0.5em"),
                rx.cond(S.history.length() > 0,
                        rx.el.ol(rx.foreach(S.history, event_item), id="account-history",
                                 style={"margin": "0", "paddingLeft": "1.2em", "maxHeight": "45vh",
                                        "overflowY": "auto", "width": "100%"}),
                        rx.text(t("admin.services.no_events"), size="2", color_scheme="gray")),
                spacing="2", width="100%",
            ),
            rx.hstack(
                rx.cond(A["can_retry"] == "1",
                        row_form(A["id"], rx.button(rx.icon("rotate-cw", size=14), t("admin.services.retry"),
                                                    color_scheme="orange", type="submit", id="account-retry"),
                                 on_submit=S.retry_provisioning)),
                rx.dialog.close(rx.button(t("admin.services.close"), variant="soft", color_scheme="gray",
                                          id="account-close")),
                justify="end", align="center", margin_top="1em", spacing="3", wrap="wrap",
                class_name="kh-dialog-actions",
            ),
            max_width="680px", id="account-detail",
        ),
        open=S.detail_open, on_open_change=S.set_detail_open,
    )


def service_row(r) -> rx.Component:
    return rx.table.row(
        cell(rx.vstack(rx.text(r["domain"], weight="bold"),
                       rx.link(r["email"], href="/admin/users/" + r["user_id"], size="1"), account_line(r),
                       spacing="1")),
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
        pager(S), account_panel(),
        intro_key="admin.services.intro"
    )
