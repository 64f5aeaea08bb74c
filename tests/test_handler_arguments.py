"""Every event handler of every State class is a public endpoint: called with anything a browser (or a
script) can send, it answers with a message or ignores the junk, never with an unhandled exception,
and no state var grows without bound. As an anonymous visitor, a customer and an admin; SQLite and
MariaDB.

The handlers are found by walking the app's state tree, so a handler added later is covered too.
Reflex's own generic `setvar` is left out: it only dispatches to our `set_*` handlers, which are here.
"""

from __future__ import annotations

import inspect
import logging
import math

import pytest
from sqlmodel import select

import kmerhosting.kmerhosting  # noqa: F401  (registers every page and state)
from kmerhosting.core import accounts, cart, passwords, sessions
from kmerhosting.models import (CreditRequest, DomainPurchase, NotificationLog, Order, RegistrarStatus, Role,
                                Service, utcnow)
from kmerhosting.state.base import BaseState

from .background import BackgroundProxy, drain, run_async
from .background import substate as instance
from .factories import make_pack, make_service, make_user
from .test_accounts_support import make_state

TEN_MB = 10 * 1024 * 1024
HOSTILE = [
    math.inf, -math.inf, math.nan,  # JSON's Infinity / -Infinity / NaN, which Python's parser accepts
    "9" * TEN_MB, "é" * (TEN_MB // 2),  # 10 MB of digits, of text
    2**63, -(2**63) - 1, 10**400, -1, 0, True, None,
    [], [1, 2, 3], {}, {"email": ["x"], "password": {"a": 1}, "amount": math.inf, "user": None},
    {"a": {"b": [1, {"c": [None, math.nan, {"d": "e" * 1000}]}]}},
    "1 2", "", "  ", "12.5", "-3", "../../etc/passwd", "<script>alert(1)</script>", "\x00\ud800", "Infinity",
]
MAX_STATE_CHARS = 200_000  # far above any page's data here, far below a 10 MB string kept
GROWTH_CALLS = 20
MAX_GROWTH_CHARS = 2_000  # what 20 more calls with new arguments may add to the tab (one more entry
# per call, kept for good, would add at least 20 x 250 characters)


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hash_password", lambda p: passwords.hash_password(p, rounds=4))
    monkeypatch.setattr(accounts, "_dummy_hash", lambda: passwords.hash_password("unused", rounds=4))


def all_state_classes() -> list[type]:
    found, todo = [], [BaseState]
    while todo:
        cls = todo.pop(0)
        found.append(cls)
        todo.extend(sorted(cls.get_substates(), key=lambda c: c.get_name()))
    return found


def all_handlers() -> list[tuple[type, str]]:
    return [(cls, name) for cls in all_state_classes() for name in cls.event_handlers if name != "setvar"]


def test_the_walk_finds_every_handler():
    names = {f"{cls.__name__}.{name}" for cls, name in all_handlers()}
    for expected in ("HostingState.set_months", "ServicesState.choose_months", "ServicesState.open_renew",
                     "BillingState.cancel_request", "CheckoutState.set_new_domain", "AdminPacksState.edit_pack",
                     "BaseState.set_language", "BaseState.logout", "CartState.add_pack", "DomainsState.add_to_cart"):
        assert expected in names
    assert len(names) >= 90


@pytest.fixture
def world(session):
    customer = make_user(session, email="client@example.cm", credits=300_000)
    admin = make_user(session, email="boss@kmerhosting.cm", role=Role.admin)
    pack = make_pack(session, slug="pro")
    make_pack(session, slug="twelve", id=12)  # what "1 2" reads as once its space is dropped
    service = make_service(session, customer, pack, domain="client-site.cm")
    session.add(DomainPurchase(user_id=customer.id, service_id=service.id, domain="client-nom.cm", price=15000,
                               registrar_status=RegistrarStatus.registered, expires_at=utcnow()))
    session.add(CreditRequest(user_id=customer.id, amount=9000, payment_method="mtn_momo", payment_reference="R-1"))
    session.add(NotificationLog(recipient=customer.email, user_id=customer.id, kind="credit_added", status="failed",
                                payload={"template": "credit_added",
                                         "context": {"name": "C", "amount": 1000, "balance": 2000, "reason": "x"}}))
    session.commit()
    cart.add_pack(session, user_id=customer.id, visitor_key=None, pack_id=pack.id, months=12)
    session.commit()
    return {"customer": customer, "admin": admin, "pack": pack, "service": service}


def call(root, cls, name, args):
    handler = cls.event_handlers[name]
    state = instance(root, cls)
    result = handler.fn(BackgroundProxy(state) if handler.is_background else state, *args)
    if inspect.isgenerator(result):
        return list(result)
    if inspect.isasyncgen(result) or inspect.iscoroutine(result):
        return run_async(drain(result))
    return result


def arity(cls, name) -> int:
    return len(list(inspect.signature(cls.event_handlers[name].fn).parameters)) - 1


def plausible(n: int, w) -> list:
    """Arguments that look right (real ids, short strings): the other positions of a hostile call."""
    return [w["service"].id, "12"][:n] + ["1"] * max(0, n - 2)


def short(value) -> str:
    text = repr(value)
    return text if len(text) < 80 else text[:60] + f"... ({len(text)} chars)"


def state_sizes(root) -> dict[str, int]:
    sizes = {}
    for cls in all_state_classes():
        state = instance(root, cls)
        own = {n: getattr(state, n) for n, f in type(state).__fields__.items() if f._owner is type(state)}
        sizes[cls.__name__] = len(repr(own))
    return sizes


class Tab:
    """One browser tab of a visitor in a role, its login renewed when a handler ended it (logout)."""

    def __init__(self, session, w, role: str):
        self.session, self.w, self.role = session, w, role
        self.root, _ = make_state(BaseState, path="/dashboard", client_ip="10.9.9.9")
        self.login()

    def login(self):
        if self.role != "anonymous":
            token = sessions.create_session(self.session, self.w[self.role].id)
            self.session.commit()
            instance(self.root, BaseState).auth_token = token

    def call(self, cls, name, args):
        try:
            return call(self.root, cls, name, args)
        finally:
            base = instance(self.root, BaseState)
            if self.role != "anonymous" and not base.auth_token:
                self.login()


@pytest.fixture
def crashes(caplog):
    """Exceptions a handler caught and turned into "unexpected error": crashes all the same."""
    caplog.set_level(logging.ERROR, logger="kmerhosting")
    return lambda: [r.getMessage() + " " + str(r.exc_info[1] if r.exc_info else "")
                    for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("kmerhosting")]


def hostile_calls(n: int, w) -> list[list]:
    """Each hostile value alone (a one-argument handler), or in each position with plausible others."""
    if n == 0:
        return [[]]
    if n == 1:
        return [[v] for v in HOSTILE]
    good = plausible(n, w)
    return [good[:i] + [v] + good[i + 1:] for i in range(n) for v in HOSTILE]


@pytest.mark.parametrize("role", ["anonymous", "customer", "admin"])
def test_every_handler_survives_hostile_arguments(session, world, role, crashes):
    tab = Tab(session, world, role)
    failures = []
    for cls, name in all_handlers():
        for args in hostile_calls(arity(cls, name), world):
            try:
                tab.call(cls, name, args)
            except Exception as exc:  # noqa: BLE001
                failures.append(f"{cls.__name__}.{name}({', '.join(map(short, args))}): {type(exc).__name__}: "
                                f"{str(exc)[:120]}")
    assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} in all)"
    assert not crashes(), crashes()[:20]
    too_big = {k: v for k, v in state_sizes(tab.root).items() if v > MAX_STATE_CHARS}
    assert not too_big, too_big


@pytest.mark.parametrize("role", ["anonymous", "customer", "admin"])
def test_no_state_var_grows_with_the_number_of_calls(session, world, role, crashes):
    """Each handler called again and again with new ids and texts leaves the tab's size bounded."""
    tab = Tab(session, world, role)
    grown = {}
    for cls, name in all_handlers():
        n = arity(cls, name)
        if not n or name == "logout":
            continue

        def calls(first: int, count: int):
            for i in range(first, first + count):
                tab.call(cls, name, [world["service"].id + i if k == 0 else f"n{i}-{'x' * 240}.cm" for k in range(n)])

        calls(0, 2)
        before = sum(state_sizes(tab.root).values())
        calls(2, GROWTH_CALLS)
        growth = sum(state_sizes(tab.root).values()) - before
        if growth > MAX_GROWTH_CHARS:
            grown[f"{cls.__name__}.{name}"] = growth
    assert not grown, grown
    assert not crashes(), crashes()[:20]


def test_an_order_or_service_id_beyond_64_bits_is_not_found(session, world):
    """The five reported first, in the words the customer reads."""
    tab = Tab(session, world, "customer")
    from kmerhosting.state.dashboard_billing import BillingState
    from kmerhosting.state.dashboard_services import ServicesState
    from kmerhosting.state.hosting import HostingState

    for args in ([2**63], ["9" * TEN_MB]):
        event = tab.call(ServicesState, "open_renew", args)
        assert "Not found" in str(event) or "introuvable" in str(event)
    assert tab.call(BillingState, "cancel_request", [2**63]) is not None
    assert tab.call(HostingState, "set_months", [math.inf]) is not None
    tab.call(ServicesState, "choose_months", [math.inf])
    assert instance(tab.root, ServicesState).renew_months == 12
    session.expire_all()
    assert session.exec(select(Order)).all() == [] and len(session.exec(select(Service)).all()) == 1


def test_the_argument_parsers_take_only_what_they_promise():
    from kmerhosting.core import args
    from kmerhosting.core.errors import InvalidInput, NotFound

    assert args.parse_id(" 42 ") == args.parse_id(42) == 42 and args.parse_id(2**62) == 2**62
    for bad in (0, -1, 2**62 + 1, 2**63, 1.0, math.inf, math.nan, True, None, "1 2", "9" * 20, "4.2", [], {}):
        with pytest.raises(NotFound):
            args.parse_id(bad)
    with pytest.raises(NotFound):
        args.parse_id("42", from_text=False)
    assert args.parse_int("12", 1, 36) == 12 and args.parse_int(-3, -5, 5) == -3
    for bad in (37, 0, "1e3", math.inf, 12.0, "9" * TEN_MB, None):
        with pytest.raises(InvalidInput):
            args.parse_int(bad, 1, 36)
    assert args.parse_text(None, 5) == "" and args.parse_text("abcdefgh", 5) == "abcde"
    with pytest.raises(InvalidInput):
        args.parse_text(["a"], 5)
    assert args.parse_choice("fr", ("fr", "en")) == "fr"
    with pytest.raises(InvalidInput):
        args.parse_choice(["fr"], ("fr", "en"))  # unhashable: refused, not a TypeError
    assert args.parse_flag(True) and not args.parse_flag("true") and not args.parse_flag(1)
    form = args.parse_form({"a": "x" * 5000, "b": True, "c": 7, "d": 1.5, "e": ["x"], 3: "y", "f" * 100: "z"})
    assert form == {"a": "x" * args.MAX_FIELD_LENGTH, "b": "on", "c": "7"}
    assert args.parse_form([("a", "b")]) == {} and len(args.parse_form({str(i): "v" for i in range(500)})) == 60
    assert args.or_none(args.parse_id, "nope") is None
