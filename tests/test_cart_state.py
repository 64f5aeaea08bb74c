"""The cart and checkout handlers as the browser calls them (any argument, any order)."""

from __future__ import annotations

import pytest
import reflex as rx
from sqlmodel import select

import kmerhosting.kmerhosting  # noqa: F401  (registers the pages and states)
from kmerhosting.core import cart
from kmerhosting.core.sessions import create_session
from kmerhosting.models import CartItem, Order, Pack, Service, Transaction
from kmerhosting.state.cart import CartState
from kmerhosting.state.checkout import CheckoutState

from .background import run_background
from .factories import make_pack, make_user, run_jobs

KEY = "k" * 40


def state_of(cls):
    root = rx.State(_reflex_internal_init=True)
    return root.get_substate(cls.get_full_name().split(".")[1:])


def login(session, user) -> str:
    token = create_session(session, user.id)
    session.commit()
    return token


def run(result):
    """Drain a generator handler (pay yields to show the spinner)."""
    if hasattr(result, "__next__"):
        return list(result)
    return result


def rows(session):
    session.expire_all()
    return [(i.id, i.user_id, i.visitor_key, i.duration_months, i.domain)
            for i in session.exec(select(CartItem).order_by(CartItem.id))]


def test_anonymous_visitor_gets_a_random_key_and_a_cart(session):
    pack = make_pack(session)
    s = state_of(CartState)
    s.load()
    assert cart.valid_visitor_key(s.visitor_key)
    s.add_pack(pack.id, "12")
    assert [(r[1], r[2], r[3]) for r in rows(session)] == [(None, s.visitor_key, 12)]
    assert len(s.lines) == 1 and not s.can_checkout  # no domain yet


@pytest.mark.parametrize("pack_id,months", [(999999, 12), ("abc", 12), (None, 12), ("PACK", "12"), ("1", "7"),
                                            ("1", "-1"), ({"x": 1}, [12])])
def test_bad_input_to_add_pack_shows_an_error_and_changes_nothing(session, pack_id, months):
    make_pack(session)
    s = state_of(CartState)
    s.load()
    pid = session.exec(select(Pack.id)).first() if pack_id == "1" else pack_id
    assert s.add_pack(pid, months) is not None
    assert rows(session) == []


def test_visitor_cart_merges_when_the_logged_in_cart_loads(session):
    user = make_user(session)
    pack = make_pack(session)
    cart.add_pack(session, user_id=None, visitor_key=KEY, pack_id=pack.id, months=6)
    session.commit()
    s = state_of(CartState)
    s.visitor_key, s.auth_token = KEY, login(session, user)
    s.load()
    assert [(r[1], r[2]) for r in rows(session)] == [(user.id, None)]
    assert s.logged_in and len(s.lines) == 1


def test_someone_elses_item_cannot_be_touched(session):
    alice, bob = make_user(session), make_user(session)
    pack = make_pack(session)
    item = cart.add_pack(session, user_id=alice.id, visitor_key=None, pack_id=pack.id, months=12)
    session.commit()
    before = rows(session)
    s = state_of(CartState)
    s.auth_token = login(session, bob)
    s.load()
    for call in (lambda: s.remove(item.id), lambda: s.set_duration(item.id, "1"),
                 lambda: s.set_domain_years(item.id, "2")):
        assert call() is not None  # an error toast
    s.dialog_item_id = item.id
    s.own_domain = "vol.cm"
    s.use_own_domain()
    assert s.dialog_error
    assert rows(session) == before


def test_domain_dialog_search_then_choose(session):
    pack = make_pack(session)
    s = state_of(CartState)
    s.load()
    s.add_pack(pack.id, 12)
    s.open_domain(s.lines[0].id)
    s.set_search_query("takenbyothers")
    run_background(s, "search_domains")
    assert s.offers and not any(o.available for o in s.offers)
    s.set_search_query("dialogue-unique-42")
    run_background(s, "search_domains")
    assert all(o.available for o in s.offers)
    s.set_years("3")
    s.choose_offer("dialogue-unique-42.cm")
    assert not s.dialog_open and s.lines[0].domain == "dialogue-unique-42.cm" and s.can_checkout
    s.open_domain(s.lines[0].id)
    s.choose_offer("bad domain")
    assert s.dialog_error and s.lines[0].domain == "dialogue-unique-42.cm"


def test_checkout_key_stays_on_the_server_and_paying_twice_charges_once(session):
    user = make_user(session, credits=500_000)
    pack = make_pack(session)
    item = cart.add_pack(session, user_id=user.id, visitor_key=None, pack_id=pack.id, months=12)
    cart.choose_own_domain(session, user_id=user.id, visitor_key=None, item_id=item.id, domain="tabs.cm")
    session.commit()
    s = state_of(CheckoutState)
    s.auth_token = login(session, user)
    s.load_checkout()
    assert s.can_pay and s._checkout_key
    sent = str(s.dict())
    assert s._checkout_key not in sent and "_previewed_total" not in sent
    run(s.pay())
    assert s.paid and s.result.status == "paid"
    first = s.result.order_id
    s.paid = False
    run(s.pay())  # the same event replayed
    assert s.result.order_id == first
    session.expire_all()
    assert len(session.exec(select(Order)).all()) == 1
    assert len(session.exec(select(Service)).all()) == 1
    assert len(session.exec(select(Transaction).where(Transaction.amount < 0)).all()) == 1


def test_checkout_refuses_a_price_changed_after_the_page_loaded(session):
    user = make_user(session, credits=500_000)
    pack = make_pack(session, monthly_price=2000)
    item = cart.add_pack(session, user_id=user.id, visitor_key=None, pack_id=pack.id, months=12)
    cart.choose_own_domain(session, user_id=user.id, visitor_key=None, item_id=item.id, domain="change.cm")
    session.commit()
    s = state_of(CheckoutState)
    s.auth_token = login(session, user)
    s.load_checkout()
    session.get(Pack, pack.id).monthly_price = 2100
    session.commit()
    run(s.pay())
    assert not s.paid and s.error and s.has_price_change and not s.can_pay
    session.expire_all()
    assert session.exec(select(Order)).all() == []
    s.accept_prices()
    assert s.can_pay


def test_checkout_needs_a_login(session):
    s = state_of(CheckoutState)
    s.load_checkout()
    assert s.empty and not s.can_pay


def test_after_a_refused_domain_the_customer_gives_the_hosting_another_domain(session, monkeypatch):
    from kmerhosting.core import checkout
    from kmerhosting.integrations.registrar import RegistrarDomainTaken
    from kmerhosting.integrations.registrar.factory import set_registrar_override

    from .test_checkout import FailingRegistrar

    user = make_user(session, credits=500_000)
    pack = make_pack(session)
    item = cart.add_pack(session, user_id=user.id, visitor_key=None, pack_id=pack.id, months=12)
    cart.choose_new_domain(session, user_id=user.id, visitor_key=None, item_id=item.id, domain="refuse-moi.cm",
                           years=1)
    session.commit()
    s = state_of(CheckoutState)
    s.auth_token = login(session, user)
    s.load_checkout()
    events = run(s.pay())
    assert s.paid and s.result.status == "pending" and CheckoutState.watch_order in events
    assert any("refuse-moi.cm" in note for note in s.result.notes)  # being registered
    assert s.result.title == f"Commande n°\xa0{s.result.order_id}"
    set_registrar_override(FailingRegistrar(RegistrarDomainTaken("exists", code=2302)))
    try:
        run_jobs()  # the worker's registration: refused
    finally:
        set_registrar_override(None)
    monkeypatch.setattr("kmerhosting.state.checkout.WATCH_EVERY", 0.01)
    run_background(s, "watch_order")  # the result panel follows the order
    assert s.paid and s.result.status == "partial" and s.result.needs_domain
    assert any("refuse-moi.cm" in note for note in s.result.notes)
    service_id = s.result.lines[0].service_id
    # A domain to buy that the registrar says is taken: refused, and the hosting keeps its domain
    # (the change and the cart line are one transaction).
    s.set_new_domain(str(service_id), "taken-deja.cm")
    assert run_background(s, "retry_with_domain", str(service_id), "register")  # an error toast
    session.expire_all()
    assert session.get(Service, service_id).domain == "refuse-moi.cm"
    s.set_new_domain(str(service_id), "bad domain")
    assert run_background(s, "retry_with_domain", str(service_id), "own")  # error toast
    s.set_new_domain(str(service_id), "deja-a-moi.cm")
    run_background(s, "retry_with_domain", str(service_id), "own")
    session.expire_all()
    assert session.get(Service, service_id).domain == "deja-a-moi.cm"
    other = make_user(session)
    s.auth_token = login(session, other)  # someone else cannot move this service
    s.set_new_domain(str(service_id), "vole.cm")
    assert run_background(s, "retry_with_domain", str(service_id), "own")
    session.expire_all()
    assert session.get(Service, service_id).domain == "deja-a-moi.cm"
    assert checkout.order_messages("", "fr") == []
