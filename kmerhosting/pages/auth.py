"""Account pages: register, login, verify e-mail, forgotten and new password, logout."""

from __future__ import annotations

import reflex as rx

from ..components.i18n import page_title, t
from ..components.layout import layout
from ..state.auth import (
    AuthFormState,
    ForgotState,
    LoginState,
    NavState,
    RegisterState,
    ResetState,
    VerifyState,
)
from .registry import page


def card(*children: rx.Component) -> rx.Component:
    # The layout's `#page-ready` marker tells scripts (and the browser tests) that on_load has run.
    return rx.center(
        rx.card(rx.vstack(*children, spacing="4", width="100%"), size=rx.breakpoints(initial="2", xs="3"),
                width="100%", max_width="460px"),
        width="100%", padding_y="1em",
    )


def field(state: type[AuthFormState], name: str, label: str, type_: str = "text", hint: str | None = None,
          autocomplete: str = "off") -> rx.Component:
    """A labelled input with its hint and its inline error."""
    error = state.errors[name]
    # On the sign-up form, leaving a field the visitor has filled drops the error it had.
    edited = {"on_blur": lambda value: RegisterState.field_edited(name, value)} if state is RegisterState else {}
    return rx.vstack(
        rx.el.label(t(label), html_for=f"f-{name}", style={"font_weight": "500", "font_size": "14px"}),
        rx.input(id=f"f-{name}", name=name, type=type_, auto_complete=autocomplete, width="100%", size="3",
                 aria_invalid=rx.cond(error, "true", "false"),
                 aria_describedby=f"err-{name}", **edited),
        *([rx.text(t(hint), size="1", color_scheme="gray")] if hint else []),
        rx.cond(error, rx.text(error, id=f"err-{name}", size="2", color_scheme="red", role="alert")),
        spacing="1", width="100%", align="start",
    )


def form_message(state: type[AuthFormState], color: str = "red") -> rx.Component:
    return rx.cond(
        state.message,
        rx.callout(state.message, icon="info", color_scheme=rx.cond(state.done, "green", color), width="100%",
                   role="alert", id="form-message"),
    )


def submit_button(label: str) -> rx.Component:
    # Disabled until the page's state has arrived, so a quick click is never lost.
    return rx.button(t(label), type="submit", size="3", width="100%", id="submit",
                     disabled=~rx.State.is_hydrated)


@page(route="/auth/login", title=page_title("accounts.login_title"), on_load=LoginState.load)
def login_page() -> rx.Component:
    return layout(card(
        rx.heading(t("accounts.login_title"), size="6"),
        form_message(LoginState),
        rx.form(
            rx.vstack(
                field(LoginState, "email", "accounts.email", "email", autocomplete="email"),
                field(LoginState, "password", "accounts.password", "password", autocomplete="current-password"),
                submit_button("accounts.login_button"),
                spacing="3", width="100%",
            ),
            on_submit=LoginState.submit, reset_on_submit=False, width="100%",
        ),
        rx.link(t("accounts.forgot_link"), href="/auth/forgot-password", size="2"),
        rx.link(t("accounts.no_account"), href="/auth/register", size="2"),
    ))


@page(route="/auth/register", title=page_title("accounts.register_title"), on_load=RegisterState.load)
def register_page() -> rx.Component:
    return layout(card(
        rx.heading(rx.cond(RegisterState.done, t("accounts.register_done_title"), t("accounts.register_title")),
                   size="6"),
        rx.cond(
            RegisterState.done,
            rx.vstack(
                rx.callout(t("accounts.register_done"), icon="mail-check", color_scheme="green", id="register-done"),
                rx.link(rx.button(t("accounts.go_login"), size="3"), href="/auth/login"),
                spacing="4",
            ),
            rx.vstack(
                rx.text(t("accounts.register_intro"), color_scheme="gray"),
                form_message(RegisterState),
                rx.form(
                    rx.vstack(
                        field(RegisterState, "name", "accounts.name", autocomplete="name"),
                        field(RegisterState, "email", "accounts.email", "email", autocomplete="email"),
                        field(RegisterState, "phone", "accounts.phone", "tel", hint="accounts.phone_hint",
                              autocomplete="tel"),
                        field(RegisterState, "password", "accounts.password", "password",
                              hint="accounts.password_hint", autocomplete="new-password"),
                        field(RegisterState, "password_confirm", "accounts.password_confirm", "password",
                              autocomplete="new-password"),
                        submit_button("accounts.register_button"),
                        spacing="3", width="100%",
                    ),
                    on_submit=RegisterState.submit, reset_on_submit=False, width="100%",
                ),
                rx.link(t("accounts.have_account"), href="/auth/login", size="2"),
                spacing="4", width="100%",
            ),
        ),
    ))


def resend_form() -> rx.Component:
    return rx.vstack(
        rx.heading(t("accounts.resend_title"), size="4"),
        form_message(VerifyState),
        rx.form(
            rx.vstack(
                rx.cond(NavState.logged_in, rx.fragment(),
                        field(VerifyState, "email", "accounts.email", "email", autocomplete="email")),
                rx.button(t("accounts.resend_button"), type="submit", size="3", id="resend"),
                spacing="3", width="100%",
            ),
            on_submit=VerifyState.resend, reset_on_submit=False, width="100%",
        ),
        spacing="3", width="100%",
    )


@page(route="/auth/verify-email", title=page_title("accounts.verify_title"), on_load=[VerifyState.load, NavState.refresh])
def verify_page() -> rx.Component:
    return layout(card(
        rx.heading(t("accounts.verify_title"), size="6"),
        rx.cond(
            VerifyState.verified,
            rx.vstack(
                rx.callout(VerifyState.result, icon="circle-check", color_scheme="green", id="verify-result"),
                rx.cond(NavState.logged_in,
                        rx.link(rx.button(t("nav.dashboard"), size="3"), href="/dashboard"),
                        rx.link(rx.button(t("accounts.go_login"), size="3"), href="/auth/login")),
                spacing="4",
            ),
            rx.vstack(
                rx.cond(VerifyState.result,
                        rx.callout(VerifyState.result, icon="triangle-alert", color_scheme="red",
                                   id="verify-result")),
                resend_form(),
                spacing="4", width="100%",
            ),
        ),
    ))


@page(route="/auth/forgot-password", title=page_title("accounts.forgot_title"), on_load=ForgotState.load)
def forgot_page() -> rx.Component:
    return layout(card(
        rx.heading(t("accounts.forgot_title"), size="6"),
        rx.cond(
            ForgotState.done,
            rx.callout(ForgotState.message, icon="mail-check", color_scheme="green", id="form-message"),
            rx.vstack(
                rx.text(t("accounts.forgot_intro"), color_scheme="gray"),
                form_message(ForgotState),
                rx.form(
                    rx.vstack(
                        field(ForgotState, "email", "accounts.email", "email", autocomplete="email"),
                        submit_button("accounts.forgot_button"),
                        spacing="3", width="100%",
                    ),
                    on_submit=ForgotState.submit, reset_on_submit=False, width="100%",
                ),
                spacing="4", width="100%",
            ),
        ),
        rx.link(t("accounts.go_login"), href="/auth/login", size="2"),
    ))


@page(route="/auth/reset-password", title=page_title("accounts.reset_title"), on_load=ResetState.load)
def reset_page() -> rx.Component:
    return layout(card(
        rx.heading(t("accounts.reset_title"), size="6"),
        rx.cond(
            ResetState.done,
            rx.vstack(
                rx.callout(ResetState.message, icon="circle-check", color_scheme="green", id="form-message"),
                rx.link(rx.button(t("accounts.go_login"), size="3"), href="/auth/login"),
                spacing="4",
            ),
            rx.cond(
                ResetState.link_ok,
                rx.vstack(
                    form_message(ResetState),
                    rx.form(
                        rx.vstack(
                            field(ResetState, "password", "accounts.new_password", "password",
                                  hint="accounts.password_hint", autocomplete="new-password"),
                            field(ResetState, "password_confirm", "accounts.password_confirm", "password",
                                  autocomplete="new-password"),
                            submit_button("accounts.reset_button"),
                            spacing="3", width="100%",
                        ),
                        on_submit=ResetState.submit, reset_on_submit=False, width="100%",
                    ),
                    spacing="4", width="100%",
                ),
                rx.vstack(
                    form_message(ResetState),
                    rx.link(t("accounts.new_link"), href="/auth/forgot-password"),
                    spacing="4", width="100%",
                ),
            ),
        ),
    ))


@page(route="/auth/logout", title=page_title("nav.logout"), on_load=NavState.logout)
def logout_page() -> rx.Component:
    return layout(rx.center(rx.spinner(size="3"), padding="4em"))
