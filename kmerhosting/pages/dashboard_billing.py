import reflex as rx

from ..components.i18n import page_title, t
from ..components.layout import CARD_SIZE
from ..components.tables import data_table
from ..models import PaymentMethod
from ..state.base import BaseState
from ..state.dashboard_billing import BillingState
from ..state.dashboard_views import LedgerRow, PaymentRow, RequestRow
from .dashboard_common import dashboard_frame, error_callout
from .registry import page

REQUEST_COLOURS = {"pending": "amber", "approved": "green", "rejected": "red", "cancelled": "gray"}
PAYMENT_COLOURS = {"created": "amber", "pending": "amber", "complete": "green", "failed": "red",
                   "canceled": "gray", "expired": "gray", "flagged": "orange"}


def balance_header() -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(rx.text(t("dashboard.balance"), size="2", color_scheme="gray"),
                      rx.heading(BillingState.balance_text, size="8",
                                 id="billing-balance", white_space="nowrap"), spacing="1"),
            rx.spacer(),
            rx.button(rx.icon("download", size=16), t("dashboard.download_csv"), variant="outline",
                      on_click=BillingState.download_csv, id="download-csv"),
            # Pressed by the page's own timer (BALANCE_WATCH_JS): the balance follows other tabs.
            rx.el.button(on_click=BillingState.refresh_balance, id="balance-refresh", type="button",
                         hidden=True, aria_hidden="true", tab_index=-1),
            align=rx.breakpoints(initial="start", sm="center"), width="100%", spacing="3",
            direction=rx.breakpoints(initial="column", sm="row"),
        ),
        size=CARD_SIZE, width="100%",
    )


def ledger_line(row: LedgerRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.date, white_space="nowrap"),
        rx.table.cell(row.kind),
        rx.table.cell(rx.text(row.amount, weight="medium",
                              color=rx.cond(row.is_credit, rx.color("green", 11), rx.color("red", 11))),
                      text_align="right", white_space="nowrap"),
        rx.table.cell(row.balance, text_align="right", white_space="nowrap"),
        rx.table.cell(rx.cond(row.link != "", rx.link(row.reference, href=row.link), rx.text(row.reference))),
    )


def ledger_table() -> rx.Component:
    pager = rx.hstack(
        rx.button(rx.icon("chevron-left", size=16), t("dashboard.previous"), variant="soft", size="1",
                  disabled=BillingState.page <= 1, on_click=BillingState.previous_page),
        rx.text(BillingState.page_label, size="2", color_scheme="gray"),
        rx.button(t("dashboard.next"), rx.icon("chevron-right", size=16), variant="soft", size="1",
                  disabled=BillingState.page >= BillingState.pages, on_click=BillingState.next_page),
        align="center", spacing="3", justify="end", width="100%", wrap="wrap",
    )
    columns = ["dashboard.col_date", "dashboard.col_kind", "dashboard.col_amount", "dashboard.col_balance_after",
               "dashboard.col_reference"]
    return rx.vstack(
        rx.heading(t("dashboard.ledger_title"), size="5"),
        rx.cond(BillingState.rows.length() > 0,
                rx.vstack(data_table(columns, BillingState.rows, ledger_line, right=(2, 3), id="ledger"),
                          pager, width="100%"),
                rx.text(t("dashboard.ledger_empty"), color_scheme="gray")),
        spacing="3", width="100%",
    )


def operator_item(operator: str) -> rx.Component:
    return rx.select.item(t(f"display.operator_{operator}"), value=operator)


def topup_status_panel() -> rx.Component:
    waiting = (BillingState.topup_status == "created") | (BillingState.topup_status == "pending")
    return rx.callout.root(
        rx.callout.icon(rx.cond(waiting, rx.spinner(size="2"),
                                rx.cond(BillingState.topup_status == "complete", rx.icon("circle_check"),
                                        rx.icon("circle_x")))),
        rx.vstack(
            rx.text(BillingState.topup_message, weight="bold", id="topup-message"),
            rx.cond(BillingState.topup_detail != "", rx.text(BillingState.topup_detail, size="2")),
            rx.cond(BillingState.topup_redirect != "",
                    rx.link(t("payment.hosted_page"), href=BillingState.topup_redirect, is_external=True,
                            size="2", id="topup-hosted")),
            rx.cond(~waiting, rx.button(rx.icon("rotate_ccw", size=14), t("payment.new"), size="2",
                                        variant="soft", on_click=BillingState.new_topup, id="topup-new")),
            spacing="2", align="start",
        ),
        color_scheme=rx.match(BillingState.topup_status, *PAYMENT_COLOURS.items(), "gray"),
        role="status", aria_live="polite", width="100%", id="topup-status",
    )


def topup_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(t("payment.amount_label"), size="2", weight="medium", as_="label", html_for="topup-amount"),
            rx.input(name="amount", id="topup-amount", input_mode="numeric", placeholder="10000", width="100%",
                     size="3", required=True),
            rx.text(BillingState.topup_limits, size="1", color_scheme="gray"),
            rx.text(t("payment.operator_label"), size="2", weight="medium"),
            rx.select.root(
                rx.select.trigger(width="100%", id="topup-operator"),
                rx.select.content(*[operator_item(o) for o in ("mtn", "orange")]),
                value=BillingState.topup_operator, on_change=BillingState.set_topup_operator, size="3",
            ),
            rx.text(t("payment.phone_label"), size="2", weight="medium", as_="label", html_for="topup-phone"),
            rx.input(name="phone", id="topup-phone", type="tel", input_mode="tel", auto_complete="tel",
                     default_value=BillingState.topup_phone, placeholder=t("payment.phone_placeholder"),
                     width="100%", size="3", max_length=24, required=True),
            error_callout(BillingState.topup_error),
            rx.button(rx.icon("smartphone", size=16), t("payment.submit"), type="submit", id="topup-submit",
                      size="3", width="100%"),
            spacing="2", width="100%", align="stretch",
        ),
        on_submit=BillingState.start_topup, reset_on_submit=False, key=BillingState.topup_key,
    )


def topup_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("payment.title"), size="5"),
            rx.text(t("payment.intro"), size="2", color_scheme="gray"),
            rx.cond(BillingState.sandbox_gateway,
                    rx.callout.root(
                        rx.callout.icon(rx.icon("flask_conical")),
                        rx.callout.text(rx.text.strong(t("payment.sandbox_title")), " · ", t("payment.sandbox_note")),
                        color_scheme="iris", size="1", width="100%", id="sandbox-note")),
            rx.cond(BillingState.topup_status != "", topup_status_panel(), topup_form()),
            spacing="3", width="100%",
        ),
        size=CARD_SIZE, width="100%", id="topup",
    )


def payment_line(row: PaymentRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.date, white_space="nowrap"),
        rx.table.cell(rx.vstack(
            rx.text(row.amount, weight="bold", white_space="nowrap"),
            rx.text(row.operator, " · ", rx.text(row.phone, as_="span", white_space="nowrap"), size="1",
                    color_scheme="gray"),
            spacing="0", align=rx.breakpoints(initial="end", sm="start"),
        )),
        rx.table.cell(rx.badge(row.status_text, color_scheme=rx.match(row.status, *PAYMENT_COLOURS.items(), "gray"))),
    )


def payments_table() -> rx.Component:
    columns = ["payment.col_date", "payment.col_amount", "payment.col_status"]
    return rx.vstack(
        rx.heading(t("payment.recent_title"), size="5"),
        rx.cond(BillingState.payment_rows.length() > 0,
                data_table(columns, BillingState.payment_rows, payment_line, id="payments"),
                rx.text(t("payment.recent_empty"), color_scheme="gray")),
        spacing="3", width="100%",
    )


def method_item(method: PaymentMethod) -> rx.Component:
    return rx.select.item(t(f"dashboard.method_{method.value}"), value=method.value)


def request_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(t("dashboard.request_title"), size="5"),
                rx.text(t("dashboard.request_help"), size="2", color_scheme="gray"),
                rx.text(t("dashboard.request_amount"), size="2", weight="medium", as_="label"),
                rx.input(name="amount", id="request-amount", input_mode="numeric", placeholder="25000",
                         width="100%"),
                rx.text(BillingState.limits, size="1", color_scheme="gray"),
                rx.text(t("dashboard.request_method"), size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(width="100%", id="request-method"),
                    rx.select.content(*[method_item(m) for m in PaymentMethod]),
                    value=BillingState.form_method, on_change=BillingState.set_form_method,
                ),
                rx.text(t("dashboard.request_reference"), size="2", weight="medium"),
                rx.input(name="reference", id="request-reference", max_length=100, width="100%"),
                rx.text(t("dashboard.request_reference_hint"), size="1", color_scheme="gray"),
                error_callout(BillingState.form_error),
                rx.button(rx.icon("send", size=16), t("dashboard.request_submit"), type="submit",
                          id="request-submit"),
                spacing="2", width="100%", align="stretch",
            ),
            on_submit=BillingState.submit_request, reset_on_submit=False, key=BillingState.form_key,
        ),
        size=CARD_SIZE, width="100%",
    )


def request_line(req: RequestRow) -> rx.Component:
    # Four columns, so the list fits beside the form on a wide screen (and as cards on a phone).
    return rx.table.row(
        rx.table.cell(req.date, white_space="nowrap"),
        rx.table.cell(rx.vstack(
            rx.text(req.amount, weight="bold", white_space="nowrap"),
            rx.text(req.method, " · ",
                    rx.code(req.reference, variant="ghost", class_name="kh-code"), size="1", color_scheme="gray"),
            spacing="0", align=rx.breakpoints(initial="end", sm="start"),
        )),
        rx.table.cell(rx.vstack(
            rx.badge(req.status_text,
                     color_scheme=rx.match(req.status, *REQUEST_COLOURS.items(), "gray")),
            rx.cond(req.note != "", rx.text(req.note, size="1", color_scheme="gray")),
            spacing="1", align=rx.breakpoints(initial="end", sm="start"),
        )),
        rx.table.cell(rx.cond(req.pending,
                              rx.button(rx.icon("x", size=14), t("dashboard.request_cancel"), size="1", variant="soft",
                                        color_scheme="red", white_space="nowrap",
                                        on_click=BillingState.cancel_request(req.id))),
                      text_align="right"),
    )


def requests_table() -> rx.Component:
    columns = ["dashboard.col_date", "dashboard.col_request", "dashboard.col_status", ""]
    return rx.vstack(
        rx.heading(t("dashboard.requests_title"), size="5"),
        rx.cond(BillingState.requests.length() > 0,
                data_table(columns, BillingState.requests, request_line, id="requests"),
                rx.text(t("dashboard.requests_empty"), color_scheme="gray")),
        spacing="3", width="100%",
    )


@page(route="/dashboard/billing", title=page_title("dashboard.billing_title"), on_load=[BaseState.guard_customer, BillingState.load])
def dashboard_billing() -> rx.Component:
    return dashboard_frame(
        "dashboard.billing_title",
        balance_header(),
        rx.grid(
            rx.box(topup_card(), grid_column=rx.breakpoints(initial="auto", lg="span 1"), min_width="0"),
            rx.box(payments_table(), grid_column=rx.breakpoints(initial="auto", lg="span 2"), min_width="0"),
            columns=rx.breakpoints(initial="1", lg="3"), spacing="5", width="100%",
        ),
        rx.grid(
            rx.box(request_form(), grid_column=rx.breakpoints(initial="auto", lg="span 1"), min_width="0"),
            rx.box(requests_table(), grid_column=rx.breakpoints(initial="auto", lg="span 2"), min_width="0"),
            columns=rx.breakpoints(initial="1", lg="3"), spacing="5", width="100%",
        ),
        ledger_table(),
    )
