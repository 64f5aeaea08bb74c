"""A customer's own profile fields (name, phone, language). Password and e-mail live in accounts."""

from __future__ import annotations

from sqlmodel import Session

from ..config import LANGUAGES
from ..models import User
from .accounts import normalize_phone
from .errors import InvalidInput, NotFound

NAME_MIN, NAME_MAX = 2, 120


def update_profile(session: Session, user_id: int, name, phone, language) -> User:
    """Validate all three fields, then save them together. Commits."""
    if not isinstance(name, str) or not NAME_MIN <= len(" ".join(name.split())) <= NAME_MAX:
        raise InvalidInput("dashboard.settings_name_length", min=NAME_MIN, max=NAME_MAX)
    if not isinstance(language, str) or language not in LANGUAGES:
        raise InvalidInput("error.invalid_language")
    phone = _phone(phone)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    user.name = " ".join(name.split())
    user.phone = phone
    user.language = language
    session.add(user)
    session.commit()
    return user


def _phone(raw) -> str:
    if not isinstance(raw, str):
        raise InvalidInput("dashboard.settings_phone_invalid")
    if not raw.strip():
        return ""
    return normalize_phone(raw)  # the accounts module owns the phone number rules


def set_language(session: Session, user_id: int, language) -> None:
    """The language the customer switched the site to is also the one their e-mails are written in."""
    if not isinstance(language, str) or language not in LANGUAGES:
        raise InvalidInput("error.invalid_language")
    user = session.get(User, user_id)
    if user is not None and user.language != language:
        user.language = language
        session.add(user)
