"""Admin servers (core/admin/servers.py, state/admin_servers.py) and the packs' panel packages: validation
with clear errors, the token sealed and never handed back (not in a row, not in the audit trail, not in any
state var), delete refused once a service was placed, the connection test off the loop against the fake
WHM server, non-admins refused. SQLite and MariaDB."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

import kmerhosting.kmerhosting  # noqa: F401  (registers every page and state)
from kmerhosting.core import sessions
from kmerhosting.core.admin import packs as admin_packs
from kmerhosting.core.admin import servers as admin_servers
from kmerhosting.core.admin import stats
from kmerhosting.core.errors import InvalidInput, NotAuthorized, NotFound
from kmerhosting.core.servers import server_token
from kmerhosting.i18n import display, translate
from kmerhosting.models import AuditLog, Pack, Role, Server
from kmerhosting.state.admin_servers import AdminServersState, outcome_words
from kmerhosting.state.forms import ROW_ID

from .background import run_background
from .factories import make_pack, make_service, make_user
from .fake_whm import fake_whm_fixture, whm_certificates_fixture  # noqa: F401  (fixtures)

TOKEN = "SECRETTOKEN0123456789ABCDEFGHIJ"


def form(**changes) -> dict:
    values = {"name": "Douala 1", "panel": "cpanel", "host": "whm1.kmerhosting.cm", "port": "2087",
              "api_user": "root", "token": TOKEN, "verify_tls": "on", "ca_pem": "", "capacity": "300",
              "nameservers": "ns1.kmerhosting.cm, ns2.kmerhosting.cm", "active": "on"}
    return {**values, **changes}


@pytest.fixture
def admin(session):
    return make_user(session, role=Role.admin, email="boss@kmerhosting.cm")


def error_key(call) -> str:
    with pytest.raises(InvalidInput) as caught:
        call()
    return caught.value.key


# --- core -----------------------------------------------------------------------------------------


def test_a_server_is_created_with_its_token_sealed_and_never_handed_back(session, admin):
    row = admin_servers.create_server(session, admin.id, form())
    session.commit()
    server = session.get(Server, row.id)
    assert TOKEN not in server.token_sealed and server_token(server) == TOKEN
    assert server.nameservers == "ns1.kmerhosting.cm,ns2.kmerhosting.cm" and server.capacity == 300
    listed = admin_servers.list_servers(session, admin.id)
    assert [r.name for r in listed] == ["Douala 1"] and listed[0].has_token
    assert TOKEN not in repr(listed) and TOKEN not in repr(admin_servers.get_server(session, admin.id, row.id))
    assert not hasattr(listed[0], "token") and not hasattr(listed[0], "token_sealed")
    audit = session.exec(select(AuditLog).where(AuditLog.action == "server.create")).one()
    text = json.dumps([audit.before, audit.after])
    assert TOKEN not in text and server.token_sealed not in text and audit.after["has_token"] is True


@pytest.mark.parametrize("changes,key", [
    ({"name": "x"}, "admin.servers.error.name"),
    ({"panel": "cpanel11"}, "admin.servers.error.panel"),
    ({"host": "https://whm1.kmerhosting.cm"}, "admin.servers.error.host"),
    ({"host": "whm1.kmerhosting.cm/login"}, "admin.servers.error.host"),
    ({"host": "whm1.kmerhosting.cm:2087"}, "admin.servers.error.host"),
    ({"host": ""}, "admin.servers.error.host"),
    ({"host": "-bad-.cm"}, "admin.servers.error.host"),
    ({"port": "0"}, "admin.servers.error.port"),
    ({"port": "65536"}, "admin.servers.error.port"),
    ({"port": "deux"}, "admin.servers.error.port"),
    ({"capacity": "0"}, "admin.servers.error.capacity"),
    ({"capacity": "-4"}, "admin.servers.error.capacity"),
    ({"nameservers": "ns1.kmerhosting.cm, pas un nom"}, "admin.servers.error.nameserver"),
    ({"nameservers": "http://ns1.kmerhosting.cm"}, "admin.servers.error.nameserver"),
    ({"ca_pem": "not a certificate"}, "admin.servers.error.ca_pem"),
    ({"ca_pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}, "admin.servers.error.ca_pem"),
    ({"api_user": "root; rm -rf"}, "admin.servers.error.api_user"),
    ({"token": ""}, "admin.servers.error.token_required"),
    ({"token": "two words"}, "admin.servers.error.token"),
])
def test_a_server_form_is_validated_with_clear_words(session, admin, changes, key):
    assert error_key(lambda: admin_servers.create_server(session, admin.id, form(**changes))) == key
    assert translate(key, "fr") != key and translate(key, "en") != key
    assert session.exec(select(Server)).all() == []


def test_hosts_as_names_or_addresses(session, admin):
    for i, host in enumerate(("192.0.2.10", "2001:db8::1", "WHM.Example.CM", "srv-2.kmerhosting.cm.")):
        row = admin_servers.create_server(session, admin.id, form(name=f"srv {i}", host=host))
        assert row.host == host.lower().rstrip(".")


def test_a_name_is_unique_and_a_ca_must_be_a_certificate(session, admin, whm_certificates):
    ca = Path(whm_certificates[0]).read_text()
    admin_servers.create_server(session, admin.id, form(ca_pem=ca))
    assert error_key(lambda: admin_servers.create_server(session, admin.id, form(name="douala 1"))) \
        == "admin.servers.error.name_taken"
    assert session.exec(select(Server)).one().ca_pem.strip() == ca.strip()


def test_an_empty_token_keeps_the_stored_one_and_a_new_one_is_sealed(session, admin):
    row = admin_servers.create_server(session, admin.id, form())
    session.commit()
    admin_servers.update_server(session, admin.id, row.id, form(token="", capacity="20"))
    session.commit()
    server = session.get(Server, row.id)
    assert server_token(server) == TOKEN and server.capacity == 20
    admin_servers.update_server(session, admin.id, row.id, form(token="NEWTOKEN987"))
    session.commit()
    session.refresh(server)
    assert server_token(server) == "NEWTOKEN987" and "NEWTOKEN987" not in server.token_sealed
    updates = session.exec(select(AuditLog).where(AuditLog.action == "server.update").order_by(AuditLog.id)).all()
    assert updates[0].after["capacity"] == 20 and "new_token" not in updates[0].after
    assert updates[1].after["new_token"] is True
    assert "Nouveau jeton d'API\xa0: oui" in display.changes(updates[1].before, updates[1].after, "server", "fr")
    text = json.dumps([[a.before, a.after] for a in updates])
    assert TOKEN not in text and "NEWTOKEN987" not in text


def test_a_sandbox_server_needs_no_host_nor_token(session, admin):
    sandbox = Server(name="Sandbox cpanel", panel="cpanel", sandbox=True, host="sandbox", capacity=100)
    session.add(sandbox)
    session.commit()
    admin_servers.update_server(session, admin.id, sandbox.id, {"name": "Test cPanel", "panel": "cpanel",
                                                                 "capacity": "50", "active": "on"})
    session.commit()
    session.refresh(sandbox)
    assert (sandbox.name, sandbox.capacity, sandbox.host, sandbox.token_sealed) == ("Test cPanel", 50, "sandbox", "")
    assert admin_servers.list_servers(session, admin.id)[0].sandbox


def test_delete_only_when_no_service_was_placed_and_deactivate_instead(session, admin):
    used = admin_servers.create_server(session, admin.id, form())
    spare = admin_servers.create_server(session, admin.id, form(name="Yaoundé 2"))
    make_service(session, make_user(session), make_pack(session), server_id=used.id)
    assert admin_servers.list_servers(session, admin.id)[0].used == 1
    assert error_key(lambda: admin_servers.delete_server(session, admin.id, used.id)) == "admin.servers.error.in_use"
    admin_servers.set_active(session, admin.id, used.id, False)
    admin_servers.delete_server(session, admin.id, spare.id)
    session.commit()
    assert [(s.name, s.active) for s in session.exec(select(Server)).all()] == [("Douala 1", False)]
    actions = [a.action for a in session.exec(select(AuditLog).order_by(AuditLog.id)).all()]
    assert actions == ["server.create", "server.create", "server.deactivate", "server.delete"]
    with pytest.raises(NotFound):
        admin_servers.delete_server(session, admin.id, spare.id)


def test_non_admins_are_refused(session, admin):
    customer = make_user(session)
    row = admin_servers.create_server(session, admin.id, form())
    for call in (lambda: admin_servers.list_servers(session, customer.id),
                 lambda: admin_servers.create_server(session, customer.id, form(name="other")),
                 lambda: admin_servers.update_server(session, customer.id, row.id, form()),
                 lambda: admin_servers.set_active(session, customer.id, row.id, False),
                 lambda: admin_servers.delete_server(session, customer.id, row.id),
                 lambda: admin_servers.check_test_allowed(session, customer.id, row.id),
                 lambda: admin_servers.list_servers(session, None)):
        with pytest.raises(NotAuthorized):
            call()


def test_the_overview_counts_servers_failing_or_full(session, admin):
    ok = admin_servers.create_server(session, admin.id, form(capacity="5"))
    full = admin_servers.create_server(session, admin.id, form(name="full", capacity="1"))
    failing = admin_servers.create_server(session, admin.id, form(name="failing"))
    off = admin_servers.create_server(session, admin.id, form(name="off"))
    make_service(session, make_user(session), make_pack(session), server_id=full.id)
    for server_id in (failing.id, off.id):
        session.get(Server, server_id).last_test_ok = False
    session.get(Server, ok.id).last_test_ok = True
    admin_servers.set_active(session, admin.id, off.id, False)
    session.commit()
    assert stats.overview(session, admin.id)["servers_attention"] == 2


def test_a_pack_names_its_panel_package_per_panel_kind(session, admin):
    pack = make_pack(session, slug="starter")
    base = {"name": "Starter", "slug": "starter", "monthly_price": "2500", "control_panel": "cpanel", "disk_gb": "10",
            "websites": "1"}
    admin_packs.update_pack(session, admin.id, pack.id, {**base, "package_cpanel": "kh_starter",
                                                          "package_directadmin": "kh-Starter2", "package_plesk": ""})
    session.commit()
    session.refresh(pack)
    assert pack.panel_packages == {"cpanel": "kh_starter", "directadmin": "kh-Starter2"}
    for bad in ("kh starter", "kh/starter", "x" * 65, "kh.starter"):
        assert error_key(lambda: admin_packs.update_pack(session, admin.id, pack.id,
                                                         {**base, "package_cpanel": bad})) \
            == "admin.error.pack_panel_package"
    session.refresh(pack)
    assert session.get(Pack, pack.id).panel_packages["cpanel"] == "kh_starter"


# --- the connection test's words --------------------------------------------------------------------


def test_a_connection_test_is_worded():
    assert outcome_words(True, "cpanel 11.110.0.17 · 3", "fr") == "Connexion réussie\xa0: cPanel 11.110.0.17, 3 comptes."
    assert outcome_words(True, "cpanel 11.110.0.17 · 1", "en") == "Connected: cPanel 11.110.0.17, 1 account."
    assert outcome_words(False, "PanelAuthFailed: Access denied", "en") == translate("admin.servers.test_auth", "en")
    assert outcome_words(False, "PanelUnavailable: timed out", "fr") == translate("admin.servers.test_unreachable", "fr")
    assert outcome_words(False, "admin.servers.error.panel_not_supported", "fr") == \
        translate("admin.servers.error.panel_not_supported", "fr")
    assert outcome_words(None, "", "fr") == "Jamais testé"


# --- the state --------------------------------------------------------------------------------------


def admin_state(session, user) -> AdminServersState:
    state = AdminServersState()
    state.auth_token = sessions.create_session(session, user.id)
    session.commit()
    return state


def every_var(state) -> str:
    """Everything the state holds, sent to the browser or not."""
    return repr(state.__dict__) + repr(state.dict()) + repr(state.rows)


def test_the_state_saves_a_server_without_ever_holding_its_token(session, admin):
    state = admin_state(session, admin)
    state.load()
    state.new_server()
    assert state.editing == 0 and "token" not in state.form
    state.save_server(form(host="https://bad"))  # refused: the form keeps what was typed, not the token
    assert state.error == translate("admin.servers.error.host", "fr") and state.editing == 0
    assert state.form["host"] == "https://bad" and TOKEN not in every_var(state)
    state.save_server(form())
    assert state.error == "" and state.editing == -1
    assert [r["name"] for r in state.rows] == ["Douala 1"] and TOKEN not in every_var(state)
    server_id = session.exec(select(Server)).one().id
    state.edit_server({ROW_ID: str(server_id)})
    assert state.editing == server_id and state.form_has_token and "token" not in state.form
    assert TOKEN not in every_var(state)
    state.deactivate_server({ROW_ID: str(server_id)})
    assert state.rows[0]["active"] == ""
    state.delete_server(str(server_id))
    assert state.rows == [] and session.exec(select(Server)).all() == []


def test_the_state_tests_a_connection_off_the_loop_and_words_the_outcome(session, admin, fake_whm):
    ca = Path(fake_whm.ca_file).read_text()
    row = admin_servers.create_server(session, admin.id, form(host="127.0.0.1", port=str(fake_whm.port),
                                                                api_user=fake_whm.user, token=fake_whm.token, ca_pem=ca))
    wrong = admin_servers.create_server(session, admin.id, form(name="wrong", host="127.0.0.1",
                                                                  port=str(fake_whm.port), api_user=fake_whm.user,
                                                                  token="WRONGTOKEN", ca_pem=ca))
    session.commit()
    state = admin_state(session, admin)
    state.load()
    run_background(state, "test_server", {ROW_ID: str(row.id)})
    by_name = {r["name"]: r for r in state.rows}
    assert by_name["Douala 1"]["test"] == "ok" and by_name["Douala 1"]["test_words"].startswith("Connexion réussie")
    assert by_name["Douala 1"]["test_when"] and state.testing == []
    run_background(state, "test_server", {ROW_ID: str(wrong.id)})
    by_name = {r["name"]: r for r in state.rows}
    assert by_name["wrong"]["test"] == "failed"
    assert by_name["wrong"]["test_words"] == translate("admin.servers.test_auth", "fr")
    assert fake_whm.token not in every_var(state) and "WRONGTOKEN" not in every_var(state)
    tests = session.exec(select(AuditLog).where(AuditLog.action == "server.test").order_by(AuditLog.id)).all()
    assert [t.after for t in tests] == [{"ok": True}, {"ok": False}]


def test_the_connection_test_is_a_background_event_and_the_audit_trail_names_the_server(session, admin):
    from kmerhosting.core.admin import audit_log

    assert AdminServersState.event_handlers["test_server"].is_background  # off the event loop
    row = admin_servers.create_server(session, admin.id, form())
    session.commit()
    rows = audit_log.list_audit(session, admin.id, target_type="server").rows
    assert audit_log.target_names(session, rows) == {("server", row.id): "Douala 1"}


def test_a_customer_cannot_test_a_connection(session, admin, fake_whm):
    row = admin_servers.create_server(session, admin.id, form(host="127.0.0.1", port=str(fake_whm.port)))
    session.commit()
    state = admin_state(session, make_user(session))
    events = run_background(state, "test_server", {ROW_ID: str(row.id)})
    assert events and state.error == translate("error.not_authorized", "fr")
    assert fake_whm.requests == [] and session.get(Server, row.id).last_test_at is None
