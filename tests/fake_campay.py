"""A fake Campay for tests: real HTTP on 127.0.0.1 speaking the documented wire protocol
(PROTOCOLS.md B1), failures included.

Contract held (a breach is listed in `violations`): `POST /api/token/` with JSON `{username,
password}` gives `{"token", "expires_in"}`; every other call carries `Authorization: Token <token>`
(never "Bearer"); paths end with "/". `POST /api/collect/` takes `amount` as a string of whole
francs, `currency`, `from` (237 + 9 digits), `description` and `external_reference`, and answers 200
`{"reference", "ussd_code", "operator"}`. Refusals are 400 `{"message", "error_code"}`: ER101 (not
237 + 9 digits), ER102 (not an MTN or Orange number), ER201 (amount with decimals). A second collect
for an `external_reference` already seen is refused with a "Duplicate" message (assumed, see
campay.py) and pushes nothing. `GET /api/transaction/{reference}/` answers the transaction (status
PENDING, SUCCESSFUL or FAILED) or 404. An unknown or revoked token gets 401 `{"detail"}`.

Tests move a payment on (`complete`, `fail`, `cancel`, `expire`, `set_status`), count USSD pushes
per external reference (`charges`), revoke tokens (`revoke_tokens`), plan failures (see
FakeGatewayServer) and deliver callbacks as Campay does: a GET with the outcome in the query and a
JWT `signature` signed with the webhook key (`send_webhook`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid

import httpx
import pytest

from kmerhosting.integrations.payments.campay import CampayGateway

from .fake_gateway import ContractViolation, FakeGatewayServer, RecordedRequest

USERNAME = "kmer-app-test"
PASSWORD = "campay-P@ss&word"
WEBHOOK_KEY = "campay-webhook-key-test"
MTN_PREFIX = re.compile(r"2376(7\d|8\d|5[0-4])\d{6}")
ORANGE_PREFIX = re.compile(r"2376(9\d|5[5-9])\d{6}")
CALLBACK_FIELDS = ("status", "reference", "amount", "currency", "operator", "code", "operator_reference",
                   "external_reference")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(claims: dict, key: str, alg: str = "HS256") -> str:
    """A compact JWT, written here independently of the client's checker."""
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    if alg == "none":
        return f"{header}.{body}."
    digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}[alg]
    signature = hmac.new(key.encode(), f"{header}.{body}".encode(), digest).digest()
    return f"{header}.{body}.{b64url(signature)}"


class FakeCampay(FakeGatewayServer):
    def __init__(self, username: str = USERNAME, password: str = PASSWORD, webhook_key: str = WEBHOOK_KEY,
                 token_ttl: int = 3600):
        super().__init__()
        self.username = username
        self.password = password
        self.webhook_key = webhook_key
        self.token_ttl = token_ttl
        self.tokens: dict[str, float] = {}           # token -> time.monotonic() it stops working
        self.transactions: dict[str, dict] = {}      # by Campay reference
        self._by_external: dict[str, str] = {}       # external_reference -> Campay reference
        self._charges: dict[str, int] = {}           # Campay reference -> USSD pushes
        self._counter = 0

    # --- test controls --------------------------------------------------------------------------

    def transaction(self, reference: str) -> dict:
        """The transaction under either reference (KeyError if unknown)."""
        with self._lock:
            return self.transactions[self._by_external.get(reference, reference)]

    def charges(self, reference: str) -> int:
        """How many USSD prompts were pushed for the payment (external or Campay reference)."""
        with self._lock:
            return self._charges.get(self._by_external.get(reference, reference), 0)

    def revoke_tokens(self) -> None:
        """Every token issued so far stops working (the next call answers 401)."""
        with self._lock:
            self.tokens.clear()

    def set_status(self, reference: str, status: str, *, amount: int | None = None, currency: str | None = None,
                   reason: str = "") -> dict:
        with self._lock:
            transaction = self.transaction(reference)
            transaction["status"] = status
            if amount is not None:
                transaction["amount"] = amount
            if currency is not None:
                transaction["currency"] = currency
            if reason:
                transaction["reason"] = reason
            if status == "SUCCESSFUL" and not transaction["operator_reference"]:
                transaction["operator_reference"] = "MP" + secrets.token_hex(6).upper()
            return transaction

    def complete(self, reference: str, amount: int | None = None, currency: str | None = None) -> dict:
        """The customer confirmed on the phone (optionally the gateway reports another amount or currency)."""
        return self.set_status(reference, "SUCCESSFUL", amount=amount, currency=currency)

    def fail(self, reference: str, reason: str = "Insufficient funds") -> dict:
        return self.set_status(reference, "FAILED", reason=reason)

    def cancel(self, reference: str) -> dict:
        # Campay has no "canceled" word: a payment the customer declines is FAILED with a reason.
        return self.set_status(reference, "FAILED", reason="Transaction cancelled by the payer")

    def expire(self, reference: str) -> dict:
        return self.set_status(reference, "FAILED", reason="Transaction timed out")

    def callback_query(self, reference: str, *, status: str | None = None, signature: str = "good",
                       expires_in: int | None = None, claims_override: dict | None = None) -> dict[str, str]:
        """The query of the callback Campay would send now. signature: good | bad (another key) |
        none (no parameter) | alg_none (unsigned token) | hs512 | expired | garbled."""
        transaction = self.transaction(reference)
        query = {name: str(transaction.get(name) or "") for name in CALLBACK_FIELDS}
        if status is not None:
            query["status"] = status
        claims: dict = {**query, "iat": int(time.time())}
        if expires_in is not None:
            claims["exp"] = int(time.time()) + expires_in
        if signature == "expired":
            claims["iat"], claims["exp"] = int(time.time()) - 7200, int(time.time()) - 3600
        claims.update(claims_override or {})
        if signature in ("good", "expired"):
            query["signature"] = make_jwt(claims, self.webhook_key)
        elif signature == "bad":
            query["signature"] = make_jwt(claims, "not-the-webhook-key")
        elif signature == "alg_none":
            query["signature"] = make_jwt(claims, "", alg="none")
        elif signature == "hs512":
            query["signature"] = make_jwt(claims, self.webhook_key, alg="HS512")
        elif signature == "garbled":
            query["signature"] = "not-a-jwt"
        return query

    def send_webhook(self, url: str, reference: str, *, status: str | None = None, signature: str = "good",
                     body_override: dict | None = None, times: int = 1, method: str = "GET",
                     expires_in: int | None = None) -> list[httpx.Response]:
        """Deliver the callback like Campay: a GET with the outcome and the JWT in the query.
        `body_override` changes query values after signing (a replay with altered values)."""
        query = self.callback_query(reference, status=status, signature=signature, expires_in=expires_in)
        query.update(body_override or {})
        with httpx.Client(timeout=5) as client:
            return [client.request(method, url, params=query) for _ in range(times)]

    # --- protocol -------------------------------------------------------------------------------

    def route(self, record: RecordedRequest) -> str:
        routes = {("POST", "/api/token/"): "token", ("POST", "/api/collect/"): "collect"}
        if (record.method, record.path) in routes:
            return routes[record.method, record.path]
        if re.fullmatch(r"/api/transaction/[^/]+/", record.path) and record.method == "GET":
            return "transaction"
        if record.path.rstrip("/") in ("/api/token", "/api/collect") or record.path.startswith("/api/transaction/"):
            raise ContractViolation("wrong method, or the path lacks its trailing '/'", 405)
        raise ContractViolation("no such endpoint", 404)

    def check_request(self, record: RecordedRequest):
        if record.method == "POST":
            if not record.headers.get("content-type", "").startswith("application/json"):
                raise ContractViolation("POST body must be application/json")
            if not isinstance(record.json, dict):
                raise ContractViolation("POST body must be a JSON object")
        if record.operation == "token":
            return None
        authorization = record.headers.get("authorization", "")
        if not authorization.startswith("Token "):
            raise ContractViolation(f"Authorization must be 'Token <token>', got {authorization[:12]!r}", 401)
        with self._lock:
            good_until = self.tokens.get(authorization[len("Token "):])
        if good_until is None or time.monotonic() > good_until:
            return 401, {"detail": "Invalid token."}
        return None

    def error_body(self, status: int, message: str, error_code: str):
        return {"message": message, "error_code": error_code} if error_code else {"message": message}

    def handle(self, record: RecordedRequest):
        return getattr(self, "_op_" + record.operation)(record)

    def _op_token(self, record: RecordedRequest):
        body = record.json
        if set(body) != {"username", "password"}:
            raise ContractViolation(f"token body must be exactly username and password, got {sorted(body)}")
        if body["username"] != self.username or body["password"] != self.password:
            return 400, {"non_field_errors": ["Unable to log in with provided credentials."]}
        token = secrets.token_hex(20)
        self.tokens[token] = time.monotonic() + self.token_ttl
        return 200, {"token": token, "expires_in": self.token_ttl}

    def _op_collect(self, record: RecordedRequest):
        body = record.json
        amount, phone, external = body.get("amount"), body.get("from"), body.get("external_reference")
        if not isinstance(amount, str):
            raise ContractViolation(f"amount must be a string of whole francs, got {amount!r}")
        if not isinstance(phone, str):
            raise ContractViolation("'from' must be a string")
        if not isinstance(external, str) or not external:
            raise ContractViolation("external_reference must be sent (our idempotency key)")
        if not isinstance(body.get("description"), str):
            raise ContractViolation("description must be a string")
        if not re.fullmatch(r"[1-9]\d*", amount):
            return 400, self.error_body(400, "Amount must be a whole number without decimals", "ER201")
        if body.get("currency") != "XAF":
            return 400, self.error_body(400, "Currency not supported", "")
        if not re.fullmatch(r"237\d{9}", phone):
            return 400, self.error_body(400, "Invalid number. Phone number must start with the country code 237",
                                        "ER101")
        operator = "MTN" if MTN_PREFIX.fullmatch(phone) else "ORANGE" if ORANGE_PREFIX.fullmatch(phone) else ""
        if not operator:
            return 400, self.error_body(400, "Invalid number. Only MTN and Orange numbers are supported", "ER102")
        if external in self._by_external:
            return 400, self.error_body(400, f"Duplicate external_reference {external}", "ER_DUPLICATE")
        self._counter += 1
        reference = str(uuid.uuid4())
        self.transactions[reference] = {
            "reference": reference, "external_reference": external, "status": "PENDING", "amount": int(amount),
            "currency": "XAF", "operator": operator, "code": f"CP{time.strftime('%y%m%d')}T{self._counter:05d}",
            "operator_reference": "", "reason": "", "description": body["description"], "phone": phone,
        }
        self._by_external[external] = reference
        self._charges[reference] = self._charges.get(reference, 0) + 1
        return 200, {"reference": reference, "ussd_code": "*126#" if operator == "MTN" else "#150*50#",
                     "operator": operator.lower()}

    def _op_transaction(self, record: RecordedRequest):
        reference = record.path.rstrip("/").rsplit("/", 1)[1]
        transaction = self.transactions.get(reference)
        if transaction is None:
            return 404, {"detail": "Not found."}
        return 200, {k: v for k, v in transaction.items() if k not in ("description", "phone")}


@pytest.fixture(name="fake_campay")
def fake_campay_fixture():
    server = FakeCampay().start()
    yield server
    server.stop()


def campay_client(fake: FakeCampay, *, timeout: float = 0.5, password: str | None = None,
                  webhook_key: str | None = None) -> CampayGateway:
    """The real client pointed at the fake (short timeout)."""
    return CampayGateway(fake.username, fake.password if password is None else password,
                         fake.webhook_key if webhook_key is None else webhook_key, fake.url, timeout)


@pytest.fixture(name="campay_gateway")
def campay_gateway_fixture(fake_campay):
    gateway = campay_client(fake_campay)
    yield gateway
    gateway.close()
