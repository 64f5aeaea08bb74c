"""Running a background event handler (`@rx.event(background=True)`) in a state test, without a socket.

In the app, such a handler gets a proxy of its state and changes it only inside `async with self:`
blocks, while the event loop serves other events. Here the proxy is a stand-in that forwards to the
state itself; the handler's blocking work still runs in the provider pool (state/offloop.py), in a
thread of its own, as in the app.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect


class _AsSeenByBackgroundTask:
    def __init__(self, state):
        object.__setattr__(self, "_state", state)

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info):
        return False

    def __getattr__(self, name):
        return getattr(object.__getattribute__(self, "_state"), name)

    def __setattr__(self, name, value):
        setattr(object.__getattribute__(self, "_state"), name, value)


async def _drain(fn, proxy, args, kwargs) -> list:
    if inspect.isasyncgenfunction(fn):
        return [event async for event in fn(proxy, *args, **kwargs) if event is not None]
    result = await fn(proxy, *args, **kwargs)
    return [] if result is None else [result]


def run_background(state, handler: str, *args, **kwargs) -> list:
    """Run `state.<handler>` to its end; returns the events it yielded or returned. As in the app, a
    handler a state inherits runs on the ancestor state that declares it."""
    while handler not in type(state).__dict__:
        state = state.parent_state
    fn = getattr(type(state), handler).fn
    proxy = _AsSeenByBackgroundTask(state)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _drain(fn, proxy, args, kwargs)).result()
