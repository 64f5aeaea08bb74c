"""Campay over httpx: Mobile Money collection by direct USSD push, from the documented wire protocol.

Wire facts (PROTOCOLS.md B1): a temporary token comes from `POST /api/token/` with the app's
username and password (`{"token", "expires_in"}`) and is sent as `Authorization: Token <token>`
(literally "Token"). `POST /api/collect/` pushes the USSD prompt and answers 200 with Campay's
`reference`; `GET /api/transaction/{reference}/` tells where it is (PENDING, SUCCESSFUL, FAILED).
Amounts travel as strings of whole francs ("5000": decimals are refused, ER201); phones as
`237` + 9 digits (ER101). Campay calls the shop back with a **GET** whose query carries the
outcome and a `signature` that is a JWT (HS256) signed with the app's webhook key.

The token is cached per instance behind a lock (one fetch for all threads), renewed shortly before
`expires_in` runs out, and fetched again once when a call answers 401 (a token revoked early).

A retried `start()` after a timeout. Campay documents no lookup by our `external_reference`, so
the client cannot ask first as the Notch Pay client does. It relies instead on Campay refusing a
second collect for an `external_reference` it has already seen (the rule of PROTOCOLS.md B7; the
exact error Campay gives is UNVERIFIED: any 4xx whose message or `error_code` says "duplicate" is
read as one). That refusal is raised as `GatewayRejected(code="duplicate")`, and it does **not**
mean the payment failed: the first collect went through, the customer may be confirming it, and
the caller keeps the payment pending and learns Campay's `reference` from the callback (or its
deadline). The client remembers nothing between calls, so a restarted worker behaves the same.
If a real Campay account turned out to accept duplicates, a retried start would push a second
prompt; callers should therefore not retry a Campay start on their own after GatewayUnavailable,
only wait for the callback.

The JWT is checked here with hmac/hashlib/base64 (no third-party JWT library): the header must
say HS256 (`alg: none` and every other algorithm are refused), the signature is compared in
constant time, `exp`/`nbf` are honoured when present, and any callback field the token also
carries must equal the query's (a token replayed with other query values is refused).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import httpx

from . import (
    COMPLETE,
    FAILED,
    OPERATORS,
    PENDING,
    GatewayRejected,
    GatewayStatus,
    GatewayUnavailable,
    InvalidWebhook,
    Started,
    WebhookHint,
)
from ._http import STATUS_WORDS, USSD_CODES, check_amount, digits, rejection, send, whole_francs

log = logging.getLogger(__name__)

STATUSES = {"PENDING": PENDING, "SUCCESSFUL": COMPLETE, "FAILED": FAILED}
CALLBACK_FIELDS = ("status", "reference", "amount", "currency", "operator", "code", "operator_reference",
                   "external_reference")
DEFAULT_TOKEN_SECONDS = 3600.0   # Campay's documented lifetime, used when an answer leaves it out
JWT_LEEWAY_SECONDS = 60          # clock skew tolerated on exp / nbf


def map_status(word: str) -> tuple[str, str]:
    """(our status, reason) for a Campay status word; an unknown word stays PENDING (asked again)."""
    key = (word or "").strip().upper()
    if key not in STATUSES:
        return PENDING, f"unknown Campay status {word!r}" if word else "no status"
    return STATUSES[key], ""


def _b64url_decode(part: str) -> bytes:
    if not part or any(ch not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for ch in part):
        raise InvalidWebhook("Campay signature is not a JWT (bad base64url)", code="signature")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidWebhook("Campay signature is not a JWT (bad base64url)", code="signature") from exc


def _json_object(raw: bytes, what: str) -> dict:
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidWebhook(f"Campay signature: {what} is not JSON", code="signature") from exc
    if not isinstance(value, dict):
        raise InvalidWebhook(f"Campay signature: {what} is not a JSON object", code="signature")
    return value


def verify_jwt(token: str, key: str, *, now: float | None = None, leeway: float = JWT_LEEWAY_SECONDS) -> dict:
    """The claims of an HS256 JWT signed with `key`; InvalidWebhook for anything else."""
    if not key:
        raise InvalidWebhook("no Campay webhook key is configured: every callback is refused", code="config")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise InvalidWebhook("Campay signature is not a JWT (three parts expected)", code="signature")
    header_part, claims_part, signature_part = parts
    header = _json_object(_b64url_decode(header_part), "JWT header")
    if header.get("alg") != "HS256":  # never "none", never an algorithm the key was not meant for
        raise InvalidWebhook(f"Campay signature: algorithm {header.get('alg')!r} refused", code="signature")
    signed = f"{header_part}.{claims_part}".encode("ascii")
    expected = hmac.new(key.encode(), signed, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, _b64url_decode(signature_part)):
        raise InvalidWebhook("Campay signature does not match (wrong key or altered token)", code="signature")
    claims = _json_object(_b64url_decode(claims_part), "JWT claims")
    moment = time.time() if now is None else now
    for name in ("exp", "nbf"):
        value = claims.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise InvalidWebhook(f"Campay signature: {name} is not a number", code="signature")
    if claims.get("exp") is not None and moment > claims["exp"] + leeway:
        raise InvalidWebhook("Campay signature has expired", code="expired")
    if claims.get("nbf") is not None and moment + leeway < claims["nbf"]:
        raise InvalidWebhook("Campay signature is not valid yet", code="signature")
    return claims


class CampayGateway:
    """The shop's Campay client. One httpx.Client per instance: thread-safe, connections reused."""

    name = "campay"
    # No lookup by our reference: a start whose answer was lost is not sent again (see above).
    retry_start_after_timeout = False

    def __init__(self, username: str, password: str, webhook_key: str, endpoint: str = "https://demo.campay.net",
                 timeout: float = 20.0, transport: httpx.BaseTransport | None = None):
        self.username = username
        self._password = password
        self._webhook_key = webhook_key
        self.endpoint = endpoint.rstrip("/")
        self.timeout = timeout
        self.is_test = "demo." in self.endpoint
        self._http = httpx.Client(base_url=self.endpoint, timeout=httpx.Timeout(timeout), transport=transport,
                                  headers={"Accept": "application/json"})
        self._token_lock = threading.Lock()
        self._token = ""
        self._token_good_until = 0.0  # time.monotonic()

    @classmethod
    def from_settings(cls, settings: Any) -> CampayGateway:
        return cls(settings.campay_username, settings.campay_password, settings.campay_webhook_key,
                   settings.campay_endpoint, settings.payment_timeout)

    def __repr__(self) -> str:  # never show the password or a token, even in a traceback's locals
        return f"CampayGateway(username={self.username!r}, endpoint={self.endpoint!r})"

    def close(self) -> None:
        self._http.close()

    # --- token ----------------------------------------------------------------------------------

    def _token_for_call(self, stale: str = "") -> str:
        """A token believed valid. `stale` is one a call just saw refused: fetch a new one unless
        another thread already did."""
        with self._token_lock:
            if self._token and self._token != stale and time.monotonic() < self._token_good_until:
                return self._token
            status, payload = send(self._http, "Campay", "token", "POST", "/api/token/",
                                   json_body={"username": self.username, "password": self._password})
            if status >= 400:
                raise rejection("Campay", "token", status, payload,
                                code="unauthorized" if status in (400, 401, 403) else "")
            token = payload.get("token")
            if not isinstance(token, str) or not token:
                raise GatewayUnavailable("Campay token: answer without a token", code="garbage")
            seconds = whole_francs(payload.get("expires_in")) or DEFAULT_TOKEN_SECONDS
            # Renew a little early so a token never runs out between our check and Campay's.
            self._token = token
            self._token_good_until = time.monotonic() + seconds - min(60.0, seconds * 0.1)
            return token

    def _authorized(self, operation: str, method: str, path: str, body: Any = None) -> tuple[int, dict]:
        """A call with the token; on 401 one new token and one more try (a 401 means the request
        was not carried out, so sending it again cannot charge twice)."""
        token = self._token_for_call()
        status, payload = send(self._http, "Campay", operation, method, path,
                               headers={"Authorization": f"Token {token}"}, json_body=body)
        if status == 401:
            log.info("Campay %s: token refused, fetching a new one", operation)
            token = self._token_for_call(stale=token)
            status, payload = send(self._http, "Campay", operation, method, path,
                                   headers={"Authorization": f"Token {token}"}, json_body=body)
        return status, payload

    @staticmethod
    def _rejection(operation: str, status: int, payload: Mapping) -> GatewayRejected:
        error_code = str(payload.get("error_code") or "")
        words = f"{payload.get('message') or ''} {payload.get('detail') or ''} {error_code}".lower()
        if "duplicate" in words:
            code = "duplicate"
        else:
            code = error_code or STATUS_WORDS.get(status, f"http_{status}")
        return rejection("Campay", operation, status, payload, code=code)

    # --- PaymentGateway -------------------------------------------------------------------------

    def start(self, *, reference: str, amount: int, currency: str, operator: str, phone: str,
              description: str, customer_name: str, customer_email: str) -> Started:
        """Push the USSD prompt for `reference` (sent once; see the module docstring for retries)."""
        if operator not in OPERATORS:
            raise GatewayRejected(f"Campay: unknown operator {operator!r}", code="invalid_operator")
        amount = check_amount("Campay", amount)
        body = {"amount": str(amount), "currency": currency, "from": digits(phone), "description": description,
                "external_reference": reference}
        status, payload = self._authorized("collect", "POST", "/api/collect/", body)
        if status >= 400:
            raise self._rejection("collect", status, payload)
        campay_reference = payload.get("reference")
        if not isinstance(campay_reference, str) or not campay_reference:
            raise GatewayUnavailable("Campay collect: answer without a reference", code="garbage")
        answered = str(payload.get("operator") or "").lower()
        ussd_code = payload.get("ussd_code")
        if not isinstance(ussd_code, str) or not ussd_code.strip():
            ussd_code = USSD_CODES.get(answered) or USSD_CODES[operator]
        return Started(gateway_reference=campay_reference, status=PENDING, ussd_code=ussd_code.strip(), raw=payload)

    def status(self, reference: str, gateway_reference: str = "") -> GatewayStatus:
        """Where the payment is. Campay is only asked by its own reference (no lookup by ours)."""
        if not gateway_reference:
            raise GatewayRejected(f"Campay: no Campay reference known for {reference} yet", code="not_found")
        status, payload = self._authorized("transaction", "GET", f"/api/transaction/{gateway_reference}/")
        if status >= 400:
            raise self._rejection("transaction", status, payload)
        theirs = str(payload.get("external_reference") or "")
        if theirs and reference and theirs != reference:
            raise GatewayRejected(f"Campay: transaction {gateway_reference} belongs to {theirs!r}, not {reference!r}",
                                  code="mismatch")
        ours, reason = map_status(str(payload.get("status") or ""))
        return GatewayStatus(
            reference=reference, gateway_reference=str(payload.get("reference") or gateway_reference), status=ours,
            amount=whole_francs(payload.get("amount")), currency=str(payload.get("currency") or ""),
            operator=str(payload.get("operator") or "").lower(),
            operator_reference=str(payload.get("operator_reference") or ""),
            reason=reason or str(payload.get("reason") or ""), raw=payload,
        )

    def parse_webhook(self, *, method: str, headers: Mapping[str, str], query: Mapping[str, str],
                      body: bytes) -> WebhookHint:
        """Check the callback's JWT `signature`, then say which payment to read."""
        if method.upper() != "GET":
            raise InvalidWebhook(f"Campay calls back with GET, not {method}", code="method")
        token = query.get("signature") or ""
        if not token:
            raise InvalidWebhook("Campay callback without a signature", code="signature")
        claims = verify_jwt(token, self._webhook_key)
        for name in CALLBACK_FIELDS:
            if name in claims and name in query and str(claims[name]) != str(query[name]):
                raise InvalidWebhook(f"Campay callback: {name} differs from the signed value", code="signature")
        values = {name: str(query.get(name) or claims.get(name) or "") for name in CALLBACK_FIELDS}
        if not values["external_reference"]:
            raise InvalidWebhook("Campay callback without external_reference", code="body")
        word = values["status"]
        return WebhookHint(reference=values["external_reference"], gateway_reference=values["reference"],
                           status=map_status(word)[0] if word.upper() in STATUSES else "", event="callback",
                           raw=dict(query))
