"""A customer tops up by Mobile Money (the sandbox gateway) on a phone-sized screen: the page follows the
payment live, the balance changes without reloading, in this tab and in another one, and the credits pay
a cart. A refused payment says so and credits nothing."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from kmerhosting.core.sessions import create_session
from kmerhosting.models import Payment, Transaction

from ..conftest import screenshot
from ..factories import make_user
from .helpers import amount_of, buy_pack_with_new_domain, goto, store_before_scripts, xaf

pytestmark = pytest.mark.browser
NB = "\u00a0"


@pytest.fixture
def phone_customer(browser, live_app, live_db):
    with Session(live_db, expire_on_commit=False) as s:
        user = make_user(s, email=f"momo-{uuid.uuid4().hex[:6]}@example.cm", phone="677123456")
        token = create_session(s, user.id, client="browser-test")
        s.commit()
    context = browser.new_context(base_url=live_app.base_url, viewport={"width": 390, "height": 844},
                                  has_touch=True)
    store_before_scripts(context, "kh_session", token)
    yield user, context
    context.close()


def test_a_mobile_money_top_up_reaches_the_balance_live_and_pays_a_cart(phone_customer, live_db):
    user, context = phone_customer
    other = context.new_page()  # another tab of the same customer, left on the overview
    other.set_default_timeout(20000)
    goto(other, "/dashboard")
    expect(other.locator("#overview-balance")).to_have_text(xaf(0))

    page = context.new_page()
    page.set_default_timeout(20000)
    goto(page, "/dashboard/billing")  # waits for the page's state: the phone header hides the logout button
    expect(page.locator("#billing-balance")).to_have_text(xaf(0))
    expect(page.locator("#sandbox-note")).to_contain_text("Mode test")
    expect(page.locator("#topup-phone")).to_have_value(f"+237{NB}6{NB}77{NB}12{NB}34{NB}56")  # from the account
    page.fill("#topup-amount", "40 000")
    screenshot(page, "momo-phone-form")
    page.click("#topup-submit")
    expect(page.locator("#topup-message")).to_have_text(f"Confirmez sur votre téléphone (MTN{NB}: *126#)")
    screenshot(page, "momo-phone-confirm")
    # The sandbox "confirms" after a few seconds; the worker sees it; the page shows it without reloading.
    expect(page.locator("#billing-balance")).to_have_text(xaf(40000), timeout=30000)
    expect(page.locator("#topup-message")).to_have_text(f"Paiement reçu{NB}: {xaf(40000)} ajoutés à votre solde.")
    expect(page.locator("#payments")).to_contain_text("Reçu")
    expect(page.locator("#ledger")).to_contain_text("Paiement Mobile Money n°")
    screenshot(page, "momo-phone-received")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The other tab follows within a few seconds, without a reload.
    expect(other.locator("#overview-balance")).to_have_text(xaf(40000), timeout=15000)

    with Session(live_db) as s:
        payment = s.exec(select(Payment).where(Payment.user_id == user.id)).one()
        credits = s.exec(select(Transaction).where(Transaction.user_id == user.id)).all()
        assert payment.status == "complete" and [c.amount for c in credits] == [40000]
        assert credits[0].payment_key == f"sandbox:{payment.gateway_reference}"

    # A payment the wallet refuses: said plainly, nothing credited.
    page.click("#topup-new")
    page.fill("#topup-amount", "5000")
    page.click("#topup-operator")
    page.get_by_role("option", name="Orange Money").click()
    page.fill("#topup-phone", "6 99 00 00 00")
    page.click("#topup-submit")
    expect(page.locator("#topup-message")).to_have_text(f"Confirmez sur votre téléphone (Orange{NB}: #150*50#)")
    expect(page.locator("#topup-message")).to_have_text("Le paiement a été refusé. Aucun crédit n'a été ajouté.",
                                                        timeout=30000)
    expect(page.locator("#billing-balance")).to_have_text(xaf(40000))
    screenshot(page, "momo-phone-refused")

    # Bad input: a clear message, nothing written.
    page.click("#topup-new")
    page.fill("#topup-amount", "5000")
    page.fill("#topup-phone", "12345")
    page.click("#topup-submit")
    expect(page.get_by_role("alert")).to_contain_text("Numéro invalide")
    with Session(live_db) as s:
        assert len(s.exec(select(Payment).where(Payment.user_id == user.id)).all()) == 2

    # The credits pay a cart.
    bought = buy_pack_with_new_domain(page, "starter", "Starter", 1, 40000, shots="momo-phone-cart")
    assert bought.balance_after == 40000 - bought.total and amount_of(xaf(bought.total)) == bought.total
