"""The cart: lines per user and per anonymous visitor, durations, domains, bad input changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from kmerhosting.core import cart
from kmerhosting.core.errors import DomainUnavailable, InvalidDuration, InvalidInput
from kmerhosting.core.pricing import duration_price
from kmerhosting.models import CartItem, DomainMode

from .factories import make_pack, make_service, make_user

KEY = "v" * 40
OTHER_KEY = "w" * 40


def _snapshot(session):
    session.expire_all()
    return [(i.id, i.user_id, i.visitor_key, i.pack_id, i.duration_months, i.domain, i.domain_mode,
             i.domain_years, i.quoted_price) for i in session.exec(select(CartItem).order_by(CartItem.id))]


def test_anonymous_visitor_adds_a_pack_priced_by_duration(session):
    pack = make_pack(session, monthly_price=2500)
    item = cart.add_pack(session, user_id=None, visitor_key=KEY, pack_id=pack.id, months=12)
    session.commit()
    assert item.quoted_price == duration_price(2500, 12).price
    assert [i.id for i in cart.cart_items(session, user_id=None, visitor_key=KEY)] == [item.id]
    assert cart.cart_items(session, user_id=None, visitor_key=OTHER_KEY) == []


def test_visitor_key_never_reaches_an_accounts_items(session):
    user = make_user(session)
    pack = make_pack(session)
    mine = cart.add_pack(session, user_id=user.id, visitor_key=None, pack_id=pack.id, months=1)
    mine.visitor_key = KEY  # even a row carrying the same key stays the account's
    session.commit()
    assert cart.cart_items(session, user_id=None, visitor_key=KEY) == []
    with pytest.raises(InvalidInput):
        cart.remove_item(session, user_id=None, visitor_key=KEY, item_id=mine.id)


def test_short_or_malformed_visitor_keys_have_no_cart(session):
    pack = make_pack(session)
    for key in ("", "abc", None, "x" * 31, "bad key with spaces and more than thirty-two"):
        with pytest.raises(InvalidInput) as err:
            cart.add_pack(session, user_id=None, visitor_key=key, pack_id=pack.id, months=1)
        assert err.value.key == "shop.error.no_cart"
    assert _snapshot(session) == []


def test_visitor_cart_merges_into_the_account_at_login(session):
    user = make_user(session)
    pack = make_pack(session)
    cart.add_pack(session, user_id=None, visitor_key=KEY, pack_id=pack.id, months=3)
    cart.add_pack(session, user_id=user.id, visitor_key=None, pack_id=pack.id, months=6)
    cart.add_pack(session, user_id=None, visitor_key=OTHER_KEY, pack_id=pack.id, months=1)
    session.commit()
    assert cart.merge_visitor_cart(session, user.id, KEY) == 1
    session.commit()
    assert sorted(i.duration_months for i in cart.cart_items(session, user_id=user.id, visitor_key=None)) == [3, 6]
    assert cart.cart_items(session, user_id=None, visitor_key=KEY) == []
    assert len(cart.cart_items(session, user_id=None, visitor_key=OTHER_KEY)) == 1
    assert cart.merge_visitor_cart(session, user.id, KEY) == 0


def test_change_duration_reprices_and_remove_deletes(session):
    pack = make_pack(session, monthly_price=5000)
    item = cart.add_pack(session, user_id=None, visitor_key=KEY, pack_id=pack.id, months=1)
    cart.set_duration(session, user_id=None, visitor_key=KEY, item_id=item.id, months=24)
    session.commit()
    assert (item.duration_months, item.quoted_price) == (24, duration_price(5000, 24).price)
    cart.remove_item(session, user_id=None, visitor_key=KEY, item_id=item.id)
    session.commit()
    assert _snapshot(session) == []


@pytest.mark.parametrize("pack_id", [999999, "1", None, True, -1])
def test_unknown_pack_is_refused_and_changes_nothing(session, pack_id):
    make_pack(session)
    with pytest.raises(InvalidInput) as err:
        cart.add_pack(session, user_id=None, visitor_key=KEY, pack_id=pack_id, months=12)
    assert err.value.key == "shop.error.unknown_pack"
    assert _snapshot(session) == []


def test_inactive_pack_cannot_be_added(session):
    pack = make_pack(session, is_active=False)
    with pytest.raises(InvalidInput):
        cart.add_pack(session, user_id=None, visitor_key=KEY, pack_id=pack.id, months=12)


@pytest.mark.parametrize("months", [0, 2, 5, 48, "12", None, 12.0, True])
def test_duration_not_offered_is_refused_and_changes_nothing(session, months):
    pack = make_pack(session)
    item = cart.add_pack(session, user_id=None, visitor_key=KEY, pack_id=pack.id, months=12)
    session.commit()
    before = _snapshot(session)
    with pytest.raises(InvalidDuration):
        cart.add_pack(session, user_id=None, visitor_key=KEY, pack_id=pack.id, months=months)
    with pytest.raises(InvalidDuration):
        cart.set_duration(session, user_id=None, visitor_key=KEY, item_id=item.id, months=months)
    session.rollback()
    assert _snapshot(session) == before


def test_someone_elses_item_is_not_in_your_cart(session):
    alice, bob = make_user(session), make_user(session)
    pack = make_pack(session)
    theirs = cart.add_pack(session, user_id=alice.id, visitor_key=None, pack_id=pack.id, months=12)
    visitors = cart.add_pack(session, user_id=None, visitor_key=KEY, pack_id=pack.id, months=12)
    session.commit()
    before = _snapshot(session)
    for item_id in (theirs.id, visitors.id, "1", None):
        for action in (
            lambda i: cart.remove_item(session, user_id=bob.id, visitor_key=KEY, item_id=i),
            lambda i: cart.set_duration(session, user_id=bob.id, visitor_key=None, item_id=i, months=1),
            lambda i: cart.choose_own_domain(session, user_id=bob.id, visitor_key=None, item_id=i, domain="x.cm"),
        ):
            with pytest.raises(InvalidInput) as err:
                action(item_id)
            assert err.value.key == "shop.error.item_not_found"
    session.rollback()
    assert _snapshot(session) == before


def test_new_domain_is_checked_with_the_registrar_and_priced(session):
    pack = make_pack(session)
    item = cart.add_pack(session, user_id=None, visitor_key=KEY, pack_id=pack.id, months=12)
    cart.choose_new_domain(session, user_id=None, visitor_key=KEY, item_id=item.id, domain="WWW.MonSite.cm",
                           years=2)
    session.commit()
    assert (item.domain, item.domain_mode, item.domain_years, item.domain_quoted_price) == \
        ("monsite.cm", DomainMode.register, 2, 30000)


@pytest.mark.parametrize("domain,years,error", [
    ("takenname.cm", 1, DomainUnavailable),
    ("bad_name!.cm", 1, InvalidInput),
    ("nodot", 1, InvalidInput),
    ("fine.cm", 0, InvalidInput),
    ("fine.cm", 11, InvalidInput),
    ("fine.xyz", 1, InvalidInput),
])
def test_malformed_or_taken_new_domain_is_refused_and_changes_nothing(session, domain, years, error):
    pack = make_pack(session)
    item = cart.add_pack(session, user_id=None, visitor_key=KEY, pack_id=pack.id, months=12)
    session.commit()
    before = _snapshot(session)
    with pytest.raises(error):
        cart.choose_new_domain(session, user_id=None, visitor_key=KEY, item_id=item.id, domain=domain, years=years)
    with pytest.raises(error):
        cart.add_domain_item(session, user_id=None, visitor_key=KEY, domain=domain, years=years)
    session.rollback()
    assert _snapshot(session) == before


def test_own_domain_must_be_valid_and_not_hosted_here(session):
    user = make_user(session)
    pack = make_pack(session)
    make_service(session, user, pack, domain="deja.cm")
    make_service(session, user, pack, domain="ancien.cm", status="cancelled")
    item = cart.add_pack(session, user_id=None, visitor_key=KEY, pack_id=pack.id, months=12)
    session.commit()
    with pytest.raises(InvalidInput) as err:
        cart.choose_own_domain(session, user_id=None, visitor_key=KEY, item_id=item.id, domain="https://deja.cm/")
    assert err.value.key == "shop.error.domain_hosted"
    with pytest.raises(InvalidInput):
        cart.choose_own_domain(session, user_id=None, visitor_key=KEY, item_id=item.id, domain="-bad-.cm")
    cart.choose_own_domain(session, user_id=None, visitor_key=KEY, item_id=item.id, domain="ancien.cm")
    session.commit()
    assert (item.domain, item.domain_mode, item.domain_quoted_price) == ("ancien.cm", DomainMode.existing, 0)


def test_same_domain_twice_in_a_cart_is_refused(session):
    pack = make_pack(session)
    a = cart.add_pack(session, user_id=None, visitor_key=KEY, pack_id=pack.id, months=12)
    b = cart.add_pack(session, user_id=None, visitor_key=KEY, pack_id=pack.id, months=12)
    cart.choose_own_domain(session, user_id=None, visitor_key=KEY, item_id=a.id, domain="mien.cm")
    with pytest.raises(InvalidInput) as err:
        cart.choose_own_domain(session, user_id=None, visitor_key=KEY, item_id=b.id, domain="mien.cm")
    assert err.value.key == "shop.error.domain_in_cart"


def test_domain_only_line(session):
    user = make_user(session)
    item = cart.add_domain_item(session, user_id=user.id, visitor_key=None, domain="nouveau.com", years=3)
    session.commit()
    assert (item.pack_id, item.domain, item.domain_mode, item.domain_years, item.domain_quoted_price) == \
        (None, "nouveau.com", DomainMode.register, 3, 27000)
    with pytest.raises(InvalidInput):  # a domain line has no hosting duration
        cart.set_duration(session, user_id=user.id, visitor_key=None, item_id=item.id, months=12)


# --- anonymous carts: rate limited, purged when old -------------------------------------------------


def test_anonymous_cart_additions_are_rate_limited_per_client(session, monkeypatch):
    """Any script can invent visitor keys: what bounds the rows it writes is its address."""
    from datetime import timedelta

    from kmerhosting.core import rate_limit
    from kmerhosting.core.errors import RateLimited

    monkeypatch.setattr(rate_limit, "CART_ADD_PER_CLIENT", rate_limit.Limit("cart_add:client", 3, timedelta(minutes=10)))
    pack = make_pack(session)
    for n in range(3):
        cart.add_pack(session, user_id=None, visitor_key=f"{n}" * 40, pack_id=pack.id, months=12, client="6.6.6.6")
        session.commit()
    before = _snapshot(session)
    with pytest.raises(RateLimited):
        cart.add_pack(session, user_id=None, visitor_key="z" * 40, pack_id=pack.id, months=12, client="6.6.6.6")
    with pytest.raises(RateLimited):
        cart.add_domain_item(session, user_id=None, visitor_key="z" * 40, domain="libre.cm", years=1,
                             client="6.6.6.6")
    session.rollback()
    assert _snapshot(session) == before
    # Another address, and a logged-in customer (their cart is bounded by their account), go on.
    cart.add_pack(session, user_id=None, visitor_key="y" * 40, pack_id=pack.id, months=12, client="7.7.7.7")
    cart.add_pack(session, user_id=make_user(session).id, visitor_key=None, pack_id=pack.id, months=12,
                  client="6.6.6.6")


def test_old_visitor_carts_are_purged_and_accounts_carts_kept(session):
    from datetime import timedelta

    from kmerhosting.models import utcnow

    pack, user = make_pack(session), make_user(session)
    old = utcnow() - timedelta(days=31)
    stale = cart.add_pack(session, user_id=None, visitor_key=KEY, pack_id=pack.id, months=12)
    fresh = cart.add_pack(session, user_id=None, visitor_key=OTHER_KEY, pack_id=pack.id, months=12)
    kept = cart.add_pack(session, user_id=user.id, visitor_key=None, pack_id=pack.id, months=12)
    stale.created_at = kept.created_at = old
    session.commit()

    assert cart.purge_visitor_carts(session, older_than=timedelta(days=30)) == 1
    session.commit()
    assert {i.id for i in session.exec(select(CartItem))} == {fresh.id, kept.id}
