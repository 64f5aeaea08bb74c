"""An admin decides a credit request, reads the stats with their charts, and visits every admin page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from kmerhosting import db
from kmerhosting.core.ledger import add_credits, post
from kmerhosting.core.sessions import create_session
from kmerhosting.models import CreditRequest, NotificationLog, Pack, Service, User, utcnow

from ..conftest import screenshot
from ..live import ADMIN_EMAIL
from .helpers import goto  # waits for the page's on_load: a click before it would be undone by it

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def shop(live_app):
    """The live app's seeded admin logged in, a customer with a pending request, a sale, a failed mail."""
    engine = db.make_engine(live_app.database_url)
    with Session(engine, expire_on_commit=False) as s:
        admin = s.exec(select(User).where(User.email == ADMIN_EMAIL)).one()
        customer = User(email="awa.browser@example.cm", name="Awa Mbarga", password_hash="x", credits=0)
        s.add(customer)
        s.commit()
        add_credits(s, customer.id, 60000, reference="seed")
        pack = s.exec(select(Pack).order_by(Pack.id)).first()
        now = utcnow()
        service = Service(user_id=customer.id, pack_id=pack.id, domain="awa-boutique.cm", control_panel="cpanel",
                          status="pending", duration_months=12, price_paid=pack.monthly_price * 12,
                          starts_at=now, expires_at=now + timedelta(days=365))
        s.add(service)
        s.flush()
        post(s, customer.id, -service.price_paid, "purchase", service_id=service.id, reference="order:1")
        request = CreditRequest(user_id=customer.id, amount=25000, payment_method="orange_money",
                                payment_reference="OM-7781")
        s.add(request)
        s.add(NotificationLog(recipient=customer.email, user_id=customer.id, kind="credit_added", status="failed",
                              error="SMTP 451 try again later", payload={"template": "credit_added",
                                       "context": {"name": customer.name, "amount": 5000, "balance": 5000,
                                                   "reason": "MTN MoMo 5512"}}))
        token = create_session(s, admin.id, client="playwright")
        s.commit()
        ids = {"request": request.id, "customer": customer.id, "service": service.id}
    yield {"token": token, "engine": engine, **ids}
    engine.dispose()


def login(page, token: str) -> None:
    page.goto("/")
    page.evaluate("t => window.localStorage.setItem('kh_session', t)", token)


def test_admin_approves_a_credit_request_and_reads_the_stats_chart(page, shop):
    login(page, shop["token"])
    goto(page, "/admin/credits")
    expect(page.get_by_text("awa.browser@example.cm")).to_be_visible()
    screenshot(page, "admin-credits")
    page.click(f"#approve-{shop['request']}")
    expect(page.get_by_text("Demande approuvée", exact=False).first).to_be_visible()
    expect(page.get_by_text("awa.browser@example.cm")).to_have_count(0)
    with Session(shop["engine"]) as s:
        assert s.get(CreditRequest, shop["request"]).status == "approved"
        assert s.get(User, shop["customer"]).credits == 60000 - s.get(Service, shop["service"]).price_paid + 25000

    goto(page, "/admin/stats")
    expect(page.locator("#revenue-chart .recharts-surface").first).to_be_visible()
    expect(page.locator("#revenue-chart .recharts-bar-rectangle").first).to_be_attached()
    expect(page.get_by_text(re.compile(r"Chiffre d'affaires"))).not_to_have_count(0)
    screenshot(page, "admin-stats")


@pytest.mark.parametrize("path,name,text", [
    ("/admin", "admin-overview", "Demandes de crédits en attente"),
    ("/admin/users", "admin-users", "awa.browser@example.cm"),
    ("/admin/services", "admin-services", "awa-boutique.cm"),
    ("/admin/packs", "admin-packs", "Nouvelle offre"),
    ("/admin/notifications", "admin-notifications", "SMTP 451 try again later"),
    ("/admin/audit", "admin-audit", "Journal d'audit"),
])
def test_every_admin_page_renders(page, shop, path, name, text):
    login(page, shop["token"])
    goto(page, path)
    expect(page.get_by_text(text).first).to_be_visible()
    page.wait_for_timeout(300)  # let the tables settle before the screenshot
    screenshot(page, name)


def test_user_page_shows_the_history(page, shop):
    login(page, shop["token"])
    goto(page, f"/admin/users/{shop['customer']}")
    expect(page.get_by_text("Awa Mbarga")).to_be_visible()
    expect(page.get_by_text("awa-boutique.cm")).to_be_visible()
    screenshot(page, "admin-user")


def test_a_visitor_is_sent_to_the_login_page(page):
    goto(page, "/admin/credits")
    expect(page).to_have_url(re.compile(r"/auth/login\?next=/admin/credits"))


def test_admin_creates_a_pack_after_a_clear_validation_message(page, shop):
    login(page, shop["token"])
    goto(page, "/admin/packs")
    page.click("#pack-new")
    page.fill("#pack-name", "Pro Cameroun")
    page.fill("#pack-slug", "pro-cameroun")
    page.fill("#pack-price", "4500")
    page.fill("#pack-discount-12", "95")
    page.click("#pack-save")
    expect(page.locator("#admin-error")).to_contain_text("Remise invalide pour 12 mois")
    screenshot(page, "admin-pack-form")
    page.fill("#pack-discount-12", "15")
    page.click("#pack-save")
    expect(page.get_by_text("pro-cameroun")).to_be_visible()
    expect(page.get_by_text("12 mois : -15 %")).to_be_visible()
    with Session(shop["engine"]) as s:
        assert s.exec(select(Pack).where(Pack.slug == "pro-cameroun")).one().discounts == {"12": 15}


def test_admin_provisions_a_service_and_reads_the_stats_in_english(page, shop):
    login(page, shop["token"])
    goto(page, "/admin/services")
    page.get_by_role("button", name="Mettre en service").click()
    expect(page.get_by_text("Statut du service mis à jour.").first).to_be_visible()
    with Session(shop["engine"]) as s:
        assert s.get(Service, shop["service"]).status == "active"
    goto(page, "/admin/stats")
    page.click("#lang-en")
    expect(page.get_by_role("heading", name="Sales statistics")).to_be_visible()
    expect(page.locator("#revenue-chart .recharts-surface").first).to_be_visible()
    screenshot(page, "admin-stats-en")


def test_blocking_asks_first_then_ends_the_customers_logins(page, shop):
    with Session(shop["engine"], expire_on_commit=False) as s:
        target = User(email="ngono.block@example.cm", name="Ngono Block", password_hash="x")
        s.add(target)
        s.commit()
        customer_token = create_session(s, target.id)
        s.commit()
    login(page, shop["token"])
    goto(page, f"/admin/users/{target.id}")
    page.click("#user-block")
    expect(page.get_by_role("alertdialog")).to_be_visible()
    screenshot(page, "admin-block-confirm")
    page.locator(".confirm-action").click()
    expect(page.get_by_text("Statut du compte mis à jour.").first).to_be_visible()
    with Session(shop["engine"]) as s:
        from kmerhosting.core.sessions import user_for_token

        assert s.get(User, target.id).status == "blocked"
        assert user_for_token(s, customer_token) is None


def test_switching_language_reformats_the_amounts(page, shop):
    login(page, shop["token"])
    goto(page, "/admin/users")
    expect(page.get_by_text(re.compile(r"FCFA")).first).to_be_visible()
    page.click("#lang-en")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d,\d{3}\sFCFA")).first).to_be_visible()  # English grouping
    expect(page.get_by_text(re.compile("\\d\u202f\\d{3}"))).to_have_count(0)  # no French one left
    screenshot(page, "admin-users-en")
