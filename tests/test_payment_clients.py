"""The Notch Pay and Campay clients against fake gateways speaking their wire protocols.

Every test asserts on what the fake received, so none can pass without the real client having
spoken to it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time

import pytest

from kmerhosting.config import load_settings
from kmerhosting.integrations.payments import (
    CANCELED,
    COMPLETE,
    EXPIRED,
    FAILED,
    MTN,
    ORANGE,
    PENDING,
    GatewayRejected,
    GatewayUnavailable,
    InvalidWebhook,
)
from kmerhosting.integrations.payments.campay import CampayGateway, verify_jwt
from kmerhosting.integrations.payments.notchpay import NotchPayGateway

from .fake_campay import (
    b64url,
    campay_client,
    campay_gateway_fixture,  # noqa: F401  (fixture)
    fake_campay_fixture,  # noqa: F401  (fixture)
    make_jwt,
)
from .fake_gateway import webhook_receiver_fixture  # noqa: F401  (fixture)
from .fake_notchpay import (
    PUBLIC_KEY,
    fake_notchpay_fixture,  # noqa: F401  (fixture)
    notchpay_client,
    notchpay_gateway_fixture,  # noqa: F401  (fixture)
)

MTN_PHONE = "237677000001"
ORANGE_PHONE = "237699000002"


def start_args(reference: str = "KH-TOPUP-0001", *, amount: int = 5000, operator: str = MTN,
               phone: str = MTN_PHONE) -> dict:
    return {"reference": reference, "amount": amount, "currency": "XAF", "operator": operator, "phone": phone,
            "description": "KmerHosting top-up", "customer_name": "Awa Nkemelu", "customer_email": "awa@example.cm"}


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


# =================================================================================================
# Notch Pay
# =================================================================================================


def test_notchpay_happy_path_start_pending_then_complete(fake_notchpay, notchpay_gateway):
    started = notchpay_gateway.start(**start_args())

    assert started.status == PENDING
    assert started.gateway_reference.startswith("trx.test_")
    assert started.ussd_code == "*126#"
    assert started.redirect_url == f"https://pay.notchpay.co/{started.gateway_reference}"
    assert [(r.method, r.path, r.operation) for r in fake_notchpay.requests] == [
        ("GET", "/payments/KH-TOPUP-0001", "retrieve"),
        ("POST", "/payments", "initialize"),
        ("POST", f"/payments/{started.gateway_reference}", "charge"),
    ]
    for record in fake_notchpay.requests:
        assert record.headers["authorization"] == PUBLIC_KEY
        assert record.headers["accept"] == "application/json"
        assert record.headers["x-grant"] == fake_notchpay.private_key
    initialize = fake_notchpay.calls("initialize")[0].json
    assert initialize == {"amount": 5000, "currency": "XAF", "description": "KmerHosting top-up",
                          "reference": "KH-TOPUP-0001",
                          "customer": {"name": "Awa Nkemelu", "email": "awa@example.cm", "phone": "+237677000001"}}
    assert fake_notchpay.calls("charge")[0].json == {"channel": "cm.mtn", "data": {"phone": "237677000001"}}
    assert fake_notchpay.charges("KH-TOPUP-0001") == 1

    pending = notchpay_gateway.status("KH-TOPUP-0001", started.gateway_reference)
    assert (pending.status, pending.amount, pending.currency) == (PENDING, 5000, "XAF")
    assert fake_notchpay.requests[-1].path == f"/payments/{started.gateway_reference}"

    fake_notchpay.complete("KH-TOPUP-0001")
    done = notchpay_gateway.status("KH-TOPUP-0001")
    assert fake_notchpay.requests[-1].path == "/payments/KH-TOPUP-0001"  # by our reference when no gateway one
    assert done.status == COMPLETE
    assert (done.reference, done.gateway_reference) == ("KH-TOPUP-0001", started.gateway_reference)
    assert (done.amount, done.currency, done.operator) == (5000, "XAF", MTN)
    assert fake_notchpay.violations == []


def test_notchpay_orange_charge_channel_and_ussd_code(fake_notchpay, notchpay_gateway):
    started = notchpay_gateway.start(**start_args(operator=ORANGE, phone="+237 699 000 002"))
    assert started.ussd_code == "#150*50#"
    assert fake_notchpay.calls("charge")[0].json == {"channel": "cm.orange", "data": {"phone": ORANGE_PHONE}}
    assert fake_notchpay.calls("initialize")[0].json["customer"]["phone"] == "+" + ORANGE_PHONE
    assert fake_notchpay.violations == []


def test_notchpay_status_reports_a_different_amount_or_currency_as_the_gateway_says(fake_notchpay, notchpay_gateway):
    started = notchpay_gateway.start(**start_args())
    fake_notchpay.complete("KH-TOPUP-0001", amount=4000, currency="EUR")
    answer = notchpay_gateway.status("KH-TOPUP-0001", started.gateway_reference)
    assert (answer.status, answer.amount, answer.currency) == (COMPLETE, 4000, "EUR")  # the caller compares
    assert fake_notchpay.calls("retrieve")[-1].path == f"/payments/{started.gateway_reference}"


@pytest.mark.parametrize("word, expected, reason", [
    ("pending", PENDING, ""), ("processing", PENDING, ""), ("hold", PENDING, ""), ("incomplete", PENDING, ""),
    ("complete", COMPLETE, ""), ("failed", FAILED, ""), ("rejected", FAILED, ""), ("refunded", FAILED, "refunded"),
    ("canceled", CANCELED, ""), ("abandoned", CANCELED, ""), ("expired", EXPIRED, ""),
    ("something-new", PENDING, "unknown Notch Pay status 'something-new'"),
])
def test_notchpay_status_words_map_onto_ours(fake_notchpay, notchpay_gateway, word, expected, reason):
    notchpay_gateway.start(**start_args())
    fake_notchpay.set_status("KH-TOPUP-0001", word)
    answer = notchpay_gateway.status("KH-TOPUP-0001")
    assert answer.status == expected
    if reason:
        assert answer.reason == reason
    assert fake_notchpay.calls("retrieve")[-1].path == "/payments/KH-TOPUP-0001"


def test_notchpay_failure_reason_is_passed_on(fake_notchpay, notchpay_gateway):
    notchpay_gateway.start(**start_args())
    fake_notchpay.fail("KH-TOPUP-0001", "Insufficient balance")
    answer = notchpay_gateway.status("KH-TOPUP-0001")
    assert (answer.status, answer.reason) == (FAILED, "Insufficient balance")
    fake_notchpay.cancel("KH-TOPUP-0001")
    assert notchpay_gateway.status("KH-TOPUP-0001").status == CANCELED
    fake_notchpay.expire("KH-TOPUP-0001")
    assert notchpay_gateway.status("KH-TOPUP-0001").status == EXPIRED
    assert len(fake_notchpay.calls("retrieve")) == 4


@pytest.mark.parametrize("operation", ["retrieve", "initialize", "charge"])
@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_notchpay_5xx_and_throttle_mean_unavailable(fake_notchpay, notchpay_gateway, operation, status):
    fake_notchpay.http_error(operation, status, html=status == 502)
    with pytest.raises(GatewayUnavailable):
        notchpay_gateway.start(**start_args())
    assert fake_notchpay.calls(operation), "the planned call was made"
    if operation == "retrieve":
        assert fake_notchpay.calls("initialize") == []  # an unknown lookup never goes on to create


@pytest.mark.parametrize("operation", ["retrieve", "initialize", "charge"])
def test_notchpay_timeout_means_unavailable(fake_notchpay, notchpay_gateway, operation):
    fake_notchpay.hang(operation, seconds=2.0)
    with pytest.raises(GatewayUnavailable) as caught:
        notchpay_gateway.start(**start_args())
    assert caught.value.code == "timeout"
    assert len(fake_notchpay.calls(operation)) == 1


def test_notchpay_non_json_answer_means_unavailable(fake_notchpay, notchpay_gateway):
    fake_notchpay.garbage("retrieve")
    with pytest.raises(GatewayUnavailable) as caught:
        notchpay_gateway.status("KH-TOPUP-0001")
    assert caught.value.code == "garbage"
    assert len(fake_notchpay.calls("retrieve")) == 1


def test_notchpay_answer_within_the_timeout_is_used(fake_notchpay, notchpay_gateway):
    fake_notchpay.late("initialize", 0.2)
    started = notchpay_gateway.start(**start_args())
    assert started.status == PENDING
    assert fake_notchpay.charges("KH-TOPUP-0001") == 1


def test_notchpay_connection_refused_means_unavailable():
    gateway = NotchPayGateway(PUBLIC_KEY, "", "hash", closed_port_url(), timeout=0.5)
    with pytest.raises(GatewayUnavailable) as caught:
        gateway.status("KH-TOPUP-0001")
    assert caught.value.code == "connection"
    gateway.close()


def test_notchpay_4xx_is_rejected_with_the_gateways_message(fake_notchpay, notchpay_gateway):
    fake_notchpay.http_error("initialize", 422, "Merchant account is not activated")
    with pytest.raises(GatewayRejected) as caught:
        notchpay_gateway.start(**start_args())
    assert "Merchant account is not activated" in str(caught.value)
    assert caught.value.code == "invalid"
    assert len(fake_notchpay.calls("initialize")) == 1 and fake_notchpay.calls("charge") == []


def test_notchpay_amount_below_minimum_is_rejected(fake_notchpay, notchpay_gateway):
    with pytest.raises(GatewayRejected, match="at least 100"):
        notchpay_gateway.start(**start_args(amount=50))
    assert fake_notchpay.calls("initialize")[0].json["amount"] == 50
    assert fake_notchpay.violations == []


def test_notchpay_invalid_phone_is_rejected_and_nothing_is_created(fake_notchpay, notchpay_gateway):
    with pytest.raises(GatewayRejected, match="Invalid phone number") as caught:
        notchpay_gateway.start(**start_args(phone="2376770"))
    assert caught.value.code == "invalid"
    assert fake_notchpay.calls("initialize")[0].json["customer"]["phone"] == "+2376770"
    assert not fake_notchpay.known("KH-TOPUP-0001") and fake_notchpay.calls("charge") == []
    assert fake_notchpay.violations == []


def test_notchpay_wrong_public_key_is_rejected_as_unauthorized(fake_notchpay):
    gateway = notchpay_client(fake_notchpay, public_key="pk_test_wrong")
    with pytest.raises(GatewayRejected, match="Invalid API Key") as caught:
        gateway.start(**start_args())
    assert caught.value.code == "unauthorized"
    assert fake_notchpay.requests[0].headers["authorization"] == "pk_test_wrong"
    gateway.close()


def test_notchpay_amount_must_be_whole_francs_before_anything_is_sent(fake_notchpay, notchpay_gateway):
    with pytest.raises(GatewayRejected) as caught:
        notchpay_gateway.start(**start_args(amount=5000.5))
    assert caught.value.code == "invalid_amount"
    assert fake_notchpay.requests == []


def test_notchpay_status_of_an_unknown_reference_is_not_found(fake_notchpay, notchpay_gateway):
    with pytest.raises(GatewayRejected) as caught:
        notchpay_gateway.status("KH-NOPE")
    assert caught.value.code == "not_found"
    assert [r.path for r in fake_notchpay.requests] == ["/payments/KH-NOPE"]


def test_notchpay_status_refuses_a_transaction_of_another_reference(fake_notchpay, notchpay_gateway):
    other = notchpay_gateway.start(**start_args("KH-OTHER"))
    with pytest.raises(GatewayRejected) as caught:
        notchpay_gateway.status("KH-TOPUP-0001", other.gateway_reference)
    assert caught.value.code == "mismatch"
    assert fake_notchpay.calls("retrieve")[-1].path == f"/payments/{other.gateway_reference}"


def test_notchpay_retry_after_initialize_lost_its_answer_charges_the_existing_payment_once(
        fake_notchpay, notchpay_gateway):
    fake_notchpay.hang("initialize", seconds=2.0, apply=True)  # created, the answer never arrives
    with pytest.raises(GatewayUnavailable):
        notchpay_gateway.start(**start_args())
    assert fake_notchpay.known("KH-TOPUP-0001") and fake_notchpay.charges("KH-TOPUP-0001") == 0

    started = notchpay_gateway.start(**start_args())

    assert started.status == PENDING
    assert started.gateway_reference == fake_notchpay.transaction("KH-TOPUP-0001")["reference"]
    assert len(fake_notchpay.calls("initialize")) == 1       # no second payment
    assert len(fake_notchpay.calls("charge")) == 1
    assert fake_notchpay.charges("KH-TOPUP-0001") == 1
    assert fake_notchpay.violations == []


def test_notchpay_retry_after_charge_lost_its_answer_does_not_charge_again(fake_notchpay, notchpay_gateway):
    fake_notchpay.hang("charge", seconds=2.0, apply=True)  # the prompt went out, the answer got lost
    with pytest.raises(GatewayUnavailable):
        notchpay_gateway.start(**start_args())
    assert fake_notchpay.charges("KH-TOPUP-0001") == 1

    started = notchpay_gateway.start(**start_args())

    assert started.status == PENDING
    assert started.raw["transaction"]["status"] == "processing"
    assert len(fake_notchpay.calls("initialize")) == 1
    assert len(fake_notchpay.calls("charge")) == 1            # the retry only read
    assert fake_notchpay.charges("KH-TOPUP-0001") == 1
    assert fake_notchpay.violations == []


def test_notchpay_retry_after_a_charge_that_never_arrived_sends_it(fake_notchpay, notchpay_gateway):
    fake_notchpay.hang("charge", seconds=2.0, apply=False)  # the charge was not carried out
    with pytest.raises(GatewayUnavailable):
        notchpay_gateway.start(**start_args())
    assert fake_notchpay.charges("KH-TOPUP-0001") == 0

    notchpay_gateway.start(**start_args())

    assert len(fake_notchpay.calls("charge")) == 2
    assert fake_notchpay.charges("KH-TOPUP-0001") == 1
    assert fake_notchpay.violations == []


def test_notchpay_retry_once_the_customer_paid_returns_complete_without_charging(fake_notchpay, notchpay_gateway):
    first = notchpay_gateway.start(**start_args())
    fake_notchpay.complete("KH-TOPUP-0001")
    again = notchpay_gateway.start(**start_args())
    assert (again.status, again.gateway_reference) == (COMPLETE, first.gateway_reference)
    assert len(fake_notchpay.calls("charge")) == 1 and len(fake_notchpay.calls("initialize")) == 1


def test_notchpay_retry_with_another_amount_for_the_same_reference_is_refused(fake_notchpay, notchpay_gateway):
    notchpay_gateway.start(**start_args())
    with pytest.raises(GatewayRejected) as caught:
        notchpay_gateway.start(**start_args(amount=9000))
    assert caught.value.code == "mismatch"
    assert len(fake_notchpay.calls("charge")) == 1


def test_notchpay_a_refused_charge_on_a_payment_that_moved_on_returns_its_state(fake_notchpay, notchpay_gateway):
    """Two starts raced: the read said pending, but the other start's charge was accepted first."""
    first = notchpay_gateway.start(**start_args())
    stale = dict(fake_notchpay.transaction("KH-TOPUP-0001"), status="pending")
    fake_notchpay.respond("retrieve", 200, {"code": 200, "transaction": stale})

    again = notchpay_gateway.start(**start_args())

    assert (again.status, again.gateway_reference) == (PENDING, first.gateway_reference)
    assert [r.operation for r in fake_notchpay.requests[3:]] == ["retrieve", "charge", "retrieve"]
    assert fake_notchpay.charges("KH-TOPUP-0001") == 1
    assert len(fake_notchpay.violations) == 1 and "already processing" in fake_notchpay.violations[0]


def test_notchpay_concurrent_status_reads_share_one_client(fake_notchpay, notchpay_gateway):
    notchpay_gateway.start(**start_args())
    answers, errors = [], []

    def read():
        try:
            answers.append(notchpay_gateway.status("KH-TOPUP-0001").status)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and answers == [PENDING] * 8
    assert len(fake_notchpay.calls("retrieve")) == 9


def test_notchpay_from_settings_reads_the_notch_settings(fake_notchpay):
    settings = load_settings({"NOTCHPAY_PUBLIC_KEY": PUBLIC_KEY, "NOTCHPAY_PRIVATE_KEY": fake_notchpay.private_key,
                              "NOTCHPAY_WEBHOOK_HASH": fake_notchpay.webhook_hash,
                              "NOTCHPAY_ENDPOINT": fake_notchpay.url + "/", "PAYMENT_TIMEOUT": "0.5"})
    gateway = NotchPayGateway.from_settings(settings)
    assert (gateway.name, gateway.is_test, gateway.endpoint, gateway.timeout) == (
        "notchpay", True, fake_notchpay.url, 0.5)
    assert PUBLIC_KEY not in repr(gateway) and fake_notchpay.private_key not in repr(gateway)
    assert gateway.start(**start_args()).status == PENDING
    assert fake_notchpay.violations == [] and fake_notchpay.charges("KH-TOPUP-0001") == 1
    assert not NotchPayGateway("pk_live_x", "", "h", fake_notchpay.url).is_test
    gateway.close()


def test_notchpay_without_a_private_key_sends_no_x_grant(fake_notchpay):
    gateway = NotchPayGateway(PUBLIC_KEY, "", fake_notchpay.webhook_hash, fake_notchpay.url, timeout=0.5)
    gateway.start(**start_args())
    assert len(fake_notchpay.requests) == 3
    assert all("x-grant" not in r.headers for r in fake_notchpay.requests)
    assert fake_notchpay.violations == []
    gateway.close()


# --- Notch Pay webhooks ---------------------------------------------------------------------------


@pytest.fixture
def notch_hooks(fake_notchpay, notchpay_gateway, webhook_receiver):
    """A started payment, and a receiver that hands what arrives to the real client's parser."""
    started = notchpay_gateway.start(**start_args())
    hints, refusals = [], []

    def handle(hook):
        try:
            hints.append(notchpay_gateway.parse_webhook(method=hook.method, headers=hook.headers, query=hook.query,
                                                        body=hook.body))
            return 200
        except InvalidWebhook as exc:
            refusals.append(exc)
            return 401

    webhook_receiver.handler = handle
    return started, hints, refusals


def test_notchpay_good_webhook_names_our_reference(fake_notchpay, webhook_receiver, notch_hooks):
    started, hints, refusals = notch_hooks
    fake_notchpay.complete("KH-TOPUP-0001")
    responses = fake_notchpay.send_webhook(webhook_receiver.url, "KH-TOPUP-0001")
    assert [r.status_code for r in responses] == [200]
    assert webhook_receiver.received[0].method == "POST"
    assert refusals == []
    (hint,) = hints
    assert (hint.reference, hint.gateway_reference, hint.status, hint.event) == (
        "KH-TOPUP-0001", started.gateway_reference, COMPLETE, "payment.complete")


def test_notchpay_same_webhook_twice_and_out_of_order_are_all_hints(fake_notchpay, webhook_receiver, notch_hooks):
    _, hints, refusals = notch_hooks
    fake_notchpay.fail("KH-TOPUP-0001")
    fake_notchpay.send_webhook(webhook_receiver.url, "KH-TOPUP-0001", times=2)
    fake_notchpay.complete("KH-TOPUP-0001")
    fake_notchpay.send_webhook(webhook_receiver.url, "KH-TOPUP-0001")
    assert len(webhook_receiver.received) == 3 and refusals == []
    assert [h.status for h in hints] == [FAILED, FAILED, COMPLETE]  # only hints: status() decides


@pytest.mark.parametrize("signature", ["bad", "none"])
def test_notchpay_webhook_with_a_wrong_or_missing_signature_is_refused(fake_notchpay, webhook_receiver, notch_hooks,
                                                                       signature):
    _, hints, refusals = notch_hooks
    responses = fake_notchpay.send_webhook(webhook_receiver.url, "KH-TOPUP-0001", signature=signature)
    assert [r.status_code for r in responses] == [401]
    assert hints == [] and refusals[0].code == "signature"
    assert ("x-notch-signature" in {k.lower() for k in webhook_receiver.received[0].headers}) == (signature == "bad")


def test_notchpay_webhook_body_changed_after_signing_is_refused(fake_notchpay, webhook_receiver, notch_hooks):
    _, hints, refusals = notch_hooks
    body, _ = fake_notchpay.webhook("KH-TOPUP-0001")
    forged = json.loads(body)
    forged["data"]["status"], forged["data"]["amount"] = "complete", 500000
    responses = fake_notchpay.send_webhook(webhook_receiver.url, "KH-TOPUP-0001", body_override=forged)
    assert [r.status_code for r in responses] == [401]
    assert json.loads(webhook_receiver.received[0].body)["data"]["amount"] == 500000
    assert hints == [] and refusals[0].code == "signature"


def test_notchpay_webhook_header_name_case_does_not_matter(fake_notchpay, webhook_receiver, notch_hooks):
    _, hints, refusals = notch_hooks
    fake_notchpay.send_webhook(webhook_receiver.url, "KH-TOPUP-0001", header_name="X-Notch-Signature")
    assert "X-Notch-Signature" in webhook_receiver.received[0].headers
    assert len(hints) == 1 and refusals == []


def test_notchpay_webhook_must_be_a_post(fake_notchpay, webhook_receiver, notch_hooks):
    _, hints, refusals = notch_hooks
    fake_notchpay.send_webhook(webhook_receiver.url, "KH-TOPUP-0001", method="PUT")
    assert webhook_receiver.received[0].method == "PUT"
    assert hints == [] and refusals[0].code == "method"


def test_notchpay_webhook_parser_direct_cases(fake_notchpay, notchpay_gateway):
    notchpay_gateway.start(**start_args())
    body, signature = fake_notchpay.webhook("KH-TOPUP-0001")
    for name in ("x-notch-signature", "X-NOTCH-SIGNATURE", "X-Notch-Signature"):
        hint = notchpay_gateway.parse_webhook(method="post", headers={name: signature.upper()}, query={}, body=body)
        assert hint.reference == "KH-TOPUP-0001" and hint.status == PENDING
    with pytest.raises(InvalidWebhook):  # the signature of another body
        notchpay_gateway.parse_webhook(method="POST", headers={"x-notch-signature": signature}, query={},
                                       body=body + b" ")
    with pytest.raises(InvalidWebhook):  # the legacy header name is not accepted
        notchpay_gateway.parse_webhook(method="POST", headers={"x-notchpay-signature": signature}, query={},
                                       body=body)
    with pytest.raises(InvalidWebhook):  # non-ASCII garbage in the header
        notchpay_gateway.parse_webhook(method="POST", headers={"x-notch-signature": "é" * 64}, query={}, body=body)
    garbage = b"not json"
    with pytest.raises(InvalidWebhook) as caught:  # correctly signed, unreadable
        notchpay_gateway.parse_webhook(method="POST", headers={"x-notch-signature": hmac.new(
            fake_notchpay.webhook_hash.encode(), garbage, hashlib.sha256).hexdigest()}, query={}, body=garbage)
    assert caught.value.code == "body"
    unconfigured = notchpay_client(fake_notchpay, webhook_hash="")
    with pytest.raises(InvalidWebhook) as caught:
        unconfigured.parse_webhook(method="POST", headers={"x-notch-signature": signature}, query={}, body=body)
    assert caught.value.code == "config"
    unconfigured.close()


def test_notchpay_webhook_without_merchant_reference_falls_back_to_notchs(fake_notchpay, notchpay_gateway):
    started = notchpay_gateway.start(**start_args())
    payload = {"id": "whk.1", "event": "payment.failed", "data": {"reference": started.gateway_reference}}
    body = json.dumps(payload).encode()
    signature = hmac.new(fake_notchpay.webhook_hash.encode(), body, hashlib.sha256).hexdigest()
    hint = notchpay_gateway.parse_webhook(method="POST", headers={"x-notch-signature": signature}, query={}, body=body)
    assert (hint.reference, hint.gateway_reference, hint.status) == (
        started.gateway_reference, started.gateway_reference, FAILED)
    assert fake_notchpay.charges(started.gateway_reference) == 1


# =================================================================================================
# Campay
# =================================================================================================


def test_campay_happy_path_token_collect_pending_then_complete(fake_campay, campay_gateway):
    started = campay_gateway.start(**start_args())

    assert started.status == PENDING and started.ussd_code == "*126#"
    assert [(r.method, r.path) for r in fake_campay.requests] == [("POST", "/api/token/"), ("POST", "/api/collect/")]
    assert fake_campay.calls("token")[0].json == {"username": fake_campay.username, "password": fake_campay.password}
    collect = fake_campay.calls("collect")[0]
    assert collect.headers["authorization"] == f"Token {next(iter(fake_campay.tokens))}"
    assert collect.json == {"amount": "5000", "currency": "XAF", "from": MTN_PHONE,
                            "description": "KmerHosting top-up", "external_reference": "KH-TOPUP-0001"}
    assert started.gateway_reference == fake_campay.transaction("KH-TOPUP-0001")["reference"]
    assert fake_campay.charges("KH-TOPUP-0001") == 1

    pending = campay_gateway.status("KH-TOPUP-0001", started.gateway_reference)
    assert (pending.status, pending.amount, pending.currency, pending.operator) == (PENDING, 5000, "XAF", "mtn")

    fake_campay.complete("KH-TOPUP-0001")
    done = campay_gateway.status("KH-TOPUP-0001", started.gateway_reference)
    assert fake_campay.requests[-1].path == f"/api/transaction/{started.gateway_reference}/"
    assert (done.status, done.amount, done.currency) == (COMPLETE, 5000, "XAF")
    assert done.operator_reference.startswith("MP")
    assert len(fake_campay.calls("token")) == 1  # the token was reused
    assert fake_campay.violations == []


def test_campay_orange_number(fake_campay, campay_gateway):
    started = campay_gateway.start(**start_args(operator=ORANGE, phone=ORANGE_PHONE))
    assert started.ussd_code == "#150*50#"
    assert fake_campay.transaction("KH-TOPUP-0001")["operator"] == "ORANGE"
    assert fake_campay.violations == []


@pytest.mark.parametrize("word, expected", [("PENDING", PENDING), ("SUCCESSFUL", COMPLETE), ("FAILED", FAILED),
                                            ("successful", COMPLETE), ("REVERSED", PENDING)])
def test_campay_status_words_map_onto_ours(fake_campay, campay_gateway, word, expected):
    started = campay_gateway.start(**start_args())
    fake_campay.set_status("KH-TOPUP-0001", word)
    assert campay_gateway.status("KH-TOPUP-0001", started.gateway_reference).status == expected
    assert fake_campay.calls("transaction")[-1].path == f"/api/transaction/{started.gateway_reference}/"


def test_campay_failure_cancel_and_expiry_carry_the_reason(fake_campay, campay_gateway):
    started = campay_gateway.start(**start_args())
    for move, reason in ((fake_campay.fail, "Insufficient funds"),
                         (fake_campay.cancel, "Transaction cancelled by the payer"),
                         (fake_campay.expire, "Transaction timed out")):
        move("KH-TOPUP-0001")
        answer = campay_gateway.status("KH-TOPUP-0001", started.gateway_reference)
        assert (answer.status, answer.reason) == (FAILED, reason)
    assert len(fake_campay.calls("transaction")) == 3


def test_campay_status_reports_a_different_amount_as_the_gateway_says(fake_campay, campay_gateway):
    started = campay_gateway.start(**start_args())
    fake_campay.complete("KH-TOPUP-0001", amount=50, currency="XOF")
    answer = campay_gateway.status("KH-TOPUP-0001", started.gateway_reference)
    assert (answer.status, answer.amount, answer.currency) == (COMPLETE, 50, "XOF")
    assert len(fake_campay.calls("transaction")) == 1


def test_campay_status_without_a_campay_reference_is_not_found_without_asking(fake_campay, campay_gateway):
    with pytest.raises(GatewayRejected) as caught:
        campay_gateway.status("KH-TOPUP-0001")
    assert caught.value.code == "not_found"
    assert fake_campay.requests == []
    with pytest.raises(GatewayRejected) as caught:
        campay_gateway.status("KH-TOPUP-0001", "0d5e0d6a-0000-4000-8000-000000000000")
    assert caught.value.code == "not_found"
    assert fake_campay.calls("transaction")[0].path == "/api/transaction/0d5e0d6a-0000-4000-8000-000000000000/"


def test_campay_status_refuses_a_transaction_of_another_reference(fake_campay, campay_gateway):
    other = campay_gateway.start(**start_args("KH-OTHER"))
    with pytest.raises(GatewayRejected) as caught:
        campay_gateway.status("KH-TOPUP-0001", other.gateway_reference)
    assert caught.value.code == "mismatch"
    assert len(fake_campay.calls("transaction")) == 1


@pytest.mark.parametrize("phone, code", [("677000001", "ER101"), ("2376770000011", "ER101"),
                                         ("237222000001", "ER102")])
def test_campay_invalid_phone_is_rejected_with_campays_code(fake_campay, campay_gateway, phone, code):
    with pytest.raises(GatewayRejected, match="Invalid number") as caught:
        campay_gateway.start(**start_args(phone=phone))
    assert caught.value.code == code
    assert fake_campay.calls("collect")[0].json["from"] == phone
    assert fake_campay.charges("KH-TOPUP-0001") == 0 and fake_campay.violations == []


def test_campay_4xx_is_rejected_with_message_and_error_code(fake_campay, campay_gateway):
    fake_campay.http_error("collect", 400, "Amount must be a whole number without decimals", error_code="ER201")
    with pytest.raises(GatewayRejected, match="without decimals") as caught:
        campay_gateway.start(**start_args())
    assert caught.value.code == "ER201"
    assert len(fake_campay.calls("collect")) == 1


def test_campay_amount_is_checked_before_sending(fake_campay, campay_gateway):
    with pytest.raises(GatewayRejected) as caught:
        campay_gateway.start(**start_args(amount=10.5))
    assert caught.value.code == "invalid_amount"
    assert fake_campay.requests == []


@pytest.mark.parametrize("operation", ["token", "collect"])
@pytest.mark.parametrize("status", [500, 503])
def test_campay_5xx_means_unavailable(fake_campay, campay_gateway, operation, status):
    fake_campay.http_error(operation, status)
    with pytest.raises(GatewayUnavailable):
        campay_gateway.start(**start_args())
    assert len(fake_campay.calls(operation)) == 1
    assert fake_campay.charges("KH-TOPUP-0001") == 0


@pytest.mark.parametrize("operation", ["token", "collect", "transaction"])
def test_campay_timeout_means_unavailable(fake_campay, campay_gateway, operation):
    if operation == "transaction":
        started = campay_gateway.start(**start_args())
    fake_campay.hang(operation, seconds=2.0)
    with pytest.raises(GatewayUnavailable) as caught:
        if operation == "transaction":
            campay_gateway.status("KH-TOPUP-0001", started.gateway_reference)
        else:
            campay_gateway.start(**start_args())
    assert caught.value.code == "timeout"
    assert len(fake_campay.calls(operation)) == 1


def test_campay_non_json_answer_means_unavailable(fake_campay, campay_gateway):
    fake_campay.garbage("collect")
    with pytest.raises(GatewayUnavailable):
        campay_gateway.start(**start_args())
    assert len(fake_campay.calls("collect")) == 1


def test_campay_retry_after_collect_lost_its_answer_is_not_charged_twice(fake_campay, campay_gateway,
                                                                         webhook_receiver):
    fake_campay.hang("collect", seconds=2.0, apply=True)  # the prompt went out, the answer got lost
    with pytest.raises(GatewayUnavailable):
        campay_gateway.start(**start_args())
    assert fake_campay.charges("KH-TOPUP-0001") == 1

    with pytest.raises(GatewayRejected) as caught:
        campay_gateway.start(**start_args())

    assert caught.value.code == "duplicate"  # "already sent": wait for the callback, not a failure
    assert len(fake_campay.calls("collect")) == 2
    assert fake_campay.charges("KH-TOPUP-0001") == 1
    # The callback then tells Campay's reference, and status() can be asked.
    fake_campay.complete("KH-TOPUP-0001")
    fake_campay.send_webhook(webhook_receiver.url, "KH-TOPUP-0001")
    hook = webhook_receiver.received[0]
    hint = campay_gateway.parse_webhook(method=hook.method, headers=hook.headers, query=hook.query, body=hook.body)
    assert campay_gateway.status(hint.reference, hint.gateway_reference).status == COMPLETE
    assert fake_campay.violations == []


def test_campay_token_is_fetched_again_once_on_401(fake_campay, campay_gateway):
    started = campay_gateway.start(**start_args())
    fake_campay.revoke_tokens()
    assert campay_gateway.status("KH-TOPUP-0001", started.gateway_reference).status == PENDING
    assert [r.operation for r in fake_campay.requests] == ["token", "collect", "transaction", "token", "transaction"]
    first, second = (r.headers["authorization"] for r in fake_campay.calls("transaction"))
    assert first != second
    assert fake_campay.violations == []


def test_campay_a_second_401_is_a_rejection_not_a_loop(fake_campay, campay_gateway):
    started = campay_gateway.start(**start_args())
    fake_campay.http_error("transaction", 401, "Invalid token.", times=2)
    with pytest.raises(GatewayRejected) as caught:
        campay_gateway.status("KH-TOPUP-0001", started.gateway_reference)
    assert caught.value.code == "unauthorized"
    assert [r.operation for r in fake_campay.requests[2:]] == ["transaction", "token", "transaction"]


def test_campay_token_is_renewed_before_it_expires(fake_campay):
    fake_campay.token_ttl = 1
    gateway = campay_client(fake_campay)
    started = gateway.start(**start_args())
    time.sleep(1.0)  # past 90 % of the token's life
    gateway.status("KH-TOPUP-0001", started.gateway_reference)
    assert [r.operation for r in fake_campay.requests] == ["token", "collect", "token", "transaction"]
    gateway.close()


def test_campay_concurrent_calls_fetch_one_token(fake_campay, campay_gateway):
    errors = []

    def start(index):
        try:
            campay_gateway.start(**start_args(f"KH-TOPUP-{index:04d}"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(fake_campay.calls("token")) == 1 and len(fake_campay.calls("collect")) == 6


def test_campay_wrong_credentials_are_rejected(fake_campay):
    gateway = campay_client(fake_campay, password="wrong")
    with pytest.raises(GatewayRejected, match="Unable to log in") as caught:
        gateway.start(**start_args())
    assert caught.value.code == "unauthorized"
    assert [r.operation for r in fake_campay.requests] == ["token"]
    assert "wrong" not in repr(gateway)
    gateway.close()


def test_campay_connection_refused_means_unavailable():
    gateway = CampayGateway("u", "p", "k", closed_port_url(), timeout=0.5)
    with pytest.raises(GatewayUnavailable):
        gateway.start(**start_args())
    gateway.close()


def test_campay_from_settings_reads_the_campay_settings(fake_campay):
    settings = load_settings({"CAMPAY_USERNAME": fake_campay.username, "CAMPAY_PASSWORD": fake_campay.password,
                              "CAMPAY_WEBHOOK_KEY": fake_campay.webhook_key, "CAMPAY_ENDPOINT": fake_campay.url,
                              "PAYMENT_TIMEOUT": "0.5"})
    gateway = CampayGateway.from_settings(settings)
    assert (gateway.name, gateway.endpoint, gateway.timeout, gateway.is_test) == (
        "campay", fake_campay.url, 0.5, False)
    assert CampayGateway("u", "p", "k", "https://demo.campay.net").is_test
    assert gateway.start(**start_args()).status == PENDING
    assert fake_campay.charges("KH-TOPUP-0001") == 1 and fake_campay.violations == []
    gateway.close()


# --- Campay callbacks -----------------------------------------------------------------------------


@pytest.fixture
def campay_hooks(fake_campay, campay_gateway, webhook_receiver):
    started = campay_gateway.start(**start_args())
    hints, refusals = [], []

    def handle(hook):
        try:
            hints.append(campay_gateway.parse_webhook(method=hook.method, headers=hook.headers, query=hook.query,
                                                      body=hook.body))
            return 200
        except InvalidWebhook as exc:
            refusals.append(exc)
            return 401

    webhook_receiver.handler = handle
    return started, hints, refusals


def test_campay_good_callback_names_our_reference(fake_campay, webhook_receiver, campay_hooks):
    started, hints, refusals = campay_hooks
    fake_campay.complete("KH-TOPUP-0001")
    responses = fake_campay.send_webhook(webhook_receiver.url, "KH-TOPUP-0001", expires_in=300)
    assert [r.status_code for r in responses] == [200] and refusals == []
    received = webhook_receiver.received[0]
    assert received.method == "GET" and received.body == b""
    assert received.query["external_reference"] == "KH-TOPUP-0001" and received.query["status"] == "SUCCESSFUL"
    (hint,) = hints
    assert (hint.reference, hint.gateway_reference, hint.status) == ("KH-TOPUP-0001", started.gateway_reference,
                                                                     COMPLETE)


def test_campay_same_callback_twice_and_out_of_order(fake_campay, webhook_receiver, campay_hooks):
    _, hints, refusals = campay_hooks
    fake_campay.fail("KH-TOPUP-0001")
    fake_campay.send_webhook(webhook_receiver.url, "KH-TOPUP-0001", times=2)
    fake_campay.send_webhook(webhook_receiver.url, "KH-TOPUP-0001", status="SUCCESSFUL")
    assert len(webhook_receiver.received) == 3 and refusals == []
    assert [h.status for h in hints] == [FAILED, FAILED, COMPLETE]


@pytest.mark.parametrize("signature, code", [("bad", "signature"), ("none", "signature"), ("alg_none", "signature"),
                                             ("hs512", "signature"), ("expired", "expired"),
                                             ("garbled", "signature")])
def test_campay_callback_with_a_bad_signature_is_refused(fake_campay, webhook_receiver, campay_hooks, signature,
                                                         code):
    _, hints, refusals = campay_hooks
    responses = fake_campay.send_webhook(webhook_receiver.url, "KH-TOPUP-0001", signature=signature)
    assert [r.status_code for r in responses] == [401]
    assert ("signature" in webhook_receiver.received[0].query) == (signature != "none")
    assert hints == [] and refusals[0].code == code


def test_campay_callback_replayed_with_changed_values_is_refused(fake_campay, webhook_receiver, campay_hooks):
    _, hints, refusals = campay_hooks
    fake_campay.send_webhook(webhook_receiver.url, "KH-TOPUP-0001",
                             body_override={"status": "SUCCESSFUL", "amount": "500000"})
    assert webhook_receiver.received[0].query["amount"] == "500000"
    assert hints == [] and "differs from the signed value" in str(refusals[0])


def test_campay_callback_must_be_a_get(fake_campay, webhook_receiver, campay_hooks):
    _, hints, refusals = campay_hooks
    fake_campay.send_webhook(webhook_receiver.url, "KH-TOPUP-0001", method="POST")
    assert webhook_receiver.received[0].method == "POST"
    assert hints == [] and refusals[0].code == "method"


def test_campay_callback_signed_by_a_client_with_another_key_is_refused(fake_campay, campay_gateway):
    started = campay_gateway.start(**start_args())
    query = fake_campay.callback_query("KH-TOPUP-0001")
    other = campay_client(fake_campay, webhook_key="someone-elses-key")
    with pytest.raises(InvalidWebhook):
        other.parse_webhook(method="GET", headers={}, query=query, body=b"")
    assert campay_gateway.parse_webhook(method="GET", headers={}, query=query, body=b"").gateway_reference == \
        started.gateway_reference
    unconfigured = campay_client(fake_campay, webhook_key="")
    with pytest.raises(InvalidWebhook) as caught:
        unconfigured.parse_webhook(method="GET", headers={}, query=query, body=b"")
    assert caught.value.code == "config"
    other.close()
    unconfigured.close()


def test_campay_jwt_checker_edge_cases(fake_campay):
    key = fake_campay.webhook_key
    assert verify_jwt(make_jwt({"a": 1}, key), key) == {"a": 1}
    token = make_jwt({"a": 1}, key)
    header, claims, signature = token.split(".")
    tampered = make_jwt({"a": 2}, key).split(".")[1]
    for bad in (f"{header}.{tampered}.{signature}",          # claims swapped under the old signature
                f"{header}.{claims}.",                        # signature stripped
                f"{header}.{claims}",                         # two parts
                f"{header}.{claims}.{signature}!",            # not base64url
                make_jwt({"a": 1, "exp": "tomorrow"}, key),   # exp not a number
                make_jwt({"a": 1, "nbf": 4102444800}, key),   # not valid before 2100
                make_jwt(["not", "an", "object"], key)):      # claims not an object
        with pytest.raises(InvalidWebhook):
            verify_jwt(bad, key)
    # A valid HS256 signature under a header that names another algorithm is still refused.
    for alg in ("none", "HS512", "hs256"):
        other_header = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
        resigned = b64url(hmac.new(key.encode(), f"{other_header}.{claims}".encode(), hashlib.sha256).digest())
        with pytest.raises(InvalidWebhook, match="algorithm"):
            verify_jwt(f"{other_header}.{claims}.{resigned}", key)
    assert verify_jwt(make_jwt({"exp": 1000}, key), key, now=1030) == {"exp": 1000}  # within the leeway
    with pytest.raises(InvalidWebhook):
        verify_jwt(make_jwt({"exp": 1000}, key), key, now=1061)
    assert fake_campay.requests == []  # the checker needs no network
