"""The customer's way into the hosting panel: a one-time login link, and the panel password.

Both are provider calls (the panel is asked while the customer waits): a page runs them off the event
loop (state/offloop.py), never in a plain handler. Each call is recorded as a ProvisionEvent (what,
how it ended, how long it took) without the secret: the one-time URL is returned to be opened at once
and is stored nowhere, and the password only travels to the panel.

Rules: only the customer's own service (another's is NotFound, as if it did not exist); only when its
account exists on a server (`account_status == created`) and the service is active: a suspended,
expired or cancelled service cannot open its panel.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from sqlmodel import Session

from ..db import session_scope
from ..integrations import panels
from ..models import AccountStatus, ProvisionEvent, Server, Service, ServiceStatus
from .accounts import FieldError, validate_password
from . import rate_limit
from .errors import InvalidInput, KmerError, NotFound
from .servers import panel_for

# The panel's own strength rule (cPanel rates a password by length and the kinds of characters in it):
# at least 12 characters and three kinds among lowercase, uppercase, digits and symbols.
PANEL_PASSWORD_MIN = 12
_KINDS = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")


class PanelUnreachable(KmerError):
    """The panel did not answer (or its answer was lost): try again in a moment."""

    key = "panel.unreachable"


class PanelFailed(KmerError):
    """The panel refused for a reason the customer cannot fix: our team looks."""

    key = "panel.failed"


@dataclass(frozen=True)
class _Target:
    service_id: int
    server: Server
    username: str


def _target(session: Session, user_id: int, service_id) -> _Target:
    """The customer's own service whose account exists and may be opened, with its server."""
    if isinstance(service_id, bool) or not isinstance(service_id, int) or service_id <= 0:
        raise NotFound()
    service = session.get(Service, service_id)
    if service is None or service.user_id != user_id:
        raise NotFound()
    if service.account_status == AccountStatus.creating or (
            service.status == ServiceStatus.pending and service.account_status != AccountStatus.failed):
        raise InvalidInput("panel.not_ready")
    if service.status != ServiceStatus.active:
        raise InvalidInput(f"panel.service_{service.status}" if service.status in (
            ServiceStatus.suspended, ServiceStatus.expired, ServiceStatus.cancelled) else "panel.service_inactive")
    if service.account_status != AccountStatus.created or service.server_id is None or not service.panel_username:
        raise InvalidInput("panel.no_account")
    server = session.get(Server, service.server_id)
    if server is None:
        raise InvalidInput("panel.no_account")
    session.expunge(server)
    return _Target(service.id, server, service.panel_username)


def _record(target: _Target, action: str, outcome: str, message: str, started: float) -> None:
    with session_scope() as session:
        session.add(ProvisionEvent(service_id=target.service_id, server_id=target.server.id, action=action,
                                   outcome=outcome, message=message[:500],
                                   duration_ms=int((time.monotonic() - started) * 1000)))


def _ask(target: _Target, action: str, call, secrets: tuple[str, ...] = ()):
    """Run one panel call, record how it ended, and turn the panel's errors into the customer's words."""
    started = time.monotonic()
    try:
        result = call(panel_for(target.server))
    except panels.PanelUnavailable as exc:
        _record(target, action, "unknown", panels.scrub(f"{type(exc).__name__}: {exc}", secrets), started)
        raise PanelUnreachable() from None
    except panels.PanelRejected as exc:
        _record(target, action, "refused", panels.scrub(f"{type(exc).__name__}: {exc}", secrets), started)
        if exc.code == "weak_password":
            raise FieldError("password", "panel.password_weak") from None
        raise PanelFailed() from None
    except panels.PanelError as exc:
        _record(target, action, "failed", panels.scrub(f"{type(exc).__name__}: {exc}", secrets), started)
        raise PanelFailed() from None
    _record(target, action, "ok", "", started)
    return result


def login_url(user_id: int, service_id) -> str:
    """A one-time URL that opens the service's panel logged in (WHM create_user_session). Returned to be
    opened at once; neither stored nor logged."""
    with session_scope() as session:
        target = _target(session, user_id, service_id)
        rate_limit.hit(session, (rate_limit.PANEL_LOGIN_PER_USER, str(user_id)))
    link = _ask(target, "login", lambda panel: panel.login_url(target.username))
    return link.url


def validate_panel_password(password, confirm) -> str:
    """The shop's password rules, then the panel's: 12+ characters of three kinds; both entries equal."""
    password = validate_password(password, field="password")
    if len(password) < PANEL_PASSWORD_MIN:
        raise FieldError("password", "panel.password_too_short", min=PANEL_PASSWORD_MIN)
    if sum(bool(re.search(kind, password)) for kind in _KINDS) < 3:
        raise FieldError("password", "panel.password_kinds")
    if any(ch.isspace() or not ch.isprintable() or ord(ch) > 126 for ch in password):
        raise FieldError("password", "panel.password_ascii")
    if not isinstance(confirm, str) or confirm != password:
        raise FieldError("confirm", "panel.password_mismatch")
    return password


def set_panel_password(user_id: int, service_id, password, confirm) -> None:
    """Set the account's panel password to the customer's choice (checked here, then by the panel)."""
    password = validate_panel_password(password, confirm)
    with session_scope() as session:
        target = _target(session, user_id, service_id)
        rate_limit.hit(session, (rate_limit.PANEL_PASSWORD_PER_USER, str(user_id)))
    _ask(target, "password", lambda panel: panel.change_password(target.username, password), (password,))
