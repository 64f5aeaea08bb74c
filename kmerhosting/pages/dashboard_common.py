"""The frame shared by the customer pages: a heading and the tabs of the customer area."""

from __future__ import annotations

import reflex as rx

from ..components.i18n import t
from ..components.layout import layout

TABS = [
    ("layout-dashboard", "dashboard.nav_overview", "/dashboard"),
    ("server", "dashboard.nav_services", "/dashboard/services"),
    ("wallet", "dashboard.nav_billing", "/dashboard/billing"),
    ("globe", "dashboard.nav_domains", "/dashboard/domains"),
    ("settings", "dashboard.nav_settings", "/dashboard/settings"),
]


def tab(icon: str, key: str, href: str, current: str) -> rx.Component:
    active = href == current
    return rx.link(
        rx.button(rx.icon(icon, size=16), t(key), variant="soft" if active else "ghost",
                  color_scheme="green" if active else "gray", size="2", style={"margin": "0"}),
        href=href, underline="none",
    )


def dashboard_frame(current: str, title_key: str, *children: rx.Component) -> rx.Component:
    return layout(
        rx.vstack(
            rx.hstack(*[tab(icon, key, href, current) for icon, key, href in TABS], spacing="2", wrap="wrap",
                      padding_bottom="0.5em", border_bottom=f"1px solid {rx.color('gray', 5)}", width="100%"),
            rx.heading(t(title_key), size="7", padding_top="0.5em"),
            *children,
            spacing="4", width="100%", align="stretch", class_name="dashboard-frame",
        )
    )


def error_callout(message: rx.Var) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon="triangle_alert", color_scheme="red", role="alert",
                                             width="100%"))


def success_callout(message: rx.Var) -> rx.Component:
    return rx.cond(message != "", rx.callout(message, icon="circle_check", color_scheme="green", role="status",
                                             width="100%"))
