"""The shared page frame: navbar, content, footer."""

from __future__ import annotations

import datetime as _dt

import reflex as rx

from ..config import get_settings
from ..state.base import BaseState
from .i18n import t

# Extra navbar items (e.g. the account menu) are provided by the accounts state when it exists.
NAV_LINKS = [("nav.hosting", "/hosting"), ("nav.domains", "/domains")]


def language_switch() -> rx.Component:
    return rx.hstack(
        rx.button("FR", size="1", variant=rx.cond(BaseState.lang == "fr", "solid", "soft"),
                  on_click=BaseState.set_language("fr"), id="lang-fr", aria_label="Français"),
        rx.button("EN", size="1", variant=rx.cond(BaseState.lang == "en", "solid", "soft"),
                  on_click=BaseState.set_language("en"), id="lang-en", aria_label="English"),
        spacing="1",
    )


def account_links() -> rx.Component:
    """Replaced by the accounts module's menu (login state aware) once it is registered."""
    from . import nav_account

    return nav_account.render()


def navbar() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.link(
                rx.hstack(
                    rx.icon("server", size=22, color=rx.color("green", 9)),
                    rx.heading("KmerHosting", size="5", weight="bold"),
                    align="center", spacing="2",
                ),
                href="/", underline="none", color="inherit",
            ),
            rx.hstack(
                *[rx.link(t(key), href=href, color="inherit", weight="medium") for key, href in NAV_LINKS],
                spacing="5", display=["none", "none", "flex"],
            ),
            rx.spacer(),
            rx.hstack(account_links(), language_switch(), spacing="4", align="center"),
            align="center", spacing="6", width="100%", max_width="1200px", margin="0 auto",
            padding_x="1.5em", padding_y="0.9em",
        ),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background_color=rx.color("gray", 1),
        position="sticky", top="0", z_index="10", width="100%",
    )


def footer() -> rx.Component:
    settings = get_settings()
    return rx.box(
        rx.vstack(
            rx.hstack(rx.icon("server", size=18), rx.text("KmerHosting", weight="bold"), spacing="2"),
            rx.text(t("footer.about"), size="2", color_scheme="gray", max_width="640px"),
            rx.text(t("footer.contact"), size="2", color_scheme="gray"),
            *([rx.badge(t("footer.sandbox_registrar"), color_scheme="orange", variant="soft")]
              if settings.registrar == "sandbox" else []),
            rx.text(f"© {_dt.date.today().year} KmerHosting. ", t("footer.rights"), size="1",
                    color_scheme="gray"),
            spacing="2", max_width="1200px", margin="0 auto", padding="2em 1.5em",
        ),
        border_top=f"1px solid {rx.color('gray', 5)}",
        background_color=rx.color("gray", 2),
        width="100%", margin_top="4em",
    )


def layout(*children: rx.Component, **props) -> rx.Component:
    return rx.box(
        navbar(),
        rx.box(*children, max_width="1200px", margin="0 auto", padding_x="1.5em", padding_top="2em",
               min_height="70vh", width="100%", **props),
        footer(),
        width="100%",
    )
