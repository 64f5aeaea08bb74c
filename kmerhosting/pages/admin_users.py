"""Admin users: list with search and filters, and one user's page with their history."""

import reflex as rx

from ..components.admin import (
    FILTER_WIDTH,
    admin_page,
    cell,
    confirm_button,
    error_callout,
    label,
    pager,
    request_badge,
    select_field,
    status_badge,
    table,
)
from ..components.i18n import page_title, t
from ..state.admin_users import AdminUsersState, AdminUserState
from ..state.base import BaseState
from .registry import page

S = AdminUsersState
KINDS = ["credit", "adjustment", "purchase", "domain", "renewal", "refund"]
METHODS = ["mtn_momo", "orange_money", "bank_transfer", "cash"]


def filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="search", placeholder=t("admin.users.search_placeholder"), default_value=S.search,
                     width=FILTER_WIDTH, id="users-search"),
            select_field("status", [("all", "admin.common.all_statuses"), ("active", "admin.status.active"),
                                    ("blocked", "admin.status.blocked")], S.status),
            select_field("role", [("all", "admin.common.all_roles"), ("customer", "admin.status.customer"),
                                  ("admin", "admin.status.admin")], S.role),
            rx.button(rx.icon("search", size=14), t("admin.common.filter"), type="submit"),
            spacing="3", wrap="wrap", align="center",
        ),
        on_submit=S.apply_filters,
    )


def user_row(u) -> rx.Component:
    return rx.table.row(
        cell(rx.link(u["email"], href="/admin/users/" + u["id"])),
        cell(u["name"]),
        cell(status_badge(u["role"])),
        cell(status_badge(u["status"])),
        cell(u["credits"], text_align="right", white_space="nowrap"),
        cell(u["created"], white_space="nowrap"),
        cell(rx.cond(
            u["is_self"] == "1", rx.text(t("admin.users.you"), size="1", color_scheme="gray"),
            rx.cond(u["status"] == "active",
                    confirm_button("admin.users.block", "admin.users.block_confirm",
                                   S.set_user_status(u["id"].to(int), "blocked")),
                    rx.button(t("admin.users.activate"), size="1", color_scheme="green", variant="soft",
                              on_click=S.set_user_status(u["id"].to(int), "active"))),
        )),
    )


@page(route="/admin/users", title=page_title("admin.users.title"), on_load=[BaseState.guard_admin, S.load])
def admin_users() -> rx.Component:
    return admin_page(
        "admin.users.title", filters(), error_callout(S),
        table(["admin.col.email", "admin.col.name", "admin.col.role", "admin.col.status", "admin.col.credits",
               "admin.col.created", "admin.col.actions"], S.rows, user_row),
        pager(S)
    )


U = AdminUserState


def info(key: str, value) -> rx.Component:
    return rx.hstack(rx.text(t(key), color_scheme="gray", size="2", min_width="150px"),
                     rx.text(value, size="2", weight="medium"), spacing="3")


def section(title_key: str, headers: list[str], rows, render) -> rx.Component:
    return rx.vstack(rx.heading(t(title_key), size="4"), table(headers, rows, render), spacing="2", width="100%")


def user_actions() -> rx.Component:
    return rx.cond(
        U.user["is_self"] == "1",
        rx.text(t("admin.user.self_note"), size="2", color_scheme="gray"),
        rx.hstack(
            rx.cond(U.user["status"] == "active",
                    confirm_button("admin.users.block", "admin.users.block_confirm", U.set_user_status("blocked"),
                                   id="user-block"),
                    rx.button(t("admin.users.activate"), color_scheme="green", variant="soft",
                              on_click=U.set_user_status("active"), id="user-activate")),
            rx.cond(U.user["role"] == "admin",
                    rx.button(t("admin.user.make_customer"), variant="outline", on_click=U.set_user_role("customer")),
                    rx.button(t("admin.user.make_admin"), variant="outline", on_click=U.set_user_role("admin"))),
            rx.link(rx.button(t("admin.user.add_credits"), variant="soft"), href="/admin/credits"),
            spacing="3", wrap="wrap",
        ),
    )


@page(route="/admin/users/[uid]", title=page_title("admin.user.title"), on_load=[BaseState.guard_admin, U.load])
def admin_user() -> rx.Component:
    return admin_page(
        "admin.user.title",
        rx.link(rx.hstack(rx.icon("arrow-left", size=14), t("admin.user.back"), align="center"), href="/admin/users"),
        error_callout(U),
        rx.cond(
            U.user.contains("id"),
            rx.vstack(
                rx.card(rx.vstack(
                    rx.heading(U.user["name"], size="5"),
                    info("admin.col.email", U.user["email"]), info("admin.col.phone", U.user["phone"]),
                    info("admin.col.role", status_badge(U.user["role"])),
                    info("admin.col.status", status_badge(U.user["status"])),
                    info("admin.col.credits", U.user["credits"]), info("admin.col.created", U.user["created"]),
                    info("admin.col.last_login", U.user["last_login"]),
                    info("admin.col.verified", U.user["verified"]),
                    user_actions(), spacing="2"), width="100%"),
                section("admin.user.services", ["admin.col.domain", "admin.col.pack", "admin.col.status",
                                                "admin.col.duration", "admin.col.price", "admin.col.expires"],
                        U.services, lambda s: rx.table.row(cell(s["domain"]), cell(s["pack"]),
                                                           cell(status_badge(s["status"])), cell(s["duration"]),
                                                           cell(s["price"]), cell(s["expires"]))),
                section("admin.user.ledger", ["admin.col.when", "admin.col.kind", "admin.col.amount",
                                              "admin.col.balance", "admin.col.description"],
                        U.ledger, lambda r: rx.table.row(cell(r["when"]), cell(label(r["kind"], "admin.kind", KINDS)),
                                                         cell(r["amount"], white_space="nowrap"),
                                                         cell(r["balance"], white_space="nowrap"),
                                                         cell(r["description"]))),
                section("admin.user.requests", ["admin.col.when", "admin.col.amount", "admin.col.method",
                                                "admin.col.reference", "admin.col.status", "admin.col.note"],
                        U.requests, lambda r: rx.table.row(cell(r["when"]), cell(r["amount"]),
                                                           cell(label(r["method"], "admin.method", METHODS)),
                                                           cell(r["reference"]), cell(request_badge(r["status"])),
                                                           cell(r["note"]))),
                # A login keeps the address it came from (for the rate limits), not the browser.
                section("admin.user.logins", ["admin.col.created", "admin.col.ip", "admin.col.revoked"],
                        U.logins, lambda r: rx.table.row(cell(r["created"]), cell(r["ip"]), cell(r["revoked"]))),
                section("admin.user.mails", ["admin.col.when", "admin.col.kind", "admin.col.subject",
                                             "admin.col.status", "admin.col.error"],
                        U.mails, lambda m: rx.table.row(cell(m["when"]), cell(m["kind"]), cell(rx.text(m["subject"], custom_attrs={"lang": m["language"]})),
                                                        cell(status_badge(m["status"])), cell(m["error"]))),
                spacing="5", width="100%",
            ),
        ),
        # its texts are computed vars: no reload on a language switch
    )
