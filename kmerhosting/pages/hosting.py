import reflex as rx

from ..components.i18n import page_title, t
from ..components.layout import layout
from ..components.pack_card import pack_card
from ..components.shop import duration_picker, price_summary
from ..state.hosting import HostingState
from .registry import page


@page(route="/hosting", title=page_title("shop.hosting.title"), on_load=HostingState.load_catalogue)
def hosting() -> rx.Component:
    return layout(
        rx.vstack(
            rx.heading(t("shop.hosting.title"), size="8"),
            rx.text(t("shop.hosting.sub"), color_scheme="gray", size="4"),
            rx.cond(
                HostingState.packs.length() > 0,
                rx.grid(rx.foreach(HostingState.packs, pack_card),
                        columns=rx.breakpoints(initial="1", sm="2", lg="4"), spacing="4", width="100%"),
                rx.cond(HostingState.loaded, rx.text(t("home.no_packs")), rx.spinner()),
            ),
            spacing="4", width="100%",
        )
    )


def pack_details() -> rx.Component:
    pack = HostingState.pack
    return rx.grid(
        rx.vstack(
            rx.link(rx.hstack(rx.icon("arrow-left", size=16), t("shop.pack.back"), align="center", spacing="1"),
                    href="/hosting", size="2"),
            rx.hstack(rx.heading(pack.name, size="8"), rx.badge(pack.panel, size="2", variant="soft"),
                      align="center", spacing="3"),
            rx.text(pack.description, size="4", color_scheme="gray"),
            duration_picker(),
            rx.text(t("shop.pack.includes"), weight="bold", margin_top="1em"),
            rx.grid(
                rx.foreach(pack.lines,
                           lambda line: rx.hstack(rx.icon("check", size=16, color=rx.color("green", 9)),
                                                  rx.text(line, size="2"), align="center", spacing="2")),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="2", width="100%",
            ),
            spacing="3", width="100%",
        ),
        rx.box(price_summary(), position=rx.breakpoints(initial="static", md="sticky"), top="6em"),
        columns=rx.breakpoints(initial="1", md="3fr 2fr"), spacing="6", width="100%", align_items="start",
    )


@page(route="/hosting/[slug]", title=HostingState.title, on_load=HostingState.load_pack)
def hosting_pack() -> rx.Component:
    return layout(
        rx.cond(
            HostingState.pack_found,
            rx.cond(HostingState.loaded, pack_details(), rx.center(rx.spinner(size="3"), padding="4em")),
            rx.vstack(rx.heading(t("common.not_found"), size="7"), rx.text(t("shop.error.unknown_pack")),
                      rx.link(t("shop.pack.back"), href="/hosting"), spacing="3"),
        )
    )
