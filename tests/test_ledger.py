import pytest

from kmerhosting.core.errors import InsufficientCredits, InvalidInput
from kmerhosting.core.ledger import add_credits, ledger_sum, post
from kmerhosting.models import TransactionKind, User

from .factories import make_user


def test_credits_and_debits_keep_balance_equal_to_ledger(session):
    user = make_user(session)
    add_credits(session, user.id, 10000, reference="req-1")
    row = post(session, user.id, -2500, TransactionKind.purchase, reference="order-1")
    session.commit()
    assert row.balance_after == 7500
    assert session.get(User, user.id).credits == 7500 == ledger_sum(session, user.id)


def test_a_debit_beyond_the_balance_is_refused_and_changes_nothing(session):
    user = make_user(session, credits=1000)
    with pytest.raises(InsufficientCredits) as err:
        post(session, user.id, -1500, TransactionKind.purchase)
    session.rollback()
    assert err.value.missing == 500
    assert "500\xa0FCFA" in err.value.message("fr")
    assert session.get(User, user.id).credits == 1000 == ledger_sum(session, user.id)


@pytest.mark.parametrize("amount", [0, -5, 10.5, "100", True])
def test_add_credits_takes_positive_integers_only(session, amount):
    user = make_user(session)
    with pytest.raises(InvalidInput):
        add_credits(session, user.id, amount)
