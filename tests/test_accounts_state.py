"""The account handlers and page guards, called as the browser would call them (no browser)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from kmerhosting.core import accounts, passwords
from kmerhosting.core.errors import NotAuthorized
from kmerhosting.core.sessions import create_session, user_for_token
from kmerhosting.models import AuthSession, EmailToken, RateLimitEvent, Role, User, UserStatus
from kmerhosting.state.auth import (ForgotState, LoginState, NavState, RegisterState, ResetState,
                                    VerifyState)
from kmerhosting.state.base import BaseState

from .factories import make_user
from .test_accounts_support import browser_payload, last_link, make_state, outbox, redirect_target, token_of

FORM = {"name": "Awa Ngono", "email": "awa@example.cm", "phone": "699 12 34 56",
        "password": "Mboa-2026-secure", "password_confirm": "Mboa-2026-secure"}


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda p: passwords.hash_password(p, rounds=4))
    monkeypatch.setattr(accounts, "_dummy_hash", lambda: passwords.hash_password("unused", rounds=4))


def logged_in(session, user, state_cls, **kw):
    token = create_session(session, user.id)
    session.commit()
    return make_state(state_cls, token=token, **kw)


def table_counts(session) -> dict:
    session.expire_all()
    return {model.__name__: len(session.exec(select(model)).all())
            for model in (User, AuthSession, EmailToken, RateLimitEvent)}


# --- login ------------------------------------------------------------------------------------------


def test_login_puts_only_the_visitors_own_token_in_the_browser(session):
    user = make_user(session, email="awa@example.cm")
    other = make_user(session, email="other@example.cm")
    root, state = make_state(LoginState, path="/auth/login", query={"next": "/dashboard/services"})
    events = state.submit({"email": "awa@example.cm", "password": "password-123"})
    assert redirect_target(events) == "/dashboard/services"
    assert user_for_token(session, state.auth_token).id == user.id

    nav = root.substates[BaseState.get_name()].substates[NavState.get_name()]
    nav.refresh()
    assert nav.logged_in and not nav.is_admin and nav.display_name == user.name

    sent = browser_payload(root)
    session.expire_all()
    for secret in (user.password_hash, other.password_hash, other.email, other.name,
                   *session.exec(select(AuthSession.token_hash)).all()):
        assert secret not in sent
    assert "password-123" not in sent
    # The raw token is there once: the visitor's own auth_token.
    assert sent.count(state.auth_token) == 1


def test_login_ignores_a_next_that_leaves_the_site(session):
    make_user(session, email="awa@example.cm")
    _, state = make_state(LoginState, query={"next": "//evil.example/steal"})
    assert redirect_target(state.submit({"email": "awa@example.cm", "password": "password-123"})) == "/dashboard"


def test_an_admin_lands_on_the_admin_pages(session):
    make_user(session, email="boss@example.cm", role=Role.admin)
    root, state = make_state(LoginState)
    assert redirect_target(state.submit({"email": "boss@example.cm", "password": "password-123"})) == "/admin"
    nav = root.substates[BaseState.get_name()].substates[NavState.get_name()]
    nav.refresh()
    assert nav.is_admin


def test_a_wrong_password_shows_a_message_and_logs_nobody_in(session):
    make_user(session, email="awa@example.cm")
    _, state = make_state(LoginState, lang="en")
    assert state.submit({"email": "awa@example.cm", "password": "nope-nope-1"}) is None
    assert state.message == "Wrong e-mail or password." and state.auth_token == ""


def test_a_blocked_user_is_told_the_account_is_blocked(session):
    make_user(session, email="awa@example.cm", status=UserStatus.blocked)
    _, state = make_state(LoginState, lang="en")
    state.submit({"email": "awa@example.cm", "password": "password-123"})
    assert "blocked" in state.message and state.auth_token == ""


@pytest.mark.parametrize("junk", [None, "x", 42, ["a"], {"email": 1, "password": None}])
def test_login_survives_any_payload(session, junk):
    _, state = make_state(LoginState)
    state.submit(junk)
    assert state.auth_token == "" and state.message


def test_the_login_page_sends_a_logged_in_visitor_on(session):
    user = make_user(session)
    _, state = logged_in(session, user, LoginState, query={"next": "/dashboard/credits"})
    assert redirect_target(state.load()) == "/dashboard/credits"
    _, anonymous = make_state(LoginState)
    assert anonymous.load() is None


def test_logout_ends_the_session_and_clears_the_navbar(session):
    user = make_user(session)
    root, nav = logged_in(session, user, NavState)
    token = nav.auth_token
    nav.refresh()
    assert nav.logged_in
    events = nav.logout()
    assert redirect_target(events) == "/"
    assert nav.auth_token == "" and not nav.logged_in and nav.display_name == ""
    assert user_for_token(session, token) is None


def test_a_visitor_sent_to_the_logout_page_goes_home_with_their_cart(session):
    from kmerhosting.state.cart import CartState

    root, cart = make_state(CartState)
    cart.visitor_key = "visitor-cart-key"
    base = root.substates[BaseState.get_name()]
    events = base.logout()
    assert redirect_target(events) == "/"
    assert cart.visitor_key == "visitor-cart-key"  # nobody was logged in: nothing to forget
    assert not isinstance(events, list)  # the redirect alone: no "you are logged out" toast


def test_a_blocked_user_is_logged_out_at_the_next_event(session):
    user = make_user(session)
    _, nav = logged_in(session, user, NavState)
    user.status = UserStatus.blocked
    session.add(user)
    session.commit()
    nav.refresh()
    assert not nav.logged_in


# --- registration ------------------------------------------------------------------------------------


def test_register_shows_every_field_error_next_to_its_field_and_creates_nothing(session):
    _, state = make_state(RegisterState, lang="en")
    state.submit({"name": "", "email": "bad", "phone": "123", "password": "short", "password_confirm": "other"})
    assert set(state.errors) == {"name", "email", "phone", "password", "password_confirm"}
    assert "Cameroonian" in state.errors["phone"]
    assert not state.done and table_counts(session)["User"] == 0


def test_register_then_verify_through_the_mailed_link(session, engine):
    _, state = make_state(RegisterState, lang="en", client_ip="10.1.1.1")
    state.submit(dict(FORM))
    assert state.done and state.errors == {}
    user = session.exec(select(User)).one()
    assert user.language == "en" and user.phone == "+237699123456" and user.email_verified_at is None
    link = last_link(engine, "awa@example.cm")
    assert outbox(engine)[0].subject

    root, verify = make_state(VerifyState, path="/auth/verify-email", query={"token": token_of(link)})
    verify.load()
    assert verify.verified and "vérifiée" in verify.result
    assert token_of(link) not in browser_payload(root)
    session.expire_all()
    assert session.get(User, user.id).email_verified_at is not None

    _, again = make_state(VerifyState, path="/auth/verify-email", query={"token": token_of(link)}, lang="en")
    again.load()
    assert not again.verified and "already been used" in again.result


def test_register_with_a_taken_address_looks_the_same(session, engine):
    make_user(session, email="awa@example.cm")
    _, state = make_state(RegisterState)
    state.submit(dict(FORM))
    assert state.done and state.errors == {} and outbox(engine) == []


# --- resend, forgot, reset -------------------------------------------------------------------------------


def test_a_logged_in_customer_can_only_resend_to_their_own_address(session, engine):
    me = make_user(session, email="me@example.cm", verified=False)
    other = make_user(session, email="other@example.cm", verified=False)
    _, state = logged_in(session, me, VerifyState, lang="en")
    state.resend({"email": other.email, "user_id": str(other.id)})
    assert state.done and "sent to your address" in state.message
    assert len(outbox(engine, me.email)) == 1 and outbox(engine, other.email) == []


def test_resend_says_the_same_for_any_address_when_anonymous(session, engine):
    make_user(session, email="me@example.cm", verified=False)
    messages = []
    for email in ("me@example.cm", "ghost@example.cm"):
        _, state = make_state(VerifyState)
        state.resend({"email": email})
        messages.append(state.message)
    assert messages[0] == messages[1]
    assert len(outbox(engine)) == 1


def test_forgot_password_says_the_same_whether_or_not_the_address_exists(session, engine):
    make_user(session, email="awa@example.cm")
    messages = []
    for email in ("awa@example.cm", "ghost@example.cm"):
        _, state = make_state(ForgotState, client_ip=f"ip-{email}")
        state.submit({"email": email})
        assert state.done
        messages.append(state.message)
    assert messages[0] == messages[1]
    assert [m.to_email for m in outbox(engine)] == ["awa@example.cm"]


def test_reset_page_reads_the_token_from_the_link_and_never_keeps_it(session, engine):
    user = make_user(session, email="awa@example.cm")
    old = create_session(session, user.id)
    session.commit()
    _, forgot = make_state(ForgotState)
    forgot.submit({"email": "awa@example.cm"})
    token = token_of(last_link(engine, "awa@example.cm"))

    root, state = make_state(ResetState, path="/auth/reset-password", query={"token": token}, token=old)
    state.load()
    assert state.link_ok
    state.submit({"password": "New-pass-2026", "password_confirm": "different-2026"})
    assert "password_confirm" in state.errors
    state.submit({"password": "New-pass-2026", "password_confirm": "New-pass-2026"})
    assert state.done and state.auth_token == ""
    assert token not in browser_payload(root)
    assert user_for_token(session, old) is None

    _, reused = make_state(ResetState, query={"token": token}, lang="en")
    reused.load()
    assert not reused.link_ok and "already been used" in reused.message


def test_a_reset_page_without_a_valid_link_offers_nothing_to_submit(session):
    _, state = make_state(ResetState, query={"token": "forged"})
    state.load()
    assert not state.link_ok and state.message
    state.submit({"password": "New-pass-2026", "password_confirm": "New-pass-2026"})
    assert not state.done


# --- guards --------------------------------------------------------------------------------------------


def test_guard_customer_sends_an_anonymous_visitor_to_login_and_back(session):
    _, state = make_state(BaseState, path="/dashboard/services")
    assert redirect_target(state.guard_customer()) == "/auth/login?next=/dashboard/services"
    _, forged = make_state(BaseState, path="/dashboard", token="forged-token")
    assert redirect_target(forged.guard_customer()).startswith("/auth/login")


def test_guard_customer_lets_a_customer_in(session):
    user = make_user(session)
    _, state = logged_in(session, user, BaseState, path="/dashboard")
    assert state.guard_customer() is None


def test_guard_admin_refuses_anonymous_visitors_and_customers(session):
    customer = make_user(session)
    admin = make_user(session, role=Role.admin)
    before = table_counts(session)
    _, anonymous = make_state(BaseState, path="/admin/users")
    assert redirect_target(anonymous.guard_admin()) == "/auth/login?next=/admin/users"
    _, as_customer = logged_in(session, customer, BaseState, path="/admin/users")
    assert redirect_target(as_customer.guard_admin()) == "/dashboard"
    _, as_admin = logged_in(session, admin, BaseState, path="/admin/users")
    assert as_admin.guard_admin() is None
    after = table_counts(session)
    assert after["User"] == before["User"] and after["EmailToken"] == before["EmailToken"]


def test_require_admin_raises_for_anonymous_visitors_customers_and_blocked_admins(session):
    customer = make_user(session)
    blocked_admin = make_user(session, role=Role.admin, status=UserStatus.blocked)
    admin = make_user(session, role=Role.admin)
    for user in (None, customer, blocked_admin):
        _, state = (make_state(BaseState) if user is None else logged_in(session, user, BaseState))
        with pytest.raises(NotAuthorized):
            state._require_admin(session)
    _, state = logged_in(session, admin, BaseState)
    assert state._require_admin(session).id == admin.id
    _, state = make_state(BaseState)
    with pytest.raises(NotAuthorized):
        state._require_user(session)


def test_the_account_states_hold_no_secret_vars():
    """Only these plain vars of the account states go to the browser."""
    allowed = {"errors", "message", "done", "verified", "link_ok", "logged_in", "is_admin",
               "display_name", "email_verified", "lang", "auth_token", "account_blocked", "result",
               # Reflex gives every state the dynamic routes' parameters (/hosting/[slug], /admin/users/[uid]).
               "slug", "uid"}
    for cls in (LoginState, RegisterState, VerifyState, ForgotState, ResetState, NavState):
        sent = {name for name in cls.vars if not name.startswith(("_", "rx_router_"))} - {"router", "is_hydrated"}
        assert sent <= allowed, (cls.__name__, sent - allowed)


def test_an_unverified_customer_is_logged_in_and_reminded_to_verify(session):
    make_user(session, email="new@example.cm", verified=False)
    _, state = make_state(LoginState)
    events = state.submit({"email": "new@example.cm", "password": "password-123"})
    assert state.auth_token and redirect_target(events) == "/dashboard"
    assert "n'est pas encore vérifiée" in repr(events)


def test_a_sign_up_field_filled_again_loses_its_old_error():
    state = RegisterState()
    state.submit({"name": "A", "email": "pas-une-adresse", "phone": "", "password": "x", "password_confirm": "y"})
    assert {"name", "email"} <= set(state.errors)
    state.field_edited("name", "Awa Ngono")
    assert "name" not in state.errors and "email" in state.errors
    state.field_edited("email", "   ")  # still empty: the error stays
    state.field_edited(["junk"], None)
    assert "email" in state.errors
