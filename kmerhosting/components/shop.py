"""Shop components: the duration picker, cart lines, the domain dialog, money rows."""

from __future__ import annotations

import reflex as rx

from ..config import DURATIONS
from ..i18n import display
from ..state.cart import CartLine, CartState, DomainOfferView
from ..state.hosting import DurationOption, HostingState
from .i18n import t, worded
from .layout import CARD_SIZE


def money_row(label_key: str, value, strong: bool = False, color=None, **props) -> rx.Component:
    return rx.hstack(
        rx.text(t(label_key), weight="bold" if strong else "regular"),
        rx.spacer(),
        rx.text(value, weight="bold" if strong else "regular", size="4" if strong else "3",
                white_space="nowrap", color=color),
        width="100%", align="center", **props,
    )


# --- pack page ---------------------------------------------------------------------------------


def duration_choice(option: DurationOption) -> rx.Component:
    selected = HostingState.months == option.months
    return rx.card(
        rx.vstack(
            # A smaller label on a phone: "12 months" stays on one line in a third of 360 px.
            rx.text(option.label, weight="bold", white_space="nowrap",
                    size=rx.breakpoints(initial="2", xs="3")),
            rx.text(option.price_text, size="1", white_space="nowrap"),
            rx.cond(option.discount > 0,
                    rx.badge(option.discount_text, color_scheme="green", variant="soft"),
                    rx.box(height="20px")),
            spacing="1", align="center",
        ),
        on_click=HostingState.set_months(option.months),
        id="duration-" + option.months.to_string(),
        cursor="pointer",
        border=rx.cond(selected, f"2px solid {rx.color('green', 9)}", f"2px solid {rx.color('gray', 4)}"),
        background_color=rx.cond(selected, rx.color("green", 2), "transparent"),
        role="radio", aria_checked=rx.cond(selected, "true", "false"),
    )


def duration_picker() -> rx.Component:
    return rx.vstack(
        rx.text(t("shop.pack.duration"), weight="bold"),
        rx.grid(rx.foreach(HostingState.options, duration_choice),
                columns=rx.breakpoints(initial="3", md="6"), spacing="2", width="100%", role="radiogroup"),
        spacing="2", width="100%",
    )


def price_summary() -> rx.Component:
    option = HostingState.selected
    return rx.card(
        rx.vstack(
            rx.text(t("shop.pack.total"), color_scheme="gray", size="2"),
            rx.heading(option.price_text, size="8", color=rx.color("green", 10),
                       id="pack-price"),
            rx.hstack(rx.text(t("shop.pack.monthly"), color_scheme="gray"),
                      rx.text(option.monthly, weight="bold", id="pack-monthly"),
                      spacing="2"),
            rx.cond(option.saving != "",
                    rx.badge(option.saving, color_scheme="green", size="2",
                             id="pack-saving")),
            rx.button(rx.icon("shopping-cart", size=18), t("shop.pack.add_to_cart"), size="3", width="100%",
                      on_click=HostingState.add_to_cart, id="add-to-cart"),
            rx.text(t("shop.pack.domain_next"), size="1", color_scheme="gray"),
            spacing="3", width="100%",
        ),
        size=CARD_SIZE, width="100%",
    )


# --- cart --------------------------------------------------------------------------------------


def duration_select(line: CartLine) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="duration"),
        rx.select.content(*[rx.select.item(CartState.duration_labels[str(m)],
                                           value=str(m)) for m in DURATIONS]),
        value=line.months, on_change=lambda value: CartState.set_duration(line.id, value), size="2",
    )


def years_select(value, on_change, **props) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="years"),
        rx.select.content(*[rx.select.item(worded(display.years, y), value=str(y)) for y in range(1, 11)]),
        value=value, on_change=on_change, size="2", **props,
    )


def domain_badge(line: CartLine) -> rx.Component:
    return rx.hstack(
        rx.icon("globe", size=16, flex_shrink="0"),
        rx.text(line.domain, weight="medium", class_name="kh-code"),
        rx.badge(rx.cond(line.domain_mode == "register", t("shop.cart.new_domain"), t("shop.cart.own_domain")),
                 variant="soft", color_scheme=rx.cond(line.domain_mode == "register", "blue", "gray")),
        align="center", spacing="2",
    )


def hosting_line_body(line: CartLine) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon("server", size=18), rx.heading(line.title, size="4"), align="center", spacing="2"),
        rx.hstack(rx.text(t("shop.cart.duration"), size="2", color_scheme="gray"), duration_select(line),
                  rx.text(line.hosting, size="2"), align="center", spacing="3",
                  wrap="wrap"),
        rx.cond(
            line.has_domain,
            rx.hstack(domain_badge(line),
                      rx.cond(line.domain_mode == "register",
                              rx.hstack(rx.text(t("shop.cart.years"), size="2", color_scheme="gray"),
                                        years_select(line.domain_years,
                                                     lambda v: CartState.set_domain_years(line.id, v)),
                                        rx.text(line.domain_price, size="2",
                                                white_space="nowrap"),
                                        align="center", spacing="2")),
                      rx.button(t("shop.cart.change_domain"), variant="ghost", size="1",
                                on_click=CartState.open_domain(line.id)),
                      align="center", spacing="3", wrap="wrap"),
            rx.button(rx.icon("globe", size=16), t("shop.cart.choose_domain"), color_scheme="orange",
                      on_click=CartState.open_domain(line.id), class_name="choose-domain"),
        ),
        spacing="2", align="start",
    )


def domain_line_body(line: CartLine) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon("globe", size=18, flex_shrink="0"), rx.heading(line.domain, size="4", class_name="kh-code"),
                  align="center", spacing="2"),
        rx.hstack(rx.text(t("shop.cart.domain_only"), size="2", color_scheme="gray"),
                  rx.hstack(rx.text(t("shop.cart.years"), size="2", color_scheme="gray"),
                            years_select(line.domain_years, lambda v: CartState.set_domain_years(line.id, v)),
                            align="center", spacing="2"),
                  align="center", spacing="2", wrap="wrap"),
        spacing="2", align="start",
    )


def problem_callout(text) -> rx.Component:
    return rx.cond(text != "", rx.callout(text, icon="triangle-alert", color_scheme="orange", size="1",
                                        width="100%"))


def cart_line_card(line: CartLine) -> rx.Component:
    # On a phone the amount and "remove" go under the line, so neither squeezes the domain name.
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.box(rx.cond(line.is_hosting, hosting_line_body(line), domain_line_body(line)), flex="1",
                       min_width="0"),
                rx.flex(
                    rx.text(line.amount, weight="bold", size="4", white_space="nowrap"),
                    rx.button(rx.icon("trash-2", size=14), t("shop.cart.remove"), variant="ghost",
                              color_scheme="red", size="1", on_click=CartState.remove(line.id)),
                    direction=rx.breakpoints(initial="row-reverse", sm="column"),
                    justify=rx.breakpoints(initial="between", sm="start"),
                    align=rx.breakpoints(initial="center", sm="end"), spacing="2",
                ),
                direction=rx.breakpoints(initial="column", sm="row"), spacing="3", width="100%",
            ),
            problem_callout(line.problem),
            width="100%",
        ),
        width="100%", class_name="cart-line",
    )


def offer_row(offer: DomainOfferView) -> rx.Component:
    return rx.hstack(
        rx.text(offer.domain, weight="medium", class_name="kh-code"),
        rx.spacer(),
        rx.cond(
            offer.available,
            rx.hstack(rx.badge(t("shop.domain.available"), color_scheme="green"),
                      rx.text(offer.price, size="2", white_space="nowrap"),
                      rx.button(t("shop.domain.choose"), size="1", on_click=CartState.choose_offer(offer.domain),
                                id="choose-" + offer.domain.replace(".", "-")),
                      align="center", spacing="2"),
            rx.badge(t("shop.domain.taken"), color_scheme="red"),
        ),
        width="100%", align="center", padding_y="0.3em", wrap="wrap", justify="end",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def new_domain_tab() -> rx.Component:
    return rx.vstack(
        rx.form(
            # Side by side when both fit, else the button takes the whole line under the box (the box
            # takes nearly all the spare width on one line: grow 100 against 1).
            rx.flex(
                rx.input(value=CartState.search_query, on_change=CartState.set_search_query,
                         placeholder="monentreprise", id="domain-search", name="domain_search", flex="100 1 12em",
                         size="3"),
                rx.button(rx.icon("search", size=16), t("shop.domain.search"), type="submit", size="3",
                          id="domain-search-button", flex_grow="1"),
                width="100%", spacing="2", wrap="wrap",
            ),
            on_submit=CartState.search_domains, width="100%",
        ),
        rx.text(t("shop.domain.search_label"), size="1", color_scheme="gray"),
        rx.hstack(rx.text(t("shop.domain.years"), size="2"), years_select(CartState.years, CartState.set_years),
                  align="center", spacing="2"),
        rx.vstack(rx.foreach(CartState.offers, offer_row), width="100%", spacing="0"),
        spacing="3", width="100%", padding_top="1em",
    )


def own_domain_tab() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.flex(
                rx.input(value=CartState.own_domain, on_change=CartState.set_own_domain, placeholder="monsite.cm",
                         id="own-domain", name="own_domain", flex="100 1 12em", size="3"),
                rx.button(t("shop.domain.use"), type="submit", size="3", id="own-domain-button", flex_grow="1"),
                width="100%", spacing="2", wrap="wrap",
            ),
            on_submit=CartState.use_own_domain, width="100%",
        ),
        rx.text(t("shop.domain.own_help"), size="1", color_scheme="gray"),
        spacing="3", width="100%", padding_top="1em",
    )


def domain_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("shop.domain.title")),
            rx.tabs.root(
                # Smaller tabs on a phone: both labels fit side by side in a 360 px screen.
                rx.tabs.list(rx.tabs.trigger(t("shop.domain.tab_new"), value="new", id="tab-new"),
                             rx.tabs.trigger(t("shop.domain.tab_own"), value="own", id="tab-own"),
                             size=rx.breakpoints(initial="1", xs="2")),
                rx.tabs.content(new_domain_tab(), value="new"),
                rx.tabs.content(own_domain_tab(), value="own"),
                value=CartState.dialog_tab, on_change=CartState.set_dialog_tab,
            ),
            rx.cond(CartState.dialog_error != "",
                    rx.callout(CartState.dialog_error, icon="circle-alert", color_scheme="red", margin_top="1em",
                               id="domain-error")),
            rx.hstack(rx.dialog.close(rx.button(t("shop.domain.close"), variant="soft", color_scheme="gray")),
                      justify="end", margin_top="1em", class_name="kh-dialog-actions"),
            max_width="560px", size=rx.breakpoints(initial="2", xs="3"),
        ),
        open=CartState.dialog_open, on_open_change=CartState.set_dialog_open,
    )
