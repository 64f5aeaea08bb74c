"""A customer's tab is open when an admin blocks the account: the next click says so, with the support address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from kmerhosting import db
from kmerhosting.core.ledger import add_credits
from kmerhosting.core.sessions import create_session
from kmerhosting.models import Pack, Service, User, utcnow

from ..conftest import screenshot
from ..live import ADMIN_EMAIL
from .helpers import new_page, store_before_scripts, wait_until_live

pytestmark = pytest.mark.browser


def test_a_blocked_customer_is_told_why_in_french_then_english_and_stays_on_the_page(browser, live_app):
    engine = db.make_engine(live_app.database_url)
    with Session(engine, expire_on_commit=False) as s:
        admin = s.exec(select(User).where(User.email == ADMIN_EMAIL)).one()
        customer = User(email="essomba.bloque@example.cm", name="Essomba Bloqué", password_hash="x",
                        email_verified_at=utcnow())
        s.add(customer)
        s.commit()
        add_credits(s, customer.id, 40000, reference="seed")
        pack = s.exec(select(Pack).order_by(Pack.id)).first()
        now = utcnow()
        s.add(Service(user_id=customer.id, pack_id=pack.id, domain="essomba-bloque.cm", control_panel="cpanel",
                      status="active", duration_months=12, price_paid=pack.monthly_price * 12,
                      starts_at=now, expires_at=now + timedelta(days=20)))
        customer_token, admin_token = create_session(s, customer.id), create_session(s, admin.id)
        s.commit()
    engine.dispose()

    # The customer's phone, on the services page.
    tab = new_page(browser, live_app)
    tab.set_viewport_size({"width": 390, "height": 844})
    store_before_scripts(tab, "kh_session", customer_token)
    errors: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto("/dashboard/services")
    card = tab.locator(".service-card", has_text="essomba-bloque.cm")
    expect(card).to_be_visible()

    # Meanwhile an admin blocks the account.
    admin_tab = new_page(browser, live_app)
    store_before_scripts(admin_tab, "kh_session", admin_token)
    admin_tab.goto(f"/admin/users/{customer.id}")
    wait_until_live(admin_tab)
    admin_tab.click("#user-block")
    admin_tab.locator(".confirm-action").click()
    expect(admin_tab.get_by_text("Statut du compte mis à jour.").first).to_be_visible()
    admin_tab.context.close()

    # The customer's next click is refused with the reason, on the same page.
    card.locator(".renew-button").click()
    notice = tab.locator("#account-blocked")
    expect(notice).to_contain_text("Votre compte a été bloqué")
    expect(notice).to_contain_text("support@kmerhosting.cm")
    expect(tab.locator("#blocked-support")).to_have_attribute("href", "mailto:support@kmerhosting.cm")
    expect(tab.get_by_text("Votre compte a été bloqué. Contactez support@kmerhosting.cm.")).to_be_visible()
    expect(tab.get_by_role("dialog")).to_have_count(0)
    expect(tab).to_have_url(re.compile(r"/dashboard/services/?$"))
    expect(card).to_have_count(0)  # the customer's data is no longer shown
    screenshot(tab, "blocked-account-fr")

    tab.click("#lang-en")
    expect(notice).to_contain_text("Your account has been blocked")
    expect(notice).to_contain_text("support@kmerhosting.cm")
    screenshot(tab, "blocked-account-en")

    # Going elsewhere in the customer area keeps the explanation instead of a bare login page.
    tab.goto("/dashboard/billing")
    expect(tab.locator("#account-blocked")).to_contain_text("Your account has been blocked")
    expect(tab).to_have_url(re.compile(r"/dashboard/billing/?$"))
    assert not errors, errors
    tab.context.close()
