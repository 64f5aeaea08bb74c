import re

import pytest
from playwright.sync_api import expect

from ..conftest import screenshot
from .helpers import store_before_scripts

pytestmark = pytest.mark.browser


def test_domain_search_shows_availability_and_prices(page):
    page.goto("/domains")
    expect(page.get_by_role("heading", name="Trouvez votre nom de domaine")).to_be_visible()
    expect(page.get_by_text(re.compile("Registraire de test"))).not_to_have_count(0)

    page.fill("#domain-query", "Mon-Commerce")
    page.click("#domain-search")
    offers = page.locator(".domain-offer")
    expect(offers).to_have_count(4)
    expect(offers.nth(0)).to_contain_text("mon-commerce.cm")
    expect(offers.nth(0)).to_contain_text("Disponible")
    expect(offers.nth(0)).to_contain_text("15\u202f000 FCFA")
    expect(offers.nth(1)).to_contain_text("9\u202f000 FCFA")
    expect(page.get_by_role("button", name="Ajouter au panier")).to_have_count(4)
    screenshot(page, "domains-search-fr")

    page.fill("#domain-query", "google")
    page.click("#domain-search")
    expect(offers.nth(0)).to_contain_text("google.cm")
    expect(page.get_by_text("Déjà pris")).to_have_count(4)
    expect(page.get_by_role("button", name="Ajouter au panier")).to_have_count(0)

    page.click("#lang-en")
    expect(page.get_by_text("Taken", exact=True)).to_have_count(4)
    page.fill("#domain-query", "mon commerce")
    page.click("#domain-search")
    expect(page.locator("#domain-error")).to_contain_text("Invalid domain name")
    screenshot(page, "domains-error-en")


def test_domain_prices_follow_the_period(page):
    page.goto("/domains")
    page.fill("#domain-query", "deuxans")
    page.click("#domain-search")
    expect(page.locator(".domain-offer").nth(0)).to_contain_text("15\u202f000 FCFA")
    page.click("#domain-years")
    page.get_by_role("option", name="2 ans", exact=True).click()
    expect(page.locator(".domain-offer").nth(0)).to_contain_text("30\u202f000 FCFA")
    screenshot(page, "domains-two-years")


def test_my_domains_asks_to_log_in_first(page):
    page.goto("/dashboard/domains")
    expect(page).to_have_url(re.compile(r"/auth/login\?next=/dashboard/domains"))


def test_my_domains_lists_expiry_and_renews_with_credits(page, live_app):
    """A logged-in customer (session token placed as the login page would) renews a domain."""
    from datetime import timedelta

    from kmerhosting.core.ledger import add_credits
    from kmerhosting.core.sessions import create_session
    from kmerhosting.db import make_engine, session_scope
    from kmerhosting.models import DomainPurchase, RegistrarStatus, User, utcnow

    from ..factories import make_user

    engine = make_engine(live_app.database_url)
    with session_scope(engine) as session:
        user = make_user(session, email="domaines@example.cm")
        add_credits(session, user.id, 50000, reference="test")
        session.add(DomainPurchase(user_id=user.id, domain="boutique-douala.cm", price=15000,
                                   registrar="sandbox", registrar_status=RegistrarStatus.registered,
                                   registrar_id="SBX-1", expires_at=utcnow() + timedelta(days=20)))
        token = create_session(session, user.id)
    store_before_scripts(page, "kh_session", token)

    page.goto("/dashboard/domains")
    expect(page.get_by_role("heading", name="Mes domaines")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="boutique-douala.cm")
    expect(row).to_contain_text(re.compile(r"Expire dans 20\sjours"))
    expect(page.get_by_text("Votre solde : 50\u202f000 FCFA")).to_be_visible()
    screenshot(page, "dashboard-domains-fr")

    renew = row.get_by_role("button").filter(has_text="Renouveler pour")
    expect(renew).to_contain_text("15\u202f000 FCFA")
    renew.click()
    expect(page.get_by_text(re.compile("boutique-douala.cm est renouvelé jusqu'au"))).to_be_visible()
    expect(page.get_by_text("Votre solde : 35\u202f000 FCFA")).to_be_visible()
    # This sandbox process never registered the domain (the row was written straight into the database),
    # so it renews from today; DNA and a sandbox that knows the domain renew from the expiry date.
    expect(row).to_contain_text(re.compile(r"Expire dans 36[56]\sjours"))  # one rule: calendar days
    screenshot(page, "dashboard-domains-renewed")
    with session_scope(engine) as session:
        assert session.get(User, user.id).credits == 35000
    engine.dispose()
