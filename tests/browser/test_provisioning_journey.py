"""Buying creates the hosting account by itself, on a phone: the customer pays, the service page turns
"Actif" without a reload once the worker has created the account, and "Ouvrir cPanel" opens the panel
logged in. First on the zero-config sandbox server (it lands on the sandbox panel's page), then on a
cPanel server (the fake WHM over HTTPS, its own CA) that the shop prefers to the sandbox."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from kmerhosting.core.sessions import create_session
from kmerhosting.models import AccountStatus, Server, Service

from ..conftest import screenshot
from ..factories import make_user
from ..fake_whm import FakeWhm, whm_certificates_fixture  # noqa: F401  (fixture)
from .helpers import buy_pack_with_new_domain, goto, service_card, store_before_scripts
from .test_panel_access import sealed_for

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, live_app, live_db):
    with Session(live_db, expire_on_commit=False) as s:
        # Only the sandbox servers take purchases unless a test adds its own (earlier tests' fakes are gone).
        s.execute(Server.__table__.update().where(Server.sandbox == False).values(active=False))  # noqa: E712
        user = make_user(s, email=f"buyer-{uuid.uuid4().hex[:6]}@example.cm", credits=200000)
        token = create_session(s, user.id, client="browser-test")
        s.commit()
    context = browser.new_context(base_url=live_app.base_url, viewport={"width": 390, "height": 844},
                                  has_touch=True, ignore_https_errors=True)
    store_before_scripts(context, "kh_session", token)
    page = context.new_page()
    page.set_default_timeout(20000)
    yield user, page
    context.close()


def bought_service(live_db, domain: str) -> Service:
    with Session(live_db) as s:
        return s.exec(select(Service).where(Service.domain == domain)).one()


def buy_and_see_it_active(page, live_db, balance: int, shots: str) -> Service:
    bought = buy_pack_with_new_domain(page, "starter", "Starter", 1, balance)
    goto(page, "/dashboard/services")
    card = service_card(page, bought.domain)
    # The worker creates the account; the page follows it and turns active without a reload.
    expect(card).to_contain_text("Actif", timeout=30000)
    expect(card.locator(".open-cpanel")).to_contain_text("Ouvrir cPanel")
    screenshot(page, f"{shots}-active")
    service = bought_service(live_db, bought.domain)
    assert service.account_status == AccountStatus.created and service.panel_username
    return service


def test_a_purchase_creates_the_account_on_the_sandbox_server_and_opens_its_panel(phone, live_db):
    user, page = phone
    service = buy_and_see_it_active(page, live_db, 200000, "provision-sandbox")
    service_card(page, service.domain).locator(".open-cpanel").click()
    page.wait_for_url(re.compile(r"/sandbox-panel\?user="))
    expect(page.locator("#sandbox-account")).to_contain_text(service.domain)
    expect(page.locator("#sandbox-account")).to_contain_text(service.panel_username)
    expect(page.get_by_text("aucun hébergement réel n'a été créé")).to_be_visible()
    screenshot(page, "provision-sandbox-panel")


def test_a_purchase_creates_the_account_on_a_cpanel_server(phone, live_app, live_db, whm_certificates,
                                                           monkeypatch):
    user, page = phone
    fake = FakeWhm(whm_certificates).start()
    fake.packages["kh_starter"] = {"QUOTA": "1024", "BWLIMIT": "10240"}
    with Session(live_db, expire_on_commit=False) as s:
        server = Server(name=f"whm-journey-{uuid.uuid4().hex[:6]}", panel="cpanel", host="127.0.0.1", port=fake.port,
                        api_user=fake.user, token_sealed=sealed_for(live_app, fake.token, monkeypatch),
                        ca_pem=Path(fake.ca_file).read_text(), nameservers="ns1.kmerhosting.cm,ns2.kmerhosting.cm")
        s.add(server)
        s.commit()
    try:
        service = buy_and_see_it_active(page, live_db, 200000, "provision-whm")
        assert service.server_id == server.id
        account = fake.accounts[service.panel_username]
        assert account["domain"] == service.domain and account["plan"] == "kh_starter"
        service_card(page, service.domain).locator(".open-cpanel").click()
        page.wait_for_url(re.compile(rf"^https://127\.0\.0\.1:{fake.port}/cpsess\d+/login/"))
        expect(page.locator("body")).to_contain_text(f"Logged in as {service.panel_username}")
        screenshot(page, "provision-whm-session")
    finally:
        with Session(live_db) as s:  # the other tests' purchases go back to the sandbox server
            row = s.get(Server, server.id)
            row.active = False
            s.add(row)
            s.commit()
        fake.stop()
