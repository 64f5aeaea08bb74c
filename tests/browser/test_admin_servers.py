"""The admin's servers page in a real browser, on a phone and on a desktop: add a server pointing at the fake
WHM server (its own CA given as the server's), test its connection and read the outcome in words, a wrong
token read as a refusal; the token never reaches the page."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from kmerhosting.core.servers import server_token
from kmerhosting.models import Server

from ..conftest import screenshot
from ..fake_whm import fake_whm_fixture, whm_certificates_fixture  # noqa: F401  (fixtures)
from ..live import ADMIN_EMAIL
from . import helpers as h

pytestmark = pytest.mark.browser

WRONG_TOKEN = "WRONGTOKEN0000000000000000000000"


@pytest.fixture
def admin(page, live_db):
    h.log_in_with_token(page, h.session_token(live_db, ADMIN_EMAIL))
    return page


def add_server(page, name: str, fake, token: str) -> None:
    page.locator("#server-new").click()
    dialog = page.locator("#server-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#server-token")).to_have_value("")
    page.fill("#server-name", name)
    page.fill("#server-host", "127.0.0.1")
    page.fill("#server-port", str(fake.port))
    page.fill("#server-api-user", fake.user)
    page.fill("#server-token", token)
    page.fill("#server-ca-pem", Path(fake.ca_file).read_text())
    page.fill("#server-nameservers", "ns1.kmerhosting.cm, ns2.kmerhosting.cm")
    page.fill("#server-capacity", "200")
    page.locator("#server-save").click()
    expect(dialog).to_have_count(0)


@pytest.fixture(autouse=True)
def _leave_purchases_to_the_sandbox(live_db):
    """The servers added here point at a fake that stops with the test: later purchases in the same live
    app must not be sent to them."""
    yield
    with Session(live_db) as s:
        s.execute(Server.__table__.update().where(Server.sandbox == False).values(active=False))  # noqa: E712
        s.commit()


def row_of(page, name: str):
    return page.locator(f"tr.server-row[data-server='{name}']")


@pytest.mark.parametrize("width, height", [(390, 844), (1366, 768)])
def test_admin_adds_a_server_and_tests_its_connection(admin, live_db, fake_whm, width, height):
    word = "x" + uuid.uuid4().hex[:6]  # never all digits: the page walk would read it as a number
    good, wrong = f"Douala {word}", f"Mauvais jeton {word}"
    admin.set_viewport_size({"width": width, "height": height})
    admin.goto("/admin/servers")
    expect(admin.get_by_role("heading", name="Serveurs d'hébergement").first).to_be_visible()
    # The fresh install's sandbox servers, labelled as test servers.
    expect(admin.locator(".server-sandbox").first).to_have_text("Serveur de test")

    add_server(admin, good, fake_whm, fake_whm.token)
    row = row_of(admin, good)
    expect(row).to_contain_text("127.0.0.1:" + str(fake_whm.port))
    expect(row).to_contain_text("0 sur 200")
    expect(row.locator(".server-test-words")).to_have_text("Jamais testé")
    row.locator(".server-test-button").click()
    expect(row.locator(".server-test-words")).to_contain_text("Connexion réussie", timeout=30000)
    expect(row.locator(".server-test-words")).to_contain_text("cPanel")
    expect(row.locator(".server-test")).to_have_attribute("data-test", "ok")
    screenshot(admin, f"admin-servers-{width}")

    add_server(admin, wrong, fake_whm, WRONG_TOKEN)
    row = row_of(admin, wrong)
    row.locator(".server-test-button").click()
    expect(row.locator(".server-test-words")).to_have_text(
        "Connexion refusée par le panneau. Vérifiez l'utilisateur et le jeton d'API.", timeout=30000)
    expect(row.locator(".server-test")).to_have_attribute("data-test", "failed")

    # Editing shows the token as stored, never its value; saving with the field empty keeps it.
    row_of(admin, good).locator("[id^=server-edit-]").click()
    expect(admin.locator("#server-token-stored")).to_be_visible()
    expect(admin.locator("#server-token")).to_have_value("")
    admin.fill("#server-capacity", "150")
    admin.locator("#server-save").click()
    expect(admin.locator("#server-dialog")).to_have_count(0)
    expect(row_of(admin, good)).to_contain_text("0 sur 150")

    html = admin.content()
    assert fake_whm.token not in html and WRONG_TOKEN not in html
    assert admin.evaluate("document.documentElement.scrollWidth") <= width
    with Session(live_db) as s:
        stored = {x.name: x for x in s.exec(select(Server).where(Server.name.in_([good, wrong]))).all()}
        assert server_token(stored[good]) == fake_whm.token and stored[good].capacity == 150
        assert fake_whm.token not in stored[good].token_sealed
        assert stored[good].last_test_ok is True and stored[wrong].last_test_ok is False
