"""What an admin does on each admin page, and what the customer then sees (real app, real browser).

Data is written straight into the live app's database; the admin's login is a session token in the
browser's local storage. Every step waits for what the person would see.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from kmerhosting.core.admin.stats import default_period
from kmerhosting.i18n import display
from kmerhosting.models import AuditLog, CreditRequest, NotificationLog, Pack, Service, User, utcnow

from ..conftest import screenshot
from ..factories import make_pack, make_service, make_user
from ..live import ADMIN_EMAIL
from . import helpers as h

pytestmark = pytest.mark.browser


@pytest.fixture
def admin(page, live_db):
    """The admin's browser, logged in."""
    h.log_in_with_token(page, h.session_token(live_db, ADMIN_EMAIL))
    return page


def customer_page(browser, live_app, live_db, email: str):
    page = h.new_page(browser, live_app)
    h.log_in_with_token(page, h.session_token(live_db, email))
    return page


def tag() -> str:
    return "x" + uuid.uuid4().hex[:6]  # never all digits: the page walk would read it as a number


def test_admin_rejects_credit_requests_and_the_customer_reads_why(admin, browser, live_app, live_db):
    with Session(live_db, expire_on_commit=False) as s:
        customer = make_user(s, email=f"refus.{tag()}@example.cm")
        momo = CreditRequest(user_id=customer.id, amount=15000, payment_method="mtn_momo",
                             payment_reference=f"MOMO-{tag()}")
        orange = CreditRequest(user_id=customer.id, amount=20000, payment_method="orange_money",
                               payment_reference=f"OM-{tag()}")
        s.add_all([momo, orange])
        s.commit()

    admin.goto("/admin/credits")
    expect(admin.locator("tr", has_text=momo.payment_reference)).to_contain_text(customer.email)
    # "Refuser" without a note: the customer must be told why, so the admin is asked for a reason.
    admin.click(f"#reject-{orange.id}")
    expect(admin.locator("#admin-error")).to_contain_text("Expliquez le refus au client")
    expect(admin.locator("tr", has_text=orange.payment_reference)).to_contain_text("En attente")
    screenshot(admin, "admin-credits-reject-needs-a-note")

    admin.fill(f"#note-{momo.id}", "Référence MoMo introuvable")
    admin.click(f"#reject-{momo.id}")
    expect(admin.get_by_text("Demande refusée.").first).to_be_visible()
    expect(admin.locator("tr", has_text=momo.payment_reference)).to_have_count(0)  # no longer pending
    expect(admin.locator("#admin-error")).to_have_count(0)
    admin.get_by_role("button", name="Refusée", exact=True).click()
    decided = admin.locator("tr", has_text=momo.payment_reference)
    expect(decided).to_contain_text("Référence MoMo introuvable")
    expect(decided).to_contain_text("Refusée")
    screenshot(admin, "admin-credits-rejected")
    with Session(live_db) as s:
        assert (s.get(CreditRequest, momo.id).status, s.get(CreditRequest, orange.id).status) == \
            ("rejected", "pending")
        assert s.get(User, customer.id).credits == 0

    page = customer_page(browser, live_app, live_db, customer.email)
    try:
        page.goto("/dashboard/billing")
        rejected = page.locator("#requests tr", has_text=momo.payment_reference)
        expect(rejected).to_contain_text("Refusée")
        expect(rejected).to_contain_text("Référence MoMo introuvable")
        pending = page.locator("#requests tr", has_text=orange.payment_reference)
        expect(pending).to_contain_text("En attente")
        screenshot(page, "billing-request-rejected")
        # The request the admin could not refuse without a reason: the customer withdraws it.
        pending.get_by_role("button", name="Annuler").click()
        expect(page.get_by_text("Demande annulée.").first).to_be_visible()
        expect(pending).to_contain_text("Annulée")
        expect(page.locator("#billing-balance")).to_have_text(h.xaf(0))
    finally:
        page.context.close()


def test_admin_saves_a_panel_url_and_the_customer_opens_the_panel(admin, browser, live_app, live_db):
    with Session(live_db, expire_on_commit=False) as s:
        customer = make_user(s, email=f"panneau.{tag()}@example.cm")
        pack = s.exec(select(Pack).where(Pack.slug == h.PACK_SLUG)).one()
        service = make_service(s, customer, pack, domain=f"panneau-{tag()}.cm")
    url = "https://cpanel.kmerhosting.cm:2083/"

    admin.goto("/admin/services")
    expect(admin.get_by_role("heading", name="Services d'hébergement")).to_be_visible()
    admin.fill("input[name=search]", service.domain)
    admin.get_by_role("button", name="Filtrer").click()
    expect(admin.locator("tbody tr")).to_have_count(1)
    expect(admin.locator("tbody tr")).to_contain_text(service.domain)
    admin.fill(f"#panel-url-{service.id}", "cpanel sans adresse")
    admin.click(f"#panel-save-{service.id}")  # the save icon
    expect(admin.locator("#admin-error")).to_contain_text("URL invalide")
    admin.fill(f"#panel-url-{service.id}", url)
    admin.press(f"#panel-url-{service.id}", "Enter")
    expect(admin.get_by_text("URL du panneau enregistrée.").first).to_be_visible()
    expect(admin.locator("#admin-error")).to_have_count(0)
    screenshot(admin, "admin-services-panel-url")
    with Session(live_db) as s:
        assert s.get(Service, service.id).panel_url == url

    page = customer_page(browser, live_app, live_db, customer.email)
    try:
        # The panel is outside the shop (no network here): answer for it, to see the tab open on it.
        page.context.route(f"{url}**", lambda route: route.fulfill(content_type="text/html",
                                                                  body="<title>cPanel</title>"))
        h.open_services(page)
        link = h.service_card(page, service.domain).locator("a.open-panel")
        expect(link).to_contain_text("Ouvrir le panneau")
        expect(link).to_have_attribute("href", url)
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
        screenshot(page, "services-open-panel")
        with page.context.expect_page() as opened:
            link.click()
        panel = opened.value
        panel.wait_for_load_state()
        assert panel.url == url
        assert panel.evaluate("window.opener") is None  # the panel's tab cannot reach back into the shop
        expect(page).to_have_url(re.compile(r"/dashboard/services/?$"))
    finally:
        page.context.close()


@pytest.fixture
def long_lists(live_db):
    """More rows than one page holds on every paged admin list, all found by one search word. They are
    dated a year ago: lists shown newest first keep the other tests' rows on their first page."""
    word = f"page{tag()}"
    year_ago = utcnow() - timedelta(days=365)
    with Session(live_db) as s:
        pack = s.exec(select(Pack).where(Pack.slug == h.PACK_SLUG)).one()
        for n in range(26):
            user = make_user(s, email=f"{word}.{n}@example.cm", created_at=year_ago)
            make_service(s, user, pack, domain=f"{word}-{n}.cm", days_left=100)
            s.add(CreditRequest(user_id=user.id, amount=5000, payment_method="cash", status="cancelled",
                                payment_reference=f"{word}-{n}", created_at=year_ago))
            s.add(NotificationLog(recipient=user.email, user_id=user.id, kind="credit_added", status="sent",
                                  subject="Crédits ajoutés", created_at=year_ago))
        s.add_all([AuditLog(action=f"{word}.seed", target_type="user", created_at=year_ago) for _ in range(51)])
        s.commit()
    return word


def page_through(page, label: str) -> None:
    pager = page.get_by_text(re.compile(r"^Page \d+ / \d+"))
    expect(pager).to_contain_text(re.compile(r"^Page 1 / [2-9]"))
    page.get_by_role("button", name="Suivant").click()
    expect(pager).to_contain_text(re.compile(r"^Page 2 / "))
    screenshot(page, f"admin-{label}-page-2")
    page.get_by_role("button", name="Précédent").click()
    expect(pager).to_contain_text(re.compile(r"^Page 1 / "))


def test_admin_filters_and_pages_through_every_long_list(admin, long_lists):
    word = long_lists
    for path, label, search in [("/admin/users", "users", "search"), ("/admin/services", "services", "search"),
                                ("/admin/notifications", "mails", "recipient"), ("/admin/audit", "audit", "action")]:
        admin.goto(path)
        admin.fill(f"input[name={search}]", word)
        expect(admin.locator(f"input[name={search}]")).to_have_value(word)
        admin.get_by_role("button", name="Filtrer").click()
        expect(admin.locator("tbody tr").first).to_contain_text(word)
        expect(admin.get_by_text(re.compile(r"^Page 1 / 2 · (26|51) résultat"))).to_be_visible()
        page_through(admin, label)

    admin.goto("/admin/credits")
    admin.get_by_role("button", name="Annulée", exact=True).click()
    expect(admin.locator("tbody tr", has_text=word).first).to_contain_text("Annulée")
    page_through(admin, "credits")


def test_admin_tops_up_a_balance_and_the_customer_sees_it(admin, browser, live_app, live_db):
    with Session(live_db, expire_on_commit=False) as s:
        customer = make_user(s, email=f"bonus.{tag()}@example.cm")
    admin.goto("/admin/credits")
    expect(admin.get_by_role("heading", name="Demandes de crédits")).to_be_visible()
    admin.fill("#credit-user", customer.email)
    admin.fill("#credit-amount", "7 500")
    admin.fill("#credit-reason", "Geste commercial")
    admin.click("#credit-submit")
    expect(admin.get_by_text(f"Solde de {customer.email} mis à jour : {h.xaf(7500)}.").first).to_be_visible()
    expect(admin.locator("#credit-user")).to_have_value("")  # the form is ready for the next one

    page = customer_page(browser, live_app, live_db, customer.email)
    try:
        page.goto("/dashboard/billing")
        expect(page.locator("#billing-balance")).to_have_text(h.xaf(7500))
        expect(page.locator("#ledger")).to_contain_text("+" + h.xaf(7500))
    finally:
        page.context.close()


def test_admin_resends_a_failed_mail(admin, live_db):
    with Session(live_db, expire_on_commit=False) as s:
        customer = make_user(s, email=f"echec.{tag()}@example.cm")
        mail = NotificationLog(recipient=customer.email, user_id=customer.id, kind="credit_added", status="failed",
                               error="SMTP 421 service not available",
                               payload={"template": "credit_added", "context": {
                                   "name": customer.name, "amount": 5000, "balance": 5000, "reason": "Bonus"}})
        s.add(mail)
        s.commit()
    admin.goto("/admin/notifications")
    admin.fill("input[name=recipient]", customer.email)
    admin.get_by_role("button", name="Filtrer").click()
    row = admin.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("SMTP 421")
    admin.click(f"#resend-{mail.id}")
    expect(admin.get_by_text("E-mail remis à l'envoi").first).to_be_visible()
    expect(row).to_contain_text("Envoyé")  # the worker sent it; the list followed
    expect(admin.locator(f"#resend-{mail.id}")).to_have_count(0)
    with Session(live_db) as s:
        assert s.get(NotificationLog, mail.id).status == "sent"


def test_admin_blocks_and_reactivates_from_the_list_and_changes_a_role(admin, live_db):
    with Session(live_db, expire_on_commit=False) as s:
        customer = make_user(s, email=f"role.{tag()}@example.cm")
    admin.goto("/admin/users")
    admin.fill("#users-search", customer.email)
    admin.get_by_role("button", name="Filtrer").click()
    row = admin.locator("tbody tr")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Bloquer").click()
    admin.get_by_role("alertdialog").locator(".confirm-action").click()
    expect(row).to_contain_text("Bloqué")
    row.get_by_role("button", name="Réactiver").click()
    expect(row).to_contain_text("Actif")
    expect(admin.get_by_text("Statut du compte mis à jour.").first).to_be_visible()

    row.get_by_role("link", name=customer.email).click()
    expect(admin).to_have_url(re.compile(rf"/admin/users/{customer.id}$"))
    admin.get_by_role("button", name="Nommer administrateur").click()
    expect(admin.get_by_text("Rôle mis à jour.").first).to_be_visible()
    expect(admin.get_by_role("button", name="Retirer le rôle admin")).to_be_visible()
    with Session(live_db) as s:
        assert s.get(User, customer.id).role == "admin"
    admin.get_by_role("button", name="Retirer le rôle admin").click()
    expect(admin.get_by_role("button", name="Nommer administrateur")).to_be_visible()
    screenshot(admin, "admin-user-role")
    with Session(live_db) as s:
        assert (s.get(User, customer.id).role, s.get(User, customer.id).status) == ("customer", "active")


def test_admin_edits_deactivates_and_deletes_a_pack(admin, live_db):
    word = tag()
    with Session(live_db, expire_on_commit=False) as s:
        pack = make_pack(s, name=f"Essai {word}", slug=f"essai-{word}", monthly_price=2000)
    admin.goto("/admin/packs")
    row = admin.locator("tbody tr", has_text=pack.slug)
    row.get_by_role("button", name="Modifier").click()
    expect(admin.locator("#pack-name")).to_have_value(pack.name)
    admin.get_by_role("button", name="Annuler").click()
    expect(admin.locator("#pack-name")).to_have_count(0)
    expect(admin.locator("#pack-new")).to_be_visible()

    row.get_by_role("button", name="Modifier").click()
    admin.fill("#pack-price", "3000")
    admin.click("#pack-save")
    expect(admin.get_by_text("Offre enregistrée.").first).to_be_visible()
    expect(row).to_contain_text(h.xaf(3000))

    row.get_by_role("button", name="Désactiver").click()
    expect(row).to_contain_text("Désactivée")
    row.get_by_role("button", name="Activer").click()
    expect(row).to_contain_text("Actif")
    with Session(live_db) as s:
        assert (s.get(Pack, pack.id).monthly_price, s.get(Pack, pack.id).is_active) == (3000, True)

    row.get_by_role("button", name="Supprimer").click()
    admin.get_by_role("alertdialog").locator(".confirm-action").click()
    expect(admin.get_by_text("Offre supprimée.").first).to_be_visible()
    expect(row).to_have_count(0)
    with Session(live_db) as s:
        assert s.get(Pack, pack.id) is None


def test_admin_reads_the_stats_of_a_chosen_period_and_exports_them(admin):
    period = default_period()
    start = (period.end - timedelta(days=90)).isoformat()
    admin.goto("/admin/stats")
    expect(admin.locator("#stats-start")).to_have_value(period.start.isoformat())

    admin.fill("#stats-start", period.end.isoformat())
    admin.fill("#stats-end", start)
    admin.click("#stats-apply")
    expect(admin.locator("#admin-error")).to_contain_text("La date de fin précède la date de début.")

    admin.fill("#stats-start", start)
    admin.fill("#stats-end", period.end.isoformat())
    admin.get_by_role("combobox").click()
    admin.get_by_role("option", name="Mois").click()
    admin.click("#stats-apply")
    expect(admin.locator("#admin-error")).to_have_count(0)
    months = sorted({start[:7], period.end.isoformat()[:7]})
    # The axis reads the period in words ("sept. 2026"), from the display layer.
    expect(admin.locator("#revenue-chart .recharts-cartesian-axis-tick-value").first).to_have_text(
        display.period(months[0], "fr"))
    screenshot(admin, "admin-stats-by-month")

    with admin.expect_download() as download:
        admin.click("#csv-revenue")
    assert download.value.suggested_filename == f"kmerhosting-revenue-{start}-{period.end.isoformat()}.csv"
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0].startswith("period,") and lines[1].startswith(months[0] + ",")
