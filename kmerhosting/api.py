"""JSON routes mounted beside the Reflex app (integrations), under /api."""

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.routing import Route

from .config import get_settings
from .core.catalog import active_packs
from .core.pricing import pack_prices
from .db import session_scope


async def health(_request):
    return JSONResponse({"status": "ok"})


def _catalogue() -> list[dict]:
    with session_scope() as session:
        return [{
            "slug": pack.slug, "name": pack.name, "control_panel": pack.control_panel,
            "description": {"fr": pack.description_fr, "en": pack.description_en or pack.description_fr},
            "disk_gb": pack.disk_gb, "bandwidth_gb": pack.bandwidth_gb, "email_accounts": pack.email_accounts,
            "databases": pack.databases, "websites": pack.websites, "free_ssl": pack.free_ssl,
            "monthly_price": pack.monthly_price,
            "prices": [{"months": p.months, "price": p.price, "discount_percent": p.discount_percent,
                        "monthly_equivalent": p.monthly_equivalent, "saving": p.saving}
                       for p in pack_prices(pack)],
        } for pack in active_packs(session)]


async def packs(_request):
    """The active catalogue with the price of every offered duration (integer XAF)."""
    data = await run_in_threadpool(_catalogue)
    return JSONResponse({"currency": get_settings().currency,
                         "rounding": "monthly_price * months * (100 - discount) / 100, half up to the franc",
                         "packs": data})


MAX_WEBHOOK_BYTES = 64 * 1024


async def payment_webhook(request):
    """A gateway's notification (`/api/payments/notchpay`, `/api/payments/campay`). Only a hint: the
    signature is checked over the raw body, then the gateway is asked where the payment is."""
    from .core.payments import handle_webhook

    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        return JSONResponse({"error": "too large"}, status_code=413)
    status, answer = await run_in_threadpool(
        handle_webhook, request.path_params["gateway"], method=request.method, headers=dict(request.headers),
        query=dict(request.query_params), body=body)
    return JSONResponse(answer, status_code=status)


ROUTES = [Route("/api/health", health), Route("/api/packs", packs),
          Route("/api/payments/{gateway:str}", payment_webhook, methods=["GET", "POST"])]

api = Starlette(routes=ROUTES)
