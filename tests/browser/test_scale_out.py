"""The production deployment of the README: MariaDB for data, Redis for Reflex state, several backend
workers behind one port. Journey 3 (sign up, credits, buy a pack with a new domain, renew) runs
through it in a real browser.

Redis is required where MariaDB is (KMER_TEST_REQUIRE_MARIADB=1, i.e. CI); elsewhere the test is
skipped when Redis (KMER_TEST_REDIS_URL, default redis://127.0.0.1:6379) does not answer.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
import redis
from playwright.sync_api import expect

from kmerhosting import db

from ..conftest import _MARIADB_PROBLEM, REQUIRE_MARIADB, create_mariadb_database, screenshot
from ..live import start_app
from . import helpers as h

pytestmark = pytest.mark.browser

REDIS_SERVER_URL = os.environ.get("KMER_TEST_REDIS_URL", "redis://127.0.0.1:6379")
WORKERS = 2


def _redis_problem() -> str | None:
    try:
        redis.Redis.from_url(REDIS_SERVER_URL + "/0", socket_timeout=3).ping()
        return None
    except Exception as exc:  # noqa: BLE001
        return str(exc).splitlines()[0]


def _free_redis_db() -> int:
    """An empty Redis database number (the machine's Redis may hold other work in db 0)."""
    for number in range(15, 0, -1):
        if redis.Redis.from_url(f"{REDIS_SERVER_URL}/{number}").dbsize() == 0:
            return number
    pytest.fail("no empty Redis database (1-15) to run the scale-out test in")


@pytest.fixture(scope="module")
def scaled_app(request, tmp_path_factory):
    if _MARIADB_PROBLEM:
        pytest.skip(f"MariaDB unreachable: {_MARIADB_PROBLEM}")
    problem = _redis_problem()
    if problem:
        if REQUIRE_MARIADB:
            pytest.fail(f"Redis is required with KMER_TEST_REQUIRE_MARIADB=1 but unreachable: {problem}")
        pytest.skip(f"Redis unreachable: {problem}")
    request.getfixturevalue("live_app")  # first: its `.web` (packages installed) is what own_frontend copies
    workdir = tmp_path_factory.mktemp("scaled")
    database_url, drop_database = create_mariadb_database("kmer_scale")
    redis_url = f"{REDIS_SERVER_URL}/{_free_redis_db()}"
    app = None
    try:
        app = start_app(workdir, database_url=database_url, own_frontend=True, extra_env={
            "REFLEX_REDIS_URL": redis_url, "GRANIAN_WORKERS": str(WORKERS)})
        app.extra["redis_url"] = redis_url
        yield app
    finally:
        if app is not None:
            app.stop()
        redis.Redis.from_url(redis_url).flushdb()
        drop_database()


# --- which processes serve the port (read from /proc: no extra dependency) -------------------------------


def _socket_inodes(port: int, state: str) -> set[str]:
    """Inodes of the TCP sockets on local `port` in `state` ("0A" listening, "01" established)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                inodes.add(fields[9])
    return inodes


def _socket_owners(inodes: set[str]) -> Counter:
    """How many of these sockets each process holds."""
    wanted = {f"socket:[{inode}]" for inode in inodes}
    owners = Counter()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) in wanted:
                    owners[int(proc.name)] += 1
        except OSError:  # a process that ended meanwhile, or not ours to read
            continue
    return owners


def _process_group(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[2])


def serving_workers(app) -> set[int]:
    """The app's processes listening on its port (granian workers each bind it with SO_REUSEPORT)."""
    port = int(app.base_url.rsplit(":", 1)[1])
    return {pid for pid in _socket_owners(_socket_inodes(port, "0A")) if _process_group(pid) == app.process.pid}


def workers_answering(app, workers: set[int], attempts: int = 64) -> set[int]:
    """Open keep-alive connections until every worker holds one (the kernel spreads new connections
    over the listening sockets by a hash of the client's port; 64 tries all landing on one of two
    workers has a chance of 2^-63). Returns the workers that accepted a connection."""
    port = int(app.base_url.rsplit(":", 1)[1])
    clients, reached = [], set()
    try:
        for _ in range(attempts):
            client = httpx.Client(base_url=app.base_url, timeout=10)
            clients.append(client)
            assert client.get("/ping").status_code == 200
            reached = set(_socket_owners(_socket_inodes(port, "01"))) & workers
            if reached == workers:
                break
    finally:
        for client in clients:
            client.close()
    return reached


def test_two_workers_on_mariadb_and_redis_serve_journey3(scaled_app, request):
    browser = request.getfixturevalue("browser")  # after scaled_app, so a missing Redis skips at once
    workers = serving_workers(scaled_app)
    for _ in range(60):  # each worker binds the port once it has loaded the app; the first may answer alone
        if len(workers) >= WORKERS:
            break
        time.sleep(1)
        workers = serving_workers(scaled_app)
    assert len(workers) >= WORKERS, f"worker processes listening: {sorted(workers)}"
    assert workers_answering(scaled_app, workers) == workers

    customer_page, admin_page = h.new_page(browser, scaled_app), h.new_page(browser, scaled_app)
    try:
        customer = h.new_customer("Scale")
        h.sign_up(customer_page, scaled_app, customer, shots="journey3-scaleout")
        h.log_in_admin(admin_page)
        h.top_up(customer_page, admin_page, customer, 100_000)
        engine = db.make_engine(scaled_app.database_url)
        try:
            domain, balance = h.buy_and_renew(customer_page, engine, customer, 100_000, "journey3-scaleout")
        finally:
            engine.dispose()
        # Reflex kept the visitors' state in Redis, where every worker finds it.
        assert redis.Redis.from_url(scaled_app.extra["redis_url"]).dbsize() > 0
        h.open_services(customer_page)
        expect(h.service_card(customer_page, domain)).to_be_visible()
        expect(customer_page.locator("#services-balance")).to_have_text(h.xaf(balance))
        screenshot(customer_page, "journey3-scaleout-final")
    finally:
        customer_page.context.close()
        admin_page.context.close()
