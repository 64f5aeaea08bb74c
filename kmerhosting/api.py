"""JSON routes mounted beside the Reflex app (integrations), under /api."""

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def health(_request):
    return JSONResponse({"status": "ok"})


ROUTES = [Route("/api/health", health)]

api = Starlette(routes=ROUTES)
