"""Admin credits: add or correct a balance, decide credit requests."""

import reflex as rx

from ..components.admin import (
    REQUEST_STATUSES,
    admin_page,
    cell,
    error_callout,
    field,
    label,
    pager,
    request_badge,
    table,
)
from ..components.forms import row_form
from ..components.i18n import page_title, t
from ..state.admin_credits import AdminCreditsState
from ..state.base import BaseState
from .registry import page

S = AdminCreditsState
METHODS = ["mtn_momo", "orange_money", "bank_transfer", "cash"]


def add_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(t("admin.credits.add_title"), size="4"),
                rx.text(t("admin.credits.add_help"), size="2", color_scheme="gray"),
                rx.grid(
                    field("admin.credits.user", rx.input(name="user", placeholder=t("admin.credits.user_placeholder"),
                                                         required=True, id="credit-user", width="100%")),
                    field("admin.credits.amount", rx.input(name="amount", placeholder="10000", required=True,
                                                           input_mode="numeric", id="credit-amount", width="100%")),
                    field("admin.credits.mode", rx.radio_group.root(
                        rx.hstack(
                            rx.radio_group.item(value="credit", id="mode-credit"), rx.text(t("admin.credits.mode_credit"), size="2"),
                            rx.radio_group.item(value="adjustment", id="mode-adjustment"),
                            rx.text(t("admin.credits.mode_adjustment"), size="2"),
                            spacing="2", align="center",
                        ),
                        name="mode", default_value="credit")),
                    columns=rx.breakpoints(initial="1", md="3"), spacing="3", width="100%",
                ),
                field("admin.credits.reason", rx.input(name="reason", placeholder=t("admin.credits.reason_placeholder"),
                                                       required=True, id="credit-reason", width="100%")),
                rx.button(rx.icon("plus", size=14), t("admin.credits.submit"), type="submit", id="credit-submit"),
                spacing="3", width="100%",
            ),
            on_submit=S.add_credits, reset_on_submit=False, key=S.form_key,
        ),
        width="100%",
    )


def decide_cell(r) -> rx.Component:
    return rx.cond(
        r["status"] == "pending",
        row_form(
            r["id"],
            rx.vstack(
                rx.input(name="note", placeholder=t("admin.credits.note_placeholder"), size="1", width="100%",
                         id="note-" + r["id"]),
                rx.hstack(
                    rx.button(rx.icon("check", size=12), t("admin.credits.approve"), size="1", color_scheme="green",
                              type="button", id="approve-" + r["id"], on_click=S.approve(r["id"].to(int), {})),
                    rx.button(rx.icon("x", size=12), t("admin.credits.reject"), size="1", color_scheme="red",
                              variant="soft", type="submit", id="reject-" + r["id"]),
                    spacing="2",
                ),
                spacing="1", min_width="200px",
            ),
            on_submit=S.reject,
        ),
        rx.vstack(rx.text(r["decided"], size="1"), rx.text(r["note"], size="1", color_scheme="gray"), spacing="0"),
    )


def request_row(r) -> rx.Component:
    return rx.table.row(
        cell(r["when"], white_space="nowrap"),
        cell(rx.vstack(rx.link(r["email"], href="/admin/users/" + r["user_id"]),
                       rx.text(r["name"], size="1", color_scheme="gray"), spacing="0")),
        cell(rx.text(r["amount"], weight="bold"), white_space="nowrap"),
        cell(rx.vstack(label(r["method"], "admin.method", METHODS),
                       rx.code(r["reference"], size="1"), spacing="1")),
        cell(request_badge(r["status"])),
        cell(decide_cell(r)),
    )


def status_tabs() -> rx.Component:
    return rx.hstack(
        *[rx.button(t(f"admin.request_status.{s}"), size="1",
                    variant=rx.cond(S.request_status == s, "solid", "soft"), on_click=S.show_status(s))
          for s in REQUEST_STATUSES],
        spacing="2", wrap="wrap",
    )


@page(route="/admin/credits", title=page_title("admin.credits.title"), on_load=[BaseState.guard_admin, S.load])
def admin_credits() -> rx.Component:
    return admin_page(
        "admin.credits.title",
        error_callout(S),
        add_form(),
        rx.heading(t("admin.credits.requests_title"), size="5"),
        status_tabs(),
        table(["admin.col.when", "admin.col.user", "admin.col.amount", "admin.col.payment",
               "admin.col.status", "admin.col.decision"], S.requests, request_row, "admin.credits.no_requests"),
        pager(S),
        intro_key="admin.credits.intro"
    )
