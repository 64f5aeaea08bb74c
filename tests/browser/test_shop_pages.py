"""The shop's pages as a visitor and a customer use them: the cart's controls, the domain search's
"add to cart", and checkout when prices changed or the registrar refused a domain (real app, real
browser). The journeys (test_shop_journey.py, test_journeys.py) walk the usual purchase."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from kmerhosting.core.cart import hosting_price
from kmerhosting.core.domains import domain_price_xaf
from kmerhosting.i18n import display
from kmerhosting.models import CartItem, Pack, Service, User

from ..conftest import screenshot
from ..factories import make_user
from . import helpers as h

pytestmark = pytest.mark.browser


def tag() -> str:
    return uuid.uuid4().hex[:6]


def choose(page, combobox, option: str) -> None:
    combobox.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_visitor_sets_the_duration_and_domain_years_then_empties_the_cart(page, live_db):
    with Session(live_db) as s:
        pack = s.exec(select(Pack).where(Pack.slug == h.PACK_SLUG)).one()
        price_24 = hosting_price(pack, 24)
    page.goto(f"/hosting/{h.PACK_SLUG}")
    expect(page.locator("#duration-12")).to_have_attribute("aria-checked", "true")
    page.click("#add-to-cart")
    expect(page).to_have_url(re.compile(r"/cart/?$"))
    line = page.locator(".cart-line")
    expect(line).to_have_count(1)

    choose(page, line.get_by_role("combobox", name="duration"), display.months(24, "fr"))
    expect(line).to_contain_text(h.xaf(price_24))

    line.locator(".choose-domain").click()
    dialog = page.get_by_role("dialog")
    choose(page, dialog.get_by_role("combobox", name="years"), display.years(2, "fr"))
    name = f"annees{tag()}"
    page.fill("#domain-search", name)
    page.click("#domain-search-button")
    page.click(f"#choose-{name}-cm")
    expect(dialog).to_have_count(0)
    expect(line).to_contain_text(f"{name}.cm")
    expect(line.get_by_role("combobox", name="years")).to_have_text(display.years(2, "fr"))
    expect(line).to_contain_text(h.xaf(domain_price_xaf(f"{name}.cm", 2)))

    choose(page, line.get_by_role("combobox", name="years"), display.years(3, "fr"))
    expect(line).to_contain_text(h.xaf(domain_price_xaf(f"{name}.cm", 3)))
    expect(page.locator("#cart-total")).to_have_text(h.xaf(price_24 + domain_price_xaf(f"{name}.cm", 3)))
    screenshot(page, "cart-durations")

    line.get_by_role("button", name="Changer de domaine").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Fermer").click()
    expect(dialog).to_have_count(0)
    expect(line).to_contain_text(f"{name}.cm")  # closing the dialog changes nothing

    line.get_by_role("button", name="Retirer").click()
    expect(page.get_by_text("Article retiré du panier.").first).to_be_visible()
    expect(page.get_by_text("Votre panier est vide.")).to_be_visible()
    expect(line).to_have_count(0)


def test_visitor_adds_a_searched_domain_to_the_cart(page):
    name = f"seul{tag()}"
    page.goto("/domains")
    page.fill("#domain-query", name)
    page.click("#domain-search")
    offer = page.locator(".domain-offer", has_text=f"{name}.cm")
    add = offer.get_by_role("button", name="Ajouter au panier")
    add.click()
    expect(page.get_by_text(f"{name}.cm a été ajouté à votre panier.").first).to_be_visible()
    expect(add).to_be_disabled()
    screenshot(page, "domains-added-to-cart")

    page.goto("/cart")
    line = page.locator(".cart-line")
    expect(line).to_have_count(1)
    expect(line).to_contain_text(f"{name}.cm")
    expect(page.locator("#cart-total")).to_have_text(h.xaf(domain_price_xaf(f"{name}.cm", 1)))


@pytest.fixture
def customer(live_db):
    """A verified customer with credits, logged in through a session token."""
    with Session(live_db, expire_on_commit=False) as s:
        user = make_user(s, email=f"caisse.{tag()}@example.cm", credits=100_000)
        pack = s.exec(select(Pack).where(Pack.slug == h.PACK_SLUG)).one()
    return user, pack, h.session_token(live_db, user.email)


def test_customer_accepts_the_new_prices_before_paying(page, live_db, customer):
    user, pack, token = customer
    price = hosting_price(pack, 1)
    with Session(live_db) as s:  # quoted before the shop changed its price
        s.add(CartItem(user_id=user.id, pack_id=pack.id, duration_months=1, quoted_price=price - 500,
                       domain=f"prix-{tag()}.cm", domain_mode="own"))
        s.commit()
    h.log_in_with_token(page, token)
    page.goto("/checkout")
    expect(page.get_by_text(f"Le prix a changé : {h.xaf(price - 500)} → {h.xaf(price)}.")).to_be_visible()
    expect(page.locator("#pay-button")).to_be_disabled()
    screenshot(page, "checkout-price-changed")
    page.click("#accept-prices")
    expect(page.get_by_text("Le prix a changé")).to_have_count(0)
    expect(page.locator("#checkout-total")).to_contain_text(h.xaf(price))
    expect(page.locator("#pay-button")).to_be_enabled()


def test_customer_gives_the_hosting_another_domain_when_the_registrar_refuses(page, live_db, customer):
    user, pack, token = customer
    taken = f"taken{tag()}.cm"  # the test registrar refuses names that start with "taken"
    with Session(live_db) as s:
        s.add(CartItem(user_id=user.id, pack_id=pack.id, duration_months=1, quoted_price=hosting_price(pack, 1),
                       domain=taken, domain_mode="register", domain_years=1,
                       domain_quoted_price=domain_price_xaf(taken, 1)))
        s.commit()
    h.log_in_with_token(page, token)
    page.goto("/checkout")
    expect(page.locator("#pay-button")).to_be_enabled()
    page.click("#pay-button")
    expect(page.locator("#order-result")).to_contain_text(f"Autre domaine pour l'hébergement de {taken}")
    screenshot(page, "checkout-domain-refused")

    own = f"monsite{tag()}.cm"
    page.get_by_placeholder("monsite.cm").fill(own)
    page.get_by_role("button", name="C'est mon domaine").click()
    expect(page.get_by_text("Domaine de l'hébergement mis à jour.").first).to_be_visible()
    with Session(live_db) as s:
        assert s.exec(select(Service.domain).where(Service.user_id == user.id)).one() == own
        assert s.get(User, user.id).credits == 100_000 - hosting_price(pack, 1)  # the domain was refunded
    h.open_services(page)
    expect(h.service_card(page, own)).to_be_visible()
