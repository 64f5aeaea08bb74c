"""Logging out, or being logged out (expired, idle, blocked, logged out elsewhere, password changed),
leaves nothing of the user in any page state of the tab: shared and cybercafé computers are common,
and a reload sends every state of the tab to the browser again.

The tests walk the app's own state tree and page list, so a page or a state added later is covered
without touching them. SQLite and MariaDB.
"""

from __future__ import annotations

import inspect
import re
from datetime import timedelta

import pytest
import reflex as rx
from reflex import constants
from reflex.event import Event
from reflex.istate.data import RouterData
from sqlmodel import select

import kmerhosting.kmerhosting as shop
from kmerhosting.core import accounts, cart, passwords
from kmerhosting.core.admin import users as admin_users
from kmerhosting.models import (AuthSession, CreditRequest, DomainPurchase, RegistrarStatus, Role, Transaction,
                                utcnow)
from kmerhosting.pages.registry import PAGES
from kmerhosting.state.auth import LoginState, NavState
from kmerhosting.state.base import BaseState
from kmerhosting.state.dashboard_services import ServicesState
from kmerhosting.state.tab_guard import ForgetEndedLogins

from .background import run_async
from .background import substate as instance
from .factories import make_pack, make_service, make_user
from .test_accounts_support import make_state

NAME, EMAIL, PHONE = "Zanele Mbarga", "zanele.mbarga@example.cm", "+237699887766"
DOMAIN, BOUGHT, REFERENCE = "zanele-boutique.cm", "zanele-nom.cm", "MOMO-ZANELE-4242"
MARKERS = [NAME, EMAIL, DOMAIN, BOUGHT, REFERENCE, "699887766", "99 88 77 66"]


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda p: passwords.hash_password(p, rounds=4))
    monkeypatch.setattr(accounts, "_dummy_hash", lambda: passwords.hash_password("unused", rounds=4))


@pytest.fixture
def world(session):
    customer = make_user(session, email=EMAIL, phone=PHONE, credits=250_000)
    customer.name = NAME
    session.add(customer)
    session.commit()
    admin = make_user(session, email="boss@kmerhosting.cm", role=Role.admin)
    pack = make_pack(session, slug="pro", name="Pro")
    service = make_service(session, customer, pack, domain=DOMAIN, days_left=20)
    session.add(DomainPurchase(user_id=customer.id, service_id=service.id, domain=BOUGHT, price=15000,
                               registrar_status=RegistrarStatus.registered, expires_at=utcnow() + timedelta(days=300)))
    session.add(CreditRequest(user_id=customer.id, amount=50_000, payment_method="mtn_momo",
                              payment_reference=REFERENCE))
    session.add(Transaction(user_id=customer.id, kind="credit", amount=1000, balance_after=251_000,
                            reference=REFERENCE, description=f"top-up {REFERENCE}"))
    session.commit()
    cart.add_pack(session, user_id=customer.id, visitor_key=None, pack_id=pack.id, months=12)
    session.commit()
    return {"customer": customer, "admin": admin, "pack": pack, "service": service}


# --- the tab, as the app holds it ------------------------------------------------------------------


def route(root, path: str, query: dict | None = None) -> None:
    query = query or {}
    root.router = RouterData.from_router_data({
        constants.RouteVar.PATH: path, constants.RouteVar.ORIGIN: path, constants.RouteVar.QUERY: query,
        constants.RouteVar.CLIENT_IP: "10.0.0.7"})


def run(handler, root, *args):
    result = handler.fn(instance(root, handler.state), *args)
    if inspect.isgenerator(result):
        result = list(result)
    elif inspect.iscoroutine(result):
        result = run_async(result)
    return result


def app_states(state) -> list:
    """Every state of the tab that the app defines (Reflex's own internal states left out)."""
    found = [state] if type(state).__module__.startswith("kmerhosting.") else []
    for sub in state.substates.values():
        found.extend(app_states(sub))
    return found


def own_fields(state) -> dict:
    """Each var this state class declares (backend-only `_` vars included), with its default."""
    cls = type(state)
    return {name: f for name, f in cls.__fields__.items() if f._owner is cls}


def dump(root) -> str:
    return repr([(type(s).__name__, {n: getattr(s, n) for n in own_fields(s)}) for s in app_states(root)])


def log_in(session, root, email: str) -> None:
    route(root, "/auth/login")
    login = instance(root, LoginState)
    login.submit({"email": email, "password": "password-123"})
    assert login.auth_token, login.message


def visit_every_page(root, world) -> None:
    """Each page's on_load, as the browser triggers it, with the route it runs on."""
    params = {"slug": world["pack"].slug, "uid": str(world["customer"].id)}
    for _render, page in PAGES:
        path = page["route"]
        if path == "/auth/logout":
            continue
        handlers = page.get("on_load") or []
        for name, value in params.items():
            path = path.replace(f"[{name}]", value)
        route(root, path, {k: v for k, v in params.items() if f"[{k}]" in page["route"]})
        for handler in handlers if isinstance(handlers, list) else [handlers]:
            run(handler, root)
    # What a customer opens on the pages, beyond their loads.
    route(root, "/dashboard/services")
    run(ServicesState.open_renew, root, world["service"].id)


def assert_tab_is_empty(root, *, lang: str, token: str = "") -> None:
    for state in app_states(root):
        for name, f in own_fields(state).items():
            if name == "lang":
                assert state.lang == lang  # the visitor's language choice stays
            elif name == "auth_token":
                assert state.auth_token == token
            else:
                assert getattr(state, name) == f.default_value(), f"{type(state).__name__}.{name} kept a value"
    left = [m for m in MARKERS if m in dump(root)]
    assert not left, left


def filled_tab(session, world, who: str):
    root, _ = make_state(NavState, path="/", lang="en")
    log_in(session, root, world[who].email)
    visit_every_page(root, world)
    held = dump(root)
    # What the pages showed (the admin's pages show the customer): the check below is not vacuous.
    expected = [NAME, EMAIL, DOMAIN, BOUGHT, REFERENCE, "99 88 77 66"] if who == "customer" else [NAME, EMAIL]
    assert all(m in held for m in expected), [m for m in expected if m not in held]
    return root


def test_the_tests_cover_every_page_state():
    """The walk finds the states by itself: every state class the app defines is in a tab's tree."""
    root, _ = make_state(NavState)
    found = {type(s) for s in app_states(root)}
    assert found == {BaseState, *all_subclasses(BaseState)}
    assert len(found) >= 25
    assert len(PAGES) >= 25


def all_subclasses(cls) -> set:
    subs = set(cls.get_substates())
    for sub in list(subs):
        subs |= all_subclasses(sub)
    return subs


# --- logging out ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["customer", "admin"])
def test_logging_out_leaves_nothing_of_the_user_in_any_page_state(session, world, who):
    root = filled_tab(session, world, who)
    token = instance(root, BaseState).auth_token

    events = run(NavState.logout, root)  # the navbar's button

    assert any("redirect" in str(e) for e in events)
    assert_tab_is_empty(root, lang="en")
    session.expire_all()
    row = session.exec(select(AuthSession).where(AuthSession.revoked_at.is_(None))).all()
    assert token not in {r.token_hash for r in row} and len(row) == 0


# --- being logged out ---------------------------------------------------------------------------------


def _end_login(session, world, how: str) -> None:
    customer = world["customer"]
    if how == "logged_out_elsewhere":
        for row in session.exec(select(AuthSession)):
            row.revoked_at = utcnow()
    elif how == "expired":
        for row in session.exec(select(AuthSession)):
            row.expires_at = utcnow() - timedelta(seconds=1)
    elif how == "idle":
        for row in session.exec(select(AuthSession)):
            row.last_seen_at = utcnow() - timedelta(days=3)
    elif how == "blocked":
        admin_users.set_status(session, world["admin"].id, customer.id, "blocked")
    elif how == "password_changed":
        accounts.change_password(session, customer.id, "password-123", "Nouveau-2027-mdp")
    session.commit()


def hydrate(root):
    """The event a reload (or a reconnection) sends first: its answer is every state of the tab."""
    event = Event(name=f"{rx.State.get_full_name()}.hydrate_and_load", payload={})
    return run_async(ForgetEndedLogins().preprocess(app=shop.app, state=root, event=event))


@pytest.mark.parametrize("how", ["logged_out_elsewhere", "expired", "idle", "blocked", "password_changed"])
def test_a_login_ended_elsewhere_is_emptied_from_the_tab_before_its_next_event(session, world, how):
    root = filled_tab(session, world, "customer")
    token = instance(root, BaseState).auth_token
    _end_login(session, world, how)

    assert hydrate(root) is None  # the reload itself goes on, with nothing of the user left to send

    # A blocked account's tab keeps its token (revoked: it logs nobody in) so that it goes on saying the
    # account is blocked and how to reach support; nothing else of the user stays.
    assert_tab_is_empty(root, lang="en", token=token if how == "blocked" else "")


def test_another_users_login_in_the_tab_keeps_its_token_and_none_of_the_first_users_data(session, world):
    root = filled_tab(session, world, "customer")
    other = make_user(session, email="voisin@example.cm")
    newcomer = accounts.login(session, other.email, "password-123").token
    session.commit()
    instance(root, BaseState).auth_token = newcomer  # logged in in another tab of the same browser

    hydrate(root)

    assert_tab_is_empty(root, lang="en", token=newcomer)


def test_a_tab_whose_login_is_still_valid_keeps_its_pages(session, world):
    root = filled_tab(session, world, "customer")
    before = dump(root)
    hydrate(root)
    assert dump(root) == before


def test_the_app_runs_the_tab_guard_before_every_event():
    assert any(isinstance(m, ForgetEndedLogins) for m in shop.app._middlewares)


def test_no_page_state_keeps_a_raw_secret_after_logout(session, world):
    """Nothing that looks like a session token or a checkout key stays either."""
    root = filled_tab(session, world, "customer")
    run(NavState.logout, root)
    assert not re.search(r"[A-Za-z0-9_-]{32,}", dump(root))
