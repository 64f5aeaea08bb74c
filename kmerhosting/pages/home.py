import reflex as rx

from ..components.i18n import page_title, t
from ..components.layout import layout
from ..components.pack_card import pack_card
from ..state.home import HomeState
from .registry import page


def hero() -> rx.Component:
    return rx.vstack(
        rx.heading(t("home.hero_title"), size=rx.breakpoints(initial="7", sm="8"), weight="bold", max_width="820px"),
        rx.text(t("home.hero_text"), size=rx.breakpoints(initial="3", sm="4"), color_scheme="gray", max_width="720px"),
        rx.hstack(
            rx.link(rx.button(t("home.cta_packs"), size="3"), href="#pricing"),
            rx.link(rx.button(t("home.cta_domain"), size="3", variant="outline"), href="/domains"),
            spacing="3", wrap="wrap",
        ),
        spacing="5", padding_y=["1.5em", "1.5em", "3em"],
    )


def pricing() -> rx.Component:
    return rx.vstack(
        rx.heading(t("home.pricing_title"), size="7"),
        rx.text(t("home.pricing_sub"), color_scheme="gray"),
        rx.cond(
            HomeState.packs.length() > 0,
            rx.grid(rx.foreach(HomeState.packs, pack_card), columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                    spacing="4", width="100%"),
            rx.text(t("home.no_packs")),
        ),
        id="pricing", spacing="4", width="100%", padding_y="2em",
    )


def why_item(icon: str, title: str, text: str) -> rx.Component:
    return rx.vstack(rx.icon(icon, size=28, color=rx.color("green", 9)), rx.heading(t(title), size="4"),
                     rx.text(t(text), color_scheme="gray"), spacing="2")


def why() -> rx.Component:
    return rx.vstack(
        rx.heading(t("home.why_title"), size="7"),
        rx.grid(
            why_item("smartphone", "home.why_local_title", "home.why_local_text"),
            why_item("bell-ring", "home.why_reminders_title", "home.why_reminders_text"),
            why_item("languages", "home.why_bilingual_title", "home.why_bilingual_text"),
            columns=rx.breakpoints(initial="1", md="3"), spacing="6", width="100%",
        ),
        spacing="4", width="100%", padding_y="2em",
    )


@page(route="/", title=page_title("brand.tagline"), on_load=HomeState.load)
def index() -> rx.Component:
    return layout(hero(), pricing(), why())
