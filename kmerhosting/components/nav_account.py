"""The header's account links, aware of the login (NavState is refreshed on every page).

The desktop header and the phone menu show the same links; the menu's copies carry a `drawer-` id
prefix so each id stays unique on the page.
"""

import reflex as rx

from ..state.auth import NavState
from ..state.base import BaseState
from .i18n import t

# A tab whose login ended because the account was blocked shows the visitor's links again.
LOGGED_IN = NavState.logged_in & ~BaseState.account_blocked


def logged_in_links() -> rx.Component:
    return rx.hstack(
        rx.cond(NavState.is_admin, rx.link(t("nav.admin"), href="/admin", color="inherit", id="nav-admin")),
        rx.link(t("nav.dashboard"), href="/dashboard", color="inherit", id="nav-dashboard",
                title=NavState.display_name, white_space="nowrap"),
        rx.button(t("nav.logout"), size="2", variant="soft", on_click=NavState.logout, id="nav-logout"),
        spacing="4", align="center",
    )


def anonymous_links() -> rx.Component:
    return rx.hstack(
        rx.link(t("nav.login"), href="/auth/login", color="inherit", id="nav-login"),
        rx.link(rx.button(t("nav.register"), size="2"), href="/auth/register", id="nav-register"),
        spacing="4", align="center",
    )


def render() -> rx.Component:
    return rx.hstack(
        rx.link(t("nav.cart"), href="/cart", color="inherit", id="nav-cart"),
        rx.cond(LOGGED_IN, logged_in_links(), anonymous_links()),
        spacing="4", align="center", on_mount=NavState.refresh,
    )


def drawer_links(drawer_link) -> rx.Component:
    """The account part of the phone menu; `drawer_link(icon, key, href, id)` draws one closing link."""
    return rx.cond(
        LOGGED_IN,
        rx.vstack(
            rx.text(NavState.display_name, size="2", color_scheme="gray", weight="medium", padding_top="0.4em",
                    class_name="drawer-user-name"),
            rx.cond(NavState.is_admin, drawer_link("shield", "nav.admin", "/admin", "drawer-nav-admin")),
            drawer_link("layout-dashboard", "nav.dashboard", "/dashboard", "drawer-nav-dashboard"),
            rx.drawer.close(
                rx.button(rx.icon("log-out", size=16), t("nav.logout"), variant="soft", size="3", width="100%",
                          on_click=NavState.logout, id="drawer-nav-logout", margin_y="0.4em"),
            ),
            spacing="0", width="100%",
        ),
        rx.vstack(
            drawer_link("log-in", "nav.login", "/auth/login", "drawer-nav-login"),
            rx.drawer.close(
                rx.link(rx.button(t("nav.register"), size="3", width="100%"), href="/auth/register",
                        id="drawer-nav-register", width="100%", margin_y="0.4em"),
            ),
            spacing="0", width="100%",
        ),
    )


def verify_banner() -> rx.Component:
    """For pages where buying happens: says the e-mail is unverified, with the resend link."""
    return rx.cond(
        NavState.logged_in & ~NavState.email_verified,
        rx.callout(
            rx.hstack(t("accounts.unverified_banner"),
                      rx.link(t("accounts.verify_now"), href="/auth/verify-email", id="verify-link"),
                      spacing="2", wrap="wrap"),
            icon="mail-warning", color_scheme="orange", width="100%",
        ),
    )
