"""A customer on a phone opens the hosting panel of a service: the fake WHM (real HTTPS, its own CA) is the
server, a service still being created turns active on the page without a reload, the panel password is
set from the dashboard, and "Ouvrir cPanel" lands on the panel's one-time session page, logged in."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from kmerhosting.config import DEV_SECRET_KEY, reset_settings_cache
from kmerhosting.core import servers
from kmerhosting.core.sessions import create_session
from kmerhosting.models import AccountStatus, Server, Service, ServiceStatus

from ..conftest import screenshot
from ..factories import make_pack, make_service, make_user
from ..fake_whm import FakeWhm, whm_certificates_fixture  # noqa: F401  (fixture)
from .helpers import goto, service_card, store_before_scripts

pytestmark = pytest.mark.browser


@pytest.fixture
def fake_panel(whm_certificates):
    server = FakeWhm(whm_certificates).start()
    yield server
    server.stop()


def sealed_for(live_app, token: str, monkeypatch) -> str:
    """The token sealed with the live app's own SECRET_KEY (it reads no env file)."""
    monkeypatch.setenv("SECRET_KEY", live_app.env.get("SECRET_KEY") or DEV_SECRET_KEY)
    reset_settings_cache()
    try:
        return servers.seal_token(token)
    finally:
        monkeypatch.undo()
        reset_settings_cache()


def test_a_service_turns_active_by_itself_and_opens_cpanel_logged_in(browser, live_app, live_db, fake_panel,
                                                                      monkeypatch):
    tag = "x" + uuid.uuid4().hex[:6]  # never all digits: the page walk would read it as a number
    username = f"jean{tag}"
    fake_panel.add_account(username, f"jean-{tag}.cm", disk_used_mb=1229)
    with Session(live_db, expire_on_commit=False) as s:
        server = Server(name=f"whm-{tag}", panel="cpanel", host="127.0.0.1", port=fake_panel.port,
                        api_user=fake_panel.user, token_sealed=sealed_for(live_app, fake_panel.token, monkeypatch),
                        ca_pem=Path(fake_panel.ca_file).read_text(), capacity=0, active=False)
        s.add(server)
        s.commit()
        user = make_user(s, email=f"panel-{tag}@example.cm")
        pack = make_pack(s, name=f"Pack {tag}", disk_gb=10, is_active=False)  # not for sale: out of the shop
        service = make_service(s, user, pack, domain=f"jean-{tag}.cm", status=ServiceStatus.pending,
                               server_id=server.id, panel_username=username,
                               account_status=AccountStatus.creating)
        token = create_session(s, user.id, client="browser-test")
        s.commit()
    # The session page is served by the fake over HTTPS with a throw-away CA: the browser is told to accept it.
    context = browser.new_context(base_url=live_app.base_url, viewport={"width": 390, "height": 844},
                                  has_touch=True, ignore_https_errors=True)
    store_before_scripts(context, "kh_session", token)
    context.add_cookies([{"name": "kh_lang", "value": "fr", "url": live_app.base_url}])
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        goto(page, "/dashboard/services")
        card = service_card(page, service.domain)
        expect(card).to_contain_text("Compte en cours de création")
        expect(card).not_to_contain_text("Actif")
        expect(card.locator(".open-cpanel")).to_have_count(0)
        screenshot(page, "panel-creating-phone")

        # The worker's job finishes: the account exists, the service is active, usage measured.
        with Session(live_db) as s:
            row = s.get(Service, service.id)
            row.status, row.account_status, row.disk_used_mb = ServiceStatus.active, AccountStatus.created, 1229
            s.add(row)
            s.commit()
        expect(card).to_contain_text("Actif", timeout=15000)  # no reload
        expect(card).to_contain_text("1,2\u202fGo sur 10\u202fGo")
        button = card.locator(".open-cpanel")
        expect(button).to_contain_text("Ouvrir cPanel")
        screenshot(page, "panel-active-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        # The panel password, from the dashboard: a mistyped confirmation is said in words, then it is set.
        card.locator(".panel-password").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text(service.domain)
        page.fill("#panel-password", "Kmer-Panel-2026x")
        page.fill("#panel-confirm", "Kmer-Panel-2026y")
        page.click("#panel-password-save")
        expect(dialog).to_contain_text("Les deux mots de passe ne sont pas identiques.")
        page.fill("#panel-confirm", "Kmer-Panel-2026x")
        page.click("#panel-password-save")
        expect(dialog).to_have_count(0)
        expect(page.get_by_text(f"Le mot de passe du panneau de {service.domain} est changé.")).to_be_visible()
        assert fake_panel.accounts[username]["password"] == "Kmer-Panel-2026x"

        button.click()
        page.wait_for_url(re.compile(rf"^https://127\.0\.0\.1:{fake_panel.port}/cpsess\d+/login/"))
        expect(page.locator("body")).to_contain_text(f"Logged in as {username}")
        screenshot(page, "panel-session-phone")
        (call,) = fake_panel.calls("create_user_session")
        assert fake_panel.params(call)["user"] == username
        assert [v for v in fake_panel.violations if "favicon" not in v] == []
    finally:
        context.close()
