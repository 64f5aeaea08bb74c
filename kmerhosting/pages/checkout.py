import reflex as rx

from ..components.i18n import page_title, t
from ..components.layout import CARD_SIZE, layout
from ..components.shop import money_row, problem_callout
from ..state.cart import CartLine
from ..state.checkout import CheckoutState, ResultLine
from .registry import page


def checkout_line(line: CartLine) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.text(rx.cond(line.is_hosting, line.title, t("shop.cart.domain_only")), weight="bold"),
                rx.cond(line.is_hosting,
                        rx.text(line.duration, " · ", t("shop.cart.hosting"), " ",
                                line.hosting, size="2", color_scheme="gray")),
                rx.cond(line.domain != "",
                        rx.text(t("shop.cart.domain"), " ", line.domain, " · ",
                                rx.cond(line.domain_mode == "register",
                                        line.domain_price, t("shop.checkout.own_domain")),
                                size="2", color_scheme="gray")),
                spacing="1", align="start",
            ),
            rx.spacer(),
            rx.text(line.amount, weight="bold", white_space="nowrap"),
            width="100%", align="start",
        ),
        problem_callout(line.problem),
        rx.divider(),
        width="100%", spacing="2",
    )


def pay_panel() -> rx.Component:
    return rx.card(
        rx.vstack(
            money_row("shop.checkout.total", CheckoutState.pay_total_text, strong=True,
                      id="checkout-total"),
            money_row("shop.checkout.balance", CheckoutState.balance_text,
                      id="checkout-balance"),
            money_row("shop.checkout.after", CheckoutState.after_text, id="checkout-after",
                      color=rx.cond(CheckoutState.missing, rx.color("red", 11), "inherit")),
            rx.cond(CheckoutState.missing,
                    rx.callout(rx.vstack(rx.text(CheckoutState.missing_text),
                                         rx.link(t("shop.checkout.topup"), href="/dashboard/billing",
                                                 weight="bold", id="topup-link")),
                               icon="wallet", color_scheme="red", id="missing-credits")),
            rx.cond(CheckoutState.has_problems,
                    rx.callout(t("shop.checkout.fix_problems"), icon="triangle-alert", color_scheme="orange")),
            rx.cond(CheckoutState.has_price_change,
                    rx.button(t("shop.checkout.accept_prices"), variant="outline",
                              on_click=CheckoutState.accept_prices, width="100%", id="accept-prices")),
            rx.cond(CheckoutState.error != "",
                    rx.callout(CheckoutState.error, icon="circle-alert", color_scheme="red", id="checkout-error")),
            rx.button(rx.icon("lock", size=16), t("shop.checkout.pay"), size="3", width="100%",
                      disabled=~CheckoutState.can_pay, loading=CheckoutState.paying,
                      on_click=CheckoutState.pay, id="pay-button"),
            rx.text(t("shop.checkout.prices_note"), size="1", color_scheme="gray"),
            rx.link(t("shop.checkout.back_to_cart"), href="/cart", size="2"),
            spacing="3", width="100%",
        ),
        size=CARD_SIZE, width="100%",
    )


def confirmation() -> rx.Component:
    return rx.cond(
        CheckoutState.empty,
        rx.vstack(rx.text(t("shop.checkout.empty"), size="4"),
                  rx.link(rx.button(t("shop.cart.browse")), href="/hosting"), spacing="3", padding_y="2em"),
        rx.grid(
            rx.card(rx.vstack(rx.foreach(CheckoutState.items, checkout_line), width="100%"), size=CARD_SIZE),
            pay_panel(),
            columns=rx.breakpoints(initial="1", md="3fr 2fr"), spacing="5", width="100%", align_items="start",
        ),
    )


def retry_domain(line: ResultLine) -> rx.Component:
    sid = line.service_id.to_string()
    return rx.cond(
        line.domain_failed,
        rx.card(rx.vstack(
            rx.text(t("shop.result.other_domain"), " ", line.domain, weight="medium"),
            rx.hstack(
                rx.input(placeholder="monsite.cm", on_change=lambda v: CheckoutState.set_new_domain(sid, v),
                         flex="1"),
                rx.button(t("shop.result.buy_domain"), on_click=CheckoutState.retry_with_domain(sid, "register")),
                rx.button(t("shop.result.own_domain"), variant="outline",
                          on_click=CheckoutState.retry_with_domain(sid, "own")),
                width="100%", wrap="wrap",
            ),
            spacing="2", width="100%",
        ), width="100%"),
    )


def result_panel() -> rx.Component:
    result = CheckoutState.result
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.cond(result.status == "pending",
                        rx.spinner(size="3", id="order-working"),
                        rx.icon(rx.cond(result.status == "paid", "circle-check", "info"), size=32,
                                color=rx.cond(result.status == "paid", rx.color("green", 9), rx.color("orange", 9)))),
                rx.vstack(rx.heading(t("shop.result.thanks"), size="6"),
                          rx.text(result.title, " · ",
                                  result.status_text, id="order-status"),
                          spacing="1"),
                align="center", spacing="3",
            ),
            rx.foreach(result.notes,
                       lambda note: rx.callout(note, icon="info", color_scheme="orange", width="100%")),
            rx.cond(CheckoutState.still_working,
                    rx.callout(t("shop.result.still_working"), icon="clock", color_scheme="blue", width="100%",
                               id="order-still-working")),
            rx.vstack(
                rx.foreach(result.lines, lambda line: rx.hstack(
                    rx.text(line.label), rx.spacer(),
                    rx.text(line.amount), width="100%")),
                width="100%", spacing="1",
            ),
            rx.divider(),
            money_row("shop.result.charged", result.charged, strong=True),
            money_row("shop.result.balance", result.balance),
            rx.foreach(result.lines, retry_domain),
            rx.text(rx.cond(result.status == "pending", t("shop.result.mail_later"), t("shop.result.mail")),
                    size="2", color_scheme="gray"),
            rx.link(rx.button(t("shop.result.services"), size="3"), href="/dashboard"),
            spacing="3", width="100%",
        ),
        size=CARD_SIZE, width="100%", max_width="720px", id="order-result",
    )


@page(route="/checkout", title=page_title("shop.checkout.title"), on_load=CheckoutState.load_checkout)
def checkout_page() -> rx.Component:
    return layout(
        rx.vstack(
            rx.heading(rx.cond(CheckoutState.paid, t("shop.result.heading"), t("shop.checkout.title")), size="8"),
            rx.cond(CheckoutState.paid, result_panel(), confirmation()),
            spacing="4", width="100%",
        )
    )
