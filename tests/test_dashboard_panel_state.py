"""The hosting panel on /dashboard/services, handlers called as the browser would, against the fake WHM:
Ouvrir cPanel, the panel password dialog, usage, accounts being created, and the watch that turns a
service active without a reload."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlmodel import select

from kmerhosting.core import servers
from kmerhosting.db import session_scope
from kmerhosting.models import AccountStatus, ProvisionEvent, Server, Service, ServiceStatus
from kmerhosting.state import dashboard_services
from kmerhosting.state.dashboard_services import ServicesState
from tests.background import run_background
from tests.factories import in_language, make_pack, make_service, make_user

from .fake_whm import fake_whm_fixture, whm_certificates_fixture  # noqa: F401  (fixtures)
from .test_accounts_support import redirect_target
from .test_dashboard_states import logged_in

GOOD = "Kmer-Panel-2026x"


@pytest.fixture
def hosted(session, fake_whm):
    server = Server(name="whm-1", panel="cpanel", host="127.0.0.1", port=fake_whm.port, api_user=fake_whm.user,
                    token_sealed=servers.seal_token(fake_whm.token), ca_pem=Path(fake_whm.ca_file).read_text())
    session.add(server)
    session.commit()
    user, pack = make_user(session), make_pack(session, name="Starter", disk_gb=10, bandwidth_gb=0)
    fake_whm.add_account("jeanmbarga", "jean-mbarga.cm")
    service = make_service(session, user, pack, domain="jean-mbarga.cm", server_id=server.id,
                           panel_username="jeanmbarga", account_status=AccountStatus.created, disk_used_mb=1229,
                           bandwidth_used_mb=300, panel_url="https://old.example.cm:2083")
    return user, pack, service


def _toast_text(events) -> str:
    return " ".join(str(getattr(e, "args", "")) for e in events)


def test_an_account_on_a_server_shows_usage_and_opens_with_a_one_time_link(session, fake_whm, hosted):
    user, _, service = hosted
    state = logged_in(ServicesState, session, user)
    state.load()

    (row,) = state.services
    assert row.can_open and row.has_account and row.status_text == "Actif"
    assert row.panel_url == ""  # the saved link is for panels made by hand
    assert row.disk == "1,2\u202fGo sur 10\u202fGo" and row.bandwidth == "300\u202fMo sur illimité"
    in_language(state, "en")
    assert state.services[0].disk == "1.2\xa0GB of 10\xa0GB" and state.services[0].bandwidth == "300\xa0MB of unlimited"

    events = run_background(state, "open_panel", service.id)

    url = redirect_target(events)
    assert url and url.startswith(f"https://127.0.0.1:{fake_whm.port}/cpsess")
    assert state.opening == 0
    assert url not in str(state.dict()) and url.split("session=")[1] not in str(state.dict())
    session.expire_all()
    assert [(e.action, e.outcome) for e in session.exec(select(ProvisionEvent)).all()] == [("login", "ok")]


def test_a_suspended_service_says_why_its_panel_does_not_open(session, fake_whm, hosted):
    user, _, service = hosted
    state = logged_in(ServicesState, session, user)
    state.load()
    service.status = ServiceStatus.suspended
    session.add(service)
    session.commit()

    events = run_background(state, "open_panel", service.id)

    assert redirect_target(events) is None and "suspendu" in _toast_text(events)
    assert fake_whm.calls("create_user_session") == []


def test_someone_else_s_service_and_junk_ids_open_nothing(session, fake_whm, hosted):
    _, _, service = hosted
    state = logged_in(ServicesState, session, make_user(session))
    for junk in (service.id, "x", None, -1, 2**70, {"id": 1}):
        assert redirect_target(run_background(state, "open_panel", junk)) is None
    assert fake_whm.calls("create_user_session") == []


def test_the_panel_password_dialog_sets_the_password_and_explains_refusals(session, fake_whm, hosted):
    user, _, service = hosted
    state = logged_in(ServicesState, session, user)
    state.load()
    state.open_password(service.id)
    assert state.password_open and state.password_intro.startswith("Choisissez le mot de passe de votre panneau "
                                                                    "cPanel pour jean-mbarga.cm")

    run_background(state, "save_password", {"password": "abcdefghijk1", "confirm": "abcdefghijk1"})
    assert state.password_open and "trois sortes" in state.password_error
    run_background(state, "save_password", {"password": GOOD, "confirm": GOOD + "x"})
    assert state.confirm_error == "Les deux mots de passe ne sont pas identiques." and state.password_error == ""
    assert fake_whm.calls("passwd") == []

    events = run_background(state, "save_password", {"password": GOOD, "confirm": GOOD})

    assert not state.password_open and "jean-mbarga.cm" in _toast_text(events)
    assert fake_whm.accounts["jeanmbarga"]["password"] == GOOD
    assert GOOD not in str(state.dict())


def test_the_dialog_refuses_another_customer_s_service(session, fake_whm, hosted):
    _, _, service = hosted
    state = logged_in(ServicesState, session, make_user(session))
    state.open_password(service.id)
    assert not state.password_open
    run_background(state, "save_password", {"password": GOOD, "confirm": GOOD})
    assert fake_whm.calls("passwd") == []


def test_an_account_being_created_is_never_shown_active_and_a_failed_one_says_our_team_is_on_it(session):
    user, pack = make_user(session), make_pack(session)
    make_service(session, user, pack, domain="new.cm", account_status=AccountStatus.creating)
    make_service(session, user, pack, domain="broken.cm", account_status=AccountStatus.failed)
    make_service(session, user, pack, domain="manual.cm", panel_url="https://panel.example.cm:2083")
    state = logged_in(ServicesState, session, user)
    state.load()

    rows = {r.domain: r for r in state.services}
    assert rows["new.cm"].status_text == "Compte en cours de création" and not rows["new.cm"].can_open
    assert "se met à jour toute seule" in rows["new.cm"].note
    assert rows["broken.cm"].status_text == "Création échouée" and "notre équipe s'en occupe" in rows["broken.cm"].note
    assert not rows["broken.cm"].can_open and rows["broken.cm"].disk == ""
    assert rows["manual.cm"].panel_url == "https://panel.example.cm:2083" and not rows["manual.cm"].can_open
    in_language(state, "en")
    rows = {r.domain: r for r in state.services}
    assert rows["new.cm"].status_text == "Account being created"
    assert rows["broken.cm"].status_text == "Creation failed" and "our team is on it" in rows["broken.cm"].note


def test_the_watch_turns_a_service_active_when_its_account_is_created(session, monkeypatch):
    monkeypatch.setattr(dashboard_services, "WATCH_EVERY", 0.05)
    user, pack = make_user(session), make_pack(session)
    service = make_service(session, user, pack, domain="new.cm", status=ServiceStatus.pending,
                           account_status=AccountStatus.creating)
    state = logged_in(ServicesState, session, user)
    follow = state.load()
    assert follow is not None and state.services[0].status == "creating"

    def account_created():
        with session_scope() as db:
            row = db.get(Service, service.id)
            row.status, row.account_status, row.server_id = ServiceStatus.active, AccountStatus.created, None
            db.add(row)

    timer = threading.Timer(0.3, account_created)
    timer.start()
    run_background(state, "watch_services")
    timer.join()

    assert state.services[0].status == "active" and state.services[0].status_text == "Actif"
    assert not state.watching


def test_the_watch_stops_at_once_when_nothing_is_in_progress(session, monkeypatch):
    monkeypatch.setattr(dashboard_services, "WATCH_ROUNDS", 3)
    user = make_user(session)
    make_service(session, user, make_pack(session))
    state = logged_in(ServicesState, session, user)
    assert state.load() is None
    run_background(state, "watch_services")
    assert not state.watching
