"""A shop that sells domains at the registrar's price (DOMAIN_PRICING=api), in the browser: the cart and
the checkout ask the registrar again for a price that is no longer fresh, off the event loop, and the
customer pays that price; the domains page asks the registrar for each renewal price the same way.
Its own app (the other browser tests use fixed prices), started as the README starts it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import Session, select

from kmerhosting import db
from kmerhosting.core import cart
from kmerhosting.core.ledger import add_credits
from kmerhosting.core.sessions import create_session
from kmerhosting.i18n import display
from kmerhosting.models import CartItem, DomainPurchase, Pack, RegistrarStatus, Transaction, User, as_utc, utcnow

from ..conftest import screenshot
from .helpers import store_before_scripts
from ..factories import make_user

pytestmark = pytest.mark.browser

REGISTRAR_PRICE = "18\u202f300 FCFA"  # the sandbox's 25 USD for a .cm x 610 x 1.2, rounded up to 100


@pytest.fixture(scope="module")
def api_app(tmp_path_factory, live_app):
    from ..live import start_app

    app = start_app(tmp_path_factory.mktemp("api-pricing"), own_frontend=True,
                    extra_env={"DOMAIN_PRICING": "api", "DOMAIN_API_RATE_XAF": "610",
                               "DOMAIN_API_MARGIN_PERCENT": "20", "DOMAIN_QUOTE_MINUTES": "30"})
    engine = db.make_engine(app.database_url)
    yield app, engine
    engine.dispose()
    app.stop()


@pytest.fixture
def api_page(browser, api_app):
    app, _ = api_app
    context = browser.new_context(base_url=app.base_url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(30000)
    yield page
    context.close()


def _customer(engine, credits: int) -> tuple[int, str]:
    with Session(engine, expire_on_commit=False) as s:
        user = make_user(s)
        add_credits(s, user.id, credits, reference="test")
        token = create_session(s, user.id)
        s.commit()
        return user.id, token


def test_an_old_registrar_price_is_asked_again_before_the_customer_pays_it(api_page, api_app):
    app, engine = api_app
    user_id, token = _customer(engine, 200_000)
    with Session(engine) as s:
        pack = s.exec(select(Pack).where(Pack.slug == "starter")).one()
        hosting = cart.hosting_price(pack, 12)
        # A cart filled yesterday: its domain's price is no longer fresh.
        item = CartItem(user_id=user_id, pack_id=pack.id, duration_months=12,
                        quoted_price=hosting, domain="hier-encore.cm", domain_mode="register",
                        domain_years=1, domain_quoted_price=18300, domain_live_price=18300,
                        domain_priced_at=utcnow() - timedelta(days=1))
        s.add(item)
        s.commit()
    store_before_scripts(api_page, "kh_session", token)

    api_page.goto("/cart")
    line = api_page.locator(".cart-line")
    expect(line).to_contain_text(REGISTRAR_PRICE)  # asked again: the same price, fresh now
    expect(api_page.locator("#go-checkout")).to_be_enabled()
    screenshot(api_page, "api-pricing-cart")
    with Session(engine) as s:
        priced_at = s.exec(select(CartItem.domain_priced_at).where(CartItem.user_id == user_id)).one()
        assert utcnow() - as_utc(priced_at) < timedelta(minutes=5)
        s.execute(sa.update(CartItem).where(CartItem.user_id == user_id)
                  .values(domain_priced_at=utcnow() - timedelta(minutes=31)))
        s.commit()

    api_page.click("#go-checkout")  # stale again by the time the customer reaches checkout
    expect(api_page.locator("#pay-button")).to_be_enabled()
    expect(api_page.locator("#checkout-total")).to_contain_text(display.money(hosting + 18300, "fr"))
    api_page.click("#pay-button")
    expect(api_page.locator("#order-status")).to_contain_text("Payée")
    screenshot(api_page, "api-pricing-paid")
    with Session(engine) as s:
        debit = s.exec(select(Transaction).where(Transaction.user_id == user_id, Transaction.kind == "domain")).one()
        assert debit.amount == -18300


def test_renewal_prices_come_from_the_registrar(api_page, api_app):
    app, engine = api_app
    user_id, token = _customer(engine, 50_000)
    with Session(engine) as s:
        s.add(DomainPurchase(user_id=user_id, domain="cotee.cm", price=18300, registrar="sandbox",
                             registrar_status=RegistrarStatus.registered, registrar_id="SBX-2",
                             expires_at=utcnow() + timedelta(days=40)))
        s.commit()
    store_before_scripts(api_page, "kh_session", token)

    api_page.goto("/dashboard/domains")
    renew = api_page.locator(".renew-domain").first
    expect(renew).to_contain_text(f"Renouveler pour {REGISTRAR_PRICE}")
    screenshot(api_page, "api-pricing-domains")
    renew.click()
    expect(api_page.get_by_text(re.compile("cotee.cm est renouvelé jusqu'au"))).to_be_visible()
    with Session(engine) as s:
        assert s.get(User, user_id).credits == 50_000 - 18300
