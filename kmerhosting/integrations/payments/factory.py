"""Which gateway the shop uses (PAYMENT_GATEWAY), one client per configuration, reused across requests."""

from __future__ import annotations

import threading

from ...config import Settings, get_settings
from . import PaymentGateway

_override: dict[str, PaymentGateway] = {}
_cache: dict[tuple, PaymentGateway] = {}
_lock = threading.Lock()


def set_gateway_override(gateway: PaymentGateway | None, *, name: str | None = None) -> None:
    """Tests point the shop at another gateway (a real client on a fake server); None forgets them all."""
    if gateway is None:
        if name:
            _override.pop(name, None)
        else:
            _override.clear()
        return
    _override[name or gateway.name] = gateway


def get_gateway(settings: Settings | None = None) -> PaymentGateway:
    """The gateway new top-ups go to."""
    settings = settings or get_settings()
    found = gateway_named(settings.payment_gateway, settings)
    assert found is not None  # config.py refuses a chosen gateway without its settings
    return found


def gateway_named(name: str, settings: Settings | None = None) -> PaymentGateway | None:
    """The gateway a payment was made with (its status is asked there even after PAYMENT_GATEWAY changes),
    or None when that gateway is not configured here (its webhooks are refused)."""
    if name in _override:
        return _override[name]
    settings = settings or get_settings()
    if name == "sandbox":
        key = ("sandbox", settings.secret_key)
    elif name == "notchpay" and settings.notchpay_public_key and settings.notchpay_webhook_hash:
        key = ("notchpay", settings.notchpay_public_key, settings.notchpay_private_key,
               settings.notchpay_webhook_hash, settings.notchpay_endpoint, settings.payment_timeout)
    elif name == "campay" and settings.campay_username and settings.campay_webhook_key:
        key = ("campay", settings.campay_username, settings.campay_password, settings.campay_webhook_key,
               settings.campay_endpoint, settings.payment_timeout)
    else:
        return None
    with _lock:
        if key not in _cache:
            _cache[key] = _build(name, settings)
        return _cache[key]


def _build(name: str, settings: Settings) -> PaymentGateway:
    if name == "sandbox":
        from .sandbox import SandboxGateway

        return SandboxGateway(settings.secret_key)
    if name == "notchpay":
        from .notchpay import NotchPayGateway

        return NotchPayGateway.from_settings(settings)
    from .campay import CampayGateway

    return CampayGateway.from_settings(settings)
