"""Admin: the hosting servers accounts are created on (list, create, edit, activate, delete when unused).

A server's API token is sealed as it arrives (`servers.seal_token`) and never comes back out of here:
the rows handed to a page say only whether one is stored, and the audit trail records that it changed,
never its value. The connection test itself is a provider call (`servers.test_connection`), made by the
page off the event loop; `check_test_allowed` is its authorization.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from ...models import ControlPanel, Server, Service, utcnow
from .. import audit
from ..errors import InvalidInput, NotFound
from ..servers import accounts_on, seal_token
from .common import as_id, as_int, clean_text, require_admin

HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
API_USER = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MAX_PEM = 20_000
MAX_TOKEN = 512
MAX_NAMESERVERS = 8
# What the audit trail keeps of a server (the token only as "changed", never its value).
AUDITED = ("name", "panel", "sandbox", "host", "port", "api_user", "verify_tls", "nameservers", "capacity", "active")


@dataclass(frozen=True)
class ServerRow:
    """A server as a page may show it: no token, only whether one is stored."""

    id: int
    name: str
    panel: str
    sandbox: bool
    host: str
    port: int
    api_user: str
    has_token: bool
    verify_tls: bool
    ca_pem: str  # a certificate authority is public: the form shows it again
    nameservers: str
    capacity: int
    used: int
    active: bool
    last_test_at: object
    last_test_ok: bool | None
    last_test_message: str

    @property
    def full(self) -> bool:
        return self.used >= self.capacity


def _row(server: Server, used: int) -> ServerRow:
    return ServerRow(id=server.id, name=server.name, panel=server.panel, sandbox=server.sandbox, host=server.host,
                     port=server.port, api_user=server.api_user, has_token=bool(server.token_sealed),
                     verify_tls=server.verify_tls, ca_pem=server.ca_pem, nameservers=server.nameservers,
                     capacity=server.capacity, used=used, active=server.active, last_test_at=server.last_test_at,
                     last_test_ok=server.last_test_ok, last_test_message=server.last_test_message)


def list_servers(session: Session, actor_id: int) -> list[ServerRow]:
    """Every server with its live accounts, active ones first, then by name."""
    require_admin(session, actor_id)
    counts = accounts_on(session)
    rows = session.exec(select(Server).order_by(Server.active.desc(), Server.name, Server.id)).all()
    return [_row(s, counts.get(s.id, 0)) for s in rows]


def get_server(session: Session, actor_id: int, server_id) -> ServerRow:
    require_admin(session, actor_id)
    server = _get(session, server_id)
    return _row(server, accounts_on(session).get(server.id, 0))


def attention_count(session: Session) -> int:
    """Active servers whose last connection test failed, or that are full (the overview's card)."""
    counts = accounts_on(session)
    return sum(1 for s in session.exec(select(Server).where(Server.active == True)).all()  # noqa: E712
               if s.last_test_ok is False or counts.get(s.id, 0) >= s.capacity)


# --- validation -----------------------------------------------------------------------------------


def _truthy(value) -> bool:
    return value in (True, "on", "true", "1", 1, "yes")


def valid_hostname(text: str) -> bool:
    if not text or len(text) > 253:
        return False
    labels = text.rstrip(".").split(".")
    return all(HOST_LABEL.match(label) for label in labels) and not labels[-1].isdigit()


def valid_host(text: str) -> bool:
    """A hostname or an IP address: no scheme, no path, no port."""
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return valid_hostname(text)


def parse_nameservers(raw) -> str:
    """"ns1.example.cm, ns2.example.cm" (commas, spaces or lines) -> "ns1.example.cm,ns2.example.cm"."""
    text = clean_text(raw, 1000).lower()
    names = [n for n in re.split(r"[\s,;]+", text) if n]
    if len(names) > MAX_NAMESERVERS:
        raise InvalidInput("admin.servers.error.nameservers", max=MAX_NAMESERVERS)
    for name in names:
        if "." not in name.strip(".") or not valid_hostname(name):
            raise InvalidInput("admin.servers.error.nameserver", name=name[:80])
    result = ",".join(dict.fromkeys(names))
    if len(result) > 500:
        raise InvalidInput("admin.servers.error.nameservers", max=MAX_NAMESERVERS)
    return result


def parse_ca_pem(raw) -> str:
    if raw is None or raw == "":
        return ""
    if not isinstance(raw, str) or len(raw) > MAX_PEM:
        raise InvalidInput("admin.servers.error.ca_pem")
    text = raw.strip().replace("\r\n", "\n")
    if not text:
        return ""
    if not (text.startswith("-----BEGIN CERTIFICATE-----") and text.endswith("-----END CERTIFICATE-----")):
        raise InvalidInput("admin.servers.error.ca_pem")
    try:
        from cryptography import x509  # noqa: PLC0415

        x509.load_pem_x509_certificates(text.encode())
    except Exception:  # noqa: BLE001  (anything that is not a certificate)
        raise InvalidInput("admin.servers.error.ca_pem") from None
    return text + "\n"


def validate_server(data: dict, *, sandbox: bool = False) -> dict:
    """Form fields -> clean column values (the token apart: see `_token`); InvalidInput naming the field."""
    if not isinstance(data, dict):
        raise InvalidInput("error.invalid_input")
    name = clean_text(data.get("name"), 200)
    if not 2 <= len(name) <= 80:
        raise InvalidInput("admin.servers.error.name")
    panel = clean_text(data.get("panel"), 20)
    if panel not in ControlPanel.__members__:
        raise InvalidInput("admin.servers.error.panel")
    values = {"name": name, "panel": panel,
              "capacity": as_int(data.get("capacity"), "admin.servers.error.capacity", minimum=1, maximum=1_000_000),
              "nameservers": parse_nameservers(data.get("nameservers")),
              "active": _truthy(data.get("active"))}
    if sandbox:  # a test server: nothing to reach
        return values
    host = clean_text(data.get("host"), 300).lower().rstrip(".")
    if not valid_host(host):
        raise InvalidInput("admin.servers.error.host")
    api_user = clean_text(data.get("api_user"), 100) or "root"
    if not API_USER.match(api_user):
        raise InvalidInput("admin.servers.error.api_user")
    values.update(host=host, api_user=api_user,
                  port=as_int(data.get("port") or "2087", "admin.servers.error.port", minimum=1, maximum=65535),
                  verify_tls=_truthy(data.get("verify_tls")), ca_pem=parse_ca_pem(data.get("ca_pem")))
    return values


def _token(data: dict) -> str:
    token = data.get("token") if isinstance(data, dict) else None
    if token in (None, ""):
        return ""
    if not isinstance(token, str) or len(token.strip()) > MAX_TOKEN or any(c.isspace() for c in token.strip()):
        raise InvalidInput("admin.servers.error.token")
    return token.strip()


def _snapshot(server: Server) -> dict:
    return {**{f: getattr(server, f) for f in AUDITED}, "has_token": bool(server.token_sealed),
            "has_ca": bool(server.ca_pem.strip())}


def _check_name_free(session: Session, name: str, server_id: int | None) -> None:
    other = session.exec(select(Server).where(sa.func.lower(Server.name) == name.lower())).first()
    if other is not None and other.id != server_id:
        raise InvalidInput("admin.servers.error.name_taken", name=name)


def _get(session: Session, server_id) -> Server:
    server = session.get(Server, as_id(server_id))
    if server is None:
        raise NotFound()
    return server


# --- changes ---------------------------------------------------------------------------------------


def create_server(session: Session, actor_id: int, data: dict) -> ServerRow:
    actor = require_admin(session, actor_id)
    values = validate_server(data)
    token = _token(data)
    if not token:
        raise InvalidInput("admin.servers.error.token_required")
    _check_name_free(session, values["name"], None)
    server = Server(**values, token_sealed=seal_token(token))
    session.add(server)
    session.flush()
    audit.record(session, actor.id, "server.create", "server", server.id, {}, _snapshot(server))
    return _row(server, 0)


def update_server(session: Session, actor_id: int, server_id, data: dict) -> ServerRow:
    """An empty token field keeps the stored token; a new one replaces it (sealed)."""
    actor = require_admin(session, actor_id)
    server = _get(session, server_id)
    values = validate_server(data, sandbox=server.sandbox)
    token = "" if server.sandbox else _token(data)
    _check_name_free(session, values["name"], server.id)
    before = _snapshot(server)
    for key, value in values.items():
        setattr(server, key, value)
    after = _snapshot(server)
    if token:
        server.token_sealed = seal_token(token)
        after["new_token"] = True  # that it changed, never what it is
    server.updated_at = utcnow()
    session.add(server)
    session.flush()
    audit.record(session, actor.id, "server.update", "server", server.id, before, after)
    return _row(server, accounts_on(session).get(server.id, 0))


def set_active(session: Session, actor_id: int, server_id, active: bool) -> ServerRow:
    actor = require_admin(session, actor_id)
    server = _get(session, server_id)
    before = {"active": server.active}
    server.active = bool(active)
    server.updated_at = utcnow()
    session.add(server)
    session.flush()
    audit.record(session, actor.id, "server.activate" if server.active else "server.deactivate", "server",
                 server.id, before, {"active": server.active})
    return _row(server, accounts_on(session).get(server.id, 0))


def delete_server(session: Session, actor_id: int, server_id) -> None:
    """Delete a server no service was ever placed on (one that was is only deactivated)."""
    actor = require_admin(session, actor_id)
    server = _get(session, server_id)
    used = session.execute(select(sa.func.count()).select_from(Service)
                           .where(Service.server_id == server.id)).scalar_one()
    if used:
        raise InvalidInput("admin.servers.error.in_use", count=used)
    before = _snapshot(server)
    from ...models import ProvisionEvent  # noqa: PLC0415

    session.execute(sa.update(ProvisionEvent).where(ProvisionEvent.server_id == server.id).values(server_id=None))
    session.delete(server)
    audit.record(session, actor.id, "server.delete", "server", server.id, before, {})
    session.flush()


def check_test_allowed(session: Session, actor_id: int, server_id) -> int:
    """May this actor test this server's connection? Its id if so (the test runs off the loop after)."""
    require_admin(session, actor_id)
    return _get(session, server_id).id


def record_test(session: Session, actor_id: int, server_id: int, ok: bool) -> None:
    """The test's outcome in the audit trail (words only: the panel's message is on the server row)."""
    audit.record(session, actor_id, "server.test", "server", server_id, {}, {"ok": bool(ok)})
