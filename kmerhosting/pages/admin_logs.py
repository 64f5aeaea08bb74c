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
from ..components.i18n import page_title, t
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
                rx.select.content(rx.foreach(M.kinds, lambda k: rx.select.item(k["label"], value=k["value"]))),
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
        cell(rx.vstack(rx.text(m["recipient"]), rx.text(m["subject"], size="1", color_scheme="gray", custom_attrs={"lang": m["language"]}), spacing="0")),
        cell(rx.vstack(rx.text(m["kind_label"], size="2"),
                       rx.cond(m["service"] != "", rx.text(m["service"], size="1")),
                       rx.cond(m["threshold"] != "", rx.text(t("admin.mails.threshold"), " ", m["threshold"], size="1",
                                                             color_scheme="gray")),
                       rx.button(rx.icon("eye", size=12), t("admin.mails.view"), size="1", variant="soft",
                                 on_click=M.open_mail(m["id"].to(int)), class_name="mail-view"),
                       spacing="1", align="start")),
        cell(rx.vstack(status_badge(m["status"]),
                       rx.cond(m["status"] == "failed",
                               rx.button(rx.icon("send", size=12), t("admin.mails.resend"), size="1", variant="soft",
                                         on_click=M.resend(m["id"].to(int)), id="resend-" + m["id"])),
                       spacing="2")),
        cell(rx.text(m["error"], size="1", color_scheme="red"), max_width="280px"),
    )


def mail_viewer() -> rx.Component:
    """What one mail said: subject, text, and its HTML drawn in a sandboxed frame (no script, no link)."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(M.mail_subject, id="mail-subject", custom_attrs={"lang": M.mail_language}),
            rx.tabs.root(
                rx.tabs.list(rx.tabs.trigger(t("admin.mails.html"), value="html"),
                             rx.tabs.trigger(t("admin.mails.text"), value="text")),
                rx.tabs.content(rx.el.iframe(src_doc=M.mail_html, sandbox="", title=M.mail_subject,
                                             width="100%", height="360px", id="mail-preview",
                                             style={"border": "1px solid var(--gray-5)", "borderRadius": "6px"}),
                                value="html", padding_top="0.75em"),
                rx.tabs.content(rx.el.pre(M.mail_text, id="mail-text", custom_attrs={"lang": M.mail_language}, white_space="pre-wrap", font_size="13px",
                                          max_height="360px", overflow_y="auto"),
                                value="text", padding_top="0.75em"),
                default_value="html",
            ),
            rx.hstack(rx.dialog.close(rx.button(t("admin.mails.close"), variant="soft", color_scheme="gray")),
                      justify="end", margin_top="1em", class_name="kh-dialog-actions"),
            max_width="640px",
        ),
        open=M.mail_open, on_open_change=M.set_mail_open,
    )


@page(route="/admin/notifications", title=page_title("admin.mails.title"), on_load=[BaseState.guard_admin, M.load])
def admin_notifications() -> rx.Component:
    return admin_page(
        "admin.mails.title", mail_filters(), error_callout(M), mail_viewer(),
        table(["admin.col.when", "admin.col.recipient", "admin.col.kind", "admin.col.status", "admin.col.error"],
              M.rows, mail_row),
        pager(M),
        intro_key="admin.mails.intro",  # its texts are computed vars: no reload on a language switch
    )


def audit_filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="action", placeholder=t("admin.audit.action_placeholder"), default_value=A.action,
                     width=FILTER_WIDTH),
            select_field("target_type", [("all", "admin.audit.all_targets"), ("user", "admin.audit.t_user"),
                                         ("credit_request", "admin.audit.t_credit_request"),
                                         ("service", "admin.audit.t_service"), ("pack", "admin.audit.t_pack"),
                                         ("notification", "admin.audit.t_notification"),
                                         ("payment", "admin.audit.t_payment")],
                         rx.cond(A.target_type == "", "all", A.target_type)),
            rx.button(rx.icon("search", size=14), t("admin.common.filter"), type="submit"),
            spacing="3", wrap="wrap", align="center",
        ),
        on_submit=A.apply_filters,
    )


def audit_row(a) -> rx.Component:
    return rx.table.row(
        cell(a["when"], white_space="nowrap"),
        cell(rx.text(a["what"], class_name="audit-what")),
        cell(rx.el.ul(rx.foreach(a["changes"].to(list[str]), lambda line: rx.el.li(rx.text(line, size="1"))),
                      class_name="audit-changes", style={"margin": "0", "paddingLeft": "1.1em"}),
             max_width="360px"),
    )


@page(route="/admin/audit", title=page_title("admin.audit.title"), on_load=[BaseState.guard_admin, A.load])
def admin_audit() -> rx.Component:
    return admin_page(
        "admin.audit.title", audit_filters(), error_callout(A),
        table(["admin.col.when", "admin.col.action", "admin.audit.changes"], A.rows, audit_row),
        pager(A),
        intro_key="admin.audit.intro",  # its texts are computed vars: no reload on a language switch
    )
