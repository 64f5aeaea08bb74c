"""A verified customer with credits buys a pack with a new domain, through the real app."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from kmerhosting.core.checkout import add_months
from kmerhosting.core.pricing import duration_price
from kmerhosting.core.sessions import create_session
from kmerhosting.db import make_engine
from kmerhosting.i18n import display
from kmerhosting.models import DomainPurchase, Pack, RegistrarStatus, Service, User

from ..conftest import screenshot
from .helpers import store_before_scripts
from ..factories import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def customer(live_app):
    engine = make_engine(live_app.database_url)
    with Session(engine, expire_on_commit=False) as s:
        user = make_user(s, email=f"client-{uuid.uuid4().hex[:6]}@example.cm", credits=300_000)
        token = create_session(s, user.id)
        s.commit()
    yield user, token, engine
    engine.dispose()


def test_customer_buys_a_pack_with_a_new_domain(page, live_app, customer):
    user, token, engine = customer
    store_before_scripts(page, "kh_session", token)
    with Session(engine) as s:
        pro = s.exec(select(Pack).where(Pack.slug == "pro")).one()
    price_24 = duration_price(pro.monthly_price, 24, pro.discounts)

    page.goto("/hosting")
    expect(page.get_by_role("heading", name="Hébergement web")).to_be_visible()
    expect(page.get_by_text("Pro", exact=True)).to_be_visible()
    screenshot(page, "shop-1-hosting")

    page.locator("a[href='/hosting/pro']").first.click()
    expect(page).to_have_url(re.compile(r"/hosting/pro$"))
    expect(page.locator("#pack-price")).to_have_text(
        display.money(duration_price(pro.monthly_price, 12, pro.discounts).price, "fr"))
    page.click("#duration-24")
    expect(page.locator("#pack-price")).to_have_text(display.money(price_24.price, "fr"))
    expect(page.locator("#pack-monthly")).to_have_text(display.money(price_24.monthly_equivalent, "fr"))
    expect(page.locator("#pack-saving")).to_contain_text(display.money(price_24.saving, "fr"))
    screenshot(page, "shop-2-pack")

    page.click("#add-to-cart")
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.locator(".cart-line")).to_have_count(1)
    page.locator(".choose-domain").click()
    name = f"boutique{uuid.uuid4().hex[:6]}"
    page.fill("#domain-search", name)
    page.click("#domain-search-button")
    choose = page.locator(f"#choose-{name}-cm")
    expect(choose).to_be_visible()
    expect(page.locator("[role=dialog]").get_by_text("Déjà pris")).to_have_count(0)
    screenshot(page, "shop-3-cart-domain-dialog")
    choose.click()
    expect(page.locator("[role=dialog]")).to_have_count(0)
    expect(page.get_by_text(f"{name}.cm", exact=True)).to_be_visible()
    total = price_24.price + 15000
    expect(page.locator("#cart-total")).to_have_text(display.money(total, "fr"))
    screenshot(page, "shop-4-cart")

    page.click("#go-checkout")
    expect(page).to_have_url(re.compile(r"/checkout$"))
    expect(page.locator("#checkout-total")).to_contain_text(display.money(total, "fr"))
    expect(page.locator("#checkout-balance")).to_contain_text(display.money(300_000, "fr"))
    expect(page.locator("#checkout-after")).to_contain_text(display.money(300_000 - total, "fr"))
    expect(page.locator("#pay-button")).to_be_enabled()
    screenshot(page, "shop-5-checkout")

    page.click("#pay-button")
    expect(page.locator("#order-result")).to_be_visible()
    expect(page.locator("#order-status")).to_contain_text("Payée")
    screenshot(page, "shop-6-result")

    with Session(engine) as s:
        service = s.exec(select(Service).where(Service.user_id == user.id)).one()
        assert (service.domain, service.pack_id, service.duration_months, service.price_paid) == \
            (f"{name}.cm", pro.id, 24, price_24.price)
        assert service.expires_at == add_months(service.starts_at, 24)
        purchase = s.exec(select(DomainPurchase).where(DomainPurchase.user_id == user.id)).one()
        assert purchase.registrar_status == RegistrarStatus.registered and purchase.service_id == service.id
        assert s.get(User, user.id).credits == 300_000 - total


def test_not_enough_credits_links_to_the_credit_request_form(page, live_app):
    engine = make_engine(live_app.database_url)
    with Session(engine, expire_on_commit=False) as s:
        user = make_user(s, email=f"pauvre-{uuid.uuid4().hex[:6]}@example.cm", credits=1000)
        token = create_session(s, user.id)
        s.commit()
    engine.dispose()
    store_before_scripts(page, "kh_session", token)
    page.goto("/hosting/starter")
    page.click("#duration-1")
    page.click("#add-to-cart")
    expect(page.locator(".cart-line")).to_have_count(1)
    page.locator(".choose-domain").click()
    page.click("#tab-own")
    page.fill("#own-domain", f"monsite{uuid.uuid4().hex[:6]}.cm")
    page.click("#own-domain-button")
    expect(page.locator("[role=dialog]")).to_have_count(0)
    page.click("#go-checkout")
    expect(page.locator("#missing-credits")).to_contain_text(display.money(2500 - 1000, "fr"))
    expect(page.locator("#topup-link")).to_have_attribute("href", "/dashboard/billing")
    expect(page.locator("#pay-button")).to_be_disabled()
    screenshot(page, "shop-7-missing-credits")


def test_anonymous_cart_survives_login_and_merges_into_the_account(page, live_app):
    from kmerhosting.models import CartItem

    engine = make_engine(live_app.database_url)
    with Session(engine, expire_on_commit=False) as s:
        user = make_user(s, email=f"visiteur-{uuid.uuid4().hex[:6]}@example.cm")
        token = create_session(s, user.id)
        s.commit()
    page.goto("/hosting/business")
    page.click("#duration-6")
    page.click("#add-to-cart")
    expect(page.locator(".cart-line")).to_have_count(1)
    visitor_key = page.evaluate("window.localStorage.getItem('kh_cart')")
    assert visitor_key and len(visitor_key) >= 32
    page.evaluate(f"window.localStorage.setItem('kh_session', {token!r})")  # what logging in stores
    page.goto("/cart")
    expect(page.locator(".cart-line")).to_have_count(1)
    page.click("#lang-en")
    expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    expect(page.get_by_role("button", name="Choose a domain")).to_be_visible()
    screenshot(page, "shop-8-cart-en")
    with Session(engine) as s:
        rows = s.exec(select(CartItem).where(CartItem.user_id == user.id)).all()
        assert [(r.duration_months, r.visitor_key) for r in rows] == [(6, None)]
    engine.dispose()
