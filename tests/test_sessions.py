"""Why a login ended, as the tab that still holds its token can learn it (SQLite and MariaDB)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from kmerhosting.core import accounts
from kmerhosting.core.admin.users import set_status
from kmerhosting.core.sessions import (ENDED_BLOCKED, ENDED_EXPIRED, ENDED_REVOKED, create_session, end_reason,
                                       hash_token, user_for_token)
from kmerhosting.models import AuthSession, Role, UserStatus, utcnow

from .factories import make_user


def test_every_login_of_an_account_an_admin_blocks_ends_as_blocked(session):
    admin = make_user(session, role=Role.admin)
    customer = make_user(session)
    tokens = [create_session(session, customer.id) for _ in range(2)]
    session.commit()
    assert [end_reason(session, t) for t in tokens] == [None, None]

    set_status(session, admin.id, customer.id, UserStatus.blocked)
    session.commit()

    assert all(user_for_token(session, t) is None for t in tokens)
    assert [end_reason(session, t) for t in tokens] == [ENDED_BLOCKED, ENDED_BLOCKED]


def test_once_the_account_is_active_again_an_old_tab_is_told_its_login_ended_not_that_it_is_blocked(session):
    admin = make_user(session, role=Role.admin)
    customer = make_user(session)
    token = create_session(session, customer.id)
    session.commit()
    set_status(session, admin.id, customer.id, UserStatus.blocked)
    set_status(session, admin.id, customer.id, UserStatus.active)
    session.commit()
    assert user_for_token(session, token) is None  # blocking ended the login for good
    assert end_reason(session, token) == ENDED_REVOKED


def test_a_logout_and_an_expiry_are_told_apart_from_a_block(session):
    user = make_user(session)
    logged_out, expired = create_session(session, user.id), create_session(session, user.id)
    session.commit()
    accounts.logout(session, logged_out)
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(expired))).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    session.add(row)
    session.commit()
    assert end_reason(session, logged_out) == ENDED_REVOKED
    assert end_reason(session, expired) == ENDED_EXPIRED


def test_unknown_or_malformed_tokens_reveal_nothing(session):
    make_user(session, status=UserStatus.blocked)
    for raw in (None, "", "not-a-token", "x" * 500, 12345):
        assert end_reason(session, raw) is None
