import reflex as rx

from ..components.i18n import page_title, t
from ..components.layout import CARD_SIZE, layout
from ..components.shop import cart_line_card, domain_dialog
from ..state.cart import CartState
from .registry import page


def empty_cart() -> rx.Component:
    return rx.vstack(
        rx.icon("shopping-cart", size=40, color=rx.color("gray", 8)),
        rx.text(t("shop.cart.empty"), size="4"),
        rx.link(rx.button(t("shop.cart.browse"), size="3"), href="/hosting"),
        align="center", spacing="3", padding="3em", width="100%",
    )


def summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.text(t("shop.cart.total"), weight="bold", size="4"), rx.spacer(),
                      rx.heading(CartState.total_text, size="6", id="cart-total"),
                      width="100%", align="center"),
            rx.cond(~CartState.can_checkout,
                    rx.callout(t("shop.cart.need_domain"), icon="info", color_scheme="orange", size="1")),
            rx.link(rx.button(t("shop.cart.checkout"), size="3", width="100%", disabled=~CartState.can_checkout,
                              id="go-checkout"),
                    href=rx.cond(CartState.can_checkout, "/checkout", "#"), width="100%"),
            rx.cond(~CartState.logged_in, rx.text(t("shop.cart.login_hint"), size="1", color_scheme="gray")),
            spacing="3", width="100%",
        ),
        size=CARD_SIZE, width="100%",
    )


@page(route="/cart", title=page_title("shop.cart.title"), on_load=CartState.load)
def cart_page() -> rx.Component:
    return layout(
        rx.vstack(
            rx.heading(t("shop.cart.title"), size="8"),
            rx.cond(
                CartState.lines.length() > 0,
                rx.grid(
                    rx.vstack(rx.foreach(CartState.lines, cart_line_card), spacing="3", width="100%"),
                    summary(),
                    columns=rx.breakpoints(initial="1", md="2fr 1fr"), spacing="5", width="100%",
                    align_items="start",
                ),
                rx.cond(CartState.loaded, empty_cart(), rx.center(rx.spinner(size="3"), padding="3em")),
            ),
            domain_dialog(),
            spacing="4", width="100%",
        )
    )
