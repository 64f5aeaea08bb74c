import reflex as rx

from ..components.i18n import page_title, t
from ..components.layout import CARD_SIZE
from ..state.base import BaseState
from ..state.dashboard import DashboardState
from .dashboard_common import dashboard_frame
from .registry import page


def stat_card(icon: str, label_key: str, value, detail, action=None) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon(icon, size=18, color=rx.color("green", 9)), rx.text(t(label_key), size="2",
                      color_scheme="gray"), align="center", spacing="2"),
            value,
            detail,
            *([action] if action is not None else []),
            spacing="2", align="start",
        ),
        size=CARD_SIZE, width="100%",
    )


def balance_card() -> rx.Component:
    return stat_card(
        "wallet", "dashboard.balance",
        rx.heading(DashboardState.balance_text, size="7", id="overview-balance"),
        # Pressed by the page's own timer (state/dashboard_billing.BALANCE_WATCH_JS).
        rx.el.button(on_click=DashboardState.refresh_balance, id="balance-refresh", type="button", hidden=True,
                     aria_hidden="true", tab_index=-1),
        rx.link(rx.button(rx.icon("plus", size=16), t("dashboard.top_up"), size="2", variant="soft"),
                href="/dashboard/billing"),
    )


def next_expiry_card() -> rx.Component:
    return stat_card(
        "calendar-clock", "dashboard.next_expiry",
        rx.cond(DashboardState.next_domain != "",
                rx.heading(DashboardState.next_domain, size="5"),
                rx.text(t("dashboard.no_services"))),
        rx.cond(DashboardState.next_domain != "",
                rx.vstack(rx.text(DashboardState.next_date, size="3"),
                          rx.text(DashboardState.next_days, size="2",
                                  color_scheme="gray"), spacing="1")),
        rx.link(rx.button(t("dashboard.nav_services"), size="2", variant="soft"), href="/dashboard/services"),
    )


def services_card() -> rx.Component:
    return stat_card(
        "server", "dashboard.services_count",
        rx.heading(DashboardState.services_total, size="7"),
        rx.cond(DashboardState.attention > 0,
                rx.badge(rx.icon("bell-ring", size=14),
                         DashboardState.detail, color_scheme="orange", size="2"),
                rx.text(DashboardState.detail, color_scheme="gray", size="2")),
    )


def shortcut(icon: str, key: str, href: str) -> rx.Component:
    return rx.link(
        rx.card(rx.hstack(rx.icon(icon, size=20, color=rx.color("green", 9)), rx.text(t(key), weight="medium"),
                          rx.spacer(), rx.icon("chevron-right", size=16), align="center", spacing="3"),
                width="100%"),
        href=href, underline="none", color="inherit", width="100%",
    )


@page(route="/dashboard", title=page_title("dashboard.title"), on_load=[BaseState.guard_customer, DashboardState.load])
def dashboard_overview() -> rx.Component:
    return dashboard_frame(
        "dashboard.title",
        rx.text(DashboardState.hello, size="4"),
        rx.grid(balance_card(), next_expiry_card(), services_card(),
                columns=rx.breakpoints(initial="1", md="3"), spacing="4", width="100%"),
        rx.heading(t("dashboard.shortcuts"), size="4", padding_top="1em"),
        rx.grid(
            shortcut("server", "dashboard.nav_services", "/dashboard/services"),
            shortcut("wallet", "dashboard.nav_billing", "/dashboard/billing"),
            shortcut("globe", "dashboard.nav_domains", "/dashboard/domains"),
            shortcut("shopping-cart", "dashboard.nav_shop", "/hosting"),
            shortcut("settings", "dashboard.nav_settings", "/dashboard/settings"),
            columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="3", width="100%",
        ),
    )
