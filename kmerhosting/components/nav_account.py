"""The navbar's account links, aware of the login (NavState is refreshed on every page)."""

import reflex as rx

from ..state.auth import NavState
from .i18n import t


def logged_in_links() -> rx.Component:
    return rx.hstack(
        rx.cond(NavState.is_admin, rx.link(t("nav.admin"), href="/admin", color="inherit", id="nav-admin")),
        rx.link(t("nav.dashboard"), href="/dashboard", color="inherit", id="nav-dashboard",
                title=NavState.display_name),
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
        rx.link(t("nav.cart"), href="/cart", color="inherit"),
        rx.cond(NavState.logged_in, logged_in_links(), anonymous_links()),
        spacing="4", align="center", on_mount=NavState.refresh,
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
