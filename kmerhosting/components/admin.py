"""Admin page frame (sidebar menu + content) and the small pieces every admin page reuses."""

from __future__ import annotations

import reflex as rx

from ..state.base import BaseState
from ..i18n import texts
from .i18n import by_lang, t
from .layout import layout
from .section_nav import NavItem, section_nav
from .tables import data_table


def _item(icon: str, name: str, href: str) -> NavItem:
    # Ids kept from the first menu: admin-menu-admin, admin-menu-users, ...
    return NavItem(icon, f"admin.menu.{name}", f"admin.tile.{name}", href, f"admin-menu-{href.rsplit('/', 1)[-1]}")


MENU = [
    _item("layout-dashboard", "overview", "/admin"),
    _item("users", "users", "/admin/users"),
    _item("wallet", "credits", "/admin/credits"),
    _item("smartphone", "payments", "/admin/payments"),
    _item("server", "services", "/admin/services"),
    _item("package", "packs", "/admin/packs"),
    _item("hard-drive", "servers", "/admin/servers"),
    _item("chart-column", "stats", "/admin/stats"),
    _item("mail", "mails", "/admin/notifications"),
    _item("history", "audit", "/admin/audit"),
]

STATUS_COLORS = {
    "active": "green", "approved": "green", "sent": "green", "admin": "purple",
    "pending": "amber", "suspended": "orange", "blocked": "red", "rejected": "red", "failed": "red",
    "cancelled": "gray", "expired": "gray", "skipped": "gray", "customer": "blue",
}


def sidebar() -> rx.Component:
    """Tiles on a phone, tabs from 48em, a side menu from 80em."""
    return section_nav(MENU, side=True, title_key="admin.menu.title", aria_label=t("admin.menu.title"),
                       id="admin-menu")


def admin_page(title_key: str, *children: rx.Component, intro_key: str | None = None) -> rx.Component:
    header = [rx.heading(t(title_key), size="7")]
    if intro_key:
        header.append(rx.text(t(intro_key), color_scheme="gray", size="2"))
    # A tab whose account was blocked shows the layout's notice, not the administration.
    return layout(
        rx.cond(
            BaseState.account_blocked,
            rx.fragment(),
            rx.el.div(
                sidebar(),
                rx.vstack(*header, *children, spacing="4", width="100%", min_width="0"),
                # The side menu from 80em only: below that the tables need the width more than the menu.
                display="flex", flex_direction=rx.breakpoints(initial="column", lg="row"), gap="1.25em",
                width="100%", align_items=rx.breakpoints(initial="stretch", lg="start"),
            ),
        ),
    )


def label(value, prefix: str, options) -> rx.Component:
    """A stored code (status, role, kind) shown as its translated word."""
    return rx.match(value, *[(o, t(f"{prefix}.{o}")) for o in options], value)


REQUEST_STATUSES = ("pending", "approved", "rejected", "cancelled")


def request_badge(value) -> rx.Component:
    """A credit request's status, in the words the customer reads too."""
    return status_badge(value, "admin.request_status", REQUEST_STATUSES)


def status_badge(value, prefix: str = "admin.status", options=tuple(STATUS_COLORS)) -> rx.Component:
    return rx.badge(label(value, prefix, options),
                    color_scheme=rx.match(value, *[(k, c) for k, c in STATUS_COLORS.items()], "gray"),
                    variant="soft")


def table(headers: list[str], rows, render_row, empty_key: str = "admin.common.empty") -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        data_table(headers, rows, render_row, size="1"),
        rx.callout(t(empty_key), icon="info", color_scheme="gray", width="100%"),
    )


def cell(*children, **props) -> rx.Component:
    return rx.table.cell(*children, **props)


def pager(state) -> rx.Component:
    return rx.hstack(
        rx.button(rx.icon("chevron-left", size=14), t("admin.common.prev"), size="1", variant="soft",
                  on_click=state.prev_page, disabled=state.page <= 1),
        rx.text(t("admin.common.page"), " ", state.page, " / ", state.pages, " · ", state.total, " ",
                # CLDR plurals: French counts 0 and 1 as "one", English only 1.
                by_lang(rx.cond(state.total <= 1, texts("admin.common.results_one")["fr"], texts("admin.common.results")["fr"]),
                        rx.cond(state.total == 1, texts("admin.common.results_one")["en"], texts("admin.common.results")["en"])),
                size="2", color_scheme="gray"),
        rx.button(t("admin.common.next"), rx.icon("chevron-right", size=14), size="1", variant="soft",
                  on_click=state.next_page, disabled=state.page >= state.pages),
        spacing="3", align="center", wrap="wrap",
    )


# A filter's search box: the whole line on a phone, a fixed width beside the selects from 48em.
FILTER_WIDTH = rx.breakpoints(initial="100%", sm="280px")


def select_field(name: str, options: list[tuple[str, str]], value, **props) -> rx.Component:
    """A named select for forms; options are (value, translation key)."""
    return rx.select.root(
        rx.select.trigger(min_width="150px"),
        rx.select.content(*[rx.select.item(t(key), value=v) for v, key in options]),
        name=name, default_value=value, **props,
    )


def error_callout(state) -> rx.Component:
    return rx.cond(state.error != "", rx.callout(state.error, icon="triangle-alert", color_scheme="red",
                                                 width="100%", id="admin-error"))


def field(label_key: str, control: rx.Component, width: str = "100%") -> rx.Component:
    return rx.vstack(rx.text(t(label_key), size="2", weight="medium"), control, spacing="1", width=width)


def confirm_button(label_key: str, question_key: str, on_confirm, color: str = "red", **props) -> rx.Component:
    """A button that asks before an action that is hard to undo (block, cancel, delete)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(t(label_key), size="1", variant="soft", color_scheme=color,
                                          class_name="confirm-trigger", **props)),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t(label_key)),
            rx.alert_dialog.description(t(question_key)),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("admin.common.cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(t(label_key), color_scheme=color, on_click=on_confirm,
                                                 class_name="confirm-action")),
                spacing="3", justify="end", margin_top="1em", wrap="wrap", class_name="kh-dialog-actions",
            ),
            max_width="420px", size=rx.breakpoints(initial="2", xs="3"),
        ),
    )
