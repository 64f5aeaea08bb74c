"""Hosting servers (core/servers.py): sealed tokens, the panel client per server, the least-filled choice,
the connection test (against the fake WHM server over HTTPS, its own CA given as the server's), the
sandbox servers of a fresh install."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from kmerhosting.core import servers
from kmerhosting.integrations.panels.sandbox import SandboxPanel
from kmerhosting.integrations.panels.whm import WhmPanel
from kmerhosting.models import ControlPanel, Server, ServiceStatus

from .factories import make_pack, make_service, make_user
from .fake_whm import fake_whm_fixture, whm_certificates_fixture  # noqa: F401  (fixtures)


def _server(session, **fields) -> Server:
    values = {"name": f"srv-{len(session.exec(select(Server)).all()) + 1}", "panel": "cpanel", "host": "127.0.0.1"}
    server = Server(**{**values, **fields})
    session.add(server)
    session.commit()
    return server


def test_a_token_is_sealed_at_rest_and_opened_only_with_the_configured_key(session, configure):
    server = _server(session, token_sealed=servers.seal_token("ABCDEF-secret-token"))
    assert "ABCDEF" not in server.token_sealed and servers.server_token(server) == "ABCDEF-secret-token"
    assert "ABCDEF" not in repr(servers.panel_for(server))
    configure(SECRET_KEY="another-key-" + "x" * 30)
    assert servers.server_token(server) == ""  # a dump without the configuration opens nothing


def test_a_new_service_goes_to_the_least_filled_active_server_with_room(session):
    small = _server(session, capacity=2)
    big = _server(session, capacity=10)
    _server(session, capacity=50, active=False)
    _server(session, capacity=50, panel="plesk")
    user, pack = make_user(session), make_pack(session)
    assert servers.pick_server(session, "cpanel").id == small.id  # both empty: the first
    make_service(session, user, pack, server_id=small.id)
    assert servers.pick_server(session, "cpanel").id == big.id  # 1/2 filled against 0/10
    for _ in range(2):
        make_service(session, user, pack, server_id=big.id)
    make_service(session, user, pack, server_id=small.id, status=ServiceStatus.cancelled)  # does not count
    assert servers.pick_server(session, "cpanel").id == big.id  # 1/2 against 2/10
    make_service(session, user, pack, server_id=small.id)
    assert servers.pick_server(session, "cpanel").id == big.id  # the small one is full
    assert servers.pick_server(session, "directadmin") is None


def test_the_connection_test_reaches_the_panel_over_verified_tls_and_is_recorded(session, fake_whm):
    server = _server(session, port=fake_whm.port, api_user=fake_whm.user,
                     token_sealed=servers.seal_token(fake_whm.token), ca_pem=Path(fake_whm.ca_file).read_text())
    assert isinstance(servers.panel_for(server), WhmPanel)
    result = servers.test_connection(server.id)
    assert result.ok and "cpanel" in result.message.lower()
    session.expire_all()
    assert session.get(Server, server.id).last_test_ok is True
    wrong = _server(session, port=fake_whm.port, token_sealed=servers.seal_token("wrong"),
                    ca_pem=Path(fake_whm.ca_file).read_text())
    result = servers.test_connection(wrong.id)
    assert not result.ok and "PanelAuthFailed" in result.message and "wrong" not in result.message
    untrusted = _server(session, port=fake_whm.port, token_sealed=servers.seal_token(fake_whm.token))
    assert not servers.test_connection(untrusted.id).ok  # its certificate is not trusted: nothing sent


def test_a_fresh_install_gets_a_sandbox_server_per_panel_and_only_once(session, configure, tmp_path):
    configure(PANEL_SANDBOX_DIR=str(tmp_path))
    assert servers.seed_sandbox_servers(session) == len(ControlPanel)
    assert servers.seed_sandbox_servers(session) == 0
    sandbox = session.exec(select(Server).where(Server.panel == "cpanel")).one()
    assert sandbox.sandbox and isinstance(servers.panel_for(sandbox), SandboxPanel)
    assert servers.test_connection(sandbox.id).ok


@pytest.fixture(autouse=True)
def _forget_clients():
    yield
    servers._clients.clear()


def test_the_sandbox_panel_page_shows_the_pretend_account(configure, tmp_path):
    from kmerhosting.integrations.panels import AccountSpec
    from kmerhosting.state.sandbox_panel import _account

    configure(PANEL_SANDBOX_DIR=str(tmp_path))
    SandboxPanel(str(tmp_path)).create_account(AccountSpec(username="boutique", domain="boutique.cm",
                                                           password="x" * 20, package="kh_starter",
                                                           email="a@example.cm"))
    assert _account("boutique") == {"username": "boutique", "domain": "boutique.cm", "package": "kh_starter",
                                    "suspended": ""}
    assert _account("nobody") == {} and _account("") == {}
