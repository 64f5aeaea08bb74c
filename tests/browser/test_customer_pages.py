"""What a customer does on the pages of their account: credits and ledger, settings, the renew dialog,
the years of a domain renewal, a new verification link (real app, real browser).

Data is written straight into the live app's database; the customer's login is a session token in
the browser's local storage."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from kmerhosting.core.domain_renewals import renewal_price_xaf
from kmerhosting.core.ledger import add_credits
from kmerhosting.core.passwords import verify_password
from kmerhosting.models import CreditRequest, DomainPurchase, Pack, RegistrarStatus, User, utcnow

from ..conftest import screenshot
from ..factories import make_service, make_user
from . import helpers as h

pytestmark = pytest.mark.browser

PASSWORD = "password-123"  # the factories' accounts


def new_customer(live_db, page, **fields) -> User:
    with Session(live_db, expire_on_commit=False) as s:
        user = make_user(s, email=f"compte.{uuid.uuid4().hex[:6]}@example.cm", **fields)
    h.log_in_with_token(page, h.session_token(live_db, user.email))
    return user


def test_customer_pages_through_the_ledger_and_asks_for_credits_by_orange_money(page, live_db):
    user = new_customer(live_db, page)
    with Session(live_db) as s:
        for n in range(1, 18):  # more lines than one page of the ledger (15)
            add_credits(s, user.id, 1000, reference=f"depot-{n:02d}")
        s.commit()
    page.goto("/dashboard/billing")
    expect(page.locator("#billing-balance")).to_have_text(h.xaf(17_000))
    expect(page.get_by_text("Page 1 sur 2")).to_be_visible()
    expect(page.locator("#ledger")).to_contain_text("depot-17")
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_text("Page 2 sur 2")).to_be_visible()
    expect(page.locator("#ledger")).to_contain_text("depot-01")
    expect(page.locator("#ledger")).not_to_contain_text("depot-17")
    page.get_by_role("button", name="Précédent").click()
    expect(page.get_by_text("Page 1 sur 2")).to_be_visible()

    page.click("#request-method")
    page.get_by_role("option", name="Orange Money").click()
    expect(page.locator("#request-method")).to_have_text("Orange Money")
    page.fill("#request-amount", "12000")
    page.fill("#request-reference", "OM-240611-77")
    page.click("#request-submit")
    row = page.locator("#requests tr", has_text="OM-240611-77")
    expect(row).to_contain_text("Orange Money")
    expect(row).to_contain_text("En attente")
    screenshot(page, "billing-orange-money-request")
    with Session(live_db) as s:
        request = s.exec(select(CreditRequest).where(CreditRequest.user_id == user.id)).one()
        assert (request.payment_method, request.amount) == ("orange_money", 12000)
    # Sent by mistake: withdrawn (and so off the admin's list of pending requests, which later tests read).
    row.get_by_role("button", name="Annuler").click()
    expect(row).to_contain_text("Annulée")


def test_customer_changes_profile_language_password_and_email(page, live_db, live_app):
    user = new_customer(live_db, page)
    page.goto("/dashboard/settings")
    expect(page.locator("#settings-name")).to_have_value(user.name)
    page.fill("#settings-name", "Mireille Ebongue")
    page.fill("#settings-phone", "677 11 22 33")
    page.click("#settings-language")
    page.get_by_role("option", name="Anglais").click()
    page.click("#settings-save")
    # The account's language is the site's from now on.
    expect(page.get_by_text("Profile saved.").first).to_be_visible()
    expect(page.get_by_role("heading", name="Account settings")).to_be_visible()

    password_form = page.locator("form", has=page.locator("input[name=new_password]"))
    password_form.locator("input[name=current_password]").fill(PASSWORD)
    password_form.locator("input[name=new_password]").fill("Mboa-Nouveau-2026")
    password_form.locator("input[name=confirm_password]").fill("Mboa-Autre-2026")
    password_form.get_by_role("button").click()
    expect(password_form).to_contain_text("The two new passwords do not match.")
    password_form.locator("input[name=confirm_password]").fill("Mboa-Nouveau-2026")
    password_form.get_by_role("button").click()
    expect(page.get_by_text(re.compile(r"^Password changed")).first).to_be_visible()
    expect(password_form.locator("input[name=new_password]")).to_have_value("")

    new_email = f"nouvelle.{uuid.uuid4().hex[:6]}@example.cm"
    email_form = page.locator("form", has=page.locator("input[name=new_email]"))
    email_form.locator("input[name=new_email]").fill(new_email)
    email_form.locator("input[name=password]").fill("Mboa-Nouveau-2026")
    email_form.get_by_role("button").click()
    expect(email_form).to_contain_text(f"A confirmation link was sent to {new_email}.")
    screenshot(page, "settings-changed-en")
    assert "/auth/verify-email?token=" in h.mailed_link(live_app, new_email)
    with Session(live_db) as s:
        saved = s.get(User, user.id)
        assert (saved.name, saved.phone, saved.language) == ("Mireille Ebongue", "+237677112233", "en")
        assert verify_password("Mboa-Nouveau-2026", saved.password_hash)
        assert saved.email == user.email  # until the link is opened


def test_customer_closes_the_renew_dialog_without_paying(page, live_db):
    user = new_customer(live_db, page, credits=50_000)
    with Session(live_db, expire_on_commit=False) as s:
        pack = s.exec(select(Pack).where(Pack.slug == h.PACK_SLUG)).one()
        service = make_service(s, s.get(User, user.id), pack, days_left=20, domain=f"hesite-{uuid.uuid4().hex[:6]}.cm")
    h.open_services(page)
    card = h.service_card(page, service.domain)
    card.locator(".renew-button").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(service.domain)
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_have_count(0)
    expect(card).to_contain_text(h.format_day(service.expires_at))
    expect(page.locator("#services-balance")).to_have_text(h.xaf(50_000))
    card.locator(".renew-button").click()  # the dialog opens again as new
    expect(page.get_by_role("dialog")).to_contain_text(service.domain)


def test_customer_picks_the_years_of_a_domain_renewal(page, live_db):
    user = new_customer(live_db, page, credits=50_000)
    domain = f"deuxans-{uuid.uuid4().hex[:6]}.cm"
    with Session(live_db) as s:
        s.add(DomainPurchase(user_id=user.id, domain=domain, price=15000, registrar="sandbox",
                             registrar_status=RegistrarStatus.registered, registrar_id="SBX-2",
                             expires_at=utcnow() + timedelta(days=40)))
        s.commit()
    page.goto("/dashboard/domains")
    row = page.get_by_role("row").filter(has_text=domain)
    renew = row.get_by_role("button").filter(has_text="Renouveler pour")
    expect(renew).to_contain_text(h.xaf(renewal_price_xaf(domain, 1)))
    row.get_by_role("combobox").click()
    page.get_by_role("option", name="2 ans", exact=True).click()
    expect(renew).to_contain_text(h.xaf(renewal_price_xaf(domain, 2)))
    screenshot(page, "domains-two-years-renewal")


def test_a_visitor_asks_for_a_new_verification_link(page, live_db, live_app):
    with Session(live_db, expire_on_commit=False) as s:
        user = make_user(s, email=f"pasverifie.{uuid.uuid4().hex[:6]}@example.cm", verified=False)
    before = h.last_outbox_id(live_app)
    h.goto(page, "/auth/verify-email")
    h.fill(page, email=user.email)
    page.click("#resend")
    expect(page.locator("#form-message")).to_contain_text("un nouveau lien vient d'être envoyé")
    assert "/auth/verify-email?token=" in h.mailed_link(live_app, user.email, after_id=before)
