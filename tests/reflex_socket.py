"""A minimal browser tab speaking Reflex's websocket protocol, for tests and benchmarks that measure how
the backend processes events (not how a page renders: the browser tests do that).

Reflex 0.10's frontend is a Socket.IO 5 client on Engine.IO 4 over the `/_event` path, with the tab's
token as a query parameter and the `hydrate_and_load` boot event in the CONNECT packet; events go out
as "event" messages and state deltas come back the same way. Like the browser, a client sends back
every backend event an update asks for. Built on `simple_websocket` (installed with Reflex):
python-socketio's AsyncClient would need aiohttp, which the project does not install.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable

from simple_websocket import AioClient, ConnectionClosed

ROOT = "reflex___state____state"
BASE = f"{ROOT}.kmerhosting___state___base____base_state"
CART = f"{BASE}.kmerhosting___state___cart____cart_state"
HOSTING = f"{BASE}.kmerhosting___state___hosting____hosting_state"
EVENT_TIMEOUT = 60.0  # seconds for one round trip before the client gives up
NAMESPACE = "/_event"  # Reflex's Socket.IO namespace is the endpoint's path, as socket.io-client derives it


class RoundTripError(Exception):
    pass


class Client:
    """One browser tab: a websocket speaking Engine.IO 4 / Socket.IO 5, as socket.io-client does."""

    def __init__(self, base_url: str, router: dict):
        self.ws_url = base_url.replace("http://", "ws://") + "/_event/?EIO=4&transport=websocket"
        self.router = router
        self.token = str(uuid.uuid4())
        self.updates: asyncio.Queue[dict] = asyncio.Queue()
        self.ws = None
        self.reader = None

    async def connect(self, boot_event: dict) -> None:
        self.ws = await AioClient.connect(f"{self.ws_url}&token={self.token}")
        opening = await self.ws.receive(timeout=EVENT_TIMEOUT)
        if not isinstance(opening, str) or not opening.startswith("0"):
            raise RoundTripError(f"unexpected Engine.IO opening: {opening!r}")
        # The hydrate event rides in the CONNECT packet, as the frontend sends it.
        await self.ws.send(f"40{NAMESPACE}," + json.dumps({"event": self._routed(boot_event)}))
        self.reader = asyncio.create_task(self._read())

    def _routed(self, event: dict) -> dict:
        return {"name": event["name"], "payload": event.get("payload") or {}, "router_data": dict(self.router)}

    async def emit(self, event: dict) -> None:
        await self.ws.send(f"42{NAMESPACE}," + json.dumps(["event", self._routed(event)]))

    async def _read(self) -> None:
        try:
            while True:
                packet = await self.ws.receive()
                if packet == "2":  # Engine.IO ping from the server
                    await self.ws.send("3")
                elif isinstance(packet, str) and packet.startswith(f"42{NAMESPACE},"):
                    name, *args = json.loads(packet[len(NAMESPACE) + 3:])
                    if name == "event" and args:
                        await self._on_update(args[0])
                elif isinstance(packet, str) and packet.startswith(f"44{NAMESPACE},"):
                    await self.updates.put({"connect_error": packet[len(NAMESPACE) + 3:]})
        except (ConnectionClosed, asyncio.CancelledError):
            pass

    async def _on_update(self, update: dict) -> None:
        # The browser queues backend events an update carries and sends them back; names starting
        # with "_" run in the browser (redirect, toast, storage) and never reach the backend.
        for event in update.get("events") or []:
            if not event.get("name", "_").startswith("_"):
                await self.emit(event)
        await self.updates.put(update)

    async def until(self, done: Callable[[dict], bool], deadline: float) -> dict:
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise RoundTripError("no matching update in time")
            update = await asyncio.wait_for(self.updates.get(), remaining)
            if "connect_error" in update:
                raise RoundTripError(f"connection refused: {update['connect_error']}")
            if done(update):
                return update

    async def round_trip(self, event: dict, done: Callable[[dict], bool]) -> float:
        while not self.updates.empty():
            self.updates.get_nowait()
        start = time.perf_counter()
        await self.emit(event)
        update = await self.until(done, start + EVENT_TIMEOUT)
        elapsed = time.perf_counter() - start
        if is_error_toast(update):
            raise RoundTripError(f"the handler answered with an error toast: {json.dumps(update)[:400]}")
        return elapsed

    async def close(self) -> None:
        if self.reader:
            self.reader.cancel()
        if self.ws:
            try:
                await self.ws.close()
            except Exception:  # noqa: BLE001
                pass


def changes(state: str, var: str) -> Callable[[dict], bool]:
    """The answer to an event: an update changing `var` of `state`, or an error toast instead."""
    def done(update: dict) -> bool:
        return var in ((update.get("delta") or {}).get(state) or {}) or is_error_toast(update)
    return done


def is_error_toast(update: dict) -> bool:
    """rx.toast.error() reaches the browser as a script event (a toast shows and nothing changes)."""
    return not update.get("delta") and any(
        e.get("name") in ("_call_script", "_call_function") and "error" in json.dumps(e.get("payload", {}))
        for e in update.get("events") or [])


def hydrated(update: dict) -> bool:
    """The backend has run the page's on_load and says the tab is hydrated."""
    return ((update.get("delta") or {}).get(ROOT) or {}).get("is_hydrated_rx_state_") is True


def state_name(*path: str) -> str:
    """The full name of a state under BaseState, e.g. state_name("domains", "domains_state")."""
    name = BASE
    for module, cls in zip(path[::2], path[1::2]):
        name += f".kmerhosting___state___{module}____{cls}"
    return name
