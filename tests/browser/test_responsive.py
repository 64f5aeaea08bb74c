"""Every page at phone and desktop sizes, as a visitor, a customer and an admin (DESIGN.md, "Phone first").

The routes come from the app's own page list (`pages.registry.PAGES`), so a new page is checked the day
it is added. Each route is shown at 360x740, 390x844 and 1366x768, in French then in English (English
words are longer), and must not scroll sideways, keep its header on screen while scrolled, open every
dialog it has inside the screen, and log no console error. The header's links are reached directly or
through the phone menu, whose links really navigate. Screenshots: artifacts/screenshots/responsive-*.
One tab per person and size moves from page to page inside the app, as a person does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlmodel import Session, select

import kmerhosting.pages  # noqa: F401  (records every page)
from kmerhosting import db
from kmerhosting.core import cart
from kmerhosting.core.admin.credits import adjust_credits, reject_request
from kmerhosting.core.ledger import add_credits, post
from kmerhosting.core.sessions import create_session
from kmerhosting.models import (CreditRequest, DomainPurchase, NotificationLog, Pack, RegistrarStatus, Server,
                                Service, User, utcnow)
from kmerhosting.pages.registry import PAGES

from ..factories import make_payment
from ..conftest import screenshot
from .helpers import store_before_scripts
from ..live import ADMIN_EMAIL, ARTIFACTS

pytestmark = pytest.mark.browser

SIZES = [(360, 740), (390, 844), (1366, 768)]
PHONES = SIZES[:2]
ROUTES = [kwargs["route"] for _, kwargs in PAGES]
NOT_FOUND_PATH = "/cette-page-n-existe-pas"

# Every dialog a page can open: how to open it and a control that must be on screen once it is open.
# test_every_dialog_of_a_page_is_listed_here compares this with the dialogs found in each page.
DIALOGS = {
    "/dashboard/services": [(".renew-button", "#renew-confirm"), (".panel-password", "#panel-password-save")],
    "/cart": [(".choose-domain", "#domain-search-button")],
    "/admin/users": [(".confirm-trigger", ".confirm-action")],
    "/admin/users/[uid]": [("#user-block", ".confirm-action")],
    "/admin/services": [(".confirm-trigger", ".confirm-action"), (".account-history", "#account-close")],
    "/admin/packs": [(".confirm-trigger", ".confirm-action")],
    "/admin/servers": [("#server-new", "#server-save"), (".confirm-trigger", ".confirm-action")],
    "/admin/notifications": [(".mail-view", "#mail-preview")],
    "/admin/payments": [(".payment-timeline", "#payment-close")],
}


def persona(route: str) -> str:
    if route.startswith("/admin"):
        return "admin"
    if route.startswith("/dashboard") or route == "/checkout":
        return "customer"
    return "visitor"


def slug(route: str) -> str:
    if route == "404":
        return "not-found"
    return re.sub(r"[^a-z0-9]+", "-", route.lower()).strip("-") or "home"


@dataclass
class Site:
    tokens: dict
    params: dict  # a real value for each dynamic route parameter
    visitor_cart: str
    engine: object
    ids: dict = field(default_factory=dict)

    def path(self, route: str) -> str:
        if route == "404":
            return NOT_FOUND_PATH
        missing = set(re.findall(r"\[(\w+)\]", route)) - set(self.params)
        assert not missing, f"{route}: give the responsive test a real value for {sorted(missing)}"
        return re.sub(r"\[(\w+)\]", lambda m: str(self.params[m.group(1)]), route)

    def new_token(self, who: str) -> str:
        with Session(self.engine) as s:
            token = create_session(s, self.ids[who], client="responsive")
            s.commit()
        return token


@pytest.fixture(scope="module")
def site(live_app):
    """Enough data for every page to show what it shows on a busy day: long names, long references."""
    engine = db.make_engine(live_app.database_url)
    # The cart below asks the sandbox registrar, whose registry is the live app's database.
    db.set_engine_override(engine)
    try:
        with Session(engine, expire_on_commit=False) as s:
            admin = s.exec(select(User).where(User.email == ADMIN_EMAIL)).one()
            customer = User(email="ndjock.responsive@example.cm", name="Ndjock Mbarga Epse Tchoumi",
                            password_hash="x", email_verified_at=utcnow())
            s.add(customer)
            s.commit()
            add_credits(s, customer.id, 120000, reference="MOMO-2026-11-24-7781-4410")
            packs = s.exec(select(Pack).where(Pack.is_active == True).order_by(Pack.id)).all()  # noqa: E712
            now = utcnow()
            for domain, days, panel in (("boutique-des-artisans-de-bonamoussadi.cm", 12, ""),
                                        ("cabinet-ngono.com", 200, "https://panel.kmerhosting.cm:2083")):
                service = Service(user_id=customer.id, pack_id=packs[1].id, domain=domain, control_panel="cpanel",
                                  status="active", duration_months=12, price_paid=packs[1].monthly_price * 12,
                                  starts_at=now - timedelta(days=30), expires_at=now + timedelta(days=days),
                                  panel_url=panel)
                s.add(service)
                s.flush()
                post(s, customer.id, -service.price_paid, "purchase", service_id=service.id, reference="order:77")
            # A service whose account exists on the sandbox server: its usage, Ouvrir cPanel, the password.
            sandbox = s.exec(select(Server).where(Server.sandbox == True, Server.panel == "cpanel")).first()  # noqa: E712
            hosted = Service(user_id=customer.id, pack_id=packs[1].id, domain="pressing-ndjock-akwa.cm",
                             control_panel="cpanel", status="active", duration_months=12,
                             price_paid=packs[1].monthly_price * 12, starts_at=now - timedelta(days=30),
                             expires_at=now + timedelta(days=300), server_id=sandbox.id if sandbox else None,
                             panel_username="pressingndjock", account_status="created", disk_used_mb=1229,
                             bandwidth_used_mb=48000)
            s.add(hosted)
            s.add(DomainPurchase(user_id=customer.id, domain="ndjock-et-freres-import-export.cm", price=15000,
                                 registrar="sandbox", registrar_status=RegistrarStatus.registered,
                                 registrar_id="SBX-77", expires_at=now + timedelta(days=25)))
            s.add(CreditRequest(user_id=customer.id, amount=250000, payment_method="mtn_momo",
                                payment_reference="MP241124.1530.A1B2C3D4E5F6"))
            rejected = CreditRequest(user_id=customer.id, amount=5000, payment_method="orange_money",
                                     payment_reference="OM-2026-0042")
            s.add(rejected)
            s.add(NotificationLog(recipient=customer.email, user_id=customer.id, kind="credit_added", status="failed",
                                  error="SMTP 451 4.7.1 Greylisted, please try again in 300 seconds",
                                  payload={"template": "credit_added", "context": {}}))
            # A Mobile Money payment that came back with another amount, with its timeline.
            make_payment(s, customer, amount=125000, operator="orange", phone="237699887766", status="flagged",
                         gateway_reference="trx.2026-11-24.ORANGE.CM.7781-4410-AB12-CD34", received_amount=12500,
                         received_currency="XAF", reason="complete with 12500 XAF, asked 125000 XAF",
                         events=[{"source": "start", "status": "pending", "detail": {"ussd": "#150*50#"}},
                                 {"source": "webhook", "status": "complete", "detail": {"event": "payment.complete"}},
                                 {"source": "webhook", "status": "flagged", "note": "amount differs"}])
            s.add(Pack(name="Pack sans vente", slug="pack-sans-vente", monthly_price=1000, is_active=False))
            s.commit()
            reject_request(s, admin.id, rejected.id, "Référence introuvable chez Orange Money, envoyez la capture SVP")
            adjust_credits(s, admin.id, customer.id, 2500, "Geste commercial après la panne du 12 novembre")
            # The customer's cart: a line with its new domain, one still waiting for one, a domain alone.
            line = cart.add_pack(s, user_id=customer.id, visitor_key=None, pack_id=packs[0].id, months=12)
            cart.choose_new_domain(s, user_id=customer.id, visitor_key=None, item_id=line.id,
                                   domain="ndjock-services-generaux.cm", years=1)
            cart.add_pack(s, user_id=customer.id, visitor_key=None, pack_id=packs[-1].id, months=36)
            cart.add_domain_item(s, user_id=customer.id, visitor_key=None, domain="ndjock-boutique.com", years=2)
            # A visitor's cart (their browser holds its key) with a line that needs a domain.
            visitor_cart = cart.new_visitor_key()
            cart.add_pack(s, user_id=None, visitor_key=visitor_cart, pack_id=packs[0].id, months=3)
            tokens = {"admin": create_session(s, admin.id, client="responsive"),
                      "customer": create_session(s, customer.id, client="responsive")}
            s.commit()
            site = Site(tokens=tokens, params={"slug": packs[0].slug, "uid": customer.id}, visitor_cart=visitor_cart,
                        engine=engine, ids={"admin": admin.id, "customer": customer.id})
    finally:
        db.set_engine_override(None)
    yield site
    engine.dispose()


class Console:
    """Console errors and uncaught exceptions of a page (the 404 page's own 404 answer is expected)."""

    def __init__(self, page: Page):
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def _console(self, msg) -> None:
        expected_404 = "status of 404" in msg.text and \
            (msg.location or {}).get("url", "").endswith(NOT_FOUND_PATH)
        if msg.type == "error" and not expected_404:
            self.errors.append(msg.text)


def open_page(browser, live_app, site: Site, who: str, width: int, height: int, token: str | None = None) -> Page:
    """A fresh browser for `who` at this size: the login token (or the visitor's cart key) is in its
    local storage before the first script runs."""
    context = browser.new_context(base_url=live_app.base_url, viewport={"width": width, "height": height})
    context.add_cookies([{"name": "kh_lang", "value": "fr", "url": live_app.base_url}])
    if who == "visitor":
        store_before_scripts(context, "kh_cart", site.visitor_cart)
    else:
        token = token or site.tokens[who]
        store_before_scripts(context, "kh_session", token)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.console = Console(page)
    return page


@pytest.fixture(scope="module")
def tabs(browser, live_app, site):
    """One open tab per (person, size), reused by the tests: moving between pages inside the app, as a
    person does, costs a fraction of loading the whole app again. A test that fails closes its tab."""
    opened: dict[tuple, Page] = {}

    def get(who: str, width: int, height: int) -> Page:
        key = (who, width, height)
        if key not in opened or opened[key].is_closed():
            opened[key] = open_page(browser, live_app, site, who, width, height)
            opened[key].goto("/")
            wait_until_ready(opened[key], who, "/")
        page = opened[key]
        page.console.errors.clear()
        return page

    yield get
    for page in opened.values():
        if not page.is_closed():
            page.context.close()


def wait_until_ready(page: Page, who: str, route: str) -> None:
    """The route's on_load has run (its own marker, not the previous page's) and the login has arrived."""
    shown_as = {"/": "/index", "404": "/404"}.get(route, route)  # Reflex's names for these two routes
    page.wait_for_selector(f"#page-ready[data-route='{shown_as}']", state="attached")
    if who != "visitor":  # the header's account links arrive with the login (hidden in the phone menu)
        page.wait_for_selector("#nav-logout", state="attached")


def go(page: Page, path: str) -> None:
    """Move to `path` inside the app, as a link would (React Router follows the history's popstate)."""
    page.evaluate("""path => {
        const idx = (window.history.state?.idx ?? 0) + 1;
        window.history.pushState({usr: null, key: Math.random().toString(36).slice(2), idx}, "", path);
        window.dispatchEvent(new PopStateEvent("popstate", {state: window.history.state}));
    }""", path)


def at(page: Page, path: str, seconds: float = 8) -> bool:
    """Whether the tab reaches `path` within `seconds`."""
    try:
        page.wait_for_function("p => location.pathname.replace(/[/]$/, '') === p.replace(/[/]$/, '')", arg=path,
                               timeout=seconds * 1000)
        return True
    except PlaywrightTimeout:
        return False


def arrive(page: Page, who: str, path: str, route: str) -> None:
    """Wait until the tab shows `path` (the page of `route`) with its data loaded."""
    page.wait_for_function("p => location.pathname.replace(/[/]$/, '') === p.replace(/[/]$/, '')", arg=path)
    wait_until_ready(page, who, route)


def switch_language(page: Page, lang: str) -> None:
    page.click(f"#lang-{lang}")
    expect(page.locator("#nav-hosting")).to_have_text("Hosting" if lang == "en" else "Hébergement")


def assert_fits(page: Page, what: str) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{what}: the page is {widths[0]} px wide in a {widths[1]} px window"


def assert_header_stays(page: Page, what: str) -> None:
    page.evaluate("window.scrollTo(window.innerWidth, document.documentElement.scrollHeight)")
    box = page.evaluate("(() => { const r = document.getElementById('site-header').getBoundingClientRect();"
                        " return [r.top, r.left, window.scrollX]; })()")
    assert box == [0, 0, 0], f"{what}: the header moved while scrolled (top, left, scrollX = {box})"
    page.evaluate("window.scrollTo(0, 0)")


def screen_shot(page: Page, name: str) -> None:
    """What the screen shows (an open dialog or menu covers the screen, not the whole page)."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))


def check_dialog(page: Page, opener: str, inside: str, what: str, shot: str) -> None:
    page.locator(opener).first.click()
    dialog = page.locator("[role=dialog], [role=alertdialog]")
    expect(dialog).to_have_count(1)
    expect(dialog).to_be_in_viewport(ratio=1)  # whole, once its opening animation is over
    expect(page.locator(inside).first).to_be_in_viewport(ratio=1)
    assert_fits(page, what)
    screen_shot(page, shot)
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("route", ROUTES)
def test_every_page_fits_the_screen(tabs, site, route, width, height):
    """In both languages, with the page's dialogs open one by one. The tab keeps the language it was
    left in: the page is checked in that one first, then in the other (one switch per page)."""
    who = persona(route)
    path = site.path(route)
    page = tabs(who, width, height)
    what = f"{route} at {width}x{height} ({who})"
    name = f"responsive-{width}x{height}-{slug(route)}"
    try:
        go(page, path)
        landed = "/" if route == "/auth/logout" else route  # logging out ends on the home page
        arrive(page, who, site.path(landed), landed)
        if route == "404":
            expect(page.locator("#not-found")).to_be_visible()
        first = "en" if page.locator("#nav-hosting").text_content() == "Hosting" else "fr"
        for lang in (first, "fr" if first == "en" else "en"):
            if lang != first:
                switch_language(page, lang)
            suffix = "-en" if lang == "en" else ""
            screenshot(page, name + suffix)
            assert_fits(page, f"{what} in {lang}")
            if lang == first:
                assert_header_stays(page, what)
                for i, (opener, inside) in enumerate(DIALOGS.get(route, [])):
                    check_dialog(page, opener, inside, f"{what}, dialog {opener}", f"{name}-dialog{i + 1}{suffix}")
        assert not page.console.errors, f"{what}: {page.console.errors}"
    except BaseException:
        page.context.close()  # the next test starts from a fresh tab
        raise


# --- words, numbers and dates as a person reads them (issue 13) ------------------------------------------

# What a person must never read: internal codes and keys.
INTERNAL_CODES = [
    (re.compile(r"\b(order|request|admin|domain-renew):\d"), "a ledger reference code"),
    (re.compile(r"\bREN-\d"), "a renewal reference code"),
    (re.compile(r"(?<![\w@.-])[a-z]+(?:_[a-z]+)+(?![\w@.-])"), "an enum value or key joined with _"),
    (re.compile(r"(?<![\w.-])\d+[my](?![\w.-])"), "a duration code such as 12m or 1y"),
    (re.compile(r"[{\[]\s*\"\w+\"\s*:"), "raw JSON"),
    (re.compile(r"\b(?:dashboard|shop|admin|accounts|domains|display|mail|error)\.[a-z_]+\.?[a-z_]*\b"),
     "a translation key"),
]
# Words of one language that must not show on the site in the other (the shop's own words, not data).
ENGLISH_WORDS = ["Expires in", "days", "months", "Balance", "Purchase", "Renewal", "Top-up", "Pending", "Approved",
                 "Rejected", "Expired", "Suspended", "Cancelled", "Order #", "Log in", "Sign up", "Your cart",
                 "Save", "Credits added", "Hosting", "year(s)", "day(s)", "Open", "Browser"]
FRENCH_WORDS = ["Expire dans", "jours", "mois", "Solde", "Achat", "Renouvellement", "Recharge", "En attente",
                "Acceptée", "Refusée", "Expiré", "Suspendu", "Résilié", "Commande n°", "Connexion", "Panier",
                "Enregistrer", "Hébergement", "Déconnexion", "Navigateur", "jour(s)", "an(s)", "Ouverte"]
# A number of 1000 or more written without its thousands separator (years, ids in references, phone numbers,
# ports and addresses are written differently and left out).
UNGROUPED = re.compile(r"(?<![\w.,:/#°+\-\u00a0\u202f])\d{4,}(?![\w.,:/\-\u202f])")
# A unit after a number with a space that may break.
BREAKABLE_UNIT = re.compile(r"\d[ \t\n]+(FCFA|XAF|jours?|mois|ans?|days?|months?|years?|%)(?!\w)")

# The text a person reads, without what people typed (names, notes, references) and without e-mails.
VISIBLE_TEXT = """() => {
    // Hidden copies (a select's native options, what assistive tech is told to skip) are not read.
    // A mail shown as its reader got it is marked with its own language (lang="fr" on the English site).
    const skip = el => el.closest('input, textarea, script, style, option, [aria-hidden=true], .kh-code, [lang]:not(html)');
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, el = node.parentElement;
        if (!el || skip(el) || !node.textContent.trim()) continue;
        const style = getComputedStyle(el);
        if (style.display === 'none' || style.visibility === 'hidden') continue;
        out.push([node.textContent, el.tagName.toLowerCase() + '#' + (el.closest('[id]')?.id || '')]);
    }
    return out;
}"""


def words_problems(texts: list[list[str]], lang: str, route: str) -> list[str]:
    problems = []
    for text, where in texts:
        text_where = f"{text!r} ({where})"
        plain = re.sub(r"\S+@\S+|https?://\S+", "", text)
        for pattern, what in INTERNAL_CODES:
            for match in pattern.finditer(plain):
                if not (route.startswith("/admin") and "." in match.group(0) and "@" in text):
                    problems.append(f"{what}: {match.group(0)!r} in {text_where}")
        for match in UNGROUPED.finditer(plain):
            if not re.fullmatch(r"(19|20)\d\d", match.group(0)):  # a year
                problems.append(f"a number without its separator: {match.group(0)!r} in {text_where}")
        for match in BREAKABLE_UNIT.finditer(text):
            problems.append(f"a breakable space between a number and its unit: {match.group(0)!r} in {text_where}")
        for word in (ENGLISH_WORDS if lang == "fr" else FRENCH_WORDS):
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text):
                problems.append(f"{'English' if lang == 'fr' else 'French'} {word!r} on the {lang} site: {text_where}")
    return problems


@pytest.mark.parametrize("route", ROUTES)
def test_every_page_reads_as_a_person_reads_it(tabs, site, route):
    """Every page, in French then in English: no internal code, no word of the other language, numbers
    grouped, units glued to their numbers, and a browser title of its own in the visitor's language."""
    who = persona(route)
    page = tabs(who, 390, 844)
    try:
        go(page, site.path(route))
        landed = "/" if route == "/auth/logout" else route
        arrive(page, who, site.path(landed), landed)
        titles = {}
        for lang in ("fr", "en"):
            if (page.locator("#nav-hosting").text_content() == "Hosting") != (lang == "en"):
                switch_language(page, lang)
            page.wait_for_function("l => document.documentElement.innerText.length > 0", arg=lang)
            expect(page).to_have_title(re.compile(r".+ · KmerHosting$"))
            titles[lang] = page.title()
            problems = words_problems(page.evaluate(VISIBLE_TEXT), lang, route)
            assert not problems, f"{route} ({who}, {lang}):\n" + "\n".join(sorted(set(problems))[:25])
        # A pack's name, home (after logging out) and "Administration" read the same in both languages.
        if route not in ("/hosting/[slug]", "/auth/logout", "/admin"):
            assert titles["fr"] != titles["en"], f"{route}: the title does not follow the language ({titles})"
        assert not page.console.errors, f"{route}: {page.console.errors}"
    except BaseException:
        page.context.close()
        raise


def test_a_sign_up_field_filled_again_loses_its_old_error(browser, live_app, site):
    page = open_page(browser, live_app, site, "visitor", 390, 844)
    try:
        page.goto("/auth/register")
        wait_until_ready(page, "visitor", "/auth/register")
        expect(page.locator("#submit")).to_be_enabled()
        page.fill("#f-phone", "12 34")
        page.fill("#f-password", "court")
        page.click("#submit")
        expect(page.locator("#err-phone")).to_be_visible(timeout=15000)
        expect(page.locator("#err-password")).to_be_visible()
        page.fill("#f-phone", "699 12 34 56")
        page.locator("#f-phone").blur()
        expect(page.locator("#err-phone")).to_have_count(0)
        expect(page.locator("#err-password")).to_be_visible()  # not filled again: its error stays
        assert not page.console.errors, page.console.errors
    finally:
        page.context.close()


# --- the header and its phone menu ----------------------------------------------------------------------


def header_ids(page: Page) -> list[str]:
    """The ids of the header's links and buttons, the menu button aside: what the desktop header offers."""
    return page.evaluate("[...document.querySelectorAll('#site-header a[id], #site-header button[id]')]"
                         ".map(e => e.id).filter(id => id !== 'nav-menu')")


@pytest.mark.parametrize("who", ["visitor", "customer", "admin"])
@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_header_link_is_reachable(tabs, who, width, height):
    page = tabs(who, width, height)
    try:
        go(page, "/")
        arrive(page, who, "/", "/")
        ids = header_ids(page)
        expected = {"nav-home", "nav-hosting", "nav-domains", "nav-cart", "lang-fr", "lang-en"} | (
            {"nav-login", "nav-register"} if who == "visitor" else {"nav-dashboard", "nav-logout"}) | (
            {"nav-admin"} if who == "admin" else set())
        assert set(ids) == expected
        hidden = [i for i in ids if not page.locator(f"#{i}").is_visible()]
        if (width, height) in PHONES:
            page.click("#nav-menu")
            drawer = page.locator("#nav-drawer")
            expect(drawer).to_be_in_viewport(ratio=1)
            for i in hidden:
                expect(page.locator(f"#drawer-{i}")).to_be_visible()
            screen_shot(page, f"responsive-{width}x{height}-menu-{who}")
            page.click("#drawer-close")
            expect(drawer).to_have_count(0)
        else:  # a wide screen shows the whole header and no menu button
            assert hidden == [] and not page.locator("#nav-menu").is_visible()
        assert not page.console.errors, page.console.errors
    except BaseException:
        page.context.close()
        raise


MENU_LINKS = {
    "visitor": [("drawer-nav-hosting", "/hosting"), ("drawer-nav-domains", "/domains"), ("drawer-nav-cart", "/cart"),
                ("drawer-nav-login", "/auth/login"), ("drawer-nav-register", "/auth/register"),
                ("drawer-nav-home", "/")],
    "admin": [("drawer-nav-admin", "/admin"), ("drawer-nav-dashboard", "/dashboard"), ("drawer-nav-home", "/")],
}


@pytest.mark.parametrize("who", ["visitor", "admin"])
def test_the_phone_menu_links_navigate_and_switch_the_language(browser, live_app, site, who):
    # Its own login: this test ends by logging out.
    token = site.new_token(who) if who != "visitor" else None
    page = open_page(browser, live_app, site, who, 360, 740, token=token)
    try:
        page.goto("/")
        wait_until_ready(page, who, "/")
        for link_id, target in MENU_LINKS[who]:
            page.click("#nav-menu")
            page.click(f"#{link_id}")
            if not at(page, target):  # a tap that landed while the drawer was still opening: tap again
                if not page.locator("#nav-drawer").count():
                    page.click("#nav-menu")
                page.click(f"#{link_id}")
            arrive(page, who, target, target)
            expect(page.locator("#nav-drawer")).to_have_count(0)  # the menu closed as the page changed
        page.click("#nav-menu")
        page.click("#drawer-lang-en")
        expect(page.locator("#drawer-nav-hosting")).to_have_text("Hosting")
        page.click("#drawer-lang-fr")
        expect(page.locator("#drawer-nav-hosting")).to_have_text("Hébergement")
        if who != "visitor":
            page.click("#drawer-nav-logout")
            expect(page.locator("#nav-drawer")).to_have_count(0)
            page.click("#nav-menu")
            expect(page.locator("#drawer-nav-login")).to_be_visible()
        assert not page.console.errors, page.console.errors
    finally:
        page.context.close()


def test_an_unknown_address_answers_404_with_the_shops_own_page(browser, live_app, site):
    assert httpx.get(live_app.url(NOT_FOUND_PATH), timeout=10).status_code == 404
    page = open_page(browser, live_app, site, "visitor", 390, 844)
    try:
        response = page.goto(NOT_FOUND_PATH)
        assert response.status == 404
        arrive(page, "visitor", NOT_FOUND_PATH, "404")
        expect(page.get_by_role("heading", name="Cette page n'existe pas")).to_be_visible()
        expect(page.locator("#site-header")).to_be_visible()
        expect(page.get_by_text("Tous droits réservés", exact=False)).to_be_visible()
        for link_id, href in (("notfound-home", "/"), ("notfound-hosting", "/hosting"),
                              ("notfound-domains", "/domains")):
            expect(page.locator(f"#{link_id}")).to_have_attribute("href", href)
        switch_language(page, "en")
        expect(page.get_by_role("heading", name="This page does not exist")).to_be_visible()
        screenshot(page, "not-found-en")
        page.click("#notfound-hosting")
        arrive(page, "visitor", "/hosting", "/hosting")
        assert not page.console.errors, page.console.errors
    finally:
        page.context.close()


# --- the lists this module keeps by hand stay complete ---------------------------------------------------


def _dialog_roots(tree, found: list[str]) -> list[str]:
    if isinstance(tree, dict):
        name = tree.get("name")
        if isinstance(name, str) and name.endswith("Dialog.Root"):
            found.append(name)
        for value in tree.values():
            _dialog_roots(value, found)
    elif isinstance(tree, (list, tuple)):
        for value in tree:
            _dialog_roots(value, found)
    return found


def test_every_dialog_of_a_page_is_listed_here():
    """A page's dialogs (Radix dialogs and confirmations) are found in its component tree; each must have
    an opener in DIALOGS, so a new dialog is checked on a phone too."""
    for render, kwargs in PAGES:
        found = len(_dialog_roots(render().render(), []))
        listed = len(DIALOGS.get(kwargs["route"], []))
        assert found == listed, f"{kwargs['route']} has {found} dialog(s), DIALOGS lists {listed}"
