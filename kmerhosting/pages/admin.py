"""Admin overview: what needs attention, and the way to every admin page."""

import reflex as rx

from ..components.admin import MENU, admin_page
from ..components.i18n import page_title, t
from ..state.admin import AdminOverviewState
from ..state.base import BaseState
from .registry import page

CARD_KEYS = ["pending_requests", "pending_payments", "flagged_payments", "failed_payments", "failed_mails",
             "failed_panel_jobs", "servers_attention", "pending_services", "active_services", "customers",
             "revenue_30_days", "outstanding"]


def card(item) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.match(item["key"], *[(k, rx.text(t(f"admin.card.{k}"), size="2", color_scheme="gray"))
                                        for k in CARD_KEYS], rx.text(item["key"])),
                rx.heading(item["value"], size="6"),
                spacing="1",
            ),
            width="100%",
        ),
        href=item["href"], underline="none", color="inherit",
    )


def shortcuts() -> rx.Component:
    return rx.grid(
        *[rx.link(rx.card(rx.hstack(rx.icon(item.icon, size=20), rx.text(t(item.key), weight="medium"),
                                    align="center")),
                  href=item.href, underline="none", color="inherit") for item in MENU[1:]],
        columns=rx.breakpoints(initial="1", sm="2", lg="4"), spacing="3", width="100%",
    )


@page(route="/admin", title=page_title("admin.overview.title"), on_load=[BaseState.guard_admin, AdminOverviewState.load])
def admin_overview() -> rx.Component:
    return admin_page(
        "admin.overview.title",
        rx.grid(rx.foreach(AdminOverviewState.cards, card), columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                spacing="3", width="100%"),
        rx.heading(t("admin.overview.shortcuts"), size="4"),
        shortcuts(),
        intro_key="admin.overview.intro"
    )
