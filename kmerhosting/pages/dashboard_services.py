import reflex as rx

from ..components.i18n import page_title, t
from ..state.base import BaseState
from ..state.dashboard_services import ServicesState
from ..state.dashboard_views import RenewOption, ServiceRow
from .dashboard_common import dashboard_frame, error_callout
from .registry import page

STATUS_COLOURS = {"active": "green", "pending": "blue", "expired": "red", "suspended": "orange",
                  "cancelled": "gray"}


def status_badge(row: ServiceRow) -> rx.Component:
    return rx.badge(row.status_text, color_scheme=rx.match(
        row.status, *STATUS_COLOURS.items(), "gray"), variant="soft", size="2")


def expiry_badge(row: ServiceRow) -> rx.Component:
    return rx.match(
        row.alert,
        ("", rx.text(row.days, size="2", color_scheme="gray")),
        ("expired", rx.badge(rx.icon("circle-alert", size=14), row.days,
                             color_scheme="red", variant="solid", size="2")),
        rx.badge(rx.icon("bell-ring", size=14), row.days, color_scheme=row.alert,
                 variant="soft", size="2"),
    )


def service_card(row: ServiceRow) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    rx.hstack(rx.icon("globe", size=18, color=rx.color("green", 9), flex_shrink="0"),
                              rx.heading(row.domain, size="5", class_name="kh-code"), align="center", spacing="2",
                              min_width="0"),
                    status_badge(row), align="center", spacing="2", wrap="wrap"),
                rx.hstack(
                    rx.text(t("dashboard.label_pack"), " ", rx.text.strong(row.pack), size="2"),
                    rx.text(t("dashboard.label_panel"), " ", rx.text.strong(row.panel), size="2"),
                    spacing="4", wrap="wrap",
                ),
                rx.hstack(
                    rx.text(t("dashboard.label_expiry"), " ",
                            rx.text.strong(row.expires), size="2"),
                    expiry_badge(row),
                    align="center", spacing="3", wrap="wrap",
                ),
                rx.cond(row.disk != "",
                        rx.hstack(
                            rx.text(rx.icon("hard-drive", size=14), " ", t("panel.disk"), " ",
                                    rx.text.strong(row.disk, white_space="nowrap"), size="2",
                                    class_name="service-disk"),
                            rx.cond(row.bandwidth != "",
                                    rx.text(rx.icon("activity", size=14), " ", t("panel.bandwidth"), " ",
                                            rx.text.strong(row.bandwidth, white_space="nowrap"), size="2",
                                            class_name="service-bandwidth")),
                            spacing="4", wrap="wrap")),
                rx.cond(row.note != "", rx.match(
                    row.status,
                    ("creating", rx.callout(row.note, icon="loader", color_scheme="blue", size="1",
                                            class_name="service-note")),
                    ("failed", rx.callout(row.note, icon="life-buoy", color_scheme="red", size="1",
                                          class_name="service-note")),
                    rx.callout(row.note, icon="shield-alert", color_scheme="orange", size="1",
                               class_name="service-note"))),
                spacing="2", align="start",
            ),
            rx.spacer(),
            rx.hstack(
                rx.cond(row.panel_url != "",
                        rx.link(rx.button(rx.icon("external-link", size=16), t("dashboard.open_panel"),
                                          variant="outline", size="2"),
                                # a new tab that cannot reach back into the shop's page
                                href=row.panel_url, is_external=True, rel="noopener noreferrer",
                                class_name="open-panel")),
                rx.cond(row.can_open,
                        rx.button(rx.cond(ServicesState.opening == row.id, rx.spinner(size="2"),
                                          rx.icon("external-link", size=16)),
                                  t("panel.open"), size="2", variant="outline",
                                  disabled=ServicesState.opening != 0,
                                  on_click=ServicesState.open_panel(row.id), class_name="open-cpanel")),
                rx.cond(row.has_account,
                        rx.button(rx.icon("key-round", size=16), t("panel.password_button"), size="2",
                                  variant="soft", color_scheme="gray",
                                  on_click=ServicesState.open_password(row.id), class_name="panel-password")),
                rx.cond(row.renewable,
                        rx.button(rx.icon("refresh-cw", size=16), t("dashboard.renew"), size="2",
                                  on_click=ServicesState.open_renew(row.id), class_name="renew-button",
                                  color_scheme=rx.cond(row.alert != "", "orange", "green"))),
                spacing="2", align="center", wrap="wrap",
            ),
            direction=rx.breakpoints(initial="column", sm="row"), spacing="3", width="100%",
            align=rx.breakpoints(initial="start", sm="center"),
        ),
        width="100%", id="service-" + row.id.to_string(), class_name="service-card",
    )


def renew_choice(option: RenewOption) -> rx.Component:
    selected = ServicesState.renew_months == option.months
    return rx.box(
        rx.vstack(
            # On a phone the discount goes under "12 mois" rather than splitting it.
            rx.hstack(rx.text(option.label, weight="bold", white_space="nowrap"),
                      rx.cond(option.discount > 0,
                              rx.badge(option.discount_text, color_scheme="green",
                                       variant="soft")),
                      justify="between", width="100%", wrap="wrap", spacing="1"),
            rx.text(option.price_text, size=rx.breakpoints(initial="3", xs="4"),
                    weight="bold", white_space="nowrap",
                    color=rx.cond(option.affordable, rx.color("gray", 12), rx.color("red", 10))),
            rx.text(option.new_expiry, size="1", color_scheme="gray"),
            spacing="1", align="start",
        ),
        on_click=ServicesState.choose_months(option.months),
        id="renew-" + option.months.to_string(),
        role="radio", aria_checked=rx.cond(selected, "true", "false"), tab_index=0,
        padding="0.75em", border_radius="var(--radius-3)", cursor="pointer",
        border=rx.cond(selected, f"2px solid {rx.color('green', 9)}", f"1px solid {rx.color('gray', 6)}"),
        background_color=rx.cond(selected, rx.color("green", 2), "transparent"),
    )


def selected_option_text(field: str) -> rx.Var:
    """A field of the chosen duration."""
    return rx.foreach(
        ServicesState.renew_options,
        lambda o: rx.cond(o.months == ServicesState.renew_months,
                          rx.text.span(getattr(o, field)), rx.fragment()),
    )


def renew_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("dashboard.renew"), " ", ServicesState.renew_domain),
            rx.dialog.description(
                ServicesState.renew_intro, size="2", color_scheme="gray",
            ),
            rx.grid(rx.foreach(ServicesState.renew_options, renew_choice),
                    columns=rx.breakpoints(initial="2", xs="3"), spacing="2", width="100%", role="radiogroup",
                    padding_y="1em"),
            rx.hstack(rx.icon("wallet", size=16),
                      rx.text(t("dashboard.label_balance"), " ",
                              rx.text.strong(ServicesState.balance_text),
                              size="2", id="renew-balance"),
                      align="center", spacing="2"),
            rx.box(error_callout(ServicesState.renew_error), padding_y="0.5em"),
            # Sticky: the pay button stays in view on a small screen while the durations scroll.
            rx.hstack(
                rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray")),
                rx.button(rx.icon("credit-card", size=16), selected_option_text("confirm"),
                          on_click=ServicesState.confirm_renew,
                          id="renew-confirm"),
                justify="end", spacing="3", width="100%", wrap="wrap", class_name="kh-dialog-actions",
            ),
            max_width="560px", size=rx.breakpoints(initial="2", xs="3"),
        ),
        open=ServicesState.renew_open,
        on_open_change=ServicesState.set_renew_open,
    )


def password_dialog() -> rx.Component:
    def entry(label_key: str, name: str, error: rx.Var) -> rx.Component:
        return rx.vstack(
            rx.text(t(label_key), size="2", weight="medium", as_="label", html_for="panel-" + name),
            rx.input(name=name, id="panel-" + name, type="password", auto_complete="new-password", required=True,
                     width="100%", size="3"),
            rx.cond(error != "", rx.text(error, size="2", color_scheme="red", role="alert")),
            spacing="1", width="100%")

    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("panel.password_title")),
            rx.dialog.description(ServicesState.password_intro, size="2", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    entry("panel.password_new", "password", ServicesState.password_error),
                    rx.text(t("panel.password_hint"), size="1", color_scheme="gray"),
                    entry("panel.password_confirm", "confirm", ServicesState.confirm_error),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                  type="button")),
                        rx.button(rx.cond(ServicesState.password_busy, rx.spinner(size="2"),
                                          rx.icon("key-round", size=16)),
                                  t("panel.password_save"), type="submit", id="panel-password-save",
                                  disabled=ServicesState.password_busy),
                        justify="end", spacing="3", width="100%", wrap="wrap", class_name="kh-dialog-actions"),
                    spacing="3", width="100%", padding_top="1em"),
                on_submit=ServicesState.save_password, reset_on_submit=False, key=ServicesState.password_key),
            max_width="480px", size=rx.breakpoints(initial="2", xs="3"),
        ),
        open=ServicesState.password_open,
        on_open_change=ServicesState.set_password_open,
    )


def empty_state() -> rx.Component:
    return rx.card(rx.vstack(rx.icon("server-off", size=32, color=rx.color("gray", 9)),
                             rx.text(t("dashboard.no_services"), weight="medium"),
                             rx.text(t("dashboard.no_services_cta"), color_scheme="gray"),
                             rx.link(rx.button(t("dashboard.browse_packs")), href="/hosting"),
                             align="center", spacing="3", padding="2em"), width="100%")


@page(route="/dashboard/services", title=page_title("dashboard.services_title"),
         on_load=[BaseState.guard_customer, ServicesState.load])
def dashboard_services() -> rx.Component:
    return dashboard_frame(
        "dashboard.services_title",
        rx.hstack(rx.icon("wallet", size=16),
                  rx.text(t("dashboard.label_balance"), " ",
                          rx.text.strong(ServicesState.balance_text,
                                         id="services-balance", white_space="nowrap"), size="3"),
                  rx.link(t("dashboard.top_up"), href="/dashboard/billing", size="2"),
                  align="center", spacing="2"),
        rx.cond(
            ServicesState.services.length() > 0,
            rx.vstack(rx.foreach(ServicesState.services, service_card), spacing="3", width="100%"),
            rx.cond(ServicesState.loaded, empty_state(), rx.spinner()),
        ),
        renew_dialog(),
        password_dialog(),
    )
