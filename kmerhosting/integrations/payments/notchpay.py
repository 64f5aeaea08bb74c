"""Notch Pay over httpx: Mobile Money collection by direct USSD push, from the documented wire protocol.

Wire facts (PROTOCOLS.md B2): every call carries `Authorization: <public key>` (no "Bearer") and,
when configured, the private key as `X-Grant`. A payment takes two calls: `POST /payments` creates
it under our `reference` and answers 201 with Notch's own `transaction.reference`; then
`POST /payments/{notch reference}` with `{"channel": "cm.mtn"|"cm.orange", "data": {"phone"}}` asks
the operator to push the USSD prompt to the customer's phone and answers 202. `GET /payments/{ref}`
accepts either reference and tells where the payment is (`transaction.status`). Webhooks are POSTed
JSON signed with `x-notch-signature` = hex HMAC-SHA256 of the raw body under the webhook hash key.

Why `start()` reads before it writes: a timeout leaves us not knowing whether Notch created the
payment or sent the charge. So `start()` first asks `GET /payments/{our reference}`:

- unknown (404): create it, then charge it;
- known and still `pending`: Notch has not been asked to charge it (or refused to), so the charge
  is sent now — this is the retry after "created, but the answer was lost" or after a charge whose
  request never reached Notch;
- known in any other state (`processing`, `complete`, `failed`...): a charge was already accepted
  (its answer may have been lost), so no second charge is sent; its current state is returned.

"Charge sent but the answer lost" therefore rests on Notch moving a transaction out of `pending`
when it accepts a charge, which its status list (`pending → processing → complete|failed`)
implies. As a second guard, a charge that Notch refuses is followed by one more read: if the
transaction has meanwhile left `pending` (two starts raced), that state is returned instead of a
refusal, so the caller never marks as failed a payment the customer is confirming.

Amounts are whole francs (XAF has no minor unit; Notch's examples send 5000 for 5000 XAF).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from . import (
    CANCELED,
    COMPLETE,
    EXPIRED,
    FAILED,
    MTN,
    OPERATORS,
    PENDING,
    GatewayRejected,
    GatewayStatus,
    GatewayUnavailable,
    InvalidWebhook,
    Started,
    WebhookHint,
)
from ._http import USSD_CODES, check_amount, digits, header, rejection, send, whole_francs

log = logging.getLogger(__name__)

CHANNELS = {MTN: "cm.mtn", "orange": "cm.orange"}
OPERATOR_OF_CHANNEL = {"cm.mtn": MTN, "cm.orange": "orange"}

# Notch's words for a transaction's state (docs and its SDK's type), onto ours.
STATUSES = {
    "pending": PENDING, "processing": PENDING, "hold": PENDING, "incomplete": PENDING,
    "complete": COMPLETE,
    "failed": FAILED, "rejected": FAILED, "refunded": FAILED,
    "canceled": CANCELED, "cancelled": CANCELED, "abandoned": CANCELED,
    "expired": EXPIRED,
}
# Only this word means "created, never charged": a charge may be sent.
CHARGEABLE = "pending"
SIGNATURE_HEADER = "x-notch-signature"


def map_status(word: str) -> tuple[str, str]:
    """(our status, reason) for a Notch status word. An unknown word stays PENDING: the payment is
    asked about again until the caller's deadline rather than being settled on a guess."""
    word = (word or "").strip().lower()
    if word == "refunded":
        return FAILED, "refunded"
    if word not in STATUSES:
        return PENDING, f"unknown Notch Pay status {word!r}" if word else "no status"
    return STATUSES[word], ""


class NotchPayGateway:
    """The shop's Notch Pay client. One httpx.Client per instance: thread-safe, connections reused."""

    name = "notchpay"
    retry_start_after_timeout = True  # start() looks our reference up before creating anything

    def __init__(self, public_key: str, private_key: str, webhook_hash: str, endpoint: str = "https://api.notchpay.co",
                 timeout: float = 20.0, transport: httpx.BaseTransport | None = None):
        self.public_key = public_key
        self._private_key = private_key
        self._webhook_hash = webhook_hash
        self.endpoint = endpoint.rstrip("/")
        self.timeout = timeout
        self.is_test = public_key.startswith(("pk_test", "pk.test"))
        headers = {"Authorization": public_key, "Accept": "application/json"}
        if private_key:
            headers["X-Grant"] = private_key
        self._http = httpx.Client(base_url=self.endpoint, timeout=httpx.Timeout(timeout), transport=transport,
                                  headers=headers)

    @classmethod
    def from_settings(cls, settings: Any) -> NotchPayGateway:
        return cls(settings.notchpay_public_key, settings.notchpay_private_key, settings.notchpay_webhook_hash,
                   settings.notchpay_endpoint, settings.payment_timeout)

    def __repr__(self) -> str:  # never show the keys, even in a traceback's locals
        return f"NotchPayGateway(endpoint={self.endpoint!r}, is_test={self.is_test})"

    def close(self) -> None:
        self._http.close()

    # --- calls ----------------------------------------------------------------------------------

    def _call(self, operation: str, method: str, path: str, body: Any = None) -> tuple[int, dict]:
        return send(self._http, "Notch Pay", operation, method, path, json_body=body)

    def _lookup(self, reference: str) -> dict | None:
        """The transaction Notch holds under `reference` (ours or its own), or None if unknown."""
        status, payload = self._call("retrieve", "GET", f"/payments/{reference}")
        if status == 404:
            return None
        if status >= 400:
            raise rejection("Notch Pay", "retrieve", status, payload)
        return self._transaction(payload, "retrieve")

    @staticmethod
    def _transaction(payload: Mapping, operation: str) -> dict:
        transaction = payload.get("transaction")
        if not isinstance(transaction, dict) or not str(transaction.get("reference") or ""):
            raise GatewayUnavailable(f"Notch Pay {operation}: answer without a transaction reference", code="garbage")
        return transaction

    @staticmethod
    def _check_ours(transaction: Mapping, reference: str, operation: str) -> None:
        """A transaction that names another merchant reference is not this payment's: never read it
        as this payment's state (a caller bug or a mixed-up answer must not credit anyone)."""
        theirs = transaction.get("merchant_reference")
        if theirs and reference and str(theirs) != reference and str(transaction.get("reference")) != reference:
            raise GatewayRejected(f"Notch Pay {operation}: transaction {transaction.get('reference')} belongs to "
                                  f"{theirs!r}, not {reference!r}", code="mismatch")

    def _initialize(self, *, reference: str, amount: int, currency: str, phone: str, description: str,
                    customer_name: str, customer_email: str) -> tuple[dict, dict]:
        body = {
            "amount": amount, "currency": currency,
            "customer": {"name": customer_name, "email": customer_email, "phone": "+" + phone},
            "description": description, "reference": reference,
        }
        status, payload = self._call("initialize", "POST", "/payments", body)
        if status >= 400:
            raise rejection("Notch Pay", "initialize", status, payload)
        return self._transaction(payload, "initialize"), payload

    def _charge(self, notch_reference: str, operator: str, phone: str) -> dict:
        body = {"channel": CHANNELS[operator], "data": {"phone": phone}}
        status, payload = self._call("charge", "POST", f"/payments/{notch_reference}", body)
        if status >= 400:
            raise rejection("Notch Pay", "charge", status, payload)
        return payload

    # --- PaymentGateway -------------------------------------------------------------------------

    def start(self, *, reference: str, amount: int, currency: str, operator: str, phone: str,
              description: str, customer_name: str, customer_email: str) -> Started:
        """Create (or find) the payment for `reference` and push the USSD prompt at most once."""
        if operator not in OPERATORS:
            raise GatewayRejected(f"Notch Pay: unknown operator {operator!r}", code="invalid_operator")
        amount = check_amount("Notch Pay", amount)
        number = digits(phone)
        created: dict = {}
        transaction = self._lookup(reference)
        if transaction is None:
            try:
                transaction, created = self._initialize(
                    reference=reference, amount=amount, currency=currency, phone=number, description=description,
                    customer_name=customer_name, customer_email=customer_email)
            except GatewayRejected as exc:
                if exc.code != "conflict":
                    raise
                # Another start for this reference created it in between: use that one.
                transaction = self._lookup(reference)
                if transaction is None:
                    raise
        else:
            self._check_ours(transaction, reference, "retrieve")
            known = whole_francs(transaction.get("amount"))
            if known is not None and known != amount:
                raise GatewayRejected(f"Notch Pay: reference {reference} already holds {known}, not {amount}",
                                      code="mismatch")
            log.info("Notch Pay start %s: already known as %s (%s)", reference, transaction.get("reference"),
                     transaction.get("status"))
        notch_reference = str(transaction["reference"])
        redirect_url = str(created.get("authorization_url") or transaction.get("authorization_url") or "")
        raw: dict = {"transaction": transaction}
        if created:
            raw["initialize"] = created
        word = str(transaction.get("status") or "").lower()
        if word != CHARGEABLE:
            # Already charged (its answer may have been lost) or settled: never charge again.
            status, reason = map_status(word)
            return Started(gateway_reference=notch_reference, status=status, ussd_code=USSD_CODES[operator],
                           redirect_url=redirect_url, raw=raw | {"reason": reason})
        try:
            raw["charge"] = self._charge(notch_reference, operator, number)
        except GatewayRejected:
            again = self._lookup(notch_reference)
            if again is None or str(again.get("status") or "").lower() == CHARGEABLE:
                raise
            status, reason = map_status(str(again.get("status")))
            return Started(gateway_reference=notch_reference, status=status, ussd_code=USSD_CODES[operator],
                           redirect_url=redirect_url, raw={"transaction": again, "reason": reason})
        return Started(gateway_reference=notch_reference, status=PENDING, ussd_code=USSD_CODES[operator],
                       redirect_url=redirect_url, raw=raw)

    def status(self, reference: str, gateway_reference: str = "") -> GatewayStatus:
        """Where the payment is, read from Notch (by its reference when known, else by ours)."""
        transaction = self._lookup(gateway_reference or reference)
        if transaction is None:
            raise GatewayRejected(f"Notch Pay: no payment {gateway_reference or reference}", code="not_found")
        self._check_ours(transaction, reference, "status")
        status, reason = map_status(str(transaction.get("status") or ""))
        channel = str(transaction.get("channel") or transaction.get("payment_method") or "").lower()
        return GatewayStatus(
            reference=reference, gateway_reference=str(transaction["reference"]), status=status,
            amount=whole_francs(transaction.get("amount")), currency=str(transaction.get("currency") or ""),
            operator=OPERATOR_OF_CHANNEL.get(channel, ""),
            operator_reference=str(transaction.get("operator_reference") or transaction.get("processor_reference")
                                   or ""),
            reason=reason or str(transaction.get("reason") or transaction.get("message") or ""),
            raw=transaction,
        )

    def parse_webhook(self, *, method: str, headers: Mapping[str, str], query: Mapping[str, str],
                      body: bytes) -> WebhookHint:
        """Check `x-notch-signature` over the exact bytes received, then say which payment to read."""
        if method.upper() != "POST":
            raise InvalidWebhook(f"Notch Pay webhooks are POSTed, not {method}", code="method")
        if not self._webhook_hash:
            raise InvalidWebhook("no Notch Pay webhook hash is configured: every webhook is refused", code="config")
        given = (header(headers, SIGNATURE_HEADER) or "").strip().lower()
        if not given:
            raise InvalidWebhook("Notch Pay webhook without x-notch-signature", code="signature")
        expected = hmac.new(self._webhook_hash.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
            raise InvalidWebhook("Notch Pay webhook signature does not match the body", code="signature")
        try:
            payload = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidWebhook("Notch Pay webhook body is not JSON", code="body") from exc
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict):
            raise InvalidWebhook("Notch Pay webhook without data", code="body")
        notch_reference = str(data.get("reference") or "")
        ours = str(data.get("merchant_reference") or "") or notch_reference
        if not ours:
            raise InvalidWebhook("Notch Pay webhook without a reference", code="body")
        event = str(payload.get("event") or "")
        word = str(data.get("status") or "") or event.rpartition(".")[2]
        status = map_status(word)[0] if word.lower() in STATUSES else ""
        return WebhookHint(reference=ours, gateway_reference=notch_reference, status=status, event=event, raw=payload)
