import reflex as rx

from ..components.i18n import page_title, t
from ..components.layout import CARD_SIZE
from ..state.base import BaseState
from ..state.dashboard_settings import SettingsState
from .dashboard_common import dashboard_frame, error_callout, success_callout
from .registry import page


def field(label_key: str, *inputs: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(t(label_key), size="2", weight="medium"), *inputs, spacing="1", width="100%")


def section(title_key: str, *children: rx.Component, on_submit, key=None) -> rx.Component:
    return rx.card(
        rx.form(rx.vstack(rx.heading(t(title_key), size="4"), *children, spacing="3", width="100%",
                          align="stretch"),
                on_submit=on_submit, reset_on_submit=False, **({"key": key} if key is not None else {})),
        size=CARD_SIZE, width="100%",
    )


def profile_form() -> rx.Component:
    return section(
        "dashboard.profile_title",
        field("dashboard.field_name", rx.input(width="100%", name="name", default_value=SettingsState.name, id="settings-name",
                                               max_length=120, required=True)),
        field("dashboard.field_phone", rx.input(width="100%", name="phone", default_value=SettingsState.phone,
                                                id="settings-phone", type="tel", placeholder="+237 6XX XX XX XX")),
        field("dashboard.field_language",
              rx.select.root(rx.select.trigger(id="settings-language"),
                             rx.select.content(rx.select.item(t("dashboard.lang_fr"), value="fr"),
                                               rx.select.item(t("dashboard.lang_en"), value="en")),
                             value=SettingsState.language, on_change=SettingsState.set_language_choice)),
        error_callout(SettingsState.profile_error),
        rx.button(t("common.save"), type="submit", id="settings-save", width="fit-content"),
        on_submit=SettingsState.save_profile, key=SettingsState.email,
    )


def password_form() -> rx.Component:
    return section(
        "dashboard.password_title",
        field("dashboard.field_current_password",
              rx.input(width="100%", name="current_password", type="password", auto_complete="current-password", required=True)),
        field("dashboard.field_new_password",
              rx.input(width="100%", name="new_password", type="password", auto_complete="new-password", required=True)),
        field("dashboard.field_confirm_password",
              rx.input(width="100%", name="confirm_password", type="password", auto_complete="new-password", required=True)),
        error_callout(SettingsState.password_error),
        rx.button(t("dashboard.password_title"), type="submit", width="fit-content"),
        on_submit=SettingsState.change_password, key=SettingsState.form_key,
    )


def email_form() -> rx.Component:
    return section(
        "dashboard.email_title",
        rx.text(t("dashboard.email_current_label"), " ", rx.text.strong(SettingsState.email), size="2"),
        field("dashboard.field_new_email",
              rx.input(width="100%", name="new_email", type="email", auto_complete="email", required=True)),
        field("dashboard.field_password",
              rx.input(width="100%", name="password", type="password", auto_complete="current-password", required=True)),
        error_callout(SettingsState.email_error),
        success_callout(SettingsState.email_done),
        rx.button(t("dashboard.email_title"), type="submit", width="fit-content"),
        on_submit=SettingsState.change_email, key=SettingsState.form_key,
    )


@page(route="/dashboard/settings", title=page_title("dashboard.settings_title"),
         on_load=[BaseState.guard_customer, SettingsState.load])
def dashboard_settings() -> rx.Component:
    return dashboard_frame(
        "dashboard.settings_title",
        rx.grid(profile_form(), rx.vstack(password_form(), email_form(), spacing="4", width="100%"),
                columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%", align_items="start"),
    )
