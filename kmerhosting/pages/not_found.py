"""The page for an unknown address: inside the site's frame, with the ways back to the shop.

Reflex serves the page registered at route "404" for any address no page matches; the server
answers such a request with HTTP status 404.
"""

import reflex as rx

from ..components.i18n import page_title, t
from ..components.layout import layout
from .registry import page

WAYS_BACK = [("house", "notfound.home", "/", "notfound-home"),
             ("server", "notfound.hosting", "/hosting", "notfound-hosting"),
             ("globe", "notfound.domains", "/domains", "notfound-domains")]


def way_back(icon: str, key: str, href: str, id_: str) -> rx.Component:
    return rx.link(
        rx.card(rx.hstack(rx.icon(icon, size=20, color=rx.color("green", 9)), rx.text(t(key), weight="medium"),
                          rx.spacer(), rx.icon("chevron-right", size=16), align="center", spacing="3"),
                width="100%"),
        href=href, id=id_, underline="none", color="inherit", width="100%",
    )


@page(route="404", title=page_title("common.not_found"))
def not_found() -> rx.Component:
    return layout(
        rx.vstack(
            rx.text("404", size="2", weight="bold", color_scheme="gray", letter_spacing="0.2em"),
            rx.heading(t("notfound.title"), size="8", id="not-found"),
            rx.text(t("notfound.text"), size="4", color_scheme="gray"),
            rx.vstack(*[way_back(*w) for w in WAYS_BACK], spacing="3", width="100%", padding_top="0.5em"),
            spacing="3", width="100%", max_width="560px", margin="0 auto", padding_y="2em",
        )
    )
