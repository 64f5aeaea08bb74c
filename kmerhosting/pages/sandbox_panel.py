import reflex as rx

from ..components.i18n import page_title, t
from ..components.layout import layout
from ..state.sandbox_panel import SandboxPanelState as S
from .registry import page


def line(key: str, value) -> rx.Component:
    return rx.hstack(rx.text(t(key), color_scheme="gray", min_width="9em"), rx.text(value, weight="medium",
                                                                                   word_break="break-all"),
                     spacing="3", wrap="wrap")


@page(route="/sandbox-panel", title=page_title("sandbox_panel.title"), on_load=S.load)
def sandbox_panel() -> rx.Component:
    return layout(
        rx.vstack(
            rx.heading(t("sandbox_panel.title"), size="7"),
            rx.callout(t("sandbox_panel.note"), icon="flask_conical", color_scheme="iris", width="100%"),
            rx.cond(
                S.account.length() > 0,
                rx.card(rx.vstack(
                    line("sandbox_panel.username", S.account["username"]),
                    line("sandbox_panel.domain", S.account["domain"]),
                    line("sandbox_panel.package", S.account["package"]),
                    line("sandbox_panel.state", rx.cond(S.account["suspended"] == "1", t("sandbox_panel.suspended"),
                                                        t("sandbox_panel.active"))),
                    spacing="2", id="sandbox-account"), width="100%"),
                rx.cond(S.looked, rx.text(t("sandbox_panel.none"), color_scheme="gray", id="sandbox-none")),
            ),
            spacing="4", width="100%", max_width="640px", margin="0 auto", padding_y="2em",
        )
    )
