"""Admin payments: every Mobile Money top-up, its timeline, CSV, and "check now"."""

import reflex as rx

from ..components.admin import FILTER_WIDTH, admin_page, cell, error_callout, pager, select_field, table
from ..components.forms import row_form
from ..components.i18n import page_title, t
from ..state.admin_payments import AdminPaymentsState
from ..state.base import BaseState
from .registry import page

S = AdminPaymentsState
STATUSES = ["created", "pending", "complete", "failed", "canceled", "expired", "flagged"]
COLORS = {"created": "blue", "pending": "amber", "complete": "green", "failed": "red", "canceled": "gray",
          "expired": "gray", "flagged": "orange"}


def payment_badge(status, words) -> rx.Component:
    return rx.badge(rx.cond(status == "flagged", rx.icon("triangle-alert", size=12)), words,
                    color_scheme=rx.match(status, *COLORS.items(), "gray"), variant="soft",
                    class_name="payment-status")


def filters() -> rx.Component:
    return rx.hstack(
        rx.form(
            rx.hstack(
                rx.input(name="search", placeholder=t("admin.payments.search_placeholder"), default_value=S.search,
                         width=FILTER_WIDTH, id="payments-search"),
                select_field("status", [("all", "admin.payments.all_statuses"), ("open", "admin.payments.status_open"),
                                        ("unsuccessful", "admin.payments.status_unsuccessful"),
                                        *[(s, f"display.payment_status_{s}") for s in STATUSES]],
                             S.status, id="payments-status"),
                select_field("operator", [("all", "admin.payments.all_operators"), ("mtn", "display.operator_mtn"),
                                          ("orange", "display.operator_orange")], S.operator, id="payments-operator"),
                select_field("gateway", [("all", "admin.payments.all_gateways"),
                                         *[(g, f"display.gateway_{g}") for g in ("sandbox", "notchpay", "campay")]],
                             S.gateway, id="payments-gateway"),
                rx.button(rx.icon("search", size=14), t("admin.common.filter"), type="submit", id="payments-filter"),
                spacing="3", wrap="wrap", align="center",
            ),
            on_submit=S.apply_filters,
        ),
        rx.button(rx.icon("download", size=14), t("admin.payments.csv"), variant="outline",
                  on_click=S.download_csv, id="payments-csv"),
        spacing="3", wrap="wrap", align="center", justify="between", width="100%",
    )


def check_button(checkable, id_) -> rx.Component:
    return rx.button(rx.icon("refresh-cw", size=12), t("admin.payments.check_now"), size="1", variant="soft",
                     type="submit", disabled=checkable != "1", id=id_, class_name="payment-check")


def payment_row(p) -> rx.Component:
    return rx.table.row(
        cell(p["when"], white_space="nowrap"),
        cell(rx.vstack(rx.text(p["email"], size="2"), rx.text(p["name"], size="1", color_scheme="gray"),
                       rx.text(p["phone"], size="1", white_space="nowrap"), spacing="0")),
        cell(rx.vstack(rx.text(p["amount"], weight="bold", white_space="nowrap"),
                       rx.text(p["operator"], size="1", color_scheme="gray"), spacing="0")),
        cell(payment_badge(p["status"], p["status_label"])),
        cell(rx.vstack(rx.code(p["reference"], size="1"),
                       rx.cond(p["gateway_reference"] != "",
                               rx.text(p["gateway_reference"], size="1", color_scheme="gray", word_break="break-all")),
                       rx.text(p["gateway"], size="1", color_scheme="gray"), spacing="1", max_width="260px")),
        cell(rx.hstack(
            row_form(p["id"], rx.button(rx.icon("list", size=12), t("admin.payments.timeline"), size="1",
                                        variant="soft", color_scheme="gray", type="submit", id="timeline-" + p["id"],
                                        class_name="payment-timeline"),
                     on_submit=S.open_payment),
            row_form(p["id"], check_button(p["checkable"], "check-" + p["id"]), on_submit=S.check_now),
            spacing="2", wrap="wrap")),
        background=rx.cond(p["flagged"] == "1", "var(--orange-a3)", "transparent"),
        class_name=rx.cond(p["flagged"] == "1", "payment-row payment-flagged", "payment-row"),
    )


def info(key: str, value) -> rx.Component:
    return rx.hstack(rx.text(t(key), color_scheme="gray", size="2", min_width="150px"),
                     rx.text(value, size="2", weight="medium", word_break="break-all"), spacing="3", wrap="wrap")


def event_item(e) -> rx.Component:
    return rx.el.li(
        rx.vstack(
            rx.hstack(rx.text(e["when"], size="1", color_scheme="gray", white_space="nowrap"),
                      rx.text(e["source"], size="2", weight="medium"), rx.badge(e["status"], variant="soft"),
                      spacing="2", wrap="wrap", align="center"),
            rx.cond(e["note"] != "", rx.text(e["note"], size="1")),
            rx.cond(e["said"].to(list[str]).length() > 0,
                    rx.el.ul(rx.foreach(e["said"].to(list[str]), lambda line: rx.el.li(
                        rx.text(line, size="1", color_scheme="gray", word_break="break-all"))),
                        style={"margin": "0", "paddingLeft": "1.1em"}),
                    rx.text(t("admin.payments.said_nothing"), size="1", color_scheme="gray")),
            spacing="1", align="start",
        ),
        class_name="payment-event", style={"marginBottom": "0.6em"},
    )


def detail_panel() -> rx.Component:
    P = S.payment
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.hstack(rx.text(P["reference"], word_break="break-all"),
                                      payment_badge(P["status"], P["status_label"]), spacing="2", wrap="wrap",
                                      align="center")),
            rx.vstack(
                rx.cond(P["flagged"] == "1", rx.callout(t("admin.payments.flagged_note"), icon="triangle-alert",
                                                        color_scheme="orange", width="100%")),
                info("admin.payments.customer", P["email"]), info("admin.payments.phone", P["phone"]),
                info("admin.payments.asked", P["amount"]), info("admin.payments.received", P["received"]),
                info("admin.payments.col_operator", P["operator"]), info("admin.payments.gateway", P["gateway"]),
                info("admin.payments.gateway_ref", P["gateway_reference"]),
                info("admin.payments.operator_ref", P["operator_reference"]),
                info("admin.payments.created", P["created"]), info("admin.payments.deadline", P["deadline"]),
                info("admin.payments.checked", P["checked"]), info("admin.payments.completed", P["completed"]),
                info("admin.payments.reason", P["reason"]),
                rx.heading(t("admin.payments.timeline"), size="4", margin_top="0.5em"),
                rx.cond(S.timeline.length() > 0,
                        rx.el.ol(rx.foreach(S.timeline, event_item), id="payment-timeline",
                                 style={"margin": "0", "paddingLeft": "1.2em", "maxHeight": "45vh",
                                        "overflowY": "auto", "width": "100%"}),
                        rx.text(t("admin.payments.no_events"), size="2", color_scheme="gray")),
                spacing="2", width="100%",
            ),
            rx.hstack(
                rx.cond(S.check_waiting, rx.text(t("admin.payments.check_waiting"), size="2", color_scheme="gray",
                                                 id="payment-check-waiting")),
                row_form(P["id"], check_button(P["checkable"], "payment-check-now"), on_submit=S.check_now),
                rx.dialog.close(rx.button(t("admin.payments.close"), variant="soft", color_scheme="gray",
                                          id="payment-close")),
                justify="end", align="center", margin_top="1em", spacing="3", wrap="wrap",
                class_name="kh-dialog-actions",
            ),
            max_width="680px", id="payment-detail",
        ),
        open=S.detail_open, on_open_change=S.set_detail_open,
    )


@page(route="/admin/payments", title=page_title("admin.payments.title"), on_load=[BaseState.guard_admin, S.load])
def admin_payments() -> rx.Component:
    return admin_page(
        "admin.payments.title", filters(), error_callout(S), detail_panel(),
        table(["admin.payments.col_when", "admin.payments.col_customer", "admin.payments.col_amount",
               "admin.payments.col_status", "admin.payments.col_references", "admin.col.actions"],
              S.rows, payment_row),
        pager(S),
        intro_key="admin.payments.intro",  # its texts are computed vars: no reload on a language switch
    )
