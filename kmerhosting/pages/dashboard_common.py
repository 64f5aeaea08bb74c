"""The frame shared by the customer pages: the menu of the customer area, a heading, the content."""

from __future__ import annotations

import reflex as rx

from ..components.i18n import t
from ..components.layout import layout
from ..components.section_nav import NavItem, section_nav
from ..state.base import BaseState

TABS = [
    NavItem("layout-dashboard", "dashboard.nav_overview", "dashboard.tile_overview", "/dashboard", "tab-overview"),
    NavItem("server", "dashboard.nav_services", "dashboard.tile_services", "/dashboard/services", "tab-services"),
    NavItem("wallet", "dashboard.nav_billing", "dashboard.tile_billing", "/dashboard/billing", "tab-billing"),
    NavItem("globe", "dashboard.nav_domains", "dashboard.tile_domains", "/dashboard/domains", "tab-domains"),
    NavItem("settings", "dashboard.nav_settings", "dashboard.tile_settings", "/dashboard/settings", "tab-settings"),
]


def dashboard_frame(title_key: str, *children: rx.Component) -> rx.Component:
    """The customer area: its menu (which finds the current page from the address), the heading, the content."""
    # A tab whose account was blocked shows the layout's notice, not the customer's area.
    return layout(
        rx.cond(
            BaseState.account_blocked,
            rx.fragment(),
            rx.vstack(
                section_nav(TABS, aria_label=t("dashboard.area_menu"), id="dashboard-tabs"),
                rx.heading(t(title_key), size="7", padding_top="0.25em"),
                *children,
                spacing="4", width="100%", align="stretch", class_name="dashboard-frame",
            ),
        )
    )


def error_callout(message: rx.Var) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon="triangle_alert", color_scheme="red", role="alert",
                                             width="100%"))


def success_callout(message: rx.Var) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon="circle_check", color_scheme="green", role="status",
                                             width="100%"))
