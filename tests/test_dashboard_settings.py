"""Settings handlers that call the accounts module (core.accounts): password, e-mail, phone."""

from __future__ import annotations

from sqlmodel import select

from kmerhosting.core import accounts
from kmerhosting.core.sessions import create_session, user_for_token
from kmerhosting.models import EmailToken, User
from kmerhosting.state.dashboard_settings import SettingsState
from tests.factories import make_user



def logged_in(session, user):
    state = SettingsState()
    state.auth_token = create_session(session, user.id)
    session.commit()
    return state


def test_changing_the_password_keeps_this_login_and_ends_the_others(session):
    user = make_user(session)
    other_login = create_session(session, user.id)
    state = logged_in(session, user)
    new = "Nouveau-mot-de-passe-2026"
    state.change_password({"current_password": "password-123", "new_password": new, "confirm_password": new})
    assert state.password_error == ""
    session.expire_all()
    assert user_for_token(session, state.auth_token) is not None
    assert user_for_token(session, other_login) is None


def test_a_wrong_current_password_changes_nothing(session):
    user = make_user(session)
    state = logged_in(session, user)
    before = session.get(User, user.id).password_hash
    new = "Nouveau-mot-de-passe-2026"
    state.change_password({"current_password": "wrong-password", "new_password": new, "confirm_password": new})
    assert state.password_error
    session.expire_all()
    assert session.get(User, user.id).password_hash == before


def test_changing_the_email_needs_the_password_and_a_confirmation(session):
    user = make_user(session)
    state = logged_in(session, user)
    state.change_email({"new_email": "nouvelle@example.cm", "password": "wrong-password"})
    assert state.email_error and state.email_done == ""
    state.change_email({"new_email": "nouvelle@example.cm", "password": "password-123"})
    assert state.email_error == "" and "nouvelle@example.cm" in state.email_done
    session.expire_all()
    assert session.get(User, user.id).email == user.email  # unchanged until the link is clicked
    assert session.exec(select(EmailToken).where(EmailToken.user_id == user.id,
                                                 EmailToken.new_email == "nouvelle@example.cm")).first()


def test_the_phone_is_saved_in_the_accounts_format(session):
    user = make_user(session)
    state = logged_in(session, user)
    state.load()
    state.save_profile({"name": user.name, "phone": "6 77 12 34 56"})
    assert state.profile_error == ""
    session.refresh(user)
    assert user.phone == accounts.normalize_phone("6 77 12 34 56")
    state.save_profile({"name": user.name, "phone": "not a phone"})
    assert state.profile_error


def test_switching_the_site_language_also_sets_the_language_of_the_customers_mail(session):
    import reflex as rx

    from kmerhosting.state.base import BaseState

    user = make_user(session, language="fr")
    # The whole tab's tree, as the app has it: the switch re-words every page state that shows text.
    def tab():
        return rx.State(_reflex_internal_init=True).get_substate(BaseState.get_full_name().split(".")[1:])

    state = tab()
    state.auth_token = create_session(session, user.id)
    session.commit()
    state.set_language("en")
    session.expire_all()
    assert state.lang == "en" and session.get(User, user.id).language == "en"

    anonymous = tab()
    anonymous.set_language("fr")  # no account: only the visitor's cookie changes
    assert anonymous.lang == "fr" and session.get(User, user.id).language == "en"
    assert state.set_language("de") is not None and session.get(User, user.id).language == "en"
