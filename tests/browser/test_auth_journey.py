"""A visitor registers, verifies through the mailed link, logs in, logs out (real app, real browser)."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from ..conftest import screenshot
from .helpers import HOME, fill, goto, last_outbox_id, mailed_link

pytestmark = pytest.mark.browser

def test_register_verify_login_logout(page, live_app):
    email = "awa.journey@example.cm"
    goto(page, "/auth/register")
    expect(page.get_by_role("heading", name="Créer un compte")).to_be_visible()
    expect(page.get_by_label("Téléphone (Cameroun)")).to_be_visible()

    # Mistakes are shown next to their fields.
    fill(page, name="Awa Ngono", email=email, phone="12 34", password="court", password_confirm="court")
    page.click("#submit")
    expect(page.locator("#err-phone")).to_contain_text("Numéro camerounais invalide")
    expect(page.locator("#err-password")).to_contain_text("au moins 10 caractères")
    screenshot(page, "auth-register-errors")

    fill(page, phone="699 12 34 56", password="Mboa-2026-secure", password_confirm="Mboa-2026-secure")
    page.click("#submit")
    expect(page.locator("#register-done")).to_be_visible()
    screenshot(page, "auth-register-done")

    link = mailed_link(live_app, email)
    goto(page, link)
    expect(page.locator("#verify-result")).to_contain_text("adresse e-mail est vérifiée")
    screenshot(page, "auth-verified")
    goto(page, link)  # a second click on the same link
    expect(page.locator("#verify-result")).to_contain_text("déjà été utilisé")
    screenshot(page, "auth-verify-reused")

    goto(page, "/auth/login?next=/")
    fill(page, email=email, password="wrong-password-1")
    page.click("#submit")
    expect(page.locator("#form-message")).to_contain_text("E-mail ou mot de passe incorrect")
    screenshot(page, "auth-login-wrong")

    fill(page, password="Mboa-2026-secure")
    page.click("#submit")
    page.wait_for_url(HOME)
    expect(page.locator("#nav-logout")).to_be_visible()
    expect(page.locator("#nav-dashboard")).to_be_visible()
    expect(page.locator("#nav-login")).to_have_count(0)
    expect(page.locator("#nav-admin")).to_have_count(0)
    screenshot(page, "auth-logged-in")

    page.reload()  # the login survives a reload (token in localStorage)
    expect(page.locator("#nav-logout")).to_be_visible()
    # A fresh page load sees the token in its on_load: the login page sends a logged-in visitor on.
    page.goto("/auth/login?next=/")
    page.wait_for_url(HOME)
    expect(page.locator("#nav-logout")).to_be_visible()

    page.click("#nav-logout")
    expect(page.locator("#nav-login")).to_be_visible()
    page.reload()
    expect(page.locator("#nav-login")).to_be_visible()
    expect(page.locator("#nav-logout")).to_have_count(0)
    screenshot(page, "auth-logged-out")


def test_admin_sees_the_admin_link_and_pages_follow_the_language(page, live_app):
    from ..live import ADMIN_EMAIL, ADMIN_PASSWORD

    goto(page, "/auth/login?next=/")
    page.click("#lang-en")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_label("E-mail address")).to_be_visible()
    fill(page, email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    page.click("#submit")
    page.wait_for_url(HOME)
    expect(page.locator("#nav-admin")).to_be_visible()
    screenshot(page, "auth-admin-nav-en")


def test_forgot_password_then_reset_through_the_mailed_link(page, live_app):
    # Its own account: the seeded admin's password stays what the other journeys log in with.
    email = "oubli.journey@example.cm"
    make_live_user(live_app, email, "Mboa-Oubli-2026")
    goto(page, "/auth/forgot-password")
    fill(page, email="nobody@example.cm")
    page.click("#submit")
    expect(page.locator("#form-message")).to_contain_text("Si un compte existe")
    screenshot(page, "auth-forgot-sent")

    before = last_outbox_id(live_app)
    goto(page, "/auth/forgot-password")
    fill(page, email=email)
    page.click("#submit")
    expect(page.locator("#form-message")).to_contain_text("Si un compte existe")
    link = mailed_link(live_app, email, after_id=before)

    goto(page, link)
    fill(page, password="Mboa-Neuf-2026x", password_confirm="Mboa-Neuf-2026x")
    screenshot(page, "auth-reset-form")
    page.click("#submit")
    expect(page.locator("#form-message")).to_contain_text("mot de passe est changé")
    goto(page, link)
    expect(page.locator("#form-message")).to_contain_text("déjà été utilisé")
    screenshot(page, "auth-reset-reused")

    goto(page, "/auth/login?next=/")
    fill(page, email=email, password="Mboa-Neuf-2026x")
    page.click("#submit")
    expect(page.locator("#nav-logout")).to_be_visible()


def make_live_user(live_app, email: str, password: str) -> None:
    """A verified customer written straight into the live app's database."""
    from sqlmodel import Session

    from kmerhosting.core.passwords import hash_password
    from kmerhosting.models import User, utcnow

    engine = sa.create_engine(live_app.database_url)
    try:
        with Session(engine) as s:
            s.add(User(email=email, name="Client Test", password_hash=hash_password(password, rounds=4),
                       email_verified_at=utcnow()))
            s.commit()
    finally:
        engine.dispose()


def test_a_private_page_sends_the_visitor_to_login_and_back(page, live_app):
    from kmerhosting.config import PROJECT_ROOT

    pages = (PROJECT_ROOT / "kmerhosting" / "pages").glob("*.py")
    if not any(re.search(r"""route=["']/dashboard["']""", p.read_text()) for p in pages):
        pytest.skip("no /dashboard page in this build")
    make_live_user(live_app, "back@example.cm", "Mboa-Back-2026")

    page.goto("/dashboard")
    page.wait_for_url(re.compile(r"/auth/login\?next=/dashboard/?$"))
    page.wait_for_selector("#page-ready", state="attached")
    fill(page, email="back@example.cm", password="Mboa-Back-2026")
    page.click("#submit")
    page.wait_for_url(re.compile(r"^https?://[^/]+/dashboard/?$"))
    expect(page.locator("#nav-logout")).to_be_visible()
    screenshot(page, "auth-back-to-dashboard")
