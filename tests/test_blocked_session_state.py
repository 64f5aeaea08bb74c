"""A tab still open when an admin blocks its account: told why, in its language, not sent to log in."""

from __future__ import annotations

import pytest

from kmerhosting.core import accounts
from kmerhosting.core.admin.users import set_status
from kmerhosting.core.errors import NotAuthorized, SessionBlocked
from kmerhosting.core.sessions import create_session
from kmerhosting.i18n import translate
from kmerhosting.models import Role, UserStatus
from kmerhosting.state.admin_users import AdminUsersState
from kmerhosting.state.auth import NavState
from kmerhosting.state.base import BaseState
from kmerhosting.state.dashboard_billing import BillingState
from kmerhosting.state.dashboard_services import ServicesState

from .factories import make_pack, make_service, make_user
from .test_accounts_support import make_state, redirect_target


def open_tab(session, user, state_cls, **kw):
    token = create_session(session, user.id)
    session.commit()
    return make_state(state_cls, token=token, **kw)[1]


def block(session, user):
    admin = make_user(session, role=Role.admin, email=f"admin-{user.id}@example.cm")
    set_status(session, admin.id, user.id, UserStatus.blocked)
    session.commit()


def test_the_next_click_after_the_block_says_the_account_is_blocked_and_whom_to_write_to(session):
    customer = make_user(session, credits=50_000)
    service = make_service(session, customer, make_pack(session))
    tab = open_tab(session, customer, ServicesState, path="/dashboard/services")
    tab.load()
    assert tab.services and not tab.account_blocked

    block(session, customer)
    event = tab.open_renew(service.id)

    assert tab.account_blocked and not tab.renew_open
    assert translate("error.session_blocked", "fr") in repr(event)
    assert "support@kmerhosting.cm" in translate("error.session_blocked", "fr")


def test_the_refusal_follows_the_tabs_language(session):
    customer = make_user(session)
    tab = open_tab(session, customer, BillingState, path="/dashboard/billing", lang="en")
    block(session, customer)
    tab.submit_request({"amount": "5000", "reference": "MP-1"})
    assert tab.form_error == "Your account has been blocked. Contact support@kmerhosting.cm."


def test_a_blocked_tab_stays_on_its_page_while_a_visitor_is_sent_to_log_in(session):
    customer = make_user(session)
    tab = open_tab(session, customer, BaseState, path="/dashboard/services")
    block(session, customer)
    assert tab.guard_customer() is None and tab.account_blocked
    assert tab.guard_admin() is None

    _, visitor = make_state(BaseState, path="/dashboard/services", token="forged-token")
    assert redirect_target(visitor.guard_customer()).startswith("/auth/login")
    assert not visitor.account_blocked


def test_the_navbar_learns_of_the_block_and_a_logout_forgets_it(session):
    customer = make_user(session)
    nav = open_tab(session, customer, NavState)
    nav.refresh()
    assert nav.logged_in and not nav.account_blocked
    block(session, customer)
    nav.refresh()
    assert nav.account_blocked and not nav.logged_in
    nav.logout()
    nav.refresh()
    assert not nav.account_blocked and nav.auth_token == ""


def test_a_blocked_admins_next_admin_action_says_the_account_is_blocked(session):
    admin = make_user(session, role=Role.admin)
    tab = open_tab(session, admin, AdminUsersState, path="/admin/users")
    other = make_user(session, role=Role.admin, email="other.admin@example.cm")
    set_status(session, other.id, admin.id, UserStatus.blocked)
    session.commit()
    tab.apply_filters({"search": ""})
    assert tab.error == translate("error.session_blocked", "fr")


def test_a_forged_or_logged_out_token_is_an_ordinary_refusal(session):
    customer = make_user(session)
    tab = open_tab(session, customer, BaseState)
    accounts.logout(session, tab.auth_token)
    session.commit()
    session.expire_all()
    for token in (tab.auth_token, "forged-token"):
        tab.auth_token = token
        with pytest.raises(NotAuthorized) as refused:
            tab._require_user(session)
        assert not isinstance(refused.value, SessionBlocked) and not tab.account_blocked
