"""The sandbox gateway: the zero-config default. It moves no money and the page says so.

A local user decides the outcome with the phone number's last two digits, like a gateway's test numbers:

- ending in 00: the payment fails (as with an empty wallet);
- ending in 01: the customer cancels it;
- ending in 99: nobody answers: it stays pending until the shop's deadline expires it;
- any other number: it completes CONFIRM_SECONDS after it was started (the customer "confirmed").

It keeps nothing: the gateway reference carries the outcome, the start time and the amount, sealed with
an HMAC of the shop's secret key, so the web process and the worker see the same payment and a forged
reference is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Mapping

from . import (CANCELED, COMPLETE, FAILED, MTN, PENDING, GatewayRejected, GatewayStatus, InvalidWebhook,
               Started)

CONFIRM_SECONDS = 3.0
OUTCOMES = {"00": "fail", "01": "cancel", "99": "hang"}
USSD = {MTN: "*126#", "orange": "#150*50#"}


class SandboxGateway:
    name = "sandbox"
    is_test = True
    retry_start_after_timeout = True

    def __init__(self, secret: str, confirm_seconds: float = CONFIRM_SECONDS):
        self._key = hashlib.sha256(f"sandbox-gateway:{secret}".encode()).digest()
        self.confirm_seconds = confirm_seconds

    def _mac(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:16]

    def start(self, *, reference: str, amount: int, currency: str, operator: str, phone: str,
              description: str = "", customer_name: str = "", customer_email: str = "") -> Started:
        outcome = OUTCOMES.get(phone[-2:], "ok")
        body = f"sbx-{outcome}-{int(time.time() * 1000)}-{int(amount)}-{currency}-{reference}"
        return Started(gateway_reference=f"{body}-{self._mac(body)}", status=PENDING,
                       ussd_code=USSD.get(operator, ""), raw={"sandbox": True, "outcome": outcome})

    def _decode(self, gateway_reference: str) -> tuple[str, float, int, str, str]:
        body, _, mac = gateway_reference.rpartition("-")
        parts = body.split("-", 5)
        if len(parts) != 6 or parts[0] != "sbx" or not hmac.compare_digest(mac, self._mac(body)):
            raise GatewayRejected("unknown payment", code="not_found")
        _, outcome, started_ms, amount, currency, reference = parts
        return outcome, int(started_ms) / 1000, int(amount), currency, reference

    def status(self, reference: str, gateway_reference: str = "") -> GatewayStatus:
        outcome, started, amount, currency, ref = self._decode(gateway_reference)
        if ref != reference:
            raise GatewayRejected("unknown payment", code="not_found")
        due = time.time() - started >= self.confirm_seconds
        status, reason = PENDING, ""
        if due and outcome == "ok":
            status = COMPLETE
        elif due and outcome == "fail":
            status, reason = FAILED, "insufficient funds (sandbox)"
        elif due and outcome == "cancel":
            status, reason = CANCELED, "cancelled by the customer (sandbox)"
        return GatewayStatus(reference=reference, gateway_reference=gateway_reference, status=status,
                             amount=amount, currency=currency, operator="", reason=reason,
                             raw={"sandbox": True, "status": status})

    def parse_webhook(self, *, method: str, headers: Mapping[str, str], query: Mapping[str, str],
                      body: bytes):
        raise InvalidWebhook("the sandbox gateway sends no webhooks")
