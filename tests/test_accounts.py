"""Accounts rules in core (no browser), on SQLite and MariaDB."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from kmerhosting.core import accounts, passwords, rate_limit, sessions
from kmerhosting.core.accounts import (AccountBlocked, EmailNotVerified, EmailTaken, FieldError,
                                       InvalidCredentials, LinkExpired, LinkInvalid, LinkUsed, WrongPassword)
from kmerhosting.core.errors import NotAuthorized, RateLimited
from kmerhosting.core.sessions import create_session, revoke_all_sessions, user_for_token
from kmerhosting.models import AuthSession, EmailToken, NotificationLog, Role, User, UserStatus, as_utc, utcnow

from .factories import make_user
from .test_accounts_support import last_link, outbox, token_of

GOOD_PASSWORD = "Mboa-2026-secure"


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    """bcrypt at 4 rounds: the rules are the same, the tests are quicker."""
    monkeypatch.setattr(accounts, "hash_password", lambda p: passwords.hash_password(p, rounds=4))
    monkeypatch.setattr(accounts, "_dummy_hash", lambda: passwords.hash_password("unused", rounds=4))


def register(session, email="awa@example.cm", password=GOOD_PASSWORD, name="Awa Ngono",
             phone="+237 6 99 12 34 56", client="10.0.0.1"):
    result = accounts.register(session, email=email, password=password, name=name, phone=phone,
                               lang="fr", client=client)
    session.commit()
    return result


def reload(session, user_id) -> User:
    session.expire_all()
    return session.get(User, user_id)


# --- input rules --------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["+237 6 99 12 34 56", "+237699123456", "00237 699 12 34 56", "237-699-12-34-56",
                                 "699 12 34 56", "(+237) 699.12.34.56", "6 99 12 34 56"])
def test_cameroon_phone_numbers_are_accepted_and_normalised(raw):
    assert accounts.normalize_phone(raw) == "+237699123456"


def test_fixed_line_numbers_are_accepted():
    assert accounts.normalize_phone("+237 222 23 45 67") == "+237222234567"


@pytest.mark.parametrize("raw", ["", "12345", "+33 6 12 34 56 78", "799123456", "+237 6991234567",
                                 "69912345a", None, 699123456])
def test_other_phone_numbers_are_refused(raw):
    with pytest.raises(FieldError) as exc:
        accounts.normalize_phone(raw)
    assert exc.value.field == "phone"
    assert "Cameroon" in exc.value.message("en")


@pytest.mark.parametrize("password,key", [
    ("short1", "accounts.password_too_short"),
    ("onlyletterslong", "accounts.password_needs_letter_and_digit"),
    ("12345678901", "accounts.password_needs_letter_and_digit"),
    ("password123", "accounts.password_too_common"),
    ("a1a1a1a1a1a1", "accounts.password_too_common"),
    ("é" * 40 + "1", "accounts.password_too_long"),
    (None, "accounts.password_too_short"),
])
def test_weak_passwords_are_refused_with_a_reason(password, key):
    with pytest.raises(FieldError) as exc:
        accounts.validate_password(password)
    assert exc.value.key == key


def test_a_password_containing_the_email_name_is_refused():
    with pytest.raises(FieldError) as exc:
        accounts.validate_password("ngonoawa2026", "ngonoawa@example.cm")
    assert exc.value.key == "accounts.password_contains_email"
    assert accounts.validate_password(GOOD_PASSWORD, "awa@example.cm") == GOOD_PASSWORD


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil.example",
                                    "javascript:alert(1)", "dashboard", "", None, "/a\nb", "/auth/login"])
def test_next_after_login_must_be_a_local_path(target):
    assert accounts.safe_next(target) == "/dashboard"


def test_next_after_login_keeps_a_local_path_and_its_query():
    assert accounts.safe_next("/dashboard/services/3?tab=renew") == "/dashboard/services/3?tab=renew"


# --- registration and verification ------------------------------------------------------------------


def test_register_creates_an_unverified_customer_and_mails_a_single_use_link(session, engine):
    result = register(session, email="  Awa@Example.CM ")
    user = reload(session, result.user_id)
    assert user.email == "awa@example.cm" and user.role == Role.customer and user.phone == "+237699123456"
    assert user.email_verified_at is None
    assert user.password_hash.startswith("$2") and GOOD_PASSWORD not in user.password_hash

    link = last_link(engine, "awa@example.cm")
    assert link.startswith("http") and "/auth/verify-email?token=" in link
    token = session.exec(select(EmailToken)).one()
    assert token.purpose == "verify_email" and token.token_hash != token_of(link)
    assert len(token.token_hash) == 64  # only the SHA-256 is stored
    log = session.exec(select(NotificationLog)).one()
    assert log.kind == "verify_email" and log.user_id == user.id and log.status == "sent"

    purpose, verified = accounts.verify_email(session, token_of(link))
    session.commit()
    assert purpose == "verify_email" and reload(session, user.id).email_verified_at is not None

    with pytest.raises(LinkUsed) as exc:
        accounts.verify_email(session, token_of(link))
    assert "déjà été utilisé" in exc.value.message("fr")


def test_register_with_a_taken_address_answers_the_same_and_changes_nothing(session, engine):
    existing = make_user(session, email="awa@example.cm")
    result = register(session, email="AWA@example.cm", password="Another-pass-99")
    assert result.user_id is None
    assert session.exec(select(User)).all() == [existing]
    assert outbox(engine) == []
    assert passwords.verify_password("password-123", reload(session, existing.id).password_hash)


def test_register_refuses_bad_input_and_creates_nothing(session, engine):
    with pytest.raises(FieldError) as exc:
        register(session, phone="12")
    assert exc.value.field == "phone"
    errors = accounts.registration_errors(email="nope", password="x", name="", phone="1")
    assert set(errors) == {"email", "password", "name", "phone"}
    assert session.exec(select(User)).all() == [] and outbox(engine) == []


def test_expired_verification_link_is_refused_with_a_clear_message(session, engine):
    register(session)
    token = session.exec(select(EmailToken)).one()
    token.expires_at = utcnow() - timedelta(minutes=1)
    session.add(token)
    session.commit()
    with pytest.raises(LinkExpired) as exc:
        accounts.verify_email(session, token_of(last_link(engine, "awa@example.cm")))
    assert "expired" in exc.value.message("en")
    assert session.exec(select(User)).one().email_verified_at is None


@pytest.mark.parametrize("raw", ["", "nope", "x" * 500, None, 42])
def test_unknown_links_are_refused(session, raw):
    with pytest.raises(LinkInvalid):
        accounts.verify_email(session, raw)
    with pytest.raises(LinkInvalid):
        accounts.reset_password(session, raw, GOOD_PASSWORD)


def test_a_reset_link_cannot_verify_and_a_verify_link_cannot_reset(session, engine):
    user = make_user(session, email="awa@example.cm", verified=False)
    accounts.request_password_reset(session, "awa@example.cm", client="c")
    session.commit()
    with pytest.raises(LinkInvalid):
        accounts.verify_email(session, token_of(last_link(engine, user.email)))


def test_resend_verification_is_silent_for_unknown_addresses_and_rate_limited(session, engine):
    register(session)
    accounts.request_verification(session, "nobody@example.cm", client="c1")
    accounts.request_verification(session, "awa@example.cm", client="c1")
    session.commit()
    assert len(outbox(engine, "awa@example.cm")) == 2 and outbox(engine, "nobody@example.cm") == []
    accounts.request_verification(session, "awa@example.cm", client="c2")
    accounts.request_verification(session, "awa@example.cm", client="c3")
    with pytest.raises(RateLimited):
        accounts.request_verification(session, "awa@example.cm", client="c4")
    with pytest.raises(RateLimited):  # the same answer for an address that has no account
        for n in range(4):
            accounts.request_verification(session, "nobody@example.cm", client=f"d{n}")


def test_any_open_verification_link_works_once(session, engine):
    register(session)
    first = token_of(last_link(engine, "awa@example.cm"))
    accounts.request_verification(session, "awa@example.cm", client="c")
    session.commit()
    second = token_of(last_link(engine, "awa@example.cm"))
    assert first != second
    accounts.verify_email(session, second)
    session.commit()
    # The first link still proves the address; the account is verified once and stays so.
    accounts.verify_email(session, first)
    with pytest.raises(LinkUsed):
        accounts.verify_email(session, second)


# --- login, buying, sessions -------------------------------------------------------------------------


def test_login_opens_a_hashed_expiring_session_and_logout_ends_it(session):
    user = make_user(session, email="awa@example.cm")
    result = accounts.login(session, "Awa@example.cm ", "password-123", client="10.0.0.9")
    session.commit()
    row = session.exec(select(AuthSession)).one()
    assert row.token_hash != result.token and len(row.token_hash) == 64 and row.client == "10.0.0.9"
    assert row.expires_at > utcnow() + timedelta(days=29)
    assert user_for_token(session, result.token).id == user.id
    assert reload(session, user.id).last_login_at is not None
    accounts.logout(session, result.token)
    session.commit()
    assert user_for_token(session, result.token) is None


def _seen(session, token, ago: timedelta):
    """Pretend the session was last used `ago` ago."""
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == sessions.hash_token(token))).one()
    row.last_seen_at = utcnow() - ago
    session.add(row)
    session.commit()
    return row.id


def _last_seen(engine, row_id):
    with Session(engine) as s:
        row = s.get(AuthSession, row_id)
        return as_utc(row.last_seen_at), row.revoked_at


def test_a_session_idle_longer_than_the_limit_ends(session, engine, configure):
    """A login forgotten on a shared or cybercafé computer does not stay open for SESSION_DAYS."""
    configure(SESSION_IDLE_MINUTES=30)
    user = make_user(session)
    idle, active = create_session(session, user.id), create_session(session, user.id)
    session.commit()
    idle_id = _seen(session, idle, timedelta(minutes=31))
    _seen(session, active, timedelta(minutes=29))

    assert user_for_token(session, idle) is None
    session.rollback()  # the handler's transaction may roll back: the ending stays
    assert _last_seen(engine, idle_id)[1] is not None
    assert user_for_token(session, active).id == user.id
    assert user_for_token(session, idle) is None  # ended for good, not only while idle


def test_last_seen_is_updated_at_most_every_few_minutes(session, engine, configure):
    configure(SESSION_IDLE_MINUTES=60)
    user = make_user(session)
    token = create_session(session, user.id)
    session.commit()
    row_id = _seen(session, token, timedelta(minutes=6))
    assert user_for_token(session, token).id == user.id
    session.rollback()
    touched, _ = _last_seen(engine, row_id)
    assert utcnow() - touched < timedelta(minutes=1)

    row_id = _seen(session, token, timedelta(minutes=2))
    before, _ = _last_seen(engine, row_id)
    for _ in range(5):  # every event of the next minutes: no write
        assert user_for_token(session, token).id == user.id
    assert _last_seen(engine, row_id)[0] == before


def test_unknown_address_and_wrong_password_give_the_same_answer(session):
    make_user(session, email="awa@example.cm")
    with pytest.raises(InvalidCredentials) as unknown:
        accounts.login(session, "nobody@example.cm", "password-123")
    with pytest.raises(InvalidCredentials) as wrong:
        accounts.login(session, "awa@example.cm", "wrong-password-1")
    assert unknown.value.message("en") == wrong.value.message("en")
    for bad in (None, "", 12, "x" * 5000):
        with pytest.raises(InvalidCredentials):
            accounts.login(session, "awa@example.cm", bad, client=f"bad-{bad!r:.8}")


def test_a_blocked_user_cannot_log_in_and_is_told_the_account_is_blocked(session):
    make_user(session, email="awa@example.cm", status=UserStatus.blocked)
    with pytest.raises(AccountBlocked) as exc:
        accounts.login(session, "awa@example.cm", "password-123")
    assert "bloqué" in exc.value.message("fr") and "blocked" in exc.value.message("en")
    assert session.exec(select(AuthSession)).all() == []


def test_an_unverified_user_can_log_in_but_cannot_buy_until_verified(session, engine):
    register(session)
    result = accounts.login(session, "awa@example.cm", GOOD_PASSWORD)
    session.commit()
    with pytest.raises(EmailNotVerified) as exc:
        accounts.ensure_can_buy(result.user)
    assert "verify your e-mail" in exc.value.message("en") and "Vérifiez" in exc.value.message("fr")
    accounts.verify_email(session, token_of(last_link(engine, "awa@example.cm")))
    session.commit()
    accounts.ensure_can_buy(reload(session, result.user.id))


def test_blocked_or_anonymous_users_cannot_buy(session):
    blocked = make_user(session, status=UserStatus.blocked)
    with pytest.raises(AccountBlocked):
        accounts.ensure_can_buy(blocked)
    with pytest.raises(NotAuthorized):
        accounts.ensure_can_buy(None)
    accounts.ensure_can_buy(make_user(session))


def test_blocking_a_user_ends_every_session_at_once(session):
    user = make_user(session)
    tokens = [create_session(session, user.id) for _ in range(3)]
    session.commit()
    user.status = UserStatus.blocked
    session.add(user)
    assert revoke_all_sessions(session, user.id) == 3
    session.commit()
    assert all(user_for_token(session, t) is None for t in tokens)
    # Unblocked later, the old tokens stay dead.
    user.status = UserStatus.active
    session.add(user)
    session.commit()
    assert all(user_for_token(session, t) is None for t in tokens)


def test_failed_logins_are_limited_per_account_even_with_the_right_password_then(session):
    make_user(session, email="awa@example.cm")
    for n in range(5):
        with pytest.raises(InvalidCredentials):
            accounts.login(session, "awa@example.cm", f"wrong-{n}", client=f"10.0.0.{n}")
        session.rollback()  # the caller's transaction is rolled back; the failure still counts
    with pytest.raises(RateLimited):
        accounts.login(session, "awa@example.cm", "password-123", client="10.9.9.9")
    # An unknown address is limited the same way: the answer reveals nothing.
    for n in range(5):
        with pytest.raises(InvalidCredentials):
            accounts.login(session, "ghost@example.cm", f"wrong-{n}", client=f"10.1.0.{n}")
    with pytest.raises(RateLimited):
        accounts.login(session, "ghost@example.cm", "whatever-1", client="10.9.9.8")


def test_sixteen_concurrent_wrong_passwords_check_at_most_five(engine, session, monkeypatch):
    """Counting and recording an attempt is one step: a burst of guesses at once can't all slip
    under the limit before any of them is recorded."""
    make_user(session, email="awa@example.cm")
    checked, lock = [], threading.Lock()
    real_verify = accounts.verify_password

    def slow_verify(password, password_hash):
        with lock:
            checked.append(password)
        time.sleep(0.05)  # a real bcrypt check takes this long or longer
        return real_verify(password, password_hash)

    monkeypatch.setattr(accounts, "verify_password", slow_verify)
    barrier, outcomes = threading.Barrier(16), []

    def guess(n):
        with Session(engine) as own:
            barrier.wait()
            try:
                accounts.login(own, "awa@example.cm", f"wrong-guess-{n}", client=f"10.2.0.{n}")
            except Exception as exc:  # noqa: BLE001
                own.rollback()
                with lock:
                    outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert 1 <= len(checked) <= rate_limit.LOGIN_PER_ACCOUNT.max_events, checked
    assert sorted(set(outcomes)) == ["InvalidCredentials", "RateLimited"]
    assert outcomes.count("InvalidCredentials") == len(checked)
    # Each wrong password checked counts; the refused attempts were taken back.
    assert rate_limit.count(session, rate_limit.LOGIN_PER_ACCOUNT, "awa@example.cm") == len(checked)


def test_failed_logins_are_limited_per_client_across_accounts(session):
    make_user(session, email="awa@example.cm")
    for n in range(rate_limit.LOGIN_PER_CLIENT.max_events):
        with pytest.raises(InvalidCredentials):
            accounts.login(session, f"guess{n}@example.cm", "wrong-pass-1", client="6.6.6.6")
    with pytest.raises(RateLimited):
        accounts.login(session, "awa@example.cm", "password-123", client="6.6.6.6")
    assert accounts.login(session, "awa@example.cm", "password-123", client="7.7.7.7").token


def test_a_successful_login_forgets_earlier_failures(session):
    make_user(session, email="awa@example.cm")
    for n in range(4):
        with pytest.raises(InvalidCredentials):
            accounts.login(session, "awa@example.cm", "wrong-pass-1", client=f"c{n}")
    accounts.login(session, "awa@example.cm", "password-123", client="c")
    session.commit()
    for n in range(4):
        with pytest.raises(InvalidCredentials):
            accounts.login(session, "awa@example.cm", "wrong-pass-1", client=f"c{n}")
    assert accounts.login(session, "awa@example.cm", "password-123", client="c").token


# --- password reset -----------------------------------------------------------------------------------


def test_password_reset_link_sets_a_new_password_once_and_ends_every_session(session, engine):
    user = make_user(session, email="awa@example.cm")
    old_token = create_session(session, user.id)
    session.commit()
    accounts.request_password_reset(session, "AWA@example.cm", lang="en", client="c")
    session.commit()
    link = last_link(engine, "awa@example.cm")
    assert "/auth/reset-password?token=" in link
    assert outbox(engine)[-1].subject and "60" in outbox(engine)[-1].text_body

    with pytest.raises(FieldError):  # a weak password does not use up the link
        accounts.reset_password(session, token_of(link), "weak")
    accounts.check_reset_link(session, token_of(link))
    accounts.reset_password(session, token_of(link), "New-pass-2026")
    session.commit()
    assert user_for_token(session, old_token) is None
    with pytest.raises(InvalidCredentials):
        accounts.login(session, "awa@example.cm", "password-123")
    assert accounts.login(session, "awa@example.cm", "New-pass-2026").token
    with pytest.raises(LinkUsed):
        accounts.reset_password(session, token_of(link), "Other-pass-2027")
    with pytest.raises(LinkUsed):
        accounts.check_reset_link(session, token_of(link))


def test_an_expired_reset_link_is_refused(session, engine):
    make_user(session, email="awa@example.cm")
    accounts.request_password_reset(session, "awa@example.cm", client="c")
    session.commit()
    token = session.exec(select(EmailToken)).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    session.add(token)
    session.commit()
    with pytest.raises(LinkExpired):
        accounts.reset_password(session, token_of(last_link(engine, "awa@example.cm")), "New-pass-2026")
    assert accounts.login(session, "awa@example.cm", "password-123").token


def test_a_reset_request_for_an_unknown_or_blocked_address_sends_nothing_and_says_nothing(session, engine):
    make_user(session, email="blocked@example.cm", status=UserStatus.blocked)
    assert accounts.request_password_reset(session, "ghost@example.cm", client="c") is None
    assert accounts.request_password_reset(session, "blocked@example.cm", client="c") is None
    assert accounts.request_password_reset(session, "not an address", client="c") is None
    session.commit()
    assert outbox(engine) == [] and session.exec(select(EmailToken)).all() == []


def test_reset_requests_are_limited_per_account_and_per_client(session, engine):
    make_user(session, email="awa@example.cm")
    for n in range(3):
        accounts.request_password_reset(session, "awa@example.cm", client=f"c{n}")
    with pytest.raises(RateLimited):
        accounts.request_password_reset(session, "awa@example.cm", client="c9")
    for n in range(rate_limit.RESET_PER_CLIENT.max_events - 1):  # c0 already made one above
        accounts.request_password_reset(session, f"x{n}@example.cm", client="c0")
    with pytest.raises(RateLimited):
        accounts.request_password_reset(session, "y@example.cm", client="c0")
    session.commit()
    assert len(outbox(engine, "awa@example.cm")) == 3


def test_a_new_reset_kills_the_other_reset_links(session, engine):
    make_user(session, email="awa@example.cm")
    accounts.request_password_reset(session, "awa@example.cm", client="c")
    session.commit()
    first = token_of(last_link(engine, "awa@example.cm"))
    accounts.request_password_reset(session, "awa@example.cm", client="c")
    session.commit()
    second = token_of(last_link(engine, "awa@example.cm"))
    accounts.reset_password(session, second, "New-pass-2026")
    session.commit()
    with pytest.raises(LinkUsed):
        accounts.reset_password(session, first, "Other-pass-2027")


# --- settings: change password, change e-mail ------------------------------------------------------------


def test_change_password_keeps_this_session_and_ends_the_others(session):
    user = make_user(session)
    here, elsewhere = create_session(session, user.id), create_session(session, user.id)
    session.commit()
    accounts.change_password(session, user.id, "password-123", "New-pass-2026", keep_token=here)
    session.commit()
    assert user_for_token(session, here).id == user.id
    assert user_for_token(session, elsewhere) is None
    assert passwords.verify_password("New-pass-2026", reload(session, user.id).password_hash)


def test_change_password_refuses_a_wrong_current_password_or_a_weak_new_one(session):
    user = make_user(session)
    token = create_session(session, user.id)
    session.commit()
    with pytest.raises(WrongPassword) as exc:
        accounts.change_password(session, user.id, "wrong-one-1", "New-pass-2026")
    assert exc.value.field == "current_password"
    with pytest.raises(FieldError) as exc:
        accounts.change_password(session, user.id, "password-123", "short")
    assert exc.value.field == "new_password"
    with pytest.raises(FieldError):
        accounts.change_password(session, user.id, "password-123", "password-123")
    session.rollback()
    assert user_for_token(session, token) is not None
    assert passwords.verify_password("password-123", reload(session, user.id).password_hash)


def test_guessing_the_current_password_is_rate_limited(session):
    user = make_user(session)
    for n in range(5):
        with pytest.raises(WrongPassword):
            accounts.change_password(session, user.id, f"guess-{n}-x", "New-pass-2026")
        session.rollback()
    with pytest.raises(RateLimited):
        accounts.change_password(session, user.id, "password-123", "New-pass-2026")


def test_email_change_takes_effect_only_when_the_new_address_confirms(session, engine):
    user = make_user(session, email="awa@example.cm")
    accounts.request_email_change(session, user.id, "Awa.New@Example.cm", "password-123")
    session.commit()
    assert reload(session, user.id).email == "awa@example.cm"
    assert outbox(engine, "awa@example.cm") == []
    link = last_link(engine, "awa.new@example.cm")
    token = session.exec(select(EmailToken)).one()
    assert token.purpose == "change_email" and token.new_email == "awa.new@example.cm"

    purpose, changed = accounts.verify_email(session, token_of(link))
    session.commit()
    assert purpose == "change_email"
    user = reload(session, user.id)
    assert user.email == "awa.new@example.cm" and user.email_verified_at is not None
    with pytest.raises(LinkUsed):
        accounts.verify_email(session, token_of(link))


def test_email_change_refuses_a_wrong_password_and_bad_input(session, engine):
    user = make_user(session, email="awa@example.cm")
    with pytest.raises(WrongPassword):
        accounts.request_email_change(session, user.id, "free@example.cm", "nope-nope-1")
    with pytest.raises(FieldError):
        accounts.request_email_change(session, user.id, "not-an-email", "password-123")
    with pytest.raises(FieldError):
        accounts.request_email_change(session, user.id, "awa@example.cm", "password-123")
    session.rollback()
    assert outbox(engine) == []


def test_changing_email_to_a_taken_address_answers_like_any_other(session, engine):
    """The answer never says whether an address has an account: its owner gets a notice instead."""
    user = make_user(session, email="awa@example.cm")
    make_user(session, email="taken@example.cm", language="en")
    accounts.request_email_change(session, user.id, "Taken@Example.cm", "password-123")
    session.commit()
    accounts.request_email_change(session, user.id, "free@example.cm", "password-123")
    session.commit()

    assert reload(session, user.id).email == "awa@example.cm"
    tokens = session.exec(select(EmailToken)).all()
    assert [t.new_email for t in tokens] == ["free@example.cm"]  # no link for the taken address
    notice = outbox(engine, "taken@example.cm")
    assert len(notice) == 1 and "token=" not in notice[0].text_body
    assert "another KmerHosting account" in notice[0].text_body
    assert len(outbox(engine, "free@example.cm")) == 1


@pytest.mark.parametrize("target", ["taken@example.cm", "free@example.cm"])
def test_email_change_requests_are_rate_limited_before_anything_is_revealed(session, engine, target):
    user = make_user(session, email="awa@example.cm")
    make_user(session, email="taken@example.cm")
    for n in range(rate_limit.VERIFY_PER_ACCOUNT.max_events):
        accounts.request_email_change(session, user.id, f"probe{n}@example.cm", "password-123")
        session.commit()
    with pytest.raises(RateLimited):
        accounts.request_email_change(session, user.id, target, "password-123")
    session.rollback()
    assert outbox(engine, "taken@example.cm") == []


def test_one_address_gets_at_most_a_few_change_mails_an_hour_whoever_asks(session, engine):
    target = make_user(session, email="taken@example.cm")
    askers = [make_user(session) for _ in range(rate_limit.VERIFY_PER_ACCOUNT.max_events + 1)]
    for asker in askers[:-1]:
        accounts.request_email_change(session, asker.id, target.email, "password-123")
        session.commit()
    with pytest.raises(RateLimited):
        accounts.request_email_change(session, askers[-1].id, target.email, "password-123")
    session.rollback()
    assert len(outbox(engine, "taken@example.cm")) == rate_limit.VERIFY_PER_ACCOUNT.max_events


def test_an_address_taken_meanwhile_cannot_be_confirmed(session, engine):
    user = make_user(session, email="awa@example.cm")
    accounts.request_email_change(session, user.id, "new@example.cm", "password-123")
    session.commit()
    make_user(session, email="new@example.cm")
    with pytest.raises(EmailTaken):
        accounts.verify_email(session, token_of(last_link(engine, "new@example.cm")))
    session.rollback()
    assert reload(session, user.id).email == "awa@example.cm"


def _pending_email_change(session, engine, user) -> str:
    accounts.request_email_change(session, user.id, "thief@example.cm", "password-123")
    session.commit()
    return token_of(last_link(engine, "thief@example.cm"))


def test_a_password_change_ends_a_pending_email_change_and_reset_links(session, engine):
    """Whoever started them (a stolen session, an old reset mail) loses them with the old password."""
    user = make_user(session, email="awa@example.cm")
    change = _pending_email_change(session, engine, user)
    accounts.request_password_reset(session, "awa@example.cm", client="c")
    session.commit()
    reset = token_of(last_link(engine, "awa@example.cm"))

    accounts.change_password(session, user.id, "password-123", "New-pass-2026")
    session.commit()

    with pytest.raises(LinkExpired):
        accounts.verify_email(session, change)
    with pytest.raises(LinkExpired):
        accounts.reset_password(session, reset, "Other-pass-2027")
    session.rollback()
    assert reload(session, user.id).email == "awa@example.cm"


def test_a_password_reset_ends_a_pending_email_change(session, engine):
    user = make_user(session, email="awa@example.cm")
    change = _pending_email_change(session, engine, user)
    accounts.request_password_reset(session, "awa@example.cm", client="c")
    session.commit()

    accounts.reset_password(session, token_of(last_link(engine, "awa@example.cm")), "New-pass-2026")
    session.commit()

    with pytest.raises(LinkExpired):
        accounts.verify_email(session, change)
    session.rollback()
    assert reload(session, user.id).email == "awa@example.cm"


def test_a_verification_link_still_works_after_a_password_change(session, engine):
    """It only proves the account's own address: nothing for someone else to gain."""
    user = make_user(session, email="awa@example.cm", verified=False)
    accounts.resend_verification(session, user.id, client="c")
    session.commit()
    accounts.change_password(session, user.id, "password-123", "New-pass-2026")
    session.commit()
    accounts.verify_email(session, token_of(last_link(engine, "awa@example.cm")))
    session.commit()
    assert reload(session, user.id).email_verified_at is not None


def test_settings_functions_refuse_an_unknown_user(session):
    from kmerhosting.core.errors import NotFound

    with pytest.raises(NotFound):
        accounts.change_password(session, 999999, "password-123", "New-pass-2026")
    with pytest.raises(NotFound):
        accounts.request_email_change(session, 999999, "x@example.cm", "password-123")


def test_the_mail_is_not_sent_when_the_registration_is_rolled_back(engine):
    from kmerhosting.db import session_scope

    with pytest.raises(RuntimeError):
        with session_scope() as s:
            accounts.register(s, email="awa@example.cm", password=GOOD_PASSWORD, name="Awa",
                              phone="699123456", client="c")
            raise RuntimeError("boom")
    assert outbox(engine) == []
    with Session(engine) as s:
        assert s.exec(select(User)).all() == []


def test_outside_tests_the_mail_leaves_off_the_request_path(session, engine, configure):
    import threading

    configure(KMER_ENV="development")
    register(session)
    for thread in threading.enumerate():
        if thread.name.startswith("mail-"):
            thread.join(timeout=30)
    assert "/auth/verify-email?token=" in last_link(engine, "awa@example.cm")
    assert session.exec(select(NotificationLog)).one().status == "sent"
