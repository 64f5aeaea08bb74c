"""Provider calls made while a visitor waits (a domain search, a registrar price), run off the event loop.

A plain handler runs inside the backend worker's event loop: a registrar call made there stalls every
other visitor of that worker until it answers. So a handler that needs the registrar is a background
event (`@rx.event(background=True)`) that awaits `off_loop(...)`: the call runs in a thread of a pool
kept for provider calls, with a deadline, while the loop serves everyone else. Work that can finish
later (registering, renewing, mail) does not wait at all: it is a job for the worker (core/jobs.py).
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from ..config import get_settings

# Enough threads that a few slow answers don't queue the others behind them; each waits on a socket.
_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="provider-call")


class TooSlow(Exception):
    """The provider did not answer within the deadline; the visitor is told to try again."""


async def off_loop(fn: Callable[..., Any], *args, timeout: float | None = None, **kwargs) -> Any:
    """`fn(*args, **kwargs)` in the provider pool; raises TooSlow after `timeout` seconds (default
    REGISTRAR_WAIT_SECONDS). The call itself is bounded by the client's own timeouts and ends on its own."""
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(_POOL, functools.partial(fn, *args, **kwargs))
    try:
        return await asyncio.wait_for(future, timeout or get_settings().registrar_wait_seconds)
    except asyncio.TimeoutError:
        raise TooSlow() from None
