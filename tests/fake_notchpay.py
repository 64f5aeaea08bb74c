"""A fake Notch Pay for tests: real HTTP on 127.0.0.1 speaking the documented wire protocol
(PROTOCOLS.md B2), failures included.

Contract held (a breach is listed in `violations`): `Authorization: <public key>` on every call,
never "Bearer"; `Accept: application/json`; JSON bodies with `Content-Type: application/json`.
`POST /payments` takes an integer `amount`, `currency`, `customer {name, email, phone "+237…"}`,
`description` and our `reference` (a second payment for one reference is a violation: the client
must look it up first) and answers 201 with Notch's `transaction.reference` ("trx.test_…").
`POST /payments/{Notch reference}` takes `{"channel": "cm.mtn"|"cm.orange", "data": {"phone":
"237…"}}`, answers 202 and moves the transaction to `processing`; charging a transaction that is
not `pending` is refused (400) and is a violation. `GET /payments/{either reference}` answers the
transaction, or 404. Wrong keys get 401; numbers that are not +237 and nine digits get 422.

Tests move a payment on as the customer and the operator would (`complete`, `fail`, `cancel`,
`expire`, `set_status`), count the charges Notch accepted per payment (`charges`), plan failures
(see FakeGatewayServer) and deliver webhooks signed like Notch's (`send_webhook`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from datetime import UTC, datetime

import httpx
import pytest

from kmerhosting.integrations.payments.notchpay import NotchPayGateway

from .fake_gateway import ContractViolation, FakeGatewayServer, RecordedRequest

PUBLIC_KEY = "pk_test_kmer0fake0public0key"
PRIVATE_KEY = "sk_test_kmer0fake0private0key"
WEBHOOK_HASH = "hsk_test_kmer0fake0webhook0hash"
CHANNELS = ("cm.mtn", "cm.orange", "cm.mobile")
MIN_AMOUNT = 100
EVENTS = {"complete": "payment.complete", "failed": "payment.failed", "canceled": "payment.canceled",
          "expired": "payment.expired", "pending": "payment.created", "processing": "payment.processing"}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


class FakeNotchPay(FakeGatewayServer):
    def __init__(self, public_key: str = PUBLIC_KEY, private_key: str = PRIVATE_KEY,
                 webhook_hash: str = WEBHOOK_HASH):
        super().__init__()
        self.public_key = public_key
        self.private_key = private_key
        self.webhook_hash = webhook_hash
        self.transactions: dict[str, dict] = {}      # by Notch reference
        self._by_merchant: dict[str, str] = {}       # our reference -> Notch reference
        self._charges: dict[str, int] = {}           # Notch reference -> charges accepted

    # --- test controls --------------------------------------------------------------------------

    def transaction(self, reference: str) -> dict:
        """The transaction under either reference (KeyError if unknown)."""
        with self._lock:
            return self.transactions[self._by_merchant.get(reference, reference)]

    def known(self, reference: str) -> bool:
        with self._lock:
            return self._by_merchant.get(reference, reference) in self.transactions

    def charges(self, reference: str) -> int:
        """How many charges Notch accepted for the payment (either reference)."""
        with self._lock:
            return self._charges.get(self._by_merchant.get(reference, reference), 0)

    def set_status(self, reference: str, status: str, *, amount: int | None = None, currency: str | None = None,
                   reason: str = "") -> dict:
        with self._lock:
            transaction = self.transaction(reference)
            transaction["status"] = status
            if amount is not None:
                transaction["amount"] = transaction["amount_total"] = amount
            if currency is not None:
                transaction["currency"] = currency
            if reason:
                transaction["reason"] = reason
            if status in ("complete", "failed", "canceled", "expired"):
                transaction["completed_at"] = _now()
            return transaction

    def complete(self, reference: str, amount: int | None = None, currency: str | None = None) -> dict:
        """The customer confirmed on the phone (optionally the gateway reports another amount or currency)."""
        return self.set_status(reference, "complete", amount=amount, currency=currency)

    def fail(self, reference: str, reason: str = "Insufficient balance") -> dict:
        return self.set_status(reference, "failed", reason=reason)

    def cancel(self, reference: str) -> dict:
        return self.set_status(reference, "canceled", reason="Canceled by the customer")

    def expire(self, reference: str) -> dict:
        return self.set_status(reference, "expired", reason="Not confirmed in time")

    def webhook(self, reference: str, *, event: str | None = None, status: str | None = None,
                key: str | None = None) -> tuple[bytes, str]:
        """(raw body, x-notch-signature) of the webhook Notch would send now for the payment."""
        data = dict(self.transaction(reference))
        if status is not None:
            data["status"] = status
        payload = {"id": "whk." + secrets.token_hex(8), "event": event or EVENTS.get(data["status"], "payment.updated"),
                   "data": data}
        body = json.dumps(payload).encode()
        signature = hmac.new((key or self.webhook_hash).encode(), body, hashlib.sha256).hexdigest()
        return body, signature

    def send_webhook(self, url: str, reference: str, *, event: str | None = None, status: str | None = None,
                     signature: str = "good", body_override: bytes | dict | None = None, times: int = 1,
                     method: str = "POST", header_name: str = "x-notch-signature") -> list[httpx.Response]:
        """Deliver the webhook like Notch: POST JSON with `x-notch-signature` over the raw body.
        signature: "good", "bad" (another key) or "none" (no header). `body_override` is sent in
        place of the body the signature was made over (a replay with a changed body)."""
        body, good = self.webhook(reference, event=event, status=status,
                                  key="another-hash-key" if signature == "bad" else None)
        if body_override is not None:
            body = body_override if isinstance(body_override, bytes) else json.dumps(body_override).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "NotchPay-Webhook/1.0"}
        if signature in ("good", "bad"):
            headers[header_name] = good
        with httpx.Client(timeout=5) as client:
            return [client.request(method, url, content=body, headers=headers) for _ in range(times)]

    # --- protocol -------------------------------------------------------------------------------

    def route(self, record: RecordedRequest) -> str:
        if record.path == "/payments":
            if record.method != "POST":
                raise ContractViolation("only POST creates a payment", 405)
            return "initialize"
        if re.fullmatch(r"/payments/[^/]+", record.path):
            if record.method == "GET":
                return "retrieve"
            if record.method == "POST":
                return "charge"
            raise ContractViolation(f"{record.method} on a payment (GET reads, POST charges)", 405)
        raise ContractViolation("no such endpoint", 404)

    def check_request(self, record: RecordedRequest):
        authorization = record.headers.get("authorization")
        if not authorization:
            raise ContractViolation("no Authorization header", 401)
        if authorization.lower().startswith("bearer "):
            raise ContractViolation("Authorization is the bare public key, not Bearer", 401)
        if "application/json" not in record.headers.get("accept", ""):
            self.violations.append(f"{record.method} {record.path}: Accept is not application/json")
        if authorization != self.public_key:
            return 401, self.error_body(401, "Invalid API Key", "")
        grant = record.headers.get("x-grant")
        if grant is not None and grant != self.private_key:
            return 403, self.error_body(403, "Invalid grant", "")
        if record.method == "POST":
            if not record.headers.get("content-type", "").startswith("application/json"):
                raise ContractViolation("POST body must be application/json")
            if not isinstance(record.json, dict):
                raise ContractViolation("POST body must be a JSON object")
        return None

    def error_body(self, status: int, message: str, error_code: str):
        words = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
                 422: "Unprocessable Entity"}
        return {"status": words.get(status, "Error"), "message": message, "code": status}

    def handle(self, record: RecordedRequest):
        return getattr(self, "_op_" + record.operation)(record)

    def _op_initialize(self, record: RecordedRequest):
        body = record.json
        amount, customer, reference = body.get("amount"), body.get("customer"), body.get("reference")
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ContractViolation(f"amount must be an integer, got {amount!r}", 422)
        if not isinstance(reference, str) or not reference:
            raise ContractViolation("our reference must be sent", 422)
        if not isinstance(body.get("description"), str):
            raise ContractViolation("description must be a string", 422)
        if not isinstance(customer, dict) or not all(isinstance(customer.get(k), str) for k in ("name", "email")):
            raise ContractViolation("customer must carry name and email", 422)
        phone = customer.get("phone")
        if not isinstance(phone, str) or not phone.startswith("+"):
            raise ContractViolation(f"customer.phone must be international with '+', got {phone!r}", 422)
        if body.get("currency") != "XAF":
            return 422, self.error_body(422, "Currency not supported", "")
        if amount < MIN_AMOUNT:
            return 422, self.error_body(422, f"The amount must be at least {MIN_AMOUNT}", "")
        if not re.fullmatch(r"\+237[26]\d{8}", phone):
            return 422, {**self.error_body(422, "The given data was invalid.", ""),
                         "errors": {"customer.phone": ["Invalid phone number"]}}
        if reference in self._by_merchant:
            raise ContractViolation(f"a second payment for reference {reference}: the client must look it up first",
                                    409)
        notch_reference = "trx.test_" + secrets.token_hex(10)
        transaction = {
            "amount": amount, "amount_total": amount, "fee": 0, "sandbox": True, "currency": "XAF",
            "reference": notch_reference, "merchant_reference": reference, "status": "pending",
            "customer": dict(customer), "description": body["description"], "channel": None,
            "created_at": _now(), "completed_at": None,
        }
        self.transactions[notch_reference] = transaction
        self._by_merchant[reference] = notch_reference
        return 201, {"status": "Accepted", "message": "Payment initialized", "code": 201,
                     "transaction": dict(transaction),
                     "authorization_url": f"https://pay.notchpay.co/{notch_reference}"}

    def _op_charge(self, record: RecordedRequest):
        path_reference = record.path.rsplit("/", 1)[1]
        if path_reference in self._by_merchant:
            raise ContractViolation("a charge names Notch's reference, not the merchant's", 404)
        transaction = self.transactions.get(path_reference)
        if transaction is None:
            return 404, self.error_body(404, "Payment Not Found", "")
        body = record.json
        channel, data = body.get("channel"), body.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("phone"), str):
            raise ContractViolation("data.phone must be sent", 422)
        phone = data["phone"]
        if phone.startswith("+"):
            raise ContractViolation(f"the charge's phone is 237… without '+', got {phone!r}", 422)
        if channel not in CHANNELS:
            return 422, self.error_body(422, f"Invalid channel {channel!r}", "")
        if not re.fullmatch(r"237[26]\d{8}", phone):
            return 422, {**self.error_body(422, "The given data was invalid.", ""),
                         "errors": {"data.phone": ["Invalid phone number"]}}
        if transaction["status"] != "pending":
            self.violations.append(f"charge sent for {path_reference} which is already {transaction['status']}")
            return 400, self.error_body(400, f"Payment already {transaction['status']}", "")
        transaction.update(status="processing", channel=channel, phone=phone)
        self._charges[path_reference] = self._charges.get(path_reference, 0) + 1
        return 202, {"status": "Accepted", "message": "Payment processing initiated", "code": 202,
                     "transaction": dict(transaction)}

    def _op_retrieve(self, record: RecordedRequest):
        reference = record.path.rsplit("/", 1)[1]
        notch_reference = self._by_merchant.get(reference, reference)
        transaction = self.transactions.get(notch_reference)
        if transaction is None:
            return 404, self.error_body(404, "Payment Not Found", "")
        return 200, {"status": "OK", "message": "Payment retrieved", "code": 200, "transaction": dict(transaction)}


@pytest.fixture(name="fake_notchpay")
def fake_notchpay_fixture():
    server = FakeNotchPay().start()
    yield server
    server.stop()


def notchpay_client(fake: FakeNotchPay, *, timeout: float = 0.5, public_key: str | None = None,
                    webhook_hash: str | None = None) -> NotchPayGateway:
    """The real client pointed at the fake (short timeout)."""
    return NotchPayGateway(fake.public_key if public_key is None else public_key, fake.private_key,
                           fake.webhook_hash if webhook_hash is None else webhook_hash, fake.url, timeout)


@pytest.fixture(name="notchpay_gateway")
def notchpay_gateway_fixture(fake_notchpay):
    gateway = notchpay_client(fake_notchpay)
    yield gateway
    gateway.close()
