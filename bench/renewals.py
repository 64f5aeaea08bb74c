"""Renewal throughput: one customer clicking fast, and many customers at once.

    python bench/renewals.py            # SQLite (temporary file), plus MariaDB if it answers
Prints renewals per second and the ratio of parallel to serial throughput. Mail is sent to the
outbox backend (a database row per renewal), as in the default set-up.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("KMER_ENV", "test")
os.environ.setdefault("KMER_ENV_FILE", "/nonexistent")

from sqlmodel import Session  # noqa: E402

from kmerhosting import db  # noqa: E402
from kmerhosting.core.ledger import ledger_sum  # noqa: E402
from kmerhosting.core.renewals import renew_service  # noqa: E402
from kmerhosting.manage import migrate  # noqa: E402
from kmerhosting.models import User  # noqa: E402
from tests.factories import make_pack, make_service, make_user  # noqa: E402
from tests.databases import create_mariadb_database  # noqa: E402

RENEWALS = 200
THREADS = 8


def setup(engine, customers: int):
    with Session(engine, expire_on_commit=False) as s:
        pack = make_pack(s, monthly_price=1000)
        pairs = []
        for _ in range(customers):
            user = make_user(s, credits=10_000_000)
            pairs.append((user.id, make_service(s, user, pack).id))
        return pairs


def run(engine, jobs: list[tuple[int, int]], threads: int) -> float:
    chunks = [jobs[i::threads] for i in range(threads)]

    def worker(chunk):
        with Session(engine, expire_on_commit=False) as s:
            for user_id, service_id in chunk:
                renew_service(s, user_id, service_id, 1, uuid.uuid4().hex)

    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return len(jobs) / (time.perf_counter() - started)


def bench(name: str, url: str) -> None:
    migrate(url)
    engine = db.make_engine(url)
    db.set_engine_override(engine)  # the confirmation mail goes to the same database
    one = setup(engine, 1)
    many = setup(engine, THREADS * 4)
    serial = run(engine, one * RENEWALS, 1)
    same_user = run(engine, one * RENEWALS, THREADS)
    spread = run(engine, [many[i % len(many)] for i in range(RENEWALS)], THREADS)
    with Session(engine) as s:
        ok = all(ledger_sum(s, u.id) == u.credits for u in s.query(User).all())
    print(f"{name:8} serial {serial:7.1f}/s | {THREADS} threads, one customer {same_user:7.1f}/s "
          f"(x{same_user / serial:.2f}) | {THREADS} threads, {len(many)} customers {spread:7.1f}/s "
          f"(x{spread / serial:.2f}) | ledger == balance: {ok}")
    db.set_engine_override(None)
    engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench("sqlite", f"sqlite:///{tmp}/bench.db")
    server = os.environ.get("KMER_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306")
    try:
        url, drop_database = create_mariadb_database("kmer_bench", server)
    except Exception as exc:  # noqa: BLE001
        print(f"mariadb  skipped: {str(exc).splitlines()[0]}")
        return
    try:
        bench("mariadb", url)
    finally:
        drop_database()


if __name__ == "__main__":
    main()
