"""Running async and background event handlers (`@rx.event(background=True)`) in a state test, without
a socket.

In the app, a background handler gets a proxy of its state and changes it only inside
`async with self:` blocks, while the event loop serves other events. Here the proxy is a stand-in that
forwards to the state itself; the handler's blocking work still runs in the provider pool
(state/offloop.py), in a thread of its own, as in the app.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import inspect


class BackgroundProxy:
    """What a background handler gets instead of its state: `async with self` is a no-op here."""

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


def run_async(coroutine):
    """Run a coroutine to the end in its own thread (the browser tests' Playwright keeps an event loop
    running in this one for the whole session), with this thread's context (Reflex keeps the app's
    registered states in a context variable)."""
    context = contextvars.copy_context()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, asyncio.run, coroutine).result()


async def drain(result) -> list:
    """The events an async handler yielded (an async generator) or returned (a coroutine)."""
    if inspect.isasyncgen(result):
        return [event async for event in result if event is not None]
    returned = await result
    return [] if returned is None else [returned]


def run_background(state, handler: str, *args, **kwargs) -> list:
    """Run `state.<handler>` to its end; returns the events it yielded or returned. As in the app, a
    handler a state inherits runs on the ancestor state that declares it."""
    while handler not in type(state).__dict__:
        state = state.parent_state
    fn = getattr(type(state), handler).fn
    return run_async(drain(fn(BackgroundProxy(state), *args, **kwargs)))


def substate(root, state_cls):
    """The instance of `state_cls` inside the tab whose root state is `root`."""
    import reflex as rx  # noqa: PLC0415

    chain = []
    while state_cls is not None and state_cls is not rx.State:
        chain.append(state_cls)
        state_cls = state_cls.get_parent_state()
    state = root
    for cls in reversed(chain):
        state = state.substates[cls.get_name()]
    return state
