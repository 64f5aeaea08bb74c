"""The /domains and /dashboard/domains handlers, called as the browser would (any arguments)."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pytest
import reflex as rx
from sqlmodel import select

import kmerhosting.kmerhosting  # noqa: F401  (the app: registers every page and state)
from kmerhosting.core.calendar_months import days_left
from kmerhosting.core.ledger import ledger_sum
from kmerhosting.core.sessions import create_session
from kmerhosting.integrations.registrar.factory import set_registrar_override
from kmerhosting.integrations.registrar.sandbox import SandboxRegistrar
from kmerhosting.models import DomainPurchase, RegistrarStatus, User, utcnow
from kmerhosting.state.dashboard_domains import DashboardDomainsState
from kmerhosting.state.domains import DomainsState

from .background import run_background
from .factories import in_language, make_user, run_jobs
from .fake_dna import dna_registrar, fake_dna  # noqa: F401  (fixtures)


@pytest.fixture
def registrar(engine):
    """The sandbox registrar, on a test database (a search counts against the client's rate limit)."""
    sandbox = SandboxRegistrar()
    set_registrar_override(sandbox)
    yield sandbox
    set_registrar_override(None)


def _state(cls):
    root = rx.State(_reflex_internal_init=True)
    return root.get_substate(cls._get_substate_path())


def _login(session, user) -> str:
    token = create_session(session, user.id)
    session.commit()
    return token


def _await(coroutine):
    """Run an async handler to the end, in its own thread: the browser tests' Playwright keeps an
    event loop running in this one for the whole session."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _run(generator_or_value):
    """Drain a generator handler; returns what it yielded last."""
    if hasattr(generator_or_value, "__next__"):
        last = None
        for item in generator_or_value:
            last = item if item is not None else last
        return last
    return generator_or_value


# --- /domains -------------------------------------------------------------------------------------


def test_search_shows_each_tld_with_availability_and_price_in_both_languages(registrar):
    state = _state(DomainsState)
    run_background(state, "search", {"query": "MonEntreprise"})
    assert state.error == "" and state.searched
    assert [(o.domain, o.available) for o in state.offers] == [
        ("monentreprise.cm", True), ("monentreprise.com", True), ("monentreprise.net", True),
        ("monentreprise.org", True)]
    assert state.offers[0].price == "15\u202f000\xa0FCFA"
    assert in_language(state, "en").offers[0].price == "15,000\xa0FCFA"

    state.set_years("2")
    state._mark_dirty_computed_vars()
    assert state.offers[0].price == "30,000\xa0FCFA" and state.offers[1].price == "18,000\xa0FCFA"


@pytest.mark.parametrize("query,fr", [
    ("", "Tapez le nom que vous cherchez."),
    ("mon site", "Nom de domaine invalide"),
    ("site.xyz", "l'extension .xyz"),
    (12, "Tapez le nom"),
    (None, "Tapez le nom"),
])
def test_bad_searches_get_a_clear_message_and_no_results(registrar, query, fr):
    state = _state(DomainsState)
    run_background(state, "search", {"query": query})
    assert fr in state.error and state.offers == [] and not state.searched
    assert in_language(state, "en").error and fr not in state.error


def test_a_bad_period_changes_nothing(registrar):
    state = _state(DomainsState)
    run_background(state, "search", {"query": "periode"})
    before = list(state.offers)
    for value in ("7", "0", "abc", None, True):
        assert state.set_years(value) is not None  # an error toast
    assert state.years == "1" and state.offers == before


def test_a_registrar_problem_during_search_is_explained(engine, fake_dna, dna_registrar):
    set_registrar_override(dna_registrar)
    try:
        fake_dna.throttle("CheckAvailability", times=2)  # both attempts
        state = _state(DomainsState)
        run_background(state, "search", {"query": "bouchon"})
        assert "trop de demandes" in state.error
        assert "too many requests" in in_language(state, "en").error
        in_language(state, "fr")
        fake_dna.hang("CheckAvailability", seconds=2, times=5)
        run_background(state, "search", {"query": "lent"})
        assert "n'a pas répondu à temps" in state.error and state.offers == []
    finally:
        set_registrar_override(None)


def test_add_to_cart_makes_a_domain_only_line_for_the_logged_in_customer(session, registrar):
    from kmerhosting.models import CartItem

    user = make_user(session)
    state = _state(DomainsState)
    state.auth_token = _login(session, user)
    run_background(state, "search", {"query": "panier"})
    state.set_years("2")

    _await(state.add_to_cart("panier.com"))

    session.expire_all()
    item = session.exec(select(CartItem).where(CartItem.user_id == user.id)).one()
    assert item.pack_id is None and item.domain == "panier.com" and item.domain_years == 2
    assert "panier.com" in state.in_cart


def test_add_to_cart_refuses_a_name_that_was_not_offered(registrar):
    state = _state(DomainsState)
    run_background(state, "search", {"query": "offert"})
    for bad in ("autre.cm", "pas un domaine", 42):
        assert _await(state.add_to_cart(bad)) is not None  # an error toast
    assert state.in_cart == []


# --- /dashboard/domains ---------------------------------------------------------------------------


def _registered(session, registrar, user, domain) -> DomainPurchase:
    info = registrar.register(domain, 1, None, ("ns1.x.cm", "ns2.x.cm"))
    purchase = DomainPurchase(user_id=user.id, domain=domain, price=15000, registrar=registrar.name,
                              registrar_status=RegistrarStatus.registered, registrar_id=info.registrar_id,
                              expires_at=info.expires_at)
    session.add(purchase)
    session.commit()
    return purchase


def test_dashboard_lists_own_domains_and_renews_with_credits(session, registrar, monkeypatch):
    user = make_user(session, credits=40000)
    other = make_user(session)
    mine = _registered(session, registrar, user, "tableau.cm")
    _registered(session, registrar, other, "voisin.cm")
    state = _state(DashboardDomainsState)
    state.auth_token = _login(session, user)

    state.load()
    assert [r.domain for r in state.rows] == ["tableau.cm"]
    row = state.rows[0]
    # One rule for days left (core.calendar_months.days_left), the one the services page uses.
    left = days_left(mine.expires_at, utcnow())
    assert left in (365, 366) and row.days == f"Expire dans {left}\xa0jours"
    assert row.renew == "Renouveler pour 15\u202f000\xa0FCFA"
    assert in_language(state, "en").balance_text == "Your balance: 40,000\xa0FCFA"

    state.set_years(mine.id, "2")
    state._mark_dirty_computed_vars()
    assert state.rows[0].renew == "Renew for 30,000\xa0FCFA"
    in_language(state, "fr")
    events = _run(state.renew(mine.id))

    session.expire_all()
    user_row = session.get(User, user.id)
    assert user_row.credits == 10000 == ledger_sum(session, user.id)  # paid at the click
    state._mark_dirty_computed_vars()
    assert state.balance_text.endswith("10\u202f000\xa0FCFA")
    assert state.rows[0].renewing and DashboardDomainsState.watch_renewals in events  # the row follows it

    run_jobs()  # the worker renews it at the registrar
    monkeypatch.setattr("kmerhosting.state.dashboard_domains.WATCH_EVERY", 0.01)
    toasts = run_background(state, "watch_renewals")

    state._mark_dirty_computed_vars()
    assert not state.rows[0].renewing and state.rows[0].days in ("Expire dans 1\u202f095\xa0jours", "Expire dans 1\u202f096\xa0jours")
    assert len(toasts) == 1 and "est renouvelé jusqu'au" in str(toasts[0])


def test_dashboard_cannot_touch_someone_elses_domain(session, registrar):
    user = make_user(session, credits=40000)
    other = make_user(session)
    theirs = _registered(session, registrar, other, "pasamoi.cm")
    before = registrar.details("pasamoi.cm").expires_at
    state = _state(DashboardDomainsState)
    state.auth_token = _login(session, user)
    state.load()
    for bad in (theirs.id, str(theirs.id), "x", None):
        assert state.set_years(bad, "2") is not None
        assert _run(state.renew(bad)) is not None
    session.expire_all()
    assert session.get(User, user.id).credits == 40000
    assert registrar.details("pasamoi.cm").expires_at == before  # not renewed


def test_dashboard_without_login_shows_nothing_and_renews_nothing(session, registrar):
    user = make_user(session, credits=40000)
    mine = _registered(session, registrar, user, "anonyme.cm")
    state = _state(DashboardDomainsState)
    state.load()
    assert state.rows == []
    assert _run(state.renew(mine.id)) is not None
    session.expire_all()
    assert session.get(User, user.id).credits == 40000


def test_a_pending_registration_is_shown_without_a_renew_price(session, registrar):
    user = make_user(session, credits=40000)
    session.add(DomainPurchase(user_id=user.id, domain="attente.cm", price=15000,
                               registrar_status=RegistrarStatus.unknown, created_at=utcnow()))
    session.commit()
    state = _state(DashboardDomainsState)
    state.auth_token = _login(session, user)
    state.load()
    assert state.rows[0].pending and state.rows[0].expires == ""
    assert _run(state.renew(state.rows[0].id)) is not None
    session.expire_all()
    assert session.get(User, user.id).credits == 40000
