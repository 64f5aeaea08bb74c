"""The JSON catalogue for integrations."""

from starlette.testclient import TestClient

from kmerhosting.api import api
from kmerhosting.core.pricing import duration_price

from .factories import make_pack


def test_api_packs_lists_active_packs_with_prices_by_duration(session):
    pro = make_pack(session, monthly_price=5000, slug="pro-api", sort_order=1)
    make_pack(session, monthly_price=9999, slug="hidden-api", is_active=False)
    body = TestClient(api).get("/api/packs").json()
    assert body["currency"] == "XAF"
    assert [p["slug"] for p in body["packs"]] == ["pro-api"]
    prices = body["packs"][0]["prices"]
    assert [p["months"] for p in prices] == [1, 3, 6, 12, 24, 36]
    for p in prices:
        expected = duration_price(pro.monthly_price, p["months"])
        assert (p["price"], p["monthly_equivalent"], p["saving"], p["discount_percent"]) == \
            (expected.price, expected.monthly_equivalent, expected.saving, expected.discount_percent)
        assert isinstance(p["price"], int)


def test_api_health():
    assert TestClient(api).get("/api/health").json() == {"status": "ok"}
