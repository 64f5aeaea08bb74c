"""A customer renews a service from the dashboard and sees the new expiry and balance."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from kmerhosting import db
from kmerhosting.core.pricing import duration_price
from kmerhosting.core.renewals import add_months
from kmerhosting.core.sessions import create_session
from kmerhosting.i18n import display
from kmerhosting.models import Service, ServiceStatus

from ..conftest import screenshot
from ..factories import make_pack, make_service, make_user

pytestmark = pytest.mark.browser
DOMAINS = ("boutique-amina.cm", "amina-blog.com", "ancien-site.cm")


@pytest.fixture
def customer(live_app):
    """A verified customer with credits and three services, logged in by a session token."""
    engine = db.make_engine(live_app.database_url)
    with Session(engine, expire_on_commit=False) as s:
        # The live app's database is shared by the session's tests and a domain is live on one service
        # only: an earlier test's services on these domains are cancelled first.
        for old in s.exec(select(Service).where(Service.domain.in_(DOMAINS))):
            old.status = ServiceStatus.cancelled
            s.add(old)
        s.commit()
        user = make_user(s, credits=100_000)
        user.name = "Amina Ndongo"
        s.add(user)
        pack = make_pack(s, monthly_price=2500, name="Pro Douala")
        soon = make_service(s, user, pack, days_left=12, domain="boutique-amina.cm",
                            panel_url="https://cpanel.kmerhosting.cm:2083")
        make_service(s, user, pack, days_left=200, domain="amina-blog.com")
        make_service(s, user, pack, days_left=-4, domain="ancien-site.cm", status=ServiceStatus.expired)
        token = create_session(s, user.id, client="browser-test")
        s.commit()
        s.refresh(soon)
    engine.dispose()
    return {"user": user, "service": soon, "pack": pack, "token": token}


def login(page, token: str) -> None:
    page.goto("/")
    page.evaluate("token => localStorage.setItem('kh_session', token)", token)


def test_customer_renews_a_service_and_sees_the_new_expiry_and_balance(page, customer):
    login(page, customer["token"])
    page.goto("/dashboard/services")
    card = page.locator(".service-card", has_text="boutique-amina.cm")
    expect(card).to_be_visible()
    expect(card.get_by_text("Expire dans 12 jours")).to_be_visible()
    expect(page.locator(".service-card", has_text="ancien-site.cm").get_by_text("Expiré depuis 4 jours")) \
        .to_be_visible()
    expect(card.get_by_role("link", name=re.compile("Ouvrir le panneau"))).to_have_attribute(
        "href", "https://cpanel.kmerhosting.cm:2083")
    screenshot(page, "dashboard-services")

    card.get_by_role("button", name=re.compile("Renouveler")).click()
    page.locator("#renew-12").click()
    price = duration_price(2500, 12).price
    expect(page.locator("#renew-confirm")).to_contain_text(display.money(price, "fr"))
    screenshot(page, "dashboard-renew-dialog")
    page.locator("#renew-confirm").click()

    new_expiry = display.date(add_months(customer["service"].expires_at, 12), "fr")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(card.get_by_text(new_expiry)).to_be_visible()
    expect(page.locator("#services-balance")).to_have_text(display.money(100_000 - price, "fr"))
    screenshot(page, "dashboard-services-renewed")

    page.goto("/dashboard/billing")
    expect(page.locator("#billing-balance")).to_have_text(display.money(100_000 - price, "fr"))
    expect(page.locator("#ledger").get_by_role("cell", name="Renouvellement", exact=True)).to_be_visible()
    # Its reference in words, linking to where the renewed service is shown.
    expect(page.locator("#ledger").get_by_role("link", name=re.compile(r"Renouvellement n°\s\d+"))).to_have_attribute(
        "href", "/dashboard/services")
    with page.expect_download() as download:
        page.locator("#download-csv").click()
    csv_text = Path(download.value.path()).read_text()
    assert csv_text.startswith("date,kind,amount_xaf") and f"renewal,-{price}," in csv_text
    page.locator("#request-amount").fill("25000")
    page.locator("#request-reference").fill("MP241124.1530.A1B2")
    page.locator("#request-submit").click()
    expect(page.locator("#requests").get_by_text("MP241124.1530.A1B2")).to_be_visible()
    expect(page.locator("#requests").get_by_text("En attente")).to_be_visible()
    screenshot(page, "dashboard-billing")

    page.goto("/dashboard")
    expect(page.locator("#overview-balance")).to_have_text(display.money(100_000 - price, "fr"))
    expect(page.get_by_text("Bonjour Amina Ndongo")).to_be_visible()
    screenshot(page, "dashboard-overview")

    page.goto("/dashboard/settings")
    expect(page.locator("#settings-name")).to_have_value("Amina Ndongo")
    screenshot(page, "dashboard-settings")
    page.click("#lang-en")
    expect(page.get_by_role("heading", name="Account settings")).to_be_visible()
    screenshot(page, "dashboard-settings-en")


def test_dashboard_pages_send_a_visitor_to_the_login_page(page):
    page.goto("/dashboard/services")
    expect(page).to_have_url(re.compile(r"/auth/login\?next=/dashboard/services"))


def test_the_dashboard_reads_well_on_a_phone(page, customer):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, customer["token"])
    for path, name, marker in [("/dashboard", "overview", "#overview-balance"),
                               ("/dashboard/services", "services", ".service-card"),
                               ("/dashboard/billing", "billing", "#billing-balance")]:
        page.goto(path)
        expect(page.locator(marker).first).to_be_visible()
        screenshot(page, f"dashboard-{name}-phone")
        # the dashboard's own content fits the screen: a customer on a phone never scrolls sideways
        # (tables scroll inside their own box)
        frame = page.locator(".dashboard-frame")
        assert frame.evaluate("e => e.scrollWidth <= e.clientWidth && e.getBoundingClientRect().right <= 390"), name
        clipped = frame.evaluate("e => [...e.querySelectorAll('button, a, h1, h2, h3')]"
                                 ".filter(b => !b.closest('.rt-TableRoot') && b.getBoundingClientRect().right > 390)"
                                 ".map(b => b.textContent)")
        assert clipped == [], (name, clipped)
