"""The shop's story end to end, through the real app in production mode and Debian's Chromium.

One customer, in order: signs up (1), gets credits approved by the admin (2), buys and renews a pack
(3), is reminded by the notifier 60 days before expiry (4), and cannot reach what is not theirs (5).
Each journey is its own test; they share the customer's and the admin's browsers (module scope), so a
journey whose predecessor failed is skipped rather than failing twice. Screenshots of the key pages
go to artifacts/screenshots/journey<N>-*.png.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import Session, select

from kmerhosting import db
from kmerhosting.config import PROJECT_ROOT
from kmerhosting.core.notifier import local_date
from kmerhosting.models import Pack, Service, User

from ..conftest import screenshot
from ..factories import make_service, make_user
from . import helpers as h

pytestmark = pytest.mark.browser

CREDITS = 100_000


class Story:
    """What one journey leaves for the next."""

    def __init__(self):
        self.done: set[int] = set()
        self.customer: h.Customer | None = None
        self.balance = 0
        self.domain = ""
        self.service_id = 0

    def needs(self, journey: int) -> None:
        if journey not in self.done:
            pytest.skip(f"needs journey {journey}, which did not finish")


@pytest.fixture(scope="module")
def story():
    return Story()


@pytest.fixture(scope="module")
def customer_page(browser, live_app):
    page = h.new_page(browser, live_app)
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def admin_page(browser, live_app):
    page = h.new_page(browser, live_app)
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def live_engine(live_app):
    engine = db.make_engine(live_app.database_url)
    yield engine
    engine.dispose()


def test_journey1_visitor_registers_verifies_the_mailed_link_and_logs_in(customer_page, live_app, live_engine, story):
    customer = h.new_customer("Awa")
    h.sign_up(customer_page, live_app, customer, shots="journey1")
    expect(customer_page.get_by_text(f"Bonjour {customer.name}")).to_be_visible()
    expect(customer_page.locator("#overview-balance")).to_have_text(h.xaf(0))
    screenshot(customer_page, "journey1-dashboard")
    with Session(live_engine) as s:
        user = s.exec(select(User).where(User.email == customer.email)).one()
        assert user.email_verified_at is not None and user.role == "customer"
    story.customer = customer
    story.done.add(1)


def test_journey2_admin_approves_the_credit_request_and_the_balance_shows_it(customer_page, admin_page, story):
    story.needs(1)
    h.log_in_admin(admin_page)
    h.top_up(customer_page, admin_page, story.customer, CREDITS, shots="journey2")
    customer_page.goto("/dashboard/billing")
    expect(customer_page.locator("#billing-balance")).to_have_text(h.xaf(CREDITS))
    expect(customer_page.locator("#requests")).to_contain_text("Acceptée")
    screenshot(customer_page, "journey2-billing")
    story.balance = CREDITS
    story.done.add(2)


def test_journey3_customer_buys_a_pack_with_a_new_domain_and_renews_it(customer_page, live_engine, story):
    story.needs(2)
    story.domain, story.balance = h.buy_and_renew(customer_page, live_engine, story.customer, story.balance, "journey3")
    with Session(live_engine) as s:
        story.service_id = s.exec(select(Service.id).where(Service.domain == story.domain)).one()
    story.done.add(3)


def run_notifier(live_app, *args: str) -> str:
    done = subprocess.run([sys.executable, "jobs/notifier.py", "--once", *args], cwd=PROJECT_ROOT,
                          env=live_app.env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def notices_for(engine, service_id: int, threshold: int) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "SELECT o.to_email, o.subject, o.text_body FROM outbox_messages o "
            "JOIN notification_logs n ON n.id = o.notification_id "
            "WHERE n.service_id = :sid AND n.threshold = :t"), {"sid": service_id, "t": threshold}).all()


def test_journey4_notifier_sends_the_60_day_notice_and_the_admin_sees_it(admin_page, live_app, live_engine, story):
    story.needs(3)
    with Session(live_engine) as s:
        expires_at = s.get(Service, story.service_id).expires_at
    # The clock moved to 60 days before expiry (about two years on). The notifier works on the whole
    # live database; the browser tests that come later create their own services.
    day = (local_date(expires_at) - timedelta(days=60)).isoformat()
    assert notices_for(live_engine, story.service_id, 60) == []

    output = run_notifier(live_app, "--now", day)
    assert re.search(r"notices sent=[1-9]", output), output
    [(to_email, subject, body)] = notices_for(live_engine, story.service_id, 60)
    assert to_email == story.customer.email
    assert story.domain in subject and "60" in subject
    assert h.format_day(expires_at) in body
    run_notifier(live_app, "--now", day)  # a second run (a cron retry, another host) sends nothing twice
    assert len(notices_for(live_engine, story.service_id, 60)) == 1

    admin_page.goto("/admin/notifications")
    row = admin_page.locator("tr", has_text=story.customer.email).filter(has_text="Rappel d'échéance")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(story.domain)
    expect(row).to_contain_text("60")
    expect(row).to_contain_text(subject)
    screenshot(admin_page, "journey4-admin-notifications")
    story.done.add(4)


@pytest.fixture(scope="module")
def other_service(live_engine):
    """Another customer's service, written straight into the database: this journey is about the first
    customer's reach, not about how the other one bought it."""
    with Session(live_engine, expire_on_commit=False) as s:
        other = make_user(s, email=f"other.{uuid.uuid4().hex[:6]}@example.cm", credits=5000)
        pack = s.exec(select(Pack).where(Pack.slug == h.PACK_SLUG)).one()
        service = make_service(s, other, pack, days_left=20, domain=f"voisin{uuid.uuid4().hex[:6]}.cm")
    return {"id": service.id, "domain": service.domain, "expires_at": service.expires_at, "user_id": other.id}


def test_journey5_customer_cannot_open_admin_nor_another_customers_service(
        customer_page, browser, live_app, live_engine, other_service, story):
    story.needs(3)
    page = customer_page
    page.goto("/admin")
    page.wait_for_url(h.DASHBOARD)
    expect(page.locator("#nav-admin")).to_have_count(0)
    screenshot(page, "journey5-admin-refused")

    # A customer who rewrites the "renew" click of their own service to carry the other customer's
    # service id (the browser can send any argument) gets "not found" and no dialog.
    tampered = []

    def tamper(ws):
        server = ws.connect_to_server()

        def from_page(message):
            if isinstance(message, str) and "open_renew" in message:
                changed = re.sub(r'("service_id":\s*)\d+', rf'\g<1>{other_service["id"]}', message)
                tampered.append(changed != message)
                message = changed
            server.send(message)

        ws.on_message(from_page)
        server.on_message(lambda message: ws.send(message))

    page.route_web_socket(re.compile(r"/_event"), tamper)
    h.open_services(page)
    card = h.service_card(page, story.domain)
    expect(card).to_be_visible()
    expect(page.get_by_text(other_service["domain"])).to_have_count(0)
    card.locator(".renew-button").click()
    expect(page.get_by_text("Élément introuvable.").first).to_be_visible()
    assert tampered == [True]
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text(other_service["domain"])).to_have_count(0)
    screenshot(page, "journey5-other-service-refused")
    with Session(live_engine) as s:
        assert s.get(Service, other_service["id"]).expires_at == other_service["expires_at"]
        assert s.get(User, other_service["user_id"]).credits == 5000

    visitor = h.new_page(browser, live_app)
    try:
        for path in ("/dashboard/services", "/admin"):
            visitor.goto(path)
            visitor.wait_for_url(re.compile(rf"/auth/login\?next={re.escape(path)}/?$"))
            expect(visitor.locator("#nav-login")).to_be_visible()
        screenshot(visitor, "journey5-visitor-to-login")
    finally:
        visitor.context.close()
