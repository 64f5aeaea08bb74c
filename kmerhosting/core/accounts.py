"""Accounts: registration, e-mail verification, login, password reset, e-mail change, who may buy.

Every rule lives here; the state handlers only authorize, call and map errors. Functions take the
caller's session and do not commit, except that mails go out after the caller commits (a link in a
mail must never point at a token that was rolled back) and rate-limit events are committed at once
(a refused login must still count).

Nothing here reveals whether an e-mail is registered: a login with an unknown address fails exactly
like a wrong password, and a reset or verification request always "succeeds".
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, select

from ..config import get_settings
from ..i18n import normalize_language
from ..models import EmailToken, User, UserStatus, utcnow
from . import rate_limit
from .errors import InvalidInput, KmerError, NotAuthorized, NotFound
from .passwords import MAX_PASSWORD_BYTES, hash_password, verify_password
from .sessions import create_session, hash_token, new_token, revoke_all_sessions, revoke_token

log = logging.getLogger(__name__)

PASSWORD_MIN_LENGTH = 10

PURPOSE_VERIFY = "verify_email"
PURPOSE_CHANGE_EMAIL = "change_email"
PURPOSE_RESET = "reset_password"

EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
# Passwords from breach lists that pass the length rule; refused outright.
COMMON_PASSWORDS = frozenset({
    "1234567890", "12345678910", "0123456789", "motdepasse", "motdepasse1", "motdepasse123",
    "password12", "password123", "password1234", "azertyuiop", "qwertyuiop", "azerty1234",
    "azerty123456", "qwerty1234", "qwerty123456", "cameroun237", "cameroun123", "kmerhosting",
    "kmerhosting1", "iloveyou12", "1q2w3e4r5t", "aaaaaaaaaa", "abcdefghij", "abcd123456",
})


@functools.cache
def _dummy_hash() -> str:
    """Checked when the address is unknown, so a wrong e-mail costs as long as a wrong password."""
    return hash_password("not-a-real-password")


# --- typed errors (their keys are in i18n/messages/accounts.py) --------------------------------


class FieldError(InvalidInput):
    """Bad input in one form field; `field` lets the form show the message next to it."""

    def __init__(self, field: str, key: str, **params):
        super().__init__(key, **params)
        self.field = field


class InvalidCredentials(KmerError):
    key = "accounts.invalid_credentials"


class AccountBlocked(KmerError):
    key = "accounts.blocked"


class EmailNotVerified(KmerError):
    key = "accounts.email_not_verified"


class LinkInvalid(KmerError):
    key = "accounts.link_invalid"


class LinkExpired(KmerError):
    key = "accounts.link_expired"


class LinkUsed(KmerError):
    key = "accounts.link_used"


class EmailTaken(FieldError):
    def __init__(self):
        super().__init__("email", "accounts.email_taken")


class WrongPassword(FieldError):
    def __init__(self):
        super().__init__("current_password", "accounts.wrong_current_password")


# --- input rules ------------------------------------------------------------------------------


def normalize_email(email) -> str:
    if not isinstance(email, str):
        raise FieldError("email", "accounts.email_invalid")
    email = email.strip().lower()
    if len(email) > 254 or not EMAIL_RE.fullmatch(email):
        raise FieldError("email", "accounts.email_invalid")
    return email


def validate_password(password, email: str = "", field: str = "password") -> str:
    """A password we accept: 10+ characters, a letter and a digit, not a well-known one."""
    if not isinstance(password, str) or len(password) < PASSWORD_MIN_LENGTH:
        raise FieldError(field, "accounts.password_too_short", min=PASSWORD_MIN_LENGTH)
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise FieldError(field, "accounts.password_too_long", max=MAX_PASSWORD_BYTES)
    if not re.search(r"[^\W\d_]", password) or not re.search(r"\d", password):
        raise FieldError(field, "accounts.password_needs_letter_and_digit")
    lowered = password.lower()
    local_part = email.split("@")[0].lower() if email else ""
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        raise FieldError(field, "accounts.password_too_common")
    if len(local_part) >= 4 and local_part in lowered:
        raise FieldError(field, "accounts.password_contains_email")
    return password


def normalize_phone(phone) -> str:
    """A Cameroonian number as E.164 (+2376XXXXXXXX / +2372XXXXXXXX).

    Accepts the ways people write them: "+237 6 99 12 34 56", "00237699123456", "237-699-12-34-56",
    "699 12 34 56", "(+237) 699.12.34.56".
    """
    if not isinstance(phone, str):
        raise FieldError("phone", "accounts.phone_invalid")
    digits = re.sub(r"[\s.\-()/]", "", phone.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    if not digits.isdigit():
        raise FieldError("phone", "accounts.phone_invalid")
    if len(digits) == 12 and digits.startswith("237"):
        digits = digits[3:]
    # Nine digits: 6XX mobile (MTN, Orange, Nexttel, Camtel) or 2XX fixed (Camtel).
    if len(digits) != 9 or digits[0] not in "26":
        raise FieldError("phone", "accounts.phone_invalid")
    return "+237" + digits


def format_phone(e164: str) -> str:
    """+237699123456 -> "+237 6 99 12 34 56" (how Cameroonians read them)."""
    if not (e164 or "").startswith("+237") or len(e164) != 13:
        return e164 or ""
    d = e164[4:]
    return f"+237 {d[0]} {d[1:3]} {d[3:5]} {d[5:7]} {d[7:9]}"


def validate_name(name) -> str:
    if not isinstance(name, str):
        raise FieldError("name", "accounts.name_invalid")
    name = " ".join(name.split())
    if not 2 <= len(name) <= 120:
        raise FieldError("name", "accounts.name_invalid")
    return name


def safe_next(path, default: str = "/dashboard") -> str:
    """Where to go after login: a local path only (no scheme, no host, no //evil.example)."""
    if not isinstance(path, str) or not path or len(path) > 500:
        return default
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return default
    if any(ord(c) < 32 or c.isspace() for c in path):
        return default
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return default
    if path.startswith("/auth/"):  # back to the login page would be a loop
        return default
    return path


# --- e-mail links -----------------------------------------------------------------------------


def _issue_token(session: Session, user_id: int, purpose: str, lifetime: timedelta,
                 new_email: str | None = None) -> str:
    raw = new_token()
    now = utcnow()
    session.add(EmailToken(user_id=user_id, purpose=purpose, token_hash=hash_token(raw),
                           new_email=new_email, created_at=now, expires_at=now + lifetime))
    session.flush()
    return raw


def _find_token(session: Session, raw, purposes: tuple[str, ...]) -> EmailToken:
    """The unused, unexpired token; raises LinkInvalid / LinkUsed / LinkExpired with a clear message."""
    if not isinstance(raw, str) or not raw or len(raw) > 200:
        raise LinkInvalid()
    token = session.exec(select(EmailToken).where(EmailToken.token_hash == hash_token(raw))).first()
    if token is None or token.purpose not in purposes:
        raise LinkInvalid()
    if token.used_at is not None:
        raise LinkUsed()
    if token.expires_at <= utcnow():
        raise LinkExpired()
    return token


def _consume(session: Session, token: EmailToken) -> None:
    """Mark used with a guarded UPDATE, so two clicks at once cannot both use the link."""
    done = session.execute(sa.update(EmailToken).where(EmailToken.id == token.id, EmailToken.used_at.is_(None))
                           .values(used_at=utcnow())).rowcount
    if done != 1:
        raise LinkUsed()


def _link(path: str, raw: str) -> str:
    return f"{get_settings().public_base_url}{path}?token={raw}"


def _send_link_mail(session: Session, template: str, to_email: str, lang: str, context: dict, link: str,
                    user_id: int) -> None:
    """Queue a mail carrying a one-time link, in this transaction; the worker sends it. The link is kept
    sealed (core/sealing.py) until the mail has left, then dropped: the database never holds it readable."""
    from . import mailer

    mailer.send_later(session, template, to_email, normalize_language(lang), context, sealed={"link": link},
                      user_id=user_id)


def _send_verification(session: Session, user: User, lang: str, to_email: str | None = None,
                       purpose: str = PURPOSE_VERIFY) -> None:
    hours = get_settings().verify_token_hours
    raw = _issue_token(session, user.id, purpose, timedelta(hours=hours),
                       new_email=to_email if purpose == PURPOSE_CHANGE_EMAIL else None)
    _send_link_mail(session, "verify_email", to_email or user.email, lang, {"name": user.name, "hours": hours},
                    _link("/auth/verify-email", raw), user_id=user.id)


def user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email)).first()


# --- registration and verification --------------------------------------------------------------


@dataclass
class Registration:
    user_id: int | None  # None when the address already had an account (the caller can't tell)


def register(session: Session, *, email, password, name, phone, lang: str = "fr", client: str = "") -> Registration:
    """Create an unverified customer and mail the verification link.

    An address that already has an account gets the same answer and no new account: the page says
    "check your inbox, or log in if you already have an account", which reveals nothing.
    """
    errors = registration_errors(email=email, password=password, name=name, phone=phone)
    if errors:
        raise next(iter(errors.values()))
    email_n = normalize_email(email)
    rate_limit.hit(session, (rate_limit.REGISTER_PER_CLIENT, client))
    if user_by_email(session, email_n) is not None:
        hash_password(password)  # the same work as a new account: the answer time tells nothing
        return Registration(user_id=None)
    user = User(email=email_n, password_hash=hash_password(password), name=validate_name(name),
                phone=normalize_phone(phone), language=normalize_language(lang))
    session.add(user)
    session.flush()
    _send_verification(session, user, user.language)
    return Registration(user_id=user.id)


def registration_errors(*, email, password, name, phone) -> dict[str, KmerError]:
    """Every field problem at once, for a form that shows each message next to its field."""
    errors = _collect(lambda: normalize_email(email), lambda: validate_name(name),
                      lambda: normalize_phone(phone))
    try:
        validate_password(password, email if isinstance(email, str) else "")
    except FieldError as exc:
        errors.setdefault(exc.field, exc)
    return errors


def _collect(*checks) -> dict[str, FieldError]:
    errors: dict[str, FieldError] = {}
    for check in checks:
        try:
            check()
        except FieldError as exc:
            errors.setdefault(exc.field, exc)
    return errors


def request_verification(session: Session, email, lang: str = "fr", client: str = "") -> None:
    """"Resend the verification mail": silent for unknown or already verified addresses."""
    try:
        email_n = normalize_email(email)
    except FieldError:
        email_n = ""
    rate_limit.hit(session, (rate_limit.VERIFY_PER_ACCOUNT, email_n), (rate_limit.VERIFY_PER_CLIENT, client))
    user = user_by_email(session, email_n) if email_n else None
    if user is None or user.email_verified_at is not None or user.is_blocked:
        return
    _send_verification(session, user, lang or user.language)


def resend_verification(session: Session, user_id: int, lang: str = "fr", client: str = "") -> bool:
    """The logged-in user's own resend; False when there is nothing to verify."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    if user.email_verified_at is not None:
        return False
    rate_limit.hit(session, (rate_limit.VERIFY_PER_ACCOUNT, user.email), (rate_limit.VERIFY_PER_CLIENT, client))
    _send_verification(session, user, lang or user.language)
    return True


def verify_email(session: Session, raw_token) -> tuple[str, User]:
    """Open a verification or e-mail-change link; returns (purpose, user). Single use."""
    token = _find_token(session, raw_token, (PURPOSE_VERIFY, PURPOSE_CHANGE_EMAIL))
    user = session.get(User, token.user_id)
    if user is None:
        raise LinkInvalid()
    if token.purpose == PURPOSE_CHANGE_EMAIL:
        new_email = normalize_email(token.new_email or "")
        other = user_by_email(session, new_email)
        if other is not None and other.id != user.id:
            raise EmailTaken()
        _consume(session, token)
        user.email = new_email
    else:
        _consume(session, token)
    user.email_verified_at = utcnow()
    session.add(user)
    session.flush()
    return token.purpose, user


# --- login --------------------------------------------------------------------------------------


@dataclass
class Login:
    token: str  # raw session token for the browser
    user: User


def login(session: Session, email, password, client: str = "") -> Login:
    """Check the credentials and open a session. Blocked accounts are told so (after the password)."""
    try:
        email_n = normalize_email(email)
    except FieldError:
        email_n = ""
    # Counted before the password is checked (and kept when it is wrong): concurrent guesses can't
    # all pass the limit.
    attempt = rate_limit.attempt(session, (rate_limit.LOGIN_PER_ACCOUNT, email_n),
                                 (rate_limit.LOGIN_PER_CLIENT, client))
    user = user_by_email(session, email_n) if email_n else None
    password_ok = isinstance(password, str) and 0 < len(password.encode("utf-8")) <= 200 and \
        verify_password(password, user.password_hash if user else _dummy_hash())
    if user is None or not password_ok:
        raise InvalidCredentials()
    if user.status == UserStatus.blocked:
        raise AccountBlocked()
    # Only failures count: a good password takes its attempt back and forgets the account's failures.
    rate_limit.forget(session, attempt)
    rate_limit.clear(session, rate_limit.LOGIN_PER_ACCOUNT, email_n)
    user.last_login_at = utcnow()
    session.add(user)
    raw = create_session(session, user.id, client=client)
    return Login(token=raw, user=user)


def logout(session: Session, raw_token) -> None:
    revoke_token(session, raw_token if isinstance(raw_token, str) else None)


def ensure_can_buy(user: User | None) -> None:
    """Raise unless this user may pay: logged in, not blocked, e-mail verified."""
    if user is None:
        raise NotAuthorized()
    if user.status == UserStatus.blocked:
        raise AccountBlocked()
    if user.email_verified_at is None:
        raise EmailNotVerified()


# --- password reset and change -------------------------------------------------------------------


def request_password_reset(session: Session, email, lang: str = "fr", client: str = "") -> None:
    """Mail a reset link when the address has an active account; the caller always says "sent"."""
    try:
        email_n = normalize_email(email)
    except FieldError:
        email_n = ""
    rate_limit.hit(session, (rate_limit.RESET_PER_ACCOUNT, email_n), (rate_limit.RESET_PER_CLIENT, client))
    user = user_by_email(session, email_n) if email_n else None
    if user is None or user.is_blocked:
        return
    minutes = get_settings().reset_token_minutes
    raw = _issue_token(session, user.id, PURPOSE_RESET, timedelta(minutes=minutes))
    _send_link_mail(session, "reset_password", user.email, lang or user.language,
                    {"name": user.name, "minutes": minutes}, _link("/auth/reset-password", raw), user_id=user.id)


def check_reset_link(session: Session, raw_token) -> None:
    """Raise LinkInvalid / LinkUsed / LinkExpired before showing the new-password form."""
    _find_token(session, raw_token, (PURPOSE_RESET,))


def reset_password(session: Session, raw_token, new_password) -> User:
    """Set a new password from a reset link; every session of the user ends, and so do the other reset
    links and a pending e-mail change."""
    token = _find_token(session, raw_token, (PURPOSE_RESET,))
    user = session.get(User, token.user_id)
    if user is None:
        raise LinkInvalid()
    validate_password(new_password, user.email)
    _consume(session, token)
    _expire_other_tokens(session, user.id, PURPOSE_RESET)
    _end_links(session, user.id, PURPOSE_CHANGE_EMAIL)
    user.password_hash = hash_password(new_password)
    # Opening the link proves the address, like a verification link.
    user.email_verified_at = user.email_verified_at or utcnow()
    session.add(user)
    revoke_all_sessions(session, user.id)
    session.flush()
    return user


def _expire_other_tokens(session: Session, user_id: int, purpose: str) -> None:
    session.execute(sa.update(EmailToken).where(EmailToken.user_id == user_id, EmailToken.purpose == purpose,
                                                EmailToken.used_at.is_(None)).values(used_at=utcnow()))


def _end_links(session: Session, user_id: int, *purposes: str) -> None:
    """Links mailed before a password change stop working ("expired, ask for a new one"): whoever
    started them with the old password (a stolen session, an old reset mail) loses them too."""
    now = utcnow()
    session.execute(sa.update(EmailToken).where(EmailToken.user_id == user_id, EmailToken.purpose.in_(purposes),
                                                EmailToken.used_at.is_(None), EmailToken.expires_at > now)
                    .values(expires_at=now))


def change_password(session: Session, user_id: int, current_password, new_password, keep_token=None) -> None:
    """Change a logged-in user's password. What the old password opened ends with it: every other
    session, pending reset links and a pending e-mail change (a verification link stays: it only
    proves the account's own address)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    _check_current_password(session, user, current_password)
    validate_password(new_password, user.email, field="new_password")
    if verify_password(new_password, user.password_hash):
        raise FieldError("new_password", "accounts.password_unchanged")
    user.password_hash = hash_password(new_password)
    session.add(user)
    revoke_all_sessions(session, user.id, except_raw=keep_token if isinstance(keep_token, str) else None)
    _end_links(session, user.id, PURPOSE_RESET, PURPOSE_CHANGE_EMAIL)
    session.flush()


def _check_current_password(session: Session, user: User, password) -> None:
    attempt = rate_limit.attempt(session, (rate_limit.PASSWORD_PER_USER, str(user.id)))
    if not isinstance(password, str) or len(password) > 200 or not verify_password(password, user.password_hash):
        raise WrongPassword()
    rate_limit.forget(session, attempt)


def request_email_change(session: Session, user_id: int, new_email, password) -> None:
    """Mail a confirmation link to the new address; the address changes when the link is opened.

    The answer is the same whether or not the new address has an account (else this form would tell
    anyone logged in which addresses are customers here): a taken address gets no link, its owner a
    notice instead. Counted first, per account and per target address, before anything is looked up.
    """
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    _check_current_password(session, user, password)
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise FieldError("email", "accounts.email_unchanged")
    rate_limit.hit(session, (rate_limit.VERIFY_PER_ACCOUNT, user.email), (rate_limit.VERIFY_PER_ACCOUNT, new_email))
    owner = user_by_email(session, new_email)
    if owner is not None:
        from . import mailer

        mailer.send_later(session, "email_in_use", owner.email, normalize_language(owner.language),
                          {"name": owner.name}, user_id=owner.id)
        return
    _send_verification(session, user, user.language, to_email=new_email, purpose=PURPOSE_CHANGE_EMAIL)
