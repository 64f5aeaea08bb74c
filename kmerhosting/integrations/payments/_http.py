"""Plumbing the Notch Pay and Campay clients share: one request turned into JSON or a typed error.

The split between the two errors is what the caller's money logic rests on:

- `GatewayUnavailable` when we cannot tell what happened: timeout, connection error, 5xx (a proxy's
  502/504 may hide a request that did arrive), 408/425/429 (asked to come back later) or an answer
  that is not the JSON the protocol promises. The payment stays pending and is asked about again.
- `GatewayRejected` for any other 4xx: the gateway read the request and said no. Its own words
  travel in the message, and `code` carries the gateway's error code when it gives one (Campay's
  "ER101"...) or a word for the HTTP status ("not_found", "unauthorized", "invalid", "conflict").
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx

from . import GatewayRejected, GatewayUnavailable

log = logging.getLogger("kmerhosting.integrations.payments")

# 4xx answers that mean "not now" rather than "no".
RETRY_LATER = frozenset({408, 425, 429})
STATUS_WORDS = {400: "invalid", 401: "unauthorized", 403: "unauthorized", 404: "not_found", 405: "invalid",
                409: "conflict", 422: "invalid"}

USSD_CODES = {"mtn": "*126#", "orange": "#150*50#"}


def send(http: httpx.Client, gateway: str, operation: str, method: str, url: str, *,
         headers: Mapping[str, str] | None = None, json_body: Any = None) -> tuple[int, Any]:
    """Send one request and return (status, decoded JSON) for a 2xx or a 4xx; raise otherwise.

    A 4xx is returned, not raised, so each client can read its own error shape (and the Campay
    client can act on a 401 by fetching a new token)."""
    started = time.monotonic()
    try:
        response = http.request(method, url, headers=headers, json=json_body)
    except httpx.TimeoutException as exc:
        log.warning("%s %s timed out after %.1fs", gateway, operation, time.monotonic() - started)
        raise GatewayUnavailable(f"{gateway} {operation}: no answer in time, outcome unknown",
                                 code="timeout") from exc
    except httpx.HTTPError as exc:
        # A connection refused is harmless, but a connection lost mid-request may hide a request
        # that arrived: both are "unknown" for the caller, who asks again before acting.
        log.warning("%s %s: %s", gateway, operation, type(exc).__name__)
        raise GatewayUnavailable(f"{gateway} {operation}: {type(exc).__name__}", code="connection") from exc
    status = response.status_code
    log.info("%s %s -> HTTP %s in %.2fs", gateway, operation, status, time.monotonic() - started)
    if status >= 500 or status in RETRY_LATER:
        raise GatewayUnavailable(f"{gateway} {operation}: HTTP {status}", code=f"http_{status}")
    try:
        payload = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        payload = None
    if 200 <= status < 300:
        if not isinstance(payload, dict):
            raise GatewayUnavailable(f"{gateway} {operation}: HTTP {status} without a JSON object",
                                     code="garbage")
        return status, payload
    if 400 <= status < 500:
        return status, payload if isinstance(payload, dict) else {"_text": response.text[:200]}
    raise GatewayUnavailable(f"{gateway} {operation}: unexpected HTTP {status}", code=f"http_{status}")


def rejection(gateway: str, operation: str, status: int, payload: Mapping, code: str = "") -> GatewayRejected:
    """The typed refusal for a 4xx answer, with the gateway's own message when it gave one."""
    message = ""
    for key in ("message", "detail", "error", "_text"):
        value = payload.get(key)
        if isinstance(value, str) and value.strip():
            message = value.strip()
            break
    listed = payload.get("non_field_errors")  # Django REST framework's shape for a refused login
    if not message and isinstance(listed, list) and listed:
        message = str(listed[0])
    errors = payload.get("errors")
    if isinstance(errors, Mapping) and errors:
        details = "; ".join(f"{k}: {v[0] if isinstance(v, list) and v else v}" for k, v in errors.items())
        message = f"{message} ({details})" if message else details
    code = code or STATUS_WORDS.get(status, f"http_{status}")
    return GatewayRejected(f"{gateway} {operation}: {message or f'HTTP {status}'}", code=code)


def whole_francs(value: Any) -> int | None:
    """An amount as whole francs: 5000, "5000", 5000.0 and "5000.00" are 5000; anything with a
    fractional part or not a number is None (XAF has no minor unit, so a fraction is a surprise)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return None
        if not number.is_integer():
            return None
        return int(text) if text.lstrip("-").isdigit() else int(number)
    return None


def digits(phone: str) -> str:
    """A phone number reduced to its digits ("+237 6 77 00 00 00" -> "237677000000")."""
    return "".join(ch for ch in phone if ch.isdigit())


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, whatever the case the web framework gave the names."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def check_amount(gateway: str, amount: Any) -> int:
    """Amounts are whole francs; a float or a bool here is a bug upstream, refused before sending."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise GatewayRejected(f"{gateway}: amount must be a positive whole number of francs, not {amount!r}",
                              code="invalid_amount")
    return amount
