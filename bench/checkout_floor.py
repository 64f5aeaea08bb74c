"""Checkout against its floor: `core.checkout.pay` for N concurrent customers versus a bare SQL
transaction doing the same lock-update-insert, with the same threads, in the same run.

    python -m bench.checkout_floor [--customers 20] [--orders 10]
    python -m bench.checkout_throughput       # runs this too, after its own figures

MariaDB only (a scratch database on KMER_TEST_MARIADB_URL, default root@127.0.0.1:3306, created and
dropped here): SQLite has one writer, so concurrent customers say nothing about it.

Each customer is a thread with its own sessions and a cart prepared beforehand (`--orders` lines,
own domain, 1 month); it pays one line per order, so every order goes through the whole of `pay()`:
row lock, replay check, re-pricing, Order, ledger row, Service, cart cleanup, commit, result and the
confirmation mail (outbox). The floor is one SQLAlchemy Core transaction per order: SELECT ... FOR
UPDATE on the user row, UPDATE users SET credits, INSERT a transactions row, INSERT a services row,
COMMIT. The ratio floor/pay says what the shop's bookkeeping costs on top of the unavoidable writes.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

os.environ.setdefault("KMER_ENV", "test")
os.environ.setdefault("KMER_ENV_FILE", "/nonexistent")

import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session  # noqa: E402

from kmerhosting import db  # noqa: E402
from kmerhosting.core import cart, checkout  # noqa: E402
from kmerhosting.core.ledger import add_credits, ledger_sum  # noqa: E402
from kmerhosting.manage import migrate  # noqa: E402
from kmerhosting.models import Pack, Service, Transaction, User, utcnow  # noqa: E402
from tests.databases import create_mariadb_database  # noqa: E402

MARIADB = os.environ.get("KMER_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306")
PRICE = 2500


def scratch_mariadb(prefix: str = "kmer_bench") -> tuple[str, Callable[[], None]]:
    """A new, empty MariaDB database; its URL and a drop function."""
    return create_mariadb_database(prefix, MARIADB)


def prepare_customers(engine, customers: int, lines_each: int) -> tuple[int, list[tuple[int, list[tuple[int, int]]]]]:
    """The pack id and, per customer, (user id, [(cart item id, amount), ...]) priced before the clock."""
    with Session(engine) as s:
        pack = Pack(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}", monthly_price=PRICE)
        s.add(pack)
        s.commit()
        pack_id = pack.id
    prepared = []
    for i in range(customers):
        with Session(engine) as s:
            user = User(email=f"floor{i}-{uuid.uuid4().hex[:6]}@example.cm", name="Bench", password_hash="x",
                        email_verified_at=utcnow())
            s.add(user)
            s.commit()
            add_credits(s, user.id, 100_000_000)
            for j in range(lines_each):
                item = cart.add_pack(s, user_id=user.id, visitor_key=None, pack_id=pack_id, months=1)
                cart.choose_own_domain(s, user_id=user.id, visitor_key=None, item_id=item.id,
                                       domain=f"f{user.id}-{j}.cm")
            s.commit()
            lines = [(line.item_id, line.amount) for line in checkout.checkout_preview(s, user.id).lines]
            prepared.append((user.id, lines))
    return pack_id, prepared


def run_threads(jobs: list[Callable[[], None]]) -> float:
    """Start one thread per job at the same moment; seconds until the last one ends."""
    ready = threading.Barrier(len(jobs) + 1)
    errors: list[BaseException] = []

    def wrap(job):
        ready.wait()
        try:
            job()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    pool = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for t in pool:
        t.start()
    ready.wait()
    start = time.perf_counter()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return elapsed


def pay_customer(engine, user_id: int, lines: list[tuple[int, int]]) -> Callable[[], None]:
    factory = lambda: Session(engine, expire_on_commit=False)  # noqa: E731

    def job():
        for item_id, amount in lines:
            result = checkout.pay(factory, user_id, uuid.uuid4().hex, amount, item_ids=[item_id])
            assert result.status == "paid", result
    return job


def floor_customer(engine, user_id: int, pack_id: int, orders: int) -> Callable[[], None]:
    users, transactions, services = User.__table__, Transaction.__table__, Service.__table__

    def job():
        for n in range(orders):
            now = utcnow()
            with engine.begin() as conn:
                credits = conn.execute(sa.select(users.c.credits).where(users.c.id == user_id)
                                       .with_for_update()).scalar_one()
                conn.execute(sa.update(users).where(users.c.id == user_id).values(credits=credits - PRICE))
                conn.execute(sa.insert(transactions).values(
                    user_id=user_id, kind="purchase", amount=-PRICE, balance_after=credits - PRICE,
                    reference=f"floor-{n}", description="Bench", created_at=now))
                conn.execute(sa.insert(services).values(
                    user_id=user_id, pack_id=pack_id, domain=f"floor{user_id}-{n}.cm", control_panel="cpanel",
                    status="active", duration_months=1, price_paid=PRICE, starts_at=now,
                    expires_at=now + timedelta(days=30), created_at=now))
    return job


def compare(url: str, customers: int, orders: int) -> tuple[float, float]:
    """Orders per second for pay() and for the floor, on a migrated database at `url`."""
    engine = db.make_engine(url)
    db.set_engine_override(engine)  # the confirmation mail's session_scope() writes here
    try:
        pack_id, prepared = prepare_customers(engine, customers, orders)
        total = customers * orders
        pay_s = run_threads([pay_customer(engine, uid, lines) for uid, lines in prepared])
        with Session(engine) as s:
            for uid, _ in prepared:
                assert ledger_sum(s, uid) == s.get(User, uid).credits, "pay() lost a ledger row"
        # The floor writes after pay() on the same rows, so both meet the same table sizes at the end.
        floor_s = run_threads([floor_customer(engine, uid, pack_id, orders) for uid, _ in prepared])
        return total / pay_s, total / floor_s
    finally:
        db.set_engine_override(None)
        engine.dispose()


def report(customers: int, orders: int) -> None:
    try:
        url, drop = scratch_mariadb()
    except Exception as exc:  # noqa: BLE001
        print(f"mariadb  floor comparison skipped: {str(exc).splitlines()[0]}")
        return
    try:
        migrate(url)
        pay_rate, floor_rate = compare(url, customers, orders)
    finally:
        drop()
    total = customers * orders
    print(f"mariadb  {customers} concurrent customers x {orders} orders ({total} orders, {customers} threads)")
    print(f"mariadb    core.checkout.pay : {pay_rate:8.1f} orders/s ({1000 / pay_rate:6.2f} ms per order)")
    print(f"mariadb    bare SQL floor    : {floor_rate:8.1f} orders/s ({1000 / floor_rate:6.2f} ms per order)")
    print(f"mariadb    ratio floor/pay   : {floor_rate / pay_rate:8.2f}x  (pay reaches {pay_rate / floor_rate:.0%} of the floor)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument("--orders", type=int, default=10, help=f"orders per customer (at most {cart.MAX_ITEMS})")
    args = parser.parse_args()
    report(args.customers, min(args.orders, cart.MAX_ITEMS))


if __name__ == "__main__":
    main()
