"""DOMAIN_PRICING=api: the cart, the checkout page and the charge all use the registrar's price (never
the fixed table's), asked again off the request path when it is older than DOMAIN_QUOTE_MINUTES."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

import kmerhosting.kmerhosting  # noqa: F401  (registers the pages and states)
from kmerhosting.core import cart, checkout
from kmerhosting.core.ledger import ledger_sum
from kmerhosting.integrations.registrar.factory import set_registrar_override
from kmerhosting.integrations.registrar.sandbox import SandboxRegistrar
from kmerhosting.models import CartItem, Transaction, TransactionKind, User, utcnow

from .background import run_background
from .factories import make_pack, make_user
from .test_cart_state import login, state_of

REGISTRAR_PRICE = 18300  # the sandbox's 25 USD for a .cm x 610 XAF x 1.2, rounded up to 100


@pytest.fixture(autouse=True)
def api_pricing(engine, configure):
    configure(DOMAIN_PRICING="api", DOMAIN_API_RATE_XAF="610", DOMAIN_API_MARGIN_PERCENT="20",
              DOMAIN_QUOTE_MINUTES="30")
    set_registrar_override(SandboxRegistrar())
    yield
    set_registrar_override(None)


def _cart_with_new_domain(session, user, domain="cher.cm", years=1):
    item = cart.add_pack(session, user_id=user.id, visitor_key=None, pack_id=make_pack(session).id, months=12)
    cart.choose_new_domain(session, user_id=user.id, visitor_key=None, item_id=item.id, domain=domain, years=years)
    session.commit()
    return item


def _age_quotes(session, minutes: int) -> None:
    session.execute(sa.update(CartItem).values(domain_priced_at=utcnow() - timedelta(minutes=minutes)))
    session.commit()


def test_checkout_charges_the_registrars_price_not_the_fixed_table(session):
    user = make_user(session, credits=500_000)
    _cart_with_new_domain(session, user)

    preview = checkout.checkout_preview(session, user.id)
    line = preview.lines[0]
    assert (line.domain_price, line.problem, preview.can_pay) == (REGISTRAR_PRICE, "", True)

    result = checkout.pay(session, user.id, uuid.uuid4().hex, preview.total)

    debit = session.exec(select(Transaction).where(Transaction.order_id == result.order_id,
                                                   Transaction.kind == TransactionKind.domain)).one()
    assert debit.amount == -REGISTRAR_PRICE  # 15 000 would be below what the registrar charges us
    session.expire_all()
    assert session.get(User, user.id).credits == ledger_sum(session, user.id)


def test_a_domain_only_line_and_a_change_of_years_keep_the_registrars_price(session):
    user = make_user(session, credits=500_000)
    item = cart.add_domain_item(session, user_id=user.id, visitor_key=None, domain="seul.cm", years=1)
    cart.set_domain_years(session, user_id=user.id, visitor_key=None, item_id=item.id, years=2)
    session.commit()
    line = checkout.checkout_preview(session, user.id).lines[0]
    assert (line.domain_price, line.problem) == (2 * REGISTRAR_PRICE, "")


def test_an_old_price_blocks_payment_until_the_registrar_is_asked_again(session):
    user = make_user(session, credits=500_000)
    _cart_with_new_domain(session, user)
    _age_quotes(session, 31)

    preview = checkout.checkout_preview(session, user.id)
    assert preview.lines[0].problem == checkout.PRICE_STALE and not preview.can_pay
    with pytest.raises(checkout.CheckoutChanged):
        checkout.pay(session, user.id, uuid.uuid4().hex, preview.total)
    session.rollback()

    assert cart.requote_domains(user_id=user.id, visitor_key=None) == []
    preview = checkout.checkout_preview(session, user.id)
    assert (preview.lines[0].domain_price, preview.lines[0].problem, preview.can_pay) == (REGISTRAR_PRICE, "", True)


def test_a_domain_taken_meanwhile_is_named_when_prices_are_asked_again(session):
    user = make_user(session, credits=500_000)
    item = _cart_with_new_domain(session, user, domain="bientot.cm")
    row = session.get(CartItem, item.id)
    row.domain = "takenmeanwhile.cm"  # registered by someone else since it was chosen
    session.add(row)
    session.commit()
    _age_quotes(session, 31)
    assert cart.requote_domains(user_id=user.id, visitor_key=None) == ["takenmeanwhile.cm"]
    assert not checkout.checkout_preview(session, user.id).can_pay


def test_the_checkout_page_asks_again_off_the_event_loop_then_lets_the_customer_pay(session):
    from kmerhosting.state.checkout import CheckoutState

    user = make_user(session, credits=500_000)
    _cart_with_new_domain(session, user)
    _age_quotes(session, 31)
    s = state_of(CheckoutState)
    s.auth_token = login(session, user)

    follow_up = s.load_checkout()

    assert follow_up == CheckoutState.requote_prices and not s.can_pay  # the page says it is checking
    run_background(s, "requote_prices")
    assert s.can_pay and not s.checking_prices
    assert f"{REGISTRAR_PRICE:,}".replace(",", "\u202f") in s.items[0].domain_price
