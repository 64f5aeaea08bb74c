"""Reflex event round trip: "add to cart" against the app's simplest event, with 50 and 200 clients.

    python -m bench.event_roundtrip [--clients 50,200] [--events 10]

Starts the real app in production mode (tests/live.py `start_app`, fresh SQLite database, one backend
worker as without Redis), then simulates browsers on 127.0.0.1 speaking Reflex's websocket protocol
(Socket.IO over the `/_event` path, `token` query parameter, the `hydrate_and_load` boot event in the
CONNECT packet, events emitted as "event", state deltas received as "event"). Like the browser, a
client sends back every backend event an update asks for (e.g. the cart event chained by
`HostingState.add_to_cart`). Each client is a visitor on /hosting/<slug> with its own token.

Measured per event: from emit to the first update carrying the state the event changes.
- set_language      BaseState.set_language (alternating fr/en): no database, the floor.
- add_pack          CartState.add_pack(pack_id, 12): one handler; writes the anonymous cart, re-prices it.
- add_to_cart click HostingState.add_to_cart: the button on the pack page; the backend answers with
                    CartState.add_pack, which the client sends back (two socket round trips).
Every client of a run sends its events one after another (closed loop), all clients at once. The
redirect to /cart that follows a successful add (page change + its on_load) is not included.

The load generator runs on the same (small) machine as the app: the figures include that contention.
The socket client is a minimal Engine.IO 4 / Socket.IO 5 client on `simple_websocket` (installed with
Reflex); python-socketio's AsyncClient would need aiohttp, which the project does not install.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.live import start_app  # noqa: E402
from tests.reflex_socket import (BASE, CART, EVENT_TIMEOUT, HOSTING, ROOT, Client, RoundTripError,  # noqa: E402
                                 changes, hydrated)

RUN_LIMIT = 600.0  # seconds for a whole run (all clients), so a stuck backend can't hang the bench
CONNECT_AT_ONCE = 20  # clients connecting (and hydrating) concurrently; connection is not timed


def scenarios(pack_id: int) -> list[tuple[str, Callable[[int], dict], Callable[[dict], bool]]]:
    """(label, event for the n-th send, when the answer has arrived)."""
    return [
        ("set_language", lambda n: {"name": f"{BASE}.set_language", "payload": {"lang": "fr" if n % 2 else "en"}},
         changes(BASE, "lang_rx_state_")),
        ("add_pack", lambda n: {"name": f"{CART}.add_pack", "payload": {"pack_id": pack_id, "months": 12}},
         changes(CART, "lines_rx_state_")),
        ("add_to_cart click", lambda n: {"name": f"{HOSTING}.add_to_cart"},
         changes(CART, "lines_rx_state_")),
    ]


async def _open_clients(base_url: str, slug: str, count: int) -> list[Client]:
    path = f"/hosting/{slug}"
    router = {"pathname": path, "asPath": path, "query": {"slug": slug}}
    boot = {"name": f"{ROOT}.hydrate_and_load", "payload": {}}
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def one() -> Client:
        async with gate:
            client = Client(base_url, router)
            await client.connect(boot)
            # The backend runs the page's on_load (HostingState.load_pack) itself, then says hydrated.
            await client.until(hydrated, time.perf_counter() + EVENT_TIMEOUT)
            return client

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def run(base_url: str, slug: str, clients: int, events: int, make_event, done) -> tuple[list[float], int, float]:
    """Latencies of every timed event, failures, wall time of the timed part."""
    pool = await _open_clients(base_url, slug, clients)
    latencies: list[float] = []
    failures = 0
    stop_at = time.perf_counter() + RUN_LIMIT

    async def drive(client: Client) -> None:
        nonlocal failures
        await client.round_trip(make_event(0), done)  # warm-up: first call of this handler for this tab
        for n in range(1, events + 1):
            if time.perf_counter() > stop_at:
                return
            try:
                latencies.append(await client.round_trip(make_event(n), done))
            except (RoundTripError, asyncio.TimeoutError):
                failures += 1

    start = time.perf_counter()
    try:
        await asyncio.gather(*(drive(c) for c in pool))
    finally:
        wall = time.perf_counter() - start
        await asyncio.gather(*(c.close() for c in pool))
    return latencies, failures, wall


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(base_url: str, slug: str, counts: list[int], events: int) -> None:
    pack_id = asyncio.run(_pack_id(base_url, slug))
    results: dict[tuple[str, int], tuple[float, float]] = {}
    print(f"{'event':20} {'clients':>7} {'events':>7} {'failed':>6} {'p50 ms':>8} {'p99 ms':>8} {'events/s':>9}")
    for label, make_event, done in scenarios(pack_id):
        for count in counts:
            latencies, failures, wall = asyncio.run(run(base_url, slug, count, events, make_event, done))
            p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
            results[(label, count)] = (p50, p99)
            print(f"{label:20} {count:>7} {len(latencies):>7} {failures:>6} {p50:>8.1f} {p99:>8.1f} "
                  f"{len(latencies) / wall:>9.1f}", flush=True)
    print()
    print("ratios against set_language with the same number of clients:")
    for label, _, _ in scenarios(pack_id)[1:]:
        for count in counts:
            (p50, p99), (b50, b99) = results[(label, count)], results[("set_language", count)]
            print(f"  {label:18} {count:>4} clients: p50 x{p50 / b50:.2f}, p99 x{p99 / b99:.2f}")
    if len(counts) > 1:
        low, high = counts[0], counts[-1]
        print(f"ratios {high} clients / {low} clients:")
        for label, _, _ in scenarios(pack_id):
            (a50, a99), (b50, b99) = results[(label, high)], results[(label, low)]
            print(f"  {label:18}: p50 x{a50 / b50:.2f}, p99 x{a99 / b99:.2f}")


async def _pack_id(base_url: str, slug: str) -> int:
    """The pack shown on /hosting/<slug>, read from the page state as the browser receives it."""
    client = Client(base_url, {"pathname": f"/hosting/{slug}", "asPath": f"/hosting/{slug}", "query": {"slug": slug}})
    await client.connect({"name": f"{ROOT}.hydrate_and_load", "payload": {}})
    try:
        # The first update is the full default state (pack id 0); on_load's update carries the pack.
        update = await client.until(
            lambda u: (((u.get("delta") or {}).get(HOSTING) or {}).get("pack_rx_state_") or {}).get("id"),
            time.perf_counter() + EVENT_TIMEOUT)
        return int(update["delta"][HOSTING]["pack_rx_state_"]["id"])
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", default="50,200", help="comma-separated client counts")
    parser.add_argument("--events", type=int, default=10, help="timed events per client (cart holds 20 lines)")
    parser.add_argument("--slug", default="starter", help="the pack page the clients are on (a seeded pack)")
    parser.add_argument("--url", help="an app already running on 127.0.0.1 (default: start one here)")
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    events = max(1, min(args.events, 18))  # + 1 warm-up stays under the cart's 20 lines
    if args.url:
        if not args.url.startswith(("http://127.0.0.1", "http://localhost")):
            parser.error("--url must be a local app (http://127.0.0.1:PORT)")
        report(args.url.rstrip("/"), args.slug, counts, events)
        return
    work = Path(tempfile.mkdtemp(prefix="kmer-bench-"))
    app = start_app(work)
    try:
        report(app.base_url, args.slug, counts, events)
    finally:
        app.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
