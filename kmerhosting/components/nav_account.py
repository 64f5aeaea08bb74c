"""The navbar's account links. The accounts issue makes this aware of the login."""

import reflex as rx

from .i18n import t


def render() -> rx.Component:
    return rx.hstack(
        rx.link(t("nav.cart"), href="/cart", color="inherit"),
        rx.link(t("nav.login"), href="/auth/login", color="inherit"),
        rx.link(rx.button(t("nav.register"), size="2"), href="/auth/register"),
        spacing="4", align="center",
    )
