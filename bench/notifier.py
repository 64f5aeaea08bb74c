"""How the notifier's daily run scales with the size of the services table.

    python bench/notifier.py                       # MariaDB at 127.0.0.1:3306 (root), 100k and 1M services
    python bench/notifier.py --sqlite              # the same on a SQLite file
    python bench/notifier.py --sizes 100000,1000000 --due 1000 --server mysql+pymysql://root@127.0.0.1:3306

For each size it creates a scratch database (dropped at the end), migrates it, bulk-inserts that many
services of which exactly `--due` fall in a notice window today (the rest expire months or years from
now, or expired long ago and are suspended or cancelled), then times a dry run (the queries alone,
best of 3) and one real run (the same plus the sends, through the outbox backend). The goal is a ratio
under 1.5 between the two sizes: the run must cost what is due, not what is stored. Not a test.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("KMER_ENV_FILE", "/nonexistent")
os.environ.setdefault("MAIL_BACKEND", "outbox")

import sqlalchemy as sa  # noqa: E402

from kmerhosting import db  # noqa: E402
from kmerhosting.core import notifier  # noqa: E402
from kmerhosting.manage import migrate  # noqa: E402
from kmerhosting.models import Pack, Service, User  # noqa: E402
from tests.databases import create_mariadb_database  # noqa: E402

NOW = datetime(2027, 1, 10, 7, 0, tzinfo=UTC)
DUE_DAYS = [60, 55, 50, 30, 25, 15, 10, 6, 5, 3, 1, 0]  # inside the default notice windows
USERS = 1000


def scratch_database(server: str | None) -> tuple[str, callable]:
    if server is None:
        path = Path(tempfile.mkdtemp(prefix="kmer_bench_")) / "bench.db"
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    return create_mariadb_database("kmer_bench", server)


def _service_row(i: int, user_id: int, pack_id: int, expires_at: datetime, status: str) -> dict:
    return {"user_id": user_id, "pack_id": pack_id, "domain": f"site{i}.cm", "control_panel": "cpanel",
            "status": status, "duration_months": 12, "price_paid": 30000, "panel_url": "",
            "starts_at": expires_at - timedelta(days=365), "expires_at": expires_at, "created_at": NOW}


def _filler(i: int) -> tuple[datetime, str]:
    """A service nothing is due for: far in the future, or expired long ago and no longer active."""
    if i % 10 == 0:
        return NOW - timedelta(days=40 + i % 700, hours=i % 24), ("suspended" if i % 20 else "cancelled")
    return NOW + timedelta(days=75 + i % 1000, hours=i % 24), "active"


def populate(engine: sa.Engine, size: int, due: int) -> None:
    with engine.begin() as conn:
        pack_id = conn.execute(sa.insert(Pack.__table__).values(
            name="Pro", slug="pro", monthly_price=2500, features=[], discounts={}, description_fr="",
            description_en="", control_panel="cpanel", created_at=NOW)).inserted_primary_key[0]
        conn.execute(sa.insert(User.__table__), [
            {"email": f"bench{u}@example.cm", "password_hash": "x", "name": f"Client {u}", "phone": "",
             "role": "customer", "status": "active", "language": "fr" if u % 3 else "en", "credits": 0,
             "created_at": NOW} for u in range(USERS)])
        first_user = conn.execute(sa.select(sa.func.min(User.__table__.c.id))).scalar()
    table = Service.__table__
    rows = []
    for i in range(size):
        user_id = first_user + i % USERS
        if i < due:
            expires_at, status = NOW + timedelta(days=DUE_DAYS[i % len(DUE_DAYS)], hours=1 + i % 12), "active"
        else:
            expires_at, status = _filler(i)
        rows.append(_service_row(i, user_id, pack_id, expires_at, status))
        if len(rows) == 20000:
            with engine.begin() as conn:
                conn.execute(sa.insert(table), rows)  # executemany: PyMySQL batches it into multi-row INSERTs
            rows = []
    if rows:
        with engine.begin() as conn:
            conn.execute(sa.insert(table), rows)
    with engine.begin() as conn:
        conn.execute(sa.text("ANALYZE TABLE services" if engine.dialect.name != "sqlite" else "ANALYZE"))


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def explain_window_query(engine: sa.Engine) -> None:
    """Print MariaDB's plan for the 60-day window query: it must be a range on the (status, expires_at) index."""
    from sqlmodel import Session

    from kmerhosting.config import get_settings

    point = notifier.notice_points(get_settings())[0]
    captured = []
    listener = lambda conn, cursor, statement, params, context, many: captured.append((statement, params))  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        with Session(engine) as session:
            notifier.services_due_for_reminder(session, notifier.local_date(NOW), point)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    statement, params = captured[-1]
    with engine.connect() as conn:
        for row in conn.exec_driver_sql("EXPLAIN " + statement, params).mappings():
            print(f"  EXPLAIN {row['table']}: type={row['type']} key={row['key']} rows={row['rows']}")


def measure(server: str | None, size: int, due: int) -> dict:
    url, drop = scratch_database(server)
    try:
        migrate(url)
        engine = db.make_engine(url)
        db.set_engine_override(engine)
        insert_s, _ = timed(lambda: populate(engine, size, due))
        if engine.dialect.name != "sqlite":
            explain_window_query(engine)
        dry = min(timed(lambda: notifier.run_daily(NOW, dry_run=True))[0] for _ in range(3))
        real_s, summary = timed(lambda: notifier.run_daily(NOW))
        rerun_s, rerun = timed(lambda: notifier.run_daily(NOW))
        assert summary.sent == due and rerun.sent == 0, (summary.line(), rerun.line())
        return {"size": size, "insert": insert_s, "dry": dry, "real": real_s, "rerun": rerun_s, "sent": summary.sent}
    finally:
        db.set_engine_override(None)
        drop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--server", default=os.environ.get("KMER_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306"))
    parser.add_argument("--sqlite", action="store_true", help="use a SQLite file instead of MariaDB")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    server = None if args.sqlite else args.server
    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        r = measure(server, size, args.due)
        results.append(r)
        print(f"{'sqlite' if args.sqlite else 'mariadb'} {r['size']:>9,} services, {args.due} due: "
              f"insert {r['insert']:.1f}s | dry run (queries) {r['dry'] * 1000:.0f} ms | "
              f"real run ({r['sent']} sent) {r['real']:.2f}s | rerun (nothing to send) {r['rerun'] * 1000:.0f} ms",
              flush=True)
    if len(results) >= 2:
        small, big = results[0], results[-1]
        for key, label in (("dry", "dry run"), ("real", "real run"), ("rerun", "rerun")):
            print(f"ratio {big['size']:,} / {small['size']:,} services, {label}: {big[key] / small[key]:.2f}"
                  f" (goal < 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
