"""The shared page frame: header (with the phone menu), content, footer.

Phone first: below 62em (about 990 px) the header keeps the logo, the language switch and a
menu button; the menu is a drawer that holds every link of the desktop header. Nothing in the frame
is wider than the screen, so the sticky header stays put and dialogs centre on the visible page.
"""

from __future__ import annotations

import datetime as _dt

import reflex as rx

from ..config import get_settings
from ..state.base import BaseState
from .i18n import t

# The main links of the header (icon in the phone menu, translation key, address, element id); the account
# links come from nav_account, which knows whether the visitor is logged in.
NAV_LINKS = [("server", "nav.hosting", "/hosting", "nav-hosting"),
             ("globe", "nav.domains", "/domains", "nav-domains")]
SUPPORT_EMAIL = "support@kmerhosting.cm"
# Cards breathe less on a phone: Radix's card padding 3 (24 px) from 520 px up, 2 (16 px) below.
CARD_SIZE = rx.breakpoints(initial="2", xs="3")


def desktop_only(*children: rx.Component, **props) -> rx.Component:
    return rx.box(*children, display=rx.breakpoints(initial="none", md="flex"), **props)


def phone_only(*children: rx.Component, **props) -> rx.Component:
    return rx.box(*children, display=rx.breakpoints(initial="flex", md="none"), **props)


def language_switch(id_prefix: str = "", size: str = "1") -> rx.Component:
    """FR/EN buttons; the drawer's copy gets its own ids (`drawer-lang-fr`) so the header's stay unique."""
    return rx.hstack(
        rx.button("FR", size=size, variant=rx.cond(BaseState.lang == "fr", "solid", "soft"),
                  on_click=BaseState.set_language("fr"), id=f"{id_prefix}lang-fr", aria_label="Français"),
        rx.button("EN", size=size, variant=rx.cond(BaseState.lang == "en", "solid", "soft"),
                  on_click=BaseState.set_language("en"), id=f"{id_prefix}lang-en", aria_label="English"),
        spacing="1",
    )


def brand() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("server", size=22, color=rx.color("green", 9)),
            # Not a heading: each page's own title is its first heading.
            rx.text("KmerHosting", size="5", weight="bold", white_space="nowrap"),
            align="center", spacing="2",
        ),
        href="/", underline="none", color="inherit", id="nav-home", flex_shrink="0",
    )


def drawer_link(icon: str, key: str, href: str, id_: str) -> rx.Component:
    # drawer.close wraps the link: the menu closes as the page changes.
    return rx.drawer.close(
        rx.link(
            rx.hstack(rx.icon(icon, size=18), rx.text(t(key), size="3", weight="medium"), align="center",
                      spacing="3"),
            href=href, id=id_, color="inherit", underline="none", width="100%", padding_y="0.6em",
        ),
    )


def menu_drawer() -> rx.Component:
    """The phone menu: every link of the desktop header, the account links and the language switch."""
    from . import nav_account

    return rx.drawer.root(
        rx.drawer.trigger(
            rx.icon_button(rx.icon("menu", size=20), variant="soft", color_scheme="gray", size="2", id="nav-menu",
                           aria_label=t("nav.menu")),
        ),
        rx.drawer.overlay(z_index="40"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.vstack(
                    rx.hstack(
                        rx.drawer.title(t("nav.menu")),
                        rx.drawer.close(rx.icon_button(rx.icon("x", size=18), variant="ghost", color_scheme="gray",
                                                       aria_label=t("nav.close_menu"), id="drawer-close")),
                        justify="between", align="center", width="100%",
                    ),
                    rx.drawer.description(t("nav.menu_description"), color=rx.color("gray", 11)),
                    rx.divider(),
                    drawer_link("house", "nav.home", "/", "drawer-nav-home"),
                    *[drawer_link(icon, key, href, f"drawer-{id_}") for icon, key, href, id_ in NAV_LINKS],
                    drawer_link("shopping-cart", "nav.cart", "/cart", "drawer-nav-cart"),
                    rx.divider(),
                    nav_account.drawer_links(drawer_link),
                    rx.divider(),
                    rx.hstack(rx.text(t("nav.language"), size="2", color_scheme="gray"),
                              language_switch("drawer-", size="2"), justify="between", align="center",
                              width="100%"),
                    spacing="1", width="100%",
                ),
                id="nav-drawer", top="0", left="auto", right="0", height="100%", width="min(20em, 85vw)",
                padding="1.25em", overflow_y="auto", background_color=rx.color("gray", 1),
                box_shadow="var(--shadow-5)",
            ),
        ),
        direction="right",
    )


def navbar() -> rx.Component:
    from . import nav_account

    return rx.el.header(
        rx.hstack(
            brand(),
            desktop_only(
                *[rx.link(t(key), href=href, color="inherit", weight="medium", id=id_)
                  for _icon, key, href, id_ in NAV_LINKS],
                gap="1.25em",
            ),
            rx.spacer(),
            desktop_only(nav_account.render(), align_items="center"),
            language_switch(),
            phone_only(menu_drawer()),
            align="center", spacing="4", width="100%", max_width="1200px", margin="0 auto",
            padding_x=["1em", "1em", "1.5em"], padding_y="0.75em",
        ),
        id="site-header", border_bottom=f"1px solid {rx.color('gray', 5)}", background_color=rx.color("gray", 1),
        position="sticky", top="0", z_index="10", width="100%",
    )


def blocked_notice() -> rx.Component:
    """Shown to a tab whose login ended because the account was blocked (instead of a silent logout)."""
    return rx.cond(
        BaseState.account_blocked,
        rx.callout.root(
            rx.callout.icon(rx.icon("ban")),
            rx.vstack(
                rx.text(t("accounts.session_blocked"), weight="medium"),
                rx.text(t("accounts.session_blocked_help"), " ",
                        rx.link(SUPPORT_EMAIL, href=f"mailto:{SUPPORT_EMAIL}", id="blocked-support")),
                spacing="1",
            ),
            color_scheme="red", role="alert", id="account-blocked", width="100%", margin_bottom="1.5em",
        ),
    )


def footer() -> rx.Component:
    settings = get_settings()
    return rx.box(
        rx.vstack(
            rx.hstack(rx.icon("server", size=18), rx.text("KmerHosting", weight="bold"), spacing="2"),
            rx.text(t("footer.about"), size="2", color_scheme="gray", max_width="640px"),
            rx.text(t("footer.contact"), size="2", color_scheme="gray"),
            *([rx.badge(t("footer.sandbox_registrar"), color_scheme="orange", variant="soft", white_space="normal")]
              if settings.registrar == "sandbox" else []),
            rx.text(f"© {_dt.date.today().year} KmerHosting. ", t("footer.rights"), size="1",
                    color_scheme="gray"),
            spacing="2", max_width="1200px", margin="0 auto", padding_y="2em", padding_x=["1em", "1em", "1.5em"],
        ),
        border_top=f"1px solid {rx.color('gray', 5)}",
        background_color=rx.color("gray", 2),
        width="100%", margin_top="4em",
    )


def page_ready_marker() -> rx.Component:
    # Tells scripts (and the browser tests) that the page's on_load events have run, and for which route
    # ("/hosting/[slug]", "/404"): after an in-app navigation the previous page's marker is not enough.
    return rx.cond(rx.State.is_hydrated,
                   rx.el.span(id="page-ready", hidden=True, data_route=rx.State.router.page.path))


def layout(*children: rx.Component, **props) -> rx.Component:
    return rx.box(
        navbar(),
        rx.el.main(
            blocked_notice(),
            *children,
            page_ready_marker(),
            max_width="1200px", margin="0 auto", padding_top="1.5em", padding_x=["1em", "1em", "1.5em"],
            min_height="70vh", width="100%", **props,
        ),
        footer(),
        width="100%",
    )
