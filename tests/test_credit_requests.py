"""Credit requests: integer amounts within the limits, cancel by the owner while pending, own list only."""

from __future__ import annotations

import pytest
from sqlmodel import select

from kmerhosting.core import credit_requests as cr
from kmerhosting.core.errors import InvalidInput, NotFound
from kmerhosting.models import CreditRequest, CreditRequestStatus, PaymentMethod, User
from tests.factories import make_user


def _count(session) -> int:
    return len(session.exec(select(CreditRequest)).all())


def test_a_valid_request_is_recorded_pending_and_changes_no_balance(session):
    user = make_user(session)
    req = cr.create_request(session, user.id, "25 000", "mtn_momo", "  MP241124.1530.A12345 ")
    assert (req.amount, req.payment_method, req.payment_reference, req.status) == (
        25_000, PaymentMethod.mtn_momo, "MP241124.1530.A12345", CreditRequestStatus.pending)
    assert session.get(User, user.id).credits == 0


@pytest.mark.parametrize("amount,key", [
    (0, "error.amount_positive"), (-5, "error.amount_positive"), ("-5", "error.amount_positive"),
    (10.5, "error.amount_not_integer"), ("10.5", "error.amount_not_integer"), ("abc", "error.amount_not_integer"),
    ("", "error.amount_not_integer"), (None, "error.amount_not_integer"), (True, "error.amount_not_integer"),
    (1000.0, "error.amount_not_integer"), ("1e6", "error.amount_not_integer"),
    (999, "dashboard.credit_amount_range"), (5_000_001, "dashboard.credit_amount_range"),
    ("99999999999999999999", "error.amount_not_integer"),
])
def test_bad_amounts_get_a_clear_message_and_write_nothing(session, amount, key):
    user = make_user(session)
    with pytest.raises(InvalidInput) as err:
        cr.create_request(session, user.id, amount, "orange_money", "REF-123")
    assert err.value.key == key
    assert err.value.message("fr") and "{" not in err.value.message("en")
    assert _count(session) == 0


def test_the_limits_come_from_configuration_and_read_as_money(session, configure):
    configure(CREDIT_REQUEST_MIN="5000", CREDIT_REQUEST_MAX="20000")
    user = make_user(session)
    with pytest.raises(InvalidInput) as err:
        cr.create_request(session, user.id, 4999, "cash", "REF-123")
    assert err.value.message("en") == "The amount must be between 5,000\xa0FCFA and 20,000\xa0FCFA."
    with pytest.raises(InvalidInput):
        cr.create_request(session, user.id, 20_001, "cash", "REF-123")
    assert cr.create_request(session, user.id, 20_000, "cash", "REF-123").amount == 20_000
    assert _count(session) == 1


@pytest.mark.parametrize("method", ["paypal", "", None, 1, "MTN_MOMO"])
def test_the_payment_method_must_be_one_of_the_list(session, method):
    user = make_user(session)
    with pytest.raises(InvalidInput) as err:
        cr.create_request(session, user.id, 5000, method, "REF-123")
    assert err.value.key == "dashboard.credit_method_invalid" and _count(session) == 0


@pytest.mark.parametrize("reference", ["", "  ", "ab", "x" * 101, None, 12345])
def test_the_payment_reference_must_be_3_to_100_characters(session, reference):
    user = make_user(session)
    with pytest.raises(InvalidInput) as err:
        cr.create_request(session, user.id, 5000, "bank_transfer", reference)
    assert err.value.key == "dashboard.credit_reference_length" and _count(session) == 0


def test_too_many_pending_requests_are_refused(session):
    user = make_user(session)
    for n in range(cr.MAX_PENDING):
        cr.create_request(session, user.id, 5000, "cash", f"REF-{n:03d}")
    with pytest.raises(InvalidInput):
        cr.create_request(session, user.id, 5000, "cash", "REF-999")
    assert _count(session) == cr.MAX_PENDING


def test_the_owner_cancels_a_pending_request(session):
    user = make_user(session)
    req = cr.create_request(session, user.id, 5000, "cash", "REF-123")
    cr.cancel_request(session, user.id, req.id)
    session.refresh(req)
    assert req.status == CreditRequestStatus.cancelled


def test_another_customer_cannot_cancel_it(session):
    owner, other = make_user(session), make_user(session)
    req = cr.create_request(session, owner.id, 5000, "cash", "REF-123")
    for request_id in (req.id, 999_999, "1", None, True):
        with pytest.raises(NotFound):
            cr.cancel_request(session, other.id, request_id)
    session.refresh(req)
    assert req.status == CreditRequestStatus.pending


@pytest.mark.parametrize("status", [CreditRequestStatus.approved, CreditRequestStatus.rejected,
                                    CreditRequestStatus.cancelled])
def test_a_decided_request_cannot_be_cancelled(session, status):
    user = make_user(session)
    req = cr.create_request(session, user.id, 5000, "cash", "REF-123")
    req.status = status
    session.add(req)
    session.commit()
    with pytest.raises(InvalidInput) as err:
        cr.cancel_request(session, user.id, req.id)
    assert err.value.key == "dashboard.credit_not_pending"
    session.refresh(req)
    assert req.status == status


def test_the_list_shows_only_the_owners_requests_newest_first(session):
    a, b = make_user(session), make_user(session)
    first = cr.create_request(session, a.id, 5000, "cash", "A-1")
    cr.create_request(session, b.id, 7000, "cash", "B-1")
    second = cr.create_request(session, a.id, 6000, "mtn_momo", "A-2")
    assert [r.id for r in cr.list_requests(session, a.id)] == [second.id, first.id]
    assert [r.payment_reference for r in cr.list_requests(session, b.id)] == ["B-1"]
