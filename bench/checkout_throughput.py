"""Checkout throughput: how many orders per second `core.checkout.pay` places, and what the user
row lock costs when one customer's tabs all pay at once.

    python -m bench.checkout_throughput [--users 40] [--threads 8] [--customers 20] [--orders 10]

Prints figures for SQLite (a temporary file) and MariaDB (a temporary database on
KMER_TEST_MARIADB_URL, default root@127.0.0.1:3306, skipped when unreachable), then
`bench.checkout_floor`: pay() for 20 concurrent customers against a bare SQL transaction doing the
same lock-update-insert, on MariaDB. No assertion: correctness lives in tests/test_checkout.py.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
import uuid

os.environ.setdefault("KMER_ENV", "test")
os.environ.setdefault("KMER_ENV_FILE", "/nonexistent")

import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench import checkout_floor  # noqa: E402
from kmerhosting import db  # noqa: E402
from kmerhosting.core import cart, checkout  # noqa: E402
from kmerhosting.core.ledger import add_credits, ledger_sum  # noqa: E402
from kmerhosting.manage import migrate  # noqa: E402
from kmerhosting.models import Pack, User  # noqa: E402
from tests.databases import create_mariadb_database  # noqa: E402

MARIADB = os.environ.get("KMER_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306")


def _setup(engine, users: int, lines_each: int) -> list[int]:
    with Session(engine) as s:
        pack = Pack(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}", monthly_price=2500)
        s.add(pack)
        s.commit()
        ids = []
        for i in range(users):
            user = User(email=f"bench{i}-{uuid.uuid4().hex[:6]}@example.cm", name="Bench", password_hash="x",
                        email_verified_at=sa.func.now())
            s.add(user)
            s.commit()
            add_credits(s, user.id, 10_000_000)
            for j in range(lines_each):
                item = cart.add_pack(s, user_id=user.id, visitor_key=None, pack_id=pack.id, months=1)
                cart.choose_own_domain(s, user_id=user.id, visitor_key=None, item_id=item.id,
                                       domain=f"b{user.id}-{j}.cm")
            s.commit()
            ids.append(user.id)
    return ids


def _pay_all(engine, jobs: list[tuple[int, list[int] | None]], threads: int) -> float:
    factory = lambda: Session(engine, expire_on_commit=False)  # noqa: E731
    queue = list(jobs)
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                user_id, item_ids = queue.pop()
            with Session(engine) as s:
                preview = checkout.checkout_preview(s, user_id)
                lines = [l for l in preview.lines if item_ids is None or l.item_id in item_ids]
            checkout.pay(factory, user_id, uuid.uuid4().hex, sum(l.amount for l in lines),
                         item_ids=[l.item_id for l in lines])

    start = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - start


def run(name: str, url: str, users: int, threads: int) -> None:
    migrate(url)
    engine = db.make_engine(url)
    db.set_engine_override(engine)  # the confirmation mail's session_scope() writes here
    try:
        ids = _setup(engine, users, 1)
        many = _pay_all(engine, [(u, None) for u in ids], threads)
        tabs = min(users, cart.MAX_ITEMS)
        one = _setup(engine, 1, tabs)[0]
        with Session(engine) as s:
            items = [l.item_id for l in checkout.checkout_preview(s, one).lines]
        same = _pay_all(engine, [(one, [i]) for i in items], threads)
        with Session(engine) as s:
            assert ledger_sum(s, one) == s.get(User, one).credits
        print(f"{name:8} {users} customers x 1 order, {threads} threads: {users / many:7.1f} orders/s "
              f"({many * 1000 / users:6.1f} ms each)")
        print(f"{name:8} 1 customer x {tabs} orders (tabs), {threads} threads: {tabs / same:7.1f} orders/s "
              f"({same * 1000 / tabs:6.1f} ms each); ms-per-order ratio same-user/many-users = "
              f"{(same / tabs) / (many / users):4.2f}")
    finally:
        db.set_engine_override(None)
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--customers", type=int, default=20, help="concurrent customers for the floor comparison")
    parser.add_argument("--orders", type=int, default=10, help="orders per customer for the floor comparison")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite:///{tmp}/bench.db", args.users, args.threads)
    try:
        url, drop_database = create_mariadb_database("kmer_bench", MARIADB)
    except Exception as exc:  # noqa: BLE001
        print(f"mariadb  skipped: {str(exc).splitlines()[0]}")
        return
    try:
        run("mariadb", url, args.users, args.threads)
    finally:
        drop_database()
    checkout_floor.report(args.customers, min(args.orders, cart.MAX_ITEMS))


if __name__ == "__main__":
    main()
