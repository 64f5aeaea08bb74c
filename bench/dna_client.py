"""DNA client round trips against the fake DNA server on 127.0.0.1 (prints figures, asserts nothing).

    python -m bench.dna_client [calls]

Compares one shared client (what the registrar factory keeps) with a new client per call (what it
did before: a fresh httpx connection pool each time), for a CheckAvailability over 4 TLDs.
"""

from __future__ import annotations

import statistics
import sys
import time

from kmerhosting.integrations.dna import DnaClient, DnaRegistrar
from tests.fake_dna import FakeDna

NAMES = ["bench.cm", "bench.com", "bench.net", "bench.org"]


def timed(calls: int, make_registrar) -> list[float]:
    durations = []
    for _ in range(calls):
        registrar = make_registrar()
        started = time.perf_counter()
        registrar.check(NAMES)
        durations.append(time.perf_counter() - started)
    return durations


def report(label: str, durations: list[float]) -> float:
    mean = statistics.mean(durations)
    p95 = sorted(durations)[int(len(durations) * 0.95) - 1]
    print(f"{label:<28} {len(durations):>5} calls  mean {mean * 1000:7.2f} ms  p95 {p95 * 1000:7.2f} ms  "
          f"{1 / mean:8.0f} calls/s")
    return mean


def main(calls: int = 300) -> None:
    fake = FakeDna().start()
    try:
        def fresh():
            return DnaRegistrar(DnaClient(fake.username, fake.password, fake.url, timeout=5))

        shared = fresh()
        timed(20, lambda: shared)  # warm-up
        shared_mean = report("shared client", timed(calls, lambda: shared))
        fresh_mean = report("new client per call", timed(calls, fresh))
        print(f"new-client / shared-client time ratio: {fresh_mean / shared_mean:.2f}")
        body = len(fake.requests[-1].body)
        print(f"request envelope size: {body} bytes; requests served: {len(fake.requests)}; "
              f"contract violations: {len(fake.violations)}")
    finally:
        fake.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
