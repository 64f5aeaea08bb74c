import reflex as rx

from ..components.i18n import page_title, t, worded
from ..i18n import display
from ..components.layout import layout
from ..state.domains import YEAR_CHOICES, DomainsState, OfferView
from .registry import page


def search_form() -> rx.Component:
    return rx.form(
        # The button goes under the box, full width, when both do not fit on one line.
        rx.flex(
            rx.input(rx.input.slot(rx.icon("search", size=18)), name="query", id="domain-query",
                     value=DomainsState.query, on_change=DomainsState.set_query,
                     placeholder=t("domains.search_placeholder"),
                     size="3", flex="100 1 14em", max_length=253, auto_focus=True),
            rx.button(t("domains.search_button"), type="submit", size="3", id="domain-search", flex_grow="1",
                      loading=DomainsState.searching),
            width="100%", spacing="2", wrap="wrap",
        ),
        on_submit=DomainsState.search, reset_on_submit=False, width="100%",
    )


def years_picker() -> rx.Component:
    return rx.hstack(
        rx.text(t("domains.years_label"), size="2", color_scheme="gray"),
        rx.select.root(rx.select.trigger(id="domain-years"),
                       rx.select.content(*[rx.select.item(worded(display.years, int(y)), value=y) for y in YEAR_CHOICES]),
                       value=DomainsState.years, on_change=DomainsState.set_years, size="2"),
        align="center", spacing="2",
    )


def offer_row(offer: OfferView) -> rx.Component:
    in_cart = DomainsState.in_cart.contains(offer.domain)
    return rx.card(
        rx.hstack(
            # The icon stays beside the name, which breaks inside itself on a narrow screen.
            rx.hstack(
                rx.icon(rx.cond(offer.available, "circle-check", "circle-x"), size=22, flex_shrink="0",
                        color=rx.cond(offer.available, rx.color("green", 9), rx.color("red", 9))),
                rx.text(offer.domain, weight="bold", size="4", class_name="kh-code"),
                align="center", spacing="3", min_width="0",
            ),
            rx.cond(offer.available,
                    rx.badge(t("domains.available"), color_scheme="green", variant="soft"),
                    rx.badge(t("domains.taken"), color_scheme="red", variant="soft")),
            rx.spacer(),
            rx.cond(offer.available,
                    rx.hstack(
                        rx.text(offer.price, weight="bold", size="4",
                                color=rx.color("green", 11)),
                        rx.button(rx.cond(in_cart, rx.icon("check", size=16), rx.icon("shopping-cart", size=16)),
                                  t("domains.add_to_cart"), disabled=in_cart,
                                  on_click=DomainsState.add_to_cart(offer.domain)),
                        align="center", spacing="3")),
            align="center", spacing="3", width="100%", wrap="wrap",
        ),
        width="100%", class_name="domain-offer", data_domain=offer.domain,
    )


def results() -> rx.Component:
    return rx.vstack(
        rx.cond(DomainsState.searching,
                rx.hstack(rx.spinner(size="2"), rx.text(t("domains.searching"), size="2", color_scheme="gray"),
                          align="center", spacing="2", id="domain-searching")),
        rx.cond(DomainsState.error != "",
                rx.callout(DomainsState.error, icon="triangle-alert",
                           color_scheme="red", width="100%", id="domain-error")),
        rx.cond(DomainsState.searched,
                rx.vstack(rx.foreach(DomainsState.offers, offer_row), spacing="2", width="100%",
                          id="domain-results")),
        spacing="3", width="100%",
    )


@page(route="/domains", title=page_title("domains.title"))
def domains_page() -> rx.Component:
    return layout(
        rx.vstack(
            rx.heading(t("domains.title"), size="8"),
            rx.text(t("domains.subtitle"), color_scheme="gray", size="3"),
            search_form(),
            years_picker(),
            rx.cond(DomainsState.is_test_registrar,
                    rx.callout(t("domains.sandbox_note"), icon="flask-conical", color_scheme="orange",
                               size="1", width="100%")),
            results(),
            spacing="4", width="100%", max_width="860px", margin="0 auto",
        )
    )
