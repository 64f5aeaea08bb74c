"""How long the admin stats page's report takes over 100,000 ledger rows on MariaDB.

Builds a scratch MariaDB database (dropped at the end), bulk-inserts ledger rows spread over a year,
and times what AdminStatsState.load runs (`core.admin.stats.report`) for the page's default period
(last 30 days by day) and for a whole year by month. Baselines from the same run: the same reports
over 10,000 rows, and a bare SELECT COUNT(*) over the table. Prints figures and ratios; asserts nothing.

    python bench/admin_stats.py            # MariaDB at root@127.0.0.1:3306 (KMER_BENCH_MARIADB_URL)
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("KMER_ENV_FILE", "/nonexistent")

import sqlalchemy as sa  # noqa: E402

from kmerhosting import db  # noqa: E402
from kmerhosting.core.admin import stats  # noqa: E402
from kmerhosting.manage import migrate  # noqa: E402
from kmerhosting.models import Pack, Role, Service, Transaction, User, utcnow  # noqa: E402
from tests.databases import create_mariadb_database  # noqa: E402

SERVER = os.environ.get("KMER_BENCH_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306")
KINDS = ["credit", "purchase", "purchase", "domain", "renewal", "refund", "adjustment"]
USERS, SERVICES, BATCH = 500, 2000, 5000


def timed(fn, repeat: int = 5) -> float:
    """Median wall time in milliseconds (first call warms caches and is discarded)."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def seed_people(engine, rng) -> tuple[int, list[int]]:
    now = utcnow()
    with db.session_scope(engine) as s:
        admin = User(email="bench-admin@example.cm", name="Admin", password_hash="x", role=Role.admin)
        s.add(admin)
        packs = [Pack(name=f"Pack {i}", slug=f"bench-{i}", monthly_price=1500 * (i + 1)) for i in range(4)]
        s.add_all(packs)
        s.flush()
        users = [User(email=f"c{i}@example.cm", name=f"Client {i}", password_hash="x", credits=rng.randrange(50000),
                      created_at=now - timedelta(days=rng.randrange(365))) for i in range(USERS)]
        s.add_all(users)
        s.flush()
        services = []
        for i in range(SERVICES):
            created = now - timedelta(days=rng.randrange(365))
            months = rng.choice([1, 3, 6, 12, 24, 36])
            pack = rng.choice(packs)
            services.append(Service(user_id=rng.choice(users).id, pack_id=pack.id, domain=f"b{i}.cm",
                                    control_panel="cpanel", status="active", duration_months=months,
                                    price_paid=pack.monthly_price * months, starts_at=created,
                                    expires_at=created + timedelta(days=30 * months), created_at=created))
        s.add_all(services)
        s.flush()
        return admin.id, [u.id for u in users], [sv.id for sv in services]


def insert_ledger(engine, rng, count: int, user_ids: list[int], service_ids: list[int]) -> None:
    now = utcnow()
    table = Transaction.__table__
    done = 0
    while done < count:
        rows = []
        for _ in range(min(BATCH, count - done)):
            kind = rng.choice(KINDS)
            amount = rng.randrange(500, 200_000)
            rows.append({"user_id": rng.choice(user_ids), "kind": kind,
                         "amount": -amount if kind in ("purchase", "domain", "renewal") else amount,
                         "balance_after": 0, "reference": "", "description": "",
                         "service_id": rng.choice(service_ids) if kind == "renewal" else None,
                         "created_at": now - timedelta(seconds=rng.randrange(365 * 24 * 3600))})
        with engine.begin() as conn:
            conn.execute(table.insert(), rows)
        done += len(rows)


def measure(engine, admin_id: int) -> dict:
    month = stats.default_period()
    year = stats.parse_period(month.end - timedelta(days=364), month.end, "month")

    def page(period):
        def run():
            with db.session_scope(engine) as s:
                stats.report(s, admin_id, period)
        return run

    def count():
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT COUNT(*) FROM transactions")).scalar_one()

    return {"page_30_days": timed(page(month)), "page_year_by_month": timed(page(year)), "count_star": timed(count)}


def main() -> None:
    url, drop_database = create_mariadb_database("kmer_bench", SERVER)
    engine = None
    try:
        migrate(url)
        engine = db.make_engine(url)
        db.set_engine_override(engine)
        rng = random.Random(7)
        admin_id, user_ids, service_ids = seed_people(engine, rng)

        start = time.perf_counter()
        insert_ledger(engine, rng, 10_000, user_ids, service_ids)
        small = measure(engine, admin_id)
        insert_ledger(engine, rng, 90_000, user_ids, service_ids)
        print(f"bulk insert of 100,000 ledger rows: {time.perf_counter() - start:.1f} s")
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE TABLE transactions, services, users"))
        big = measure(engine, admin_id)

        print(f"{'measure (median of 5, ms)':32} {'10k rows':>10} {'100k rows':>10} {'ratio':>7}")
        for key in small:
            print(f"{key:32} {small[key]:10.1f} {big[key]:10.1f} {big[key] / small[key]:7.2f}")
        print(f"year report / COUNT(*) over 100k rows: {big['page_year_by_month'] / big['count_star']:.1f}x")
        worst = max(big["page_30_days"], big["page_year_by_month"])
        print(f"slowest page report over 100k rows: {worst:.0f} ms (target: under 1000 ms)")
    finally:
        db.set_engine_override(None)
        if engine is not None:
            engine.dispose()
        drop_database()


if __name__ == "__main__":
    main()
