"""Admin logs: the e-mail log (with resend) and the audit trail."""

import reflex as rx

from ..components.admin import (
    FILTER_WIDTH,
    admin_page,
    cell,
    error_callout,
    pager,
    select_field,
    status_badge,
    table,
)
from ..components.i18n import t
from ..state.admin_logs import AdminAuditState, AdminMailsState
from ..state.base import BaseState
from .registry import page

M = AdminMailsState
A = AdminAuditState


def mail_filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="recipient", placeholder=t("admin.mails.recipient_placeholder"), default_value=M.recipient,
                     width=FILTER_WIDTH),
            select_field("status", [("all", "admin.common.all_statuses"),
                                    *[(s, f"admin.status.{s}") for s in ("sent", "failed", "pending", "skipped")]],
                         M.status),
            rx.select.root(
                rx.select.trigger(min_width="150px"),
                rx.select.content(rx.foreach(M.kinds, lambda k: rx.select.item(
                    rx.cond(k == "all", t("admin.mails.all_kinds"), k), value=k))),
                name="kind", default_value=M.kind,
            ),
            rx.button(rx.icon("search", size=14), t("admin.common.filter"), type="submit"),
            spacing="3", wrap="wrap", align="center",
        ),
        on_submit=M.apply_filters,
    )


def mail_row(m) -> rx.Component:
    return rx.table.row(
        cell(m["when"], white_space="nowrap"),
        cell(rx.vstack(rx.text(m["recipient"]), rx.text(m["subject"], size="1", color_scheme="gray"), spacing="0")),
        cell(rx.vstack(rx.code(m["kind"], size="1"),
                       rx.cond(m["service"] != "", rx.text(m["service"], size="1")),
                       rx.cond(m["threshold"] != "", rx.text(t("admin.mails.threshold"), " ", m["threshold"], size="1",
                                                             color_scheme="gray")),
                       spacing="1")),
        cell(rx.vstack(status_badge(m["status"]),
                       rx.cond(m["status"] == "failed",
                               rx.button(rx.icon("send", size=12), t("admin.mails.resend"), size="1", variant="soft",
                                         on_click=M.resend(m["id"].to(int)), id="resend-" + m["id"])),
                       spacing="2")),
        cell(rx.text(m["error"], size="1", color_scheme="red"), max_width="280px"),
    )


@page(route="/admin/notifications", title="Admin · E-mails", on_load=[BaseState.guard_admin, M.load])
def admin_notifications() -> rx.Component:
    return admin_page(
        "admin.mails.title", mail_filters(), error_callout(M),
        table(["admin.col.when", "admin.col.recipient", "admin.col.kind", "admin.col.status", "admin.col.error"],
              M.rows, mail_row),
        pager(M),
        intro_key="admin.mails.intro", state=M,
    )


def audit_filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="action", placeholder=t("admin.audit.action_placeholder"), default_value=A.action,
                     width=FILTER_WIDTH),
            select_field("target_type", [("all", "admin.audit.all_targets"), ("user", "admin.audit.t_user"),
                                         ("credit_request", "admin.audit.t_credit_request"),
                                         ("service", "admin.audit.t_service"), ("pack", "admin.audit.t_pack"),
                                         ("notification", "admin.audit.t_notification")],
                         rx.cond(A.target_type == "", "all", A.target_type)),
            rx.button(rx.icon("search", size=14), t("admin.common.filter"), type="submit"),
            spacing="3", wrap="wrap", align="center",
        ),
        on_submit=A.apply_filters,
    )


def audit_row(a) -> rx.Component:
    return rx.table.row(
        cell(a["when"], white_space="nowrap"), cell(a["actor"]), cell(rx.code(a["action"])), cell(a["target"]),
        cell(rx.text(a["before"], size="1", font_family="monospace"), max_width="280px"),
        cell(rx.text(a["after"], size="1", font_family="monospace"), max_width="280px"),
    )


@page(route="/admin/audit", title="Admin · Journal d'audit", on_load=[BaseState.guard_admin, A.load])
def admin_audit() -> rx.Component:
    return admin_page(
        "admin.audit.title", audit_filters(), error_callout(A),
        table(["admin.col.when", "admin.col.actor", "admin.col.action", "admin.col.target", "admin.col.before",
               "admin.col.after"], A.rows, audit_row),
        pager(A),
        intro_key="admin.audit.intro", state=A,
    )
