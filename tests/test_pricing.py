import pytest

from kmerhosting.core.errors import InvalidDuration
from kmerhosting.core.pricing import duration_price, price_for

DISCOUNTS = {1: 0, 3: 5, 6: 10, 12: 15, 24: 20, 36: 25}


def test_price_is_monthly_times_months_less_discount_rounded_half_up_to_the_franc():
    assert price_for(2500, 12, 15) == 25500
    assert price_for(999, 3, 5) == 2847  # 2847.15 -> 2847
    assert price_for(1001, 6, 15) == 5105  # 5105.1 -> 5105
    assert price_for(1010, 3, 15) == 2576  # 2575.5 -> 2576 (half up)
    assert all(isinstance(price_for(1234, m, d), int) for m, d in DISCOUNTS.items())


def test_pack_discount_overrides_the_configured_one():
    p = duration_price(5000, 12, {"12": 30}, DISCOUNTS)
    assert (p.discount_percent, p.price, p.saving, p.monthly_equivalent) == (30, 42000, 18000, 3500)
    assert duration_price(5000, 6, {"12": 30}, DISCOUNTS).discount_percent == 10


@pytest.mark.parametrize("months", [0, 2, 13, 48, -1, "12"])
def test_durations_not_offered_are_refused(months):
    with pytest.raises(InvalidDuration):
        duration_price(2500, months, None, DISCOUNTS)
