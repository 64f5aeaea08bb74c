"""Admin servers: where hosting accounts are created, their capacity, and "test the connection"."""

import reflex as rx

from ..components.admin import admin_page, cell, confirm_button, error_callout, field, select_field, table
from ..components.forms import row_form
from ..components.i18n import page_title, t
from ..state.admin_servers import AdminServersState
from ..state.base import BaseState
from .registry import page

S = AdminServersState
PANELS = [("cpanel", "admin.panel.cpanel"), ("plesk", "admin.panel.plesk"), ("directadmin", "admin.panel.directadmin")]


def text_input(name: str, key: str, **props) -> rx.Component:
    return field(key, rx.input(name=name, default_value=S.form[name], id=f"server-{name.replace('_', '-')}",
                               width="100%", **props))


def check(name: str, key: str) -> rx.Component:
    return rx.el.label(rx.hstack(rx.checkbox(name=name, default_checked=S.form[name] == "on",
                                             id=f"server-{name.replace('_', '-')}"),
                                 rx.text(t(key), size="2"), spacing="2", align="center"))


def connection_fields() -> rx.Component:
    """Where the panel is and how to log in: not asked of a test server."""
    return rx.fragment(
        rx.grid(
            text_input("host", "admin.servers.host", placeholder="server1.example.cm"),
            text_input("port", "admin.servers.port", input_mode="numeric"),
            text_input("api_user", "admin.servers.api_user"),
            field("admin.servers.token", rx.vstack(
                # Never pre-filled: the page never has the token; an empty field keeps the stored one.
                rx.input(name="token", type="password", default_value="", auto_complete="new-password",
                         id="server-token", width="100%"),
                rx.cond(S.form_has_token,
                        rx.text(t("admin.servers.token_stored"), size="1", color_scheme="green", id="server-token-stored"),
                        rx.cond(S.editing > 0, rx.text(t("admin.servers.token_missing"), size="1", color_scheme="gray"))),
                spacing="1", width="100%")),
            columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
        ),
        field("admin.servers.ca_pem", rx.vstack(
            rx.text_area(name="ca_pem", default_value=S.form["ca_pem"], id="server-ca-pem", width="100%", rows="4",
                         placeholder="-----BEGIN CERTIFICATE-----", font_family="monospace", font_size="11px"),
            rx.text(t("admin.servers.ca_help"), size="1", color_scheme="gray"), spacing="1", width="100%")),
        check("verify_tls", "admin.servers.verify_tls"),
    )


def server_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing == 0, t("admin.servers.new_title"), t("admin.servers.edit_title"))),
            rx.form(
                rx.vstack(
                    rx.cond(S.form_sandbox, rx.callout(t("admin.servers.sandbox_note"), icon="flask-conical",
                                                       color_scheme="amber", width="100%")),
                    rx.grid(
                        text_input("name", "admin.servers.name", required=True),
                        field("admin.servers.panel", select_field("panel", PANELS, S.form["panel"], id="server-panel")),
                        text_input("capacity", "admin.servers.capacity", input_mode="numeric"),
                        columns=rx.breakpoints(initial="1", sm="3"), spacing="3", width="100%",
                    ),
                    rx.cond(S.form_sandbox, rx.fragment(), connection_fields()),
                    field("admin.servers.nameservers", rx.vstack(
                        rx.input(name="nameservers", default_value=S.form["nameservers"], id="server-nameservers",
                                 placeholder="ns1.example.cm, ns2.example.cm", width="100%"),
                        rx.text(t("admin.servers.nameservers_help"), size="1", color_scheme="gray"),
                        spacing="1", width="100%")),
                    check("active", "admin.servers.active"),
                    rx.hstack(
                        rx.button(t("admin.common.cancel"), type="button", variant="soft", color_scheme="gray",
                                  on_click=S.cancel_edit, id="server-cancel"),
                        rx.button(t("admin.common.save"), type="submit", id="server-save"),
                        spacing="3", justify="end", width="100%", wrap="wrap", class_name="kh-dialog-actions",
                    ),
                    spacing="3", width="100%",
                ),
                on_submit=S.save_server, reset_on_submit=False, key=S.form_key,
            ),
            max_width="680px", id="server-dialog",
        ),
        open=S.editing >= 0, on_open_change=S.set_dialog_open,
    )


def server_cell(s) -> rx.Component:
    return rx.vstack(
        rx.text(s["name"], weight="medium", word_break="break-all"),
        rx.hstack(
            rx.badge(s["panel"], variant="soft", color_scheme="blue"),
            rx.cond(s["sandbox"] == "1", rx.badge(t("admin.servers.sandbox"), variant="soft", color_scheme="amber",
                                                  class_name="server-sandbox")),
            rx.cond(s["active"] == "1", rx.fragment(),
                    rx.badge(t("admin.servers.inactive"), variant="soft", color_scheme="gray")),
            rx.cond(s["full"] == "1", rx.badge(t("admin.servers.full"), variant="soft", color_scheme="orange")),
            spacing="1", wrap="wrap",
        ),
        rx.cond(s["address"] != "", rx.code(s["address"], size="1", word_break="break-all")),
        spacing="1", align="start",
    )


def test_cell(s) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.match(s["test"],
                           ("ok", rx.icon("circle-check", size=16, color="var(--green-9)", flex_shrink="0")),
                           ("failed", rx.icon("circle-x", size=16, color="var(--red-9)", flex_shrink="0")),
                           rx.icon("circle-help", size=16, color="var(--gray-9)", flex_shrink="0")),
                  rx.text(s["test_words"], size="2", class_name="server-test-words"),
                  spacing="1", align="start"),
        rx.cond(s["test_detail"] != "", rx.text(s["test_detail"], size="1", color_scheme="gray", word_break="break-all")),
        rx.cond(s["test_when"] != "", rx.text(s["test_when"], size="1", color_scheme="gray")),
        spacing="1", align="start", max_width="320px", class_name="server-test", data_test=s["test"],
    )


def server_row(s) -> rx.Component:
    return rx.table.row(
        cell(server_cell(s)),
        cell(rx.text(s["used"], white_space="nowrap")),
        cell(rx.text(s["nameservers"], size="1", word_break="break-all")),
        cell(test_cell(s)),
        cell(rx.hstack(
            row_form(s["id"], rx.button(rx.icon("plug-zap", size=12, flex_shrink="0"), t("admin.servers.test"), size="1",
                                        type="submit", loading=S.testing.contains(s["id"]),
                                        id="server-test-" + s["id"], class_name="server-test-button"),
                     on_submit=S.test_server),
            row_form(s["id"], rx.button(t("admin.common.edit"), size="1", variant="soft", type="submit",
                                        id="server-edit-" + s["id"]), on_submit=S.edit_server),
            rx.cond(s["active"] == "1",
                    row_form(s["id"], rx.button(t("admin.servers.deactivate"), size="1", variant="soft",
                                                color_scheme="orange", type="submit"), on_submit=S.deactivate_server),
                    row_form(s["id"], rx.button(t("admin.servers.activate"), size="1", variant="soft",
                                                color_scheme="green", type="submit"), on_submit=S.activate_server)),
            rx.cond(s["unused"] == "1",
                    confirm_button("admin.servers.delete", "admin.servers.delete_confirm", S.delete_server(s["id"]))),
            spacing="1", wrap="wrap",
        )),
        class_name="server-row", data_server=s["name"],
    )


@page(route="/admin/servers", title=page_title("admin.servers.title"), on_load=[BaseState.guard_admin, S.load])
def admin_servers() -> rx.Component:
    return admin_page(
        "admin.servers.title",
        error_callout(S),
        rx.button(rx.icon("plus", size=14), t("admin.servers.new"), on_click=S.new_server, id="server-new"),
        server_dialog(),
        table(["admin.servers.col_server", "admin.servers.col_accounts", "admin.servers.nameservers",
               "admin.servers.col_test", "admin.col.actions"], S.rows, server_row),
        intro_key="admin.servers.intro",
    )
