"""Hosting servers: where accounts are created, the panel client for each, and which one a new service goes to.

A server's API token is sealed at rest (core/sealing.py, a key derived from SECRET_KEY) and only opened
here, to build the panel client that the worker (or an off-loop call) uses; it is never returned to a
page, never written to a log. `panel_for(server)` is the one place that turns a server row into a panel
client; `pick_server()` chooses the least-filled active server of a panel kind with room left.
"""

from __future__ import annotations

import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from ..config import get_settings
from ..db import session_scope
from ..integrations import panels
from ..models import CONTROL_PANEL_LABELS, ControlPanel, Server, Service, ServiceStatus, utcnow
from .errors import InvalidInput, NotFound
from .sealing import seal, unseal

SEAL_PURPOSE = "panel-server-token"
SANDBOX_PREFIX = "Sandbox"


# --- secrets ------------------------------------------------------------------------------------------


def seal_token(token: str) -> str:
    return seal({"token": token}, SEAL_PURPOSE) if token else ""


def server_token(server: Server) -> str:
    return unseal(server.token_sealed, SEAL_PURPOSE).get("token", "") if server.token_sealed else ""


# --- panel clients ------------------------------------------------------------------------------------

_clients: dict[tuple, object] = {}
_lock = threading.Lock()
_override: dict[int, object] = {}


def set_panel_override(server_id: int | None, panel=None) -> None:
    """Tests point one server at a given panel client (the real WHM client on the fake WHM server)."""
    if server_id is None:
        _override.clear()
    elif panel is None:
        _override.pop(server_id, None)
    else:
        _override[server_id] = panel


def panel_for(server: Server):
    """The panel client for a server (one per server configuration, reused: its connections are pooled)."""
    if server.id in _override:
        return _override[server.id]
    settings = get_settings()
    if server.sandbox:
        key = ("sandbox", settings.panel_sandbox_dir, settings.public_base_url)
    else:
        key = ("live", server.id, server.panel, server.host, server.port, server.api_user, server.token_sealed,
               server.verify_tls, server.ca_pem, settings.panel_timeout)
    with _lock:
        if key not in _clients:
            _clients[key] = _build(server, settings)
        return _clients[key]


def _build(server: Server, settings):
    from ..integrations.panels.sandbox import SandboxPanel  # noqa: PLC0415

    if server.sandbox:
        return SandboxPanel(settings.panel_sandbox_dir, public_base_url=settings.public_base_url)
    if server.panel != ControlPanel.cpanel:
        raise InvalidInput("admin.servers.error.panel_not_supported")
    from ..integrations.panels.whm import WhmPanel  # noqa: PLC0415

    ca_file = None
    if server.ca_pem.strip():
        # httpx wants a file: the server's own CA, written once per configuration.
        path = Path(tempfile.gettempdir()) / f"kmerhosting-panel-ca-{server.id}-{abs(hash(server.ca_pem))}.pem"
        if not path.exists():
            path.write_text(server.ca_pem)
        ca_file = str(path)
    return WhmPanel(server.host, server.port, username=server.api_user, token=server_token(server),
                    timeout=settings.panel_timeout, verify_tls=server.verify_tls, ca_file=ca_file)


# --- choosing ----------------------------------------------------------------------------------------


def accounts_on(session: Session) -> dict[int, int]:
    """Live services (not cancelled) per server id."""
    rows = session.exec(select(Service.server_id, sa.func.count()).where(
        Service.server_id.is_not(None), Service.status != ServiceStatus.cancelled).group_by(Service.server_id)).all()
    return {server_id: count for server_id, count in rows}


def pick_server(session: Session, panel_kind: str) -> Server | None:
    """The least-filled active server of this panel kind that has room left (None: none has). A real
    server is always preferred to a sandbox one: once an admin adds a server, paying customers never get
    a pretend account because the sandbox of a fresh install is still active."""
    servers = session.exec(select(Server).where(Server.panel == panel_kind, Server.active == True)  # noqa: E712
                           .order_by(Server.id)).all()
    counts = accounts_on(session)
    candidates = [(bool(s.sandbox), counts.get(s.id, 0) / max(s.capacity, 1), s.id, s) for s in servers
                  if counts.get(s.id, 0) < s.capacity]
    return min(candidates)[3] if candidates else None


# --- testing a connection ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionTest:
    ok: bool
    message: str  # the panel's version and account count, or what went wrong (no secret)
    duration_ms: int


def test_connection(server_id: int) -> ConnectionTest:
    """Ask the server's panel who it is (a provider call: from the worker or off the event loop), and
    record the outcome on the server."""
    with session_scope() as session:
        server = session.get(Server, server_id)
        if server is None:
            raise NotFound()
        session.expunge(server)
    started = time.monotonic()
    try:
        info = panel_for(server).test_connection()
        ok, message = True, f"{info.kind} {info.version} · {info.accounts}".strip()
    except panels.PanelError as exc:
        ok, message = False, f"{type(exc).__name__}: {exc}"[:255]
    except InvalidInput as exc:
        ok, message = False, exc.key
    duration = int((time.monotonic() - started) * 1000)
    with session_scope() as session:
        session.execute(sa.update(Server).where(Server.id == server_id).values(
            last_test_at=utcnow(), last_test_ok=ok, last_test_message=message[:255]))
        session.commit()
    return ConnectionTest(ok, message, duration)


# --- the zero-config default --------------------------------------------------------------------------


def seed_sandbox_servers(session: Session) -> int:
    """A sandbox server per panel kind when the shop has no server at all (a fresh install): accounts are
    "created" on the sandbox panel, so the whole flow works without a real server. Returns how many."""
    if session.exec(select(sa.func.count()).select_from(Server)).one():
        return 0
    for kind in ControlPanel:
        session.add(Server(name=f"{SANDBOX_PREFIX} {CONTROL_PANEL_LABELS[kind]}", panel=kind.value, sandbox=True, host="sandbox",
                           nameservers=",".join(get_settings().domain_ns), capacity=100000))
    session.commit()
    return len(ControlPanel)
