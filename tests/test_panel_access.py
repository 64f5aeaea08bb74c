"""The customer's way into the panel (core/panel_access.py), against the fake WHM over HTTPS: the one-time
login URL (own service only, active with its account only, never stored, recorded) and the panel password."""

from __future__ import annotations

import ssl
import urllib.request
from pathlib import Path

import pytest
from sqlmodel import select

from kmerhosting.core import panel_access, servers
from kmerhosting.core.accounts import FieldError
from kmerhosting.core.errors import InvalidInput, NotFound
from kmerhosting.models import AccountStatus, ProvisionEvent, Server, Service, ServiceStatus

from .factories import make_pack, make_service, make_user
from .fake_whm import fake_whm_fixture, whm_certificates_fixture  # noqa: F401  (fixtures)

GOOD = "Kmer-Panel-2026x"


@pytest.fixture
def whm_server(session, fake_whm):
    server = Server(name="whm-1", panel="cpanel", host="127.0.0.1", port=fake_whm.port, api_user=fake_whm.user,
                    token_sealed=servers.seal_token(fake_whm.token), ca_pem=Path(fake_whm.ca_file).read_text())
    session.add(server)
    session.commit()
    return server


@pytest.fixture
def hosted(session, fake_whm, whm_server):
    """A customer with an active service whose account exists on the fake WHM."""
    user, pack = make_user(session), make_pack(session)
    fake_whm.add_account("jeanmbarga", "jean-mbarga.cm")
    service = make_service(session, user, pack, domain="jean-mbarga.cm", server_id=whm_server.id,
                           panel_username="jeanmbarga", account_status=AccountStatus.created)
    return user, service


def _open(url: str, ca_file: str) -> tuple[int, str]:
    context = ssl.create_default_context(cafile=ca_file)
    try:
        with urllib.request.urlopen(url, context=context, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _events(session, service_id: int) -> list[ProvisionEvent]:
    session.expire_all()
    return list(session.exec(select(ProvisionEvent).where(ProvisionEvent.service_id == service_id)
                             .order_by(ProvisionEvent.id)).all())


def test_the_login_url_is_the_panel_session_url_served_once_and_stored_nowhere(session, fake_whm, hosted):
    user, service = hosted

    url = panel_access.login_url(user.id, service.id)

    assert url.startswith(f"https://127.0.0.1:{fake_whm.port}/cpsess")
    (call,) = fake_whm.calls("create_user_session")
    assert fake_whm.params(call)["user"] == "jeanmbarga" and fake_whm.params(call)["service"] == "cpaneld"
    status, body = _open(url, fake_whm.ca_file)
    assert status == 200 and "Logged in as jeanmbarga" in body
    assert _open(url, fake_whm.ca_file)[0] == 401  # one time only
    (event,) = _events(session, service.id)
    assert (event.action, event.outcome, event.server_id) == ("login", "ok", service.server_id)
    assert event.duration_ms >= 0
    session.expire_all()
    stored = session.get(Service, service.id)
    secret = url.split("session=")[1]
    assert secret not in str(stored.model_dump())
    assert all(secret not in str(e.model_dump()) for e in _events(session, service.id))
    assert fake_whm.violations == []


def test_only_the_customer_s_own_service_opens(session, fake_whm, hosted):
    user, service = hosted
    stranger = make_user(session)
    for who, which in ((stranger.id, service.id), (user.id, 999999), (user.id, "1"), (user.id, True), (user.id, -1)):
        with pytest.raises(NotFound):
            panel_access.login_url(who, which)
    assert fake_whm.calls("create_user_session") == []


@pytest.mark.parametrize("status,account,key", [
    (ServiceStatus.suspended, AccountStatus.created, "panel.service_suspended"),
    (ServiceStatus.expired, AccountStatus.created, "panel.service_expired"),
    (ServiceStatus.cancelled, AccountStatus.terminated, "panel.service_cancelled"),
    (ServiceStatus.pending, AccountStatus.creating, "panel.not_ready"),
    (ServiceStatus.active, AccountStatus.creating, "panel.not_ready"),
    (ServiceStatus.pending, AccountStatus.none, "panel.not_ready"),
    (ServiceStatus.active, AccountStatus.failed, "panel.no_account"),
    (ServiceStatus.active, AccountStatus.none, "panel.no_account"),
])
def test_a_service_opens_its_panel_only_when_active_with_its_account(session, fake_whm, hosted, status, account,
                                                                      key):
    user, service = hosted
    service.status, service.account_status = status, account
    session.add(service)
    session.commit()
    with pytest.raises(InvalidInput) as refused:
        panel_access.login_url(user.id, service.id)
    assert refused.value.key == key
    assert refused.value.message("fr") and refused.value.message("en")
    assert fake_whm.calls("create_user_session") == []


def test_a_panel_that_does_not_answer_is_said_in_words_and_recorded(session, fake_whm, hosted):
    user, service = hosted
    fake_whm.down()
    with pytest.raises(panel_access.PanelUnreachable) as refused:
        panel_access.login_url(user.id, service.id)
    assert "réessayez" in refused.value.message("fr")
    (event,) = _events(session, service.id)
    assert (event.action, event.outcome) == ("login", "unknown")


def test_an_account_missing_on_the_server_is_refused_and_recorded(session, fake_whm, hosted):
    user, service = hosted
    del fake_whm.accounts["jeanmbarga"]
    with pytest.raises(panel_access.PanelFailed):
        panel_access.login_url(user.id, service.id)
    assert _events(session, service.id)[-1].outcome == "refused"


def test_the_panel_password_reaches_the_panel_and_is_recorded_without_itself(session, fake_whm, hosted):
    user, service = hosted

    panel_access.set_panel_password(user.id, service.id, GOOD, GOOD)

    assert fake_whm.accounts["jeanmbarga"]["password"] == GOOD
    (call,) = fake_whm.calls("passwd")
    assert call.method == "POST" and GOOD not in call.path and "password" not in call.query
    (event,) = _events(session, service.id)
    assert (event.action, event.outcome) == ("password", "ok") and GOOD not in event.message
    assert fake_whm.violations == []


@pytest.mark.parametrize("password,confirm,field,key", [
    ("short1A", "short1A", "password", "accounts.password_too_short"),
    ("abcdefghijk1", "abcdefghijk1", "password", "panel.password_kinds"),
    ("abcdefghijk", "abcdefghijk", "password", "accounts.password_needs_letter_and_digit"),
    ("Kmer Panel 2026x", "Kmer Panel 2026x", "password", "panel.password_ascii"),
    (GOOD, GOOD + "!", "confirm", "panel.password_mismatch"),
    (None, None, "password", "accounts.password_too_short"),
    (["x"], GOOD, "password", "accounts.password_too_short"),
])
def test_a_weak_or_mistyped_panel_password_is_refused_in_words_before_the_panel(session, fake_whm, hosted,
                                                                                password, confirm, field, key):
    user, service = hosted
    with pytest.raises(FieldError) as refused:
        panel_access.set_panel_password(user.id, service.id, password, confirm)
    assert (refused.value.field, refused.value.key) == (field, key)
    assert refused.value.message("fr") and refused.value.message("en")
    assert fake_whm.calls("passwd") == []


def test_a_password_the_panel_finds_weak_comes_back_in_words(session, fake_whm, hosted):
    user, service = hosted
    fake_whm.fail("passwd", "Sorry, the password you selected cannot be used because it is too weak.")
    with pytest.raises(FieldError) as refused:
        panel_access.set_panel_password(user.id, service.id, GOOD, GOOD)
    assert refused.value.key == "panel.password_weak"
    assert "trop faible" in refused.value.message("fr")
    assert _events(session, service.id)[-1].outcome == "refused"


def test_another_customer_cannot_set_the_password(session, fake_whm, hosted):
    _, service = hosted
    with pytest.raises(NotFound):
        panel_access.set_panel_password(make_user(session).id, service.id, GOOD, GOOD)
    assert fake_whm.calls("passwd") == []


def test_asking_the_panel_again_and_again_is_limited(session, fake_whm, hosted):
    from kmerhosting.core.errors import RateLimited

    user, service = hosted
    for _ in range(20):
        panel_access.login_url(user.id, service.id)
    with pytest.raises(RateLimited):
        panel_access.login_url(user.id, service.id)
    assert len(fake_whm.calls("create_user_session")) == 20
    for _ in range(5):
        panel_access.set_panel_password(user.id, service.id, GOOD, GOOD)
    with pytest.raises(RateLimited):
        panel_access.set_panel_password(user.id, service.id, GOOD, GOOD)
    assert len(fake_whm.calls("passwd")) == 5
