"""The control-panel interface the shop talks to for hosting accounts (create, suspend, restore, remove).

Implementations: cPanel/WHM (`whm.py`, WHM API 1 over httpx, written from the documented wire protocol)
and the sandbox panel (`sandbox.py`, the zero-config default, clearly labelled as a test: it creates
nothing real). DirectAdmin and Plesk are meant to follow the same `Panel` protocol.

Rules for callers (the provisioning jobs):

- The shop chooses the username (`make_username`) and stores it with the domain *before* asking the
  panel to create anything, so that a lost answer can be looked up afterwards.
- Reads (`find_account`, `usage`, `packages`, `test_connection`) may be retried freely.
- Writes are never repeated blindly. `PanelUnavailable` (timeout, connection refused, 5xx, unreadable
  answer) means "outcome unknown": the panel may have done it. After a `create_account` that raised it,
  the caller calls `find_account` before creating again; `ensure_account` does exactly that
  (find, create, on an unknown outcome find again) and never makes two accounts for one spec.
  `suspend`, `unsuspend` and `change_package` leave the account in the same state when repeated, so
  repeating them after `PanelUnavailable` is harmless; a repeated `terminate` raises `AccountNotFound`,
  which after a lost answer means "already removed".
- `PanelRejected` means the panel read the request and said no (its own words are in the message):
  repeating the same request will not help. `UsernameTaken` and `AccountNotFound` are the two refusals
  a caller acts on; `PanelAuthFailed` means the shop's credentials for that server are wrong or lack a
  privilege: an admin must fix the server's settings, and jobs wait rather than give up on the account.
- `change_password` is a write that may be repeated: setting the same password twice is harmless.
- Secrets (API tokens, account passwords, one-time login URLs) never appear in exception messages,
  reprs or logs.
"""

from __future__ import annotations

import re
import secrets
import string
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

KIND_CPANEL = "cpanel"
KIND_SANDBOX = "sandbox"

# cPanel's limit on modern systems. Servers with MySQL database prefixing and the old 8-character rule
# need `make_username(..., max_length=8)`, which also keeps the first 8 characters unique.
USERNAME_MAX = 16

# Names cPanel refuses: system users and root's mail aliases (cPanel's "Reserved, Invalid, and
# Misconfigured Usernames" list and Cpanel/Validate/Username/Core.pm), plus service accounts that
# exist on a typical cPanel server. A server may refuse more (anything in /etc/aliases); its refusal
# then comes back as UsernameTaken and the caller picks the next name.
RESERVED_USERNAMES = frozenset("""
    abuse adm admin all amanda apache bin cpanel cpaneleximfilter cpaneleximscanner cpanellogin
    cpanelphpmyadmin cpanelphppgadmin cpanelroundcube cpses cphulkd daemon dbus dovecot dovenull
    exim ftp ftpuser games gdm gopher halt horde ident lp mail mailman mailnull majordomo mysql named
    news nfsnobody nobody nscd ntp operator pop portage postfix postgres postmaster qmail quota root
    roundcube rpc rpcuser security shutdown sshd sync system tmp toor uucp vcsa virtfs webmaster wheel
    whm whmxfer www xfs
""".split())
RESERVED_PREFIXES = ("test", "cpanel")
_USERNAME_RE = re.compile(r"[a-z][a-z0-9]*")


# --- data -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountSpec:
    """What the shop asks a panel to create. The password is kept out of the repr."""

    username: str
    domain: str
    password: str = field(repr=False)
    package: str
    email: str
    contact_name: str = ""


@dataclass(frozen=True)
class Account:
    """A hosting account as the panel reports it. Sizes in MiB; a limit of None means unlimited."""

    username: str
    domain: str
    package: str
    suspended: bool = False
    suspend_reason: str = ""
    disk_used_mb: int | None = None
    disk_limit_mb: int | None = None
    bandwidth_used_mb: int | None = None      # not every listing reports it (WHM's listaccts does not)
    ip: str = ""
    email: str = ""
    owner: str = ""


@dataclass(frozen=True)
class LoginUrl:
    """A one-time link that logs the customer into the panel. Use it at once, never store it: whoever
    holds it is logged in (the repr shows only where it leads)."""

    url: str = field(repr=False)
    expires_at: datetime | None = None

    def __repr__(self) -> str:
        host = self.url.split("/")[2] if self.url.count("/") >= 2 else "?"
        return f"LoginUrl(host={host!r}, expires_at={self.expires_at!r})"


@dataclass(frozen=True)
class Usage:
    """Disk and bandwidth (this month) in MiB; a limit of None means unlimited."""

    disk_used_mb: int | None
    disk_limit_mb: int | None
    bandwidth_used_mb: int | None
    bandwidth_limit_mb: int | None


@dataclass(frozen=True)
class PanelPackage:
    """A hosting package (WHM: "package"/"plan") defined on the server."""

    name: str
    disk_limit_mb: int | None = None
    bandwidth_limit_mb: int | None = None


@dataclass(frozen=True)
class ServerInfo:
    """What `test_connection` learned: the panel answered, with these credentials."""

    kind: str
    version: str
    accounts: int


# --- errors ---------------------------------------------------------------------------------------


class PanelError(Exception):
    def __init__(self, message: str = "", code: str = ""):
        super().__init__(message)
        self.code = code


class PanelUnavailable(PanelError):
    """No usable answer (timeout, connection refused, TLS failure, 5xx, garbage): the outcome is unknown."""


class PanelRejected(PanelError):
    """The panel read the request and refused it (WHM: HTTP 200 with `metadata.result: 0`)."""


class UsernameTaken(PanelRejected):
    """The username exists on the server (an account, or a system user/group), or is reserved there."""


class AccountNotFound(PanelRejected):
    """No account with that username on the server."""


class PanelAuthFailed(PanelError):
    """The server refused the shop's credentials (or they lack a privilege): fix the server's settings."""


# --- the interface --------------------------------------------------------------------------------


class Panel(Protocol):
    kind: str                       # "cpanel" | "sandbox" (later "directadmin", "plesk")
    is_test: bool                   # True for the sandbox: pages say so

    def test_connection(self) -> ServerInfo:
        """Check that the server answers and accepts the credentials."""
        ...

    def find_account(self, username: str) -> Account | None:
        """The account with exactly this username, or None (a read)."""
        ...

    def create_account(self, spec: AccountSpec) -> Account:
        """Create the account. After PanelUnavailable call `find_account` before trying again."""
        ...

    def ensure_account(self, spec: AccountSpec) -> tuple[Account, bool]:
        """The account for `spec`, created if missing: (account, created by this call)."""
        ...

    def suspend(self, username: str, reason: str = "") -> None:
        ...

    def unsuspend(self, username: str) -> None:
        ...

    def terminate(self, username: str) -> None:
        """Remove the account and its files for good."""
        ...

    def change_package(self, username: str, package: str) -> None:
        ...

    def login_url(self, username: str, service: str = "cpaneld") -> LoginUrl:
        """A one-time login link for the customer (never stored)."""
        ...

    def change_password(self, username: str, password: str) -> None:
        """Set the account's panel password (the customer's choice). A weak one is PanelRejected with the
        panel's words; the password never appears in a message."""
        ...

    def usage(self, username: str) -> Usage:
        ...

    def packages(self) -> list[PanelPackage]:
        ...


def ensure_account(panel: Panel, spec: AccountSpec) -> tuple[Account, bool]:
    """Find, create if missing, and after an unknown outcome find again: one account per spec, however
    often this is called. `created` is True when this call's create made the account (including a create
    whose answer was lost but which the second lookup shows done).

    An account with this username but another domain is someone else's: UsernameTaken. When the create's
    answer is lost and the account does not show yet (WHM lists it only once createacct has finished),
    PanelUnavailable is raised again: the caller waits and calls this again, which looks first."""
    existing = panel.find_account(spec.username)
    if existing is not None:
        return _same_domain(existing, spec), False
    try:
        return panel.create_account(spec), True
    except PanelUnavailable:
        existing = panel.find_account(spec.username)
        if existing is None:
            raise
        return _same_domain(existing, spec), True
    except UsernameTaken:
        # A retried create after a lost answer gets "a group for that username already exists".
        existing = panel.find_account(spec.username)
        if existing is None:
            raise
        return _same_domain(existing, spec), False


def _same_domain(account: Account, spec: AccountSpec) -> Account:
    if account.domain.lower() != spec.domain.lower():
        raise UsernameTaken(f"username {spec.username!r} belongs to another domain on this server",
                            code="username_taken")
    return account


# --- usernames and passwords ----------------------------------------------------------------------


def username_problem(username: str, max_length: int = USERNAME_MAX) -> str | None:
    """Why cPanel would refuse `username` as a new account's name, or None when it is acceptable."""
    if not username:
        return "empty"
    if len(username) > max_length:
        return f"longer than {max_length} characters"
    if not _USERNAME_RE.fullmatch(username):
        return "only lowercase letters and digits, starting with a letter"
    if username.startswith(RESERVED_PREFIXES):
        return f"may not start with {username[:6]!r}"
    if username.endswith("assword"):
        return "may not end with 'assword'"
    if username in RESERVED_USERNAMES:
        return "reserved name"
    return None


def _ascii_letters(domain: str) -> str:
    """The domain's name part, lower-cased, accents dropped, letters and digits only."""
    domain = domain.strip().lower().rstrip(".")
    labels = [label for label in domain.split(".") if label]
    decoded = []
    for label in labels:
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except (UnicodeError, ValueError):
                pass
        decoded.append(label)
    if decoded and decoded[0] == "www" and len(decoded) > 2:
        decoded = decoded[1:]
    # The top-level label says nothing about the customer ("cm", "com"); keep it only when alone.
    name = "".join(decoded[:-1] if len(decoded) > 1 else decoded)
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in name if ch in string.ascii_lowercase or ch in string.digits)


def username_base(domain: str, max_length: int = USERNAME_MAX) -> str:
    """The username a domain would get if it were free (before any suffix)."""
    base = _ascii_letters(domain) or "site"
    # Leading digits and "test"/"cpanel" are refused by cPanel: prefix a letter rather than lose the name.
    if base[0].isdigit() or base.startswith(RESERVED_PREFIXES):
        base = "a" + base
    base = base[:max_length]
    if base.endswith("assword"):
        base = base[:-1]
    return base


def make_username(domain: str, taken: Callable[[str], bool] | Collection[str] = (),
                  max_length: int = USERNAME_MAX) -> str:
    """A username for `domain` by cPanel's rules, not in `taken` (a set of names, or a function that
    says whether a name is taken, e.g. a database lookup).

    The name is the domain without its top-level label, lower-cased, accents dropped, letters and
    digits only ("jean-mbarga.cm" -> "jeanmbarga"); a leading digit or "test" gets an "a" in front
    ("123shop.com" -> "a123shop", "test.cm" -> "atest"); it is cut to `max_length` (16, cPanel's limit
    today; pass 8 for servers that still need the first 8 characters unique). A taken or reserved name
    gets a digit suffix inside the limit: "jeanmbarga1", "jeanmbarga2"... A pure function."""
    is_taken = taken if callable(taken) else (lambda name, names=frozenset(taken): name in names)
    base = username_base(domain, max_length)
    for number in range(0, 100000):
        suffix = str(number) if number else ""
        candidate = base[:max_length - len(suffix)] + suffix
        if username_problem(candidate, max_length) is None and not is_taken(candidate):
            return candidate
    raise ValueError(f"no free username for {domain!r}")


# Letters and digits without look-alikes (0/O, 1/l/I), and symbols that survive form encoding, shell
# quoting and being read aloud: no quotes, backslash, space, &, =, +, %, #, ?, / or <>.
_LOWER = "abcdefghijkmnopqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"
_SYMBOLS = "-_.!@*~^"


def strong_password(length: int = 20) -> str:
    """A random password cPanel's strength meter rates high: at least 14 characters with lowercase,
    uppercase, digits and symbols (at least two of each), from the OS's secure random source."""
    if length < 14:
        raise ValueError("a panel password has at least 14 characters")
    rng = secrets.SystemRandom()
    chars = [rng.choice(group) for group in (_LOWER, _UPPER, _DIGITS, _SYMBOLS) for _ in range(2)]
    alphabet = _LOWER + _UPPER + _DIGITS + _SYMBOLS
    chars += [rng.choice(alphabet) for _ in range(length - len(chars))]
    rng.shuffle(chars)
    # A leading symbol confuses some forms and copy-paste; start with a letter.
    if chars[0] not in _LOWER + _UPPER:
        index = next(i for i, ch in enumerate(chars) if ch in _LOWER + _UPPER)
        chars[0], chars[index] = chars[index], chars[0]
    return "".join(chars)


def scrub(text: str, hidden: Collection[str]) -> str:
    """`text` with every secret in `hidden` replaced by "***" (a panel may echo what it was sent)."""
    for secret in hidden:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def megabytes(value: object) -> int | None:
    """A panel's size as whole MiB: 14, "14", "14M", "1.5G", "512K" -> MiB; "unlimited", "", None -> None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    text = str(value).strip().upper().replace("B", "")
    if not text or text.startswith("UNLIMITED") or text == "NONE":
        return None
    factor = {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024}.get(text[-1])
    number = text[:-1] if factor else text
    try:
        return int(round(float(number) * (factor or 1)))
    except ValueError:
        return None


__all__ = [
    "KIND_CPANEL", "KIND_SANDBOX", "RESERVED_USERNAMES", "USERNAME_MAX", "Account", "AccountNotFound",
    "AccountSpec", "LoginUrl", "Panel", "PanelAuthFailed", "PanelError", "PanelPackage",
    "PanelRejected", "PanelUnavailable", "ServerInfo", "Usage", "UsernameTaken", "ensure_account",
    "make_username", "megabytes", "scrub", "strong_password", "username_base", "username_problem",
]
