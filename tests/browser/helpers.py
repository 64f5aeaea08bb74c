"""What a person does in the shop, as small steps the browser journeys share.

Reflex pages are drawn before the browser has the page's state: a click before hydration is lost
and a form filled too early can be redrawn empty. So every step waits for something only the state
can show (the `#page-ready` marker of every page, the navbar's logout button, a service card) before
it types or clicks. Assertions are Playwright `expect`s, which retry until their timeout: no sleeps.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from kmerhosting.core.checkout import add_months
from kmerhosting.core.pricing import duration_price
from kmerhosting.i18n import display
from kmerhosting.models import DomainPurchase, Pack, RegistrarStatus, Service, User

from ..conftest import screenshot

PACK_SLUG, PACK_NAME, MONTHS = "starter", "Starter", 12  # what journey 3 buys and renews
HOME = re.compile(r"^https?://[^/]+/$")  # the home page, not "/auth/login?next=/"
DASHBOARD = re.compile(r"^https?://[^/]+/dashboard/?$")
LINK_RE = re.compile(r"https?://\S+?/auth/[a-z-]+\?token=[A-Za-z0-9_\-]+")


def xaf(amount: int) -> str:
    """An amount as a French-speaking customer reads it on the page."""
    return display.money(amount, "fr")


def format_day(moment) -> str:
    """A stored UTC moment as the shop's calendar day, the way pages and mails show it in French."""
    return display.date(moment, "fr")


def amount_of(text: str) -> int:
    """The integer amount shown in a text such as "42 000 FCFA"."""
    digits = re.sub(r"\D", "", text)
    assert digits, f"no amount in {text!r}"
    return int(digits)


# --- the outbox (mail is read from the live app's database) ---------------------------------------


def _outbox_query(live_app, sql: str, **params):
    engine = sa.create_engine(live_app.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()
    finally:
        engine.dispose()


def mailed_link(live_app, to_email: str, after_id: int = 0) -> str:
    """The link in the newest mail to `to_email` (it leaves just after the request, off its path)."""
    for _ in range(100):
        body = _outbox_query(live_app, "SELECT text_body FROM outbox_messages WHERE to_email = :e "
                                       "AND id > :after ORDER BY id DESC LIMIT 1", e=to_email, after=after_id)
        if body:
            return LINK_RE.search(body).group(0)
        time.sleep(0.1)
    raise AssertionError(f"no mail to {to_email}")


def last_outbox_id(live_app) -> int:
    return _outbox_query(live_app, "SELECT COALESCE(MAX(id), 0) FROM outbox_messages")


# --- forms --------------------------------------------------------------------------------------------


def goto(page: Page, path: str) -> None:
    """Open an account page and wait until its on_load has run (a form filled earlier could be redrawn)."""
    page.goto(path)
    page.wait_for_selector("#page-ready", state="attached")


def wait_until_live(page: Page) -> None:
    """A logged-in person's page is live once the navbar shows the logout button: the prerendered
    HTML shows the visitor's links, so this button only appears after the state has arrived (attached, not
    visible: on a phone it waits in the menu drawer)."""
    expect(page.locator("#nav-logout")).to_be_attached()


def fill(page: Page, **fields) -> None:
    for name, value in fields.items():
        page.fill(f"#f-{name}", value)


# --- accounts -------------------------------------------------------------------------------------------


def new_page(browser, live_app) -> Page:
    """A page in a fresh browser context: its own cookies and local storage, i.e. its own person."""
    context = browser.new_context(base_url=live_app.base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    return page


@dataclass
class Customer:
    name: str
    email: str
    password: str
    phone: str = "699 12 34 56"


def new_customer(first_name: str) -> Customer:
    tag = uuid.uuid4().hex[:6]
    return Customer(name=f"{first_name} Journey", email=f"{first_name.lower()}.{tag}@example.cm",
                    password=f"Mboa-{tag}-2026")


def register(page: Page, customer: Customer, shots: str | None = None) -> None:
    goto(page, "/auth/register")
    fill(page, name=customer.name, email=customer.email, phone=customer.phone, password=customer.password,
         password_confirm=customer.password)
    if shots:
        screenshot(page, f"{shots}-register")
    page.click("#submit")
    expect(page.locator("#register-done")).to_be_visible()
    if shots:
        screenshot(page, f"{shots}-register-done")


def verify_email(page: Page, live_app, customer: Customer, shots: str | None = None) -> None:
    """Follow the link of the verification mail, as the customer would from their inbox."""
    goto(page, mailed_link(live_app, customer.email))
    expect(page.locator("#verify-result")).to_contain_text("adresse e-mail est vérifiée")
    if shots:
        screenshot(page, f"{shots}-verified")


def log_in(page: Page, email: str, password: str, next_path: str = "/dashboard") -> None:
    goto(page, f"/auth/login?next={next_path}")
    fill(page, email=email, password=password)
    page.click("#submit")
    page.wait_for_url(re.compile(rf"^https?://[^/]+{re.escape(next_path.rstrip('/'))}/?$"))
    expect(page.locator("#nav-logout")).to_be_visible()


def sign_up(page: Page, live_app, customer: Customer, shots: str | None = None) -> None:
    """Register, verify through the mailed link, log in: the customer lands on their dashboard."""
    register(page, customer, shots)
    verify_email(page, live_app, customer, shots)
    log_in(page, customer.email, customer.password)


def log_in_with_token(page: Page, token: str) -> None:
    """What logging in leaves in the browser, the session token in local storage, set before every page's
    scripts run (for tests about a page, not about the login form)."""
    store_before_scripts(page, "kh_session", token)


def store_before_scripts(target, key: str, value: str) -> None:
    """Put `key` in the shop's local storage before any script of each page of `target` (a page or a
    browser context) runs. Documents without an origin (a new tab's about:blank) have no local storage
    and are left alone, so they report no error."""
    target.add_init_script(f"if (location.protocol.startsWith('http')) "
                           f"window.localStorage.setItem({key!r}, {value!r});")


def session_token(engine, email: str) -> str:
    """A fresh login (session token) for the account with this e-mail, made in the live database."""
    from kmerhosting.core.sessions import create_session

    with Session(engine) as s:
        user_id = s.exec(select(User.id).where(User.email == email)).one()
        token = create_session(s, user_id, client="browser-test")
        s.commit()
    return token


def log_in_admin(page: Page) -> None:
    from ..live import ADMIN_EMAIL, ADMIN_PASSWORD

    log_in(page, ADMIN_EMAIL, ADMIN_PASSWORD, next_path="/admin")
    expect(page.locator("#nav-admin")).to_be_visible()


# --- credits --------------------------------------------------------------------------------------------


def request_credits(page: Page, amount: int, reference: str, shots: str | None = None) -> None:
    page.goto("/dashboard/billing")
    wait_until_live(page)  # a submit clicked before hydration would post the form the browser's way
    page.fill("#request-amount", str(amount))
    page.fill("#request-reference", reference)
    page.click("#request-submit")
    row = page.locator("#requests tr", has_text=reference)
    expect(row).to_contain_text("En attente")
    expect(row).to_contain_text(xaf(amount))
    if shots:
        screenshot(page, f"{shots}-credit-requested")


def approve_credit_request(admin: Page, email: str, reference: str, shots: str | None = None) -> None:
    admin.goto("/admin/credits")
    wait_until_live(admin)
    row = admin.locator("tr", has_text=reference)
    expect(row).to_contain_text(email)
    if shots:
        screenshot(admin, f"{shots}-admin-credits")
    row.locator("button[id^=approve-]").click()
    expect(admin.get_by_text("Demande approuvée").first).to_be_visible()
    expect(admin.locator("tr", has_text=reference)).to_have_count(0)  # no longer pending


def expect_balance(page: Page, amount: int) -> None:
    page.goto("/dashboard")
    expect(page.locator("#overview-balance")).to_have_text(xaf(amount))


def top_up(customer_page: Page, admin_page: Page, customer: Customer, amount: int,
           shots: str | None = None) -> None:
    """The customer asks for credits, the admin approves, the customer's dashboard shows them."""
    reference = f"MP{uuid.uuid4().hex[:10].upper()}"
    request_credits(customer_page, amount, reference, shots)
    approve_credit_request(admin_page, customer.email, reference, shots)
    expect_balance(customer_page, amount)
    if shots:
        screenshot(customer_page, f"{shots}-balance")


# --- buying and renewing -----------------------------------------------------------------------------


@dataclass
class Purchase:
    domain: str
    pack_price: int
    total: int
    balance_after: int


def buy_pack_with_new_domain(page: Page, pack_slug: str, pack_name: str, months: int, balance: int,
                             shots: str | None = None) -> Purchase:
    """From /hosting to a paid order: pack page, duration, cart, a new .cm domain, checkout, pay."""
    page.goto("/hosting")
    wait_until_live(page)
    link = page.locator(f"a[href='/hosting/{pack_slug}']").first
    expect(link).to_be_visible()
    if shots:
        screenshot(page, f"{shots}-hosting")
    link.click()
    expect(page).to_have_url(re.compile(rf"/hosting/{pack_slug}$"))
    expect(page.get_by_text(pack_name, exact=True).first).to_be_visible()
    wait_until_live(page)
    page.click(f"#duration-{months}")
    expect(page.locator(f"#duration-{months}")).to_have_attribute("aria-checked", "true")
    pack_price = amount_of(page.locator("#pack-price").inner_text())
    if shots:
        screenshot(page, f"{shots}-pack")

    page.click("#add-to-cart")
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.locator(".cart-line")).to_have_count(1)
    page.locator(".choose-domain").click()
    name = f"journey{uuid.uuid4().hex[:8]}"
    page.fill("#domain-search", name)
    page.click("#domain-search-button")
    choose = page.locator(f"#choose-{name}-cm")
    expect(choose).to_be_visible()
    if shots:
        screenshot(page, f"{shots}-domain-dialog")
    choose.click()
    expect(page.locator("[role=dialog]")).to_have_count(0)
    domain = f"{name}.cm"
    expect(page.get_by_text(domain, exact=True)).to_be_visible()
    if shots:
        screenshot(page, f"{shots}-cart")

    page.click("#go-checkout")
    expect(page).to_have_url(re.compile(r"/checkout$"))
    expect(page.locator("#checkout-balance")).to_contain_text(xaf(balance))
    total = amount_of(page.locator("#checkout-total").inner_text())
    expect(page.locator("#checkout-after")).to_contain_text(xaf(balance - total))
    expect(page.locator("#pay-button")).to_be_enabled()
    if shots:
        screenshot(page, f"{shots}-checkout")
    page.click("#pay-button")
    expect(page.locator("#order-status")).to_contain_text("Payée")
    if shots:
        screenshot(page, f"{shots}-paid")
    return Purchase(domain=domain, pack_price=pack_price, total=total, balance_after=balance - total)


def buy_and_renew(page, engine, customer: Customer, balance: int, shots: str) -> tuple[str, int]:
    """Journey 3 (also run by the scale-out test): buy a pack with a new domain, see it, renew it.

    Returns the domain and the balance left."""
    with Session(engine) as s:
        pack = s.exec(select(Pack).where(Pack.slug == PACK_SLUG)).one()
    bought = buy_pack_with_new_domain(page, PACK_SLUG, PACK_NAME, MONTHS, balance, shots=shots)
    assert bought.pack_price == duration_price(pack.monthly_price, MONTHS, pack.discounts).price

    open_services(page)
    card = service_card(page, bought.domain)
    expect(card).to_be_visible()
    expect(page.locator("#services-balance")).to_have_text(xaf(bought.balance_after))
    screenshot(page, f"{shots}-services")
    with Session(engine) as s:
        user_id = s.exec(select(User.id).where(User.email == customer.email)).one()
        service = s.exec(select(Service).where(Service.domain == bought.domain)).one()
        purchase = s.exec(select(DomainPurchase).where(DomainPurchase.domain == bought.domain)).one()
        assert service.user_id == purchase.user_id == user_id
        assert purchase.registrar_status == RegistrarStatus.registered
        bought_expiry = service.expires_at
    expect(card).to_contain_text(format_day(bought_expiry))

    price = duration_price(pack.monthly_price, MONTHS, pack.discounts).price
    new_expiry = renew_service(page, bought.domain, MONTHS, price, bought.balance_after, shots=shots)
    balance_left = bought.balance_after - price
    with Session(engine) as s:
        service = s.get(Service, service.id)
        assert format_day(service.expires_at) == new_expiry == format_day(add_months(bought_expiry, MONTHS))
        assert s.get(User, user_id).credits == balance_left
    page.reload()  # what the customer sees next time comes from the database, not the dialog
    expect(service_card(page, bought.domain)).to_contain_text(new_expiry)
    expect(page.locator("#services-balance")).to_have_text(xaf(balance_left))
    for kind in ("purchase_confirmation", "renewal_confirmation"):
        assert mail_status(engine, customer.email, kind) == "sent", kind
    return bought.domain, balance_left


def mail_status(engine, email: str, kind: str) -> str | None:
    """The status of the newest mail of this kind to `email`, once it has left (it leaves after the commit)."""
    status = None
    for _ in range(100):
        with engine.connect() as conn:
            status = conn.execute(sa.text(
                "SELECT status FROM notification_logs WHERE recipient = :e AND kind = :k ORDER BY id DESC LIMIT 1"),
                {"e": email, "k": kind}).scalar()
        if status not in (None, "pending"):
            return status
        time.sleep(0.1)
    return status


def service_card(page: Page, domain: str):
    return page.locator(".service-card", has_text=domain)


def open_services(page: Page) -> None:
    page.goto("/dashboard/services")
    wait_until_live(page)


def renew_service(page: Page, domain: str, months: int, price: int, balance: int,
                  shots: str | None = None) -> str:
    """Renew from the services page; returns the new expiry date as the dialog announced it."""
    card = service_card(page, domain)
    card.locator(".renew-button").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(domain)
    page.locator(f"#renew-{months}").click()
    expect(page.locator(f"#renew-{months}")).to_have_attribute("aria-checked", "true")
    expect(page.locator("#renew-confirm")).to_contain_text(xaf(price))
    new_expiry = _date_in(page.locator(f"#renew-{months}").inner_text())
    if shots:
        screenshot(page, f"{shots}-renew-dialog")
    page.locator("#renew-confirm").click()
    expect(dialog).to_have_count(0)
    expect(card).to_contain_text(new_expiry)
    expect(page.locator("#services-balance")).to_have_text(xaf(balance - price))
    if shots:
        screenshot(page, f"{shots}-renewed")
    return new_expiry


FRENCH_DATE = re.compile(r"\d{1,2}\s\w+\.?\s\d{4}")  # "2 déc. 2028", as display.date writes it


def _date_in(text: str) -> str:
    found = FRENCH_DATE.findall(text)
    assert found, f"no date in {text!r}"
    return found[-1]
