import reflex as rx

from ..state.views import PackCard
from .i18n import t
from .layout import CARD_SIZE


def pack_card(card: PackCard) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(rx.heading(card.name, size="5"), rx.badge(card.panel, variant="soft", flex_shrink="0"),
                    justify="between", align="center", wrap="wrap", spacing="2", width="100%"),
            rx.text(card.description, size="2", color_scheme="gray",
                    min_height="3em"),
            rx.hstack(
                rx.text(t("pack.from"), size="2", color_scheme="gray"),
                rx.heading(card.lowest, size="6", color=rx.color("green", 10)),
                rx.text(t("pack.per_month"), size="2", color_scheme="gray"),
                align="baseline", spacing="2", wrap="wrap",
            ),
            rx.divider(),
            rx.vstack(
                rx.foreach(card.lines,
                           lambda line: rx.hstack(rx.icon("check", size=16, color=rx.color("green", 9)),
                                                  rx.text(line, size="2"), align="center", spacing="2")),
                spacing="1",
            ),
            rx.spacer(),
            rx.link(rx.button(t("pack.choose"), width="100%", size="3"), href="/hosting/" + card.slug,
                    width="100%"),
            spacing="3", height="100%",
        ),
        size=CARD_SIZE, height="100%",
    )
